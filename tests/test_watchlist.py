from __future__ import annotations

import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.config.templates import DEFAULT_SEARCH_TEMPLATES
from monitor.errors import ConfigError, WatchlistError
from monitor.model import Signal
from monitor.watchlist import (
    DEFAULT_ALERT_ON,
    Context,
    Term,
    Watch,
    Watchlists,
    check_watchlists,
    load_watch_text,
    load_watchlists,
    search_feed_urls,
)

BUNDLED = Path(__file__).resolve().parents[1] / "watchlists"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# --- the bundled watchlist ------------------------------------------------------------


def test_bundled_watchlist_loads_clean() -> None:
    assert check_watchlists([BUNDLED], known_searches=DEFAULT_SEARCH_TEMPLATES) == []
    watchlists = load_watchlists([BUNDLED], known_searches=DEFAULT_SEARCH_TEMPLATES)
    names = [w.name for w in watchlists]
    assert names == ["MAI-1", "GPT-5", "Microsoft Build", "gpt2-chatbot"]
    mai = watchlists.get("MAI-1")
    assert mai is not None and mai.case_sensitive
    gpt5 = watchlists.get("GPT-5")
    assert gpt5 is not None and not gpt5.case_sensitive
    assert {t.text for t in gpt5.aliases} >= {"GPT 5", "GPT5"}
    build = watchlists.get("Microsoft Build")
    assert build is not None and build.context is not None
    assert all(w.search for w in watchlists)
    assert all(w.alert_on == DEFAULT_ALERT_ON for w in watchlists)


# --- the format -----------------------------------------------------------------------


def test_full_watch(tmp_path: Path) -> None:
    path = write(
        tmp_path / "w.yaml",
        """
        watches:
          - name: Thing
            terms: [Thing One, {regex: "Thing-?1"}]
            aliases: Thing1
            case_sensitive: yes
            exclude: [Thing One Two]
            context: {words: [launch, lancement], within: 3}
            languages: [en, FR, pt-BR]
            alert_on: [released, MENTION]
            targets: [chat]
            feeds: [https://example.org/rss]
            search: google_news
        """,
    )
    watchlists = load_watchlists([path], known_targets={"chat", "email"})
    assert watchlists.paths == (path,)
    assert watchlists.files == (path,)
    (watch,) = watchlists.watches
    assert watch == Watch(
        name="Thing",
        terms=(Term("Thing One"), Term("Thing-?1", regex=True)),
        aliases=(Term("Thing1"),),
        case_sensitive=True,
        exclude=(Term("Thing One Two"),),
        context=Context(words=(Term("launch"), Term("lancement")), within=3),
        languages=("en", "fr", "pt-br"),
        alert_on=frozenset({Signal.RELEASED, Signal.MENTION}),
        targets=("chat",),
        feeds=("https://example.org/rss",),
        search=("google_news",),
    )
    assert watch.path == path and watch.line == 2


def test_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", "watches:\n  - {name: A, terms: [a]}\n")
    (watch,) = load_watchlists([path]).watches
    assert watch.case_sensitive is False
    assert watch.alert_on == {Signal.RELEASED, Signal.DATED, Signal.RUMOR}
    assert watch.targets is None  # all targets
    assert watch.languages is None
    assert watch.context is None
    assert (watch.aliases, watch.exclude, watch.feeds, watch.search) == ((), (), (), ())


def test_empty_targets_means_none(tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", "watches:\n  - {name: A, terms: [a], targets: []}\n")
    (watch,) = load_watchlists([path], known_targets={"chat"}).watches
    assert watch.targets == ()


def test_context_within_defaults_to_five(tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", "watches:\n  - {name: A, terms: [a], context: {words: x}}\n")
    (watch,) = load_watchlists([path]).watches
    assert watch.context == Context(words=(Term("x"),), within=5)


def test_folder_reads_yaml_and_yml_in_name_order_skipping_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b.yml", "watches:\n  - {name: B, terms: [b]}\n")
    write(tmp_path / "a.yaml", "watches:\n  - {name: A, terms: [a]}\n")
    write(tmp_path / ".#a.yaml", "not: [valid")
    write(tmp_path / "notes.txt", "ignored")
    watchlists = load_watchlists([tmp_path])
    assert [w.name for w in watchlists] == ["A", "B"]
    assert [p.name for p in watchlists.files] == ["a.yaml", "b.yml"]


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", "watches:\n  - {name: A, terms: [a]}\n")
    assert len(load_watchlists([tmp_path, path])) == 1


def test_empty_file_has_no_watches(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", "# all commented out\n")
    assert len(load_watchlists([path])) == 0


# --- problems, each with its line -----------------------------------------------------

PROBLEMS = [
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            tems: [b]
        """,
        4,
        "unknown key 'tems' in a watch; did you mean 'terms'?",
        id="unknown-key",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms:
              - a
              - ""
        """,
        5,
        "empty terms entry",
        id="empty-term",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: ["\\u200b\\u00ad"]
        """,
        3,
        "terms entry '\\u200b\\xad' is empty once normalised",
        id="invisible-term",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: []
        """,
        3,
        "'terms' is an empty list",
        id="empty-term-list",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms:
              - a
              - {regex: "GPT-(5"}
        """,
        5,
        "regex 'GPT-(5' does not compile: missing ) at position 6",
        id="bad-regex",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [{regex: "x*"}]
        """,
        3,
        "regex 'x*' matches empty text",
        id="empty-regex",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [{regx: "x"}]
        """,
        3,
        "unknown key 'regx' in a terms entry; did you mean 'regex'?",
        id="regex-key-typo",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            targets: [chat, pager]
        """,
        4,
        "unknown target 'pager' (known: chat, email)",
        id="unknown-target",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            alert_on:
              - released
              - launched
        """,
        6,
        "unknown signal 'launched' in alert_on (known: mention, rumor, dated, released)",
        id="unknown-signal",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            case_sensitive: maybe
        """,
        4,
        "case_sensitive must be true or false, not text",
        id="wrong-type-bool",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            context: {words: [x], within: many}
        """,
        4,
        "context 'within' must be a whole number from 0 to 1000",
        id="wrong-type-within",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            context: {within: 3}
        """,
        4,
        "context needs 'words'",
        id="context-without-words",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms:
              - {regex: "a"}
            search: [google_news]
        """,
        5,
        "watch 'A': search needs at least one plain term",
        id="search-without-plain-term",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            search: [google_news, bing]
        """,
        4,
        "unknown search source 'bing' (known: google_news, hn, reddit)",
        id="unknown-search",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            feeds: [ftp://example.org/feed]
        """,
        4,
        "feed 'ftp://example.org/feed' is not an http(s) URL",
        id="bad-feed-url",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            languages: [english]
        """,
        4,
        "language 'english' is not a language code like 'en' or 'fr'",
        id="bad-language",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
            name: B
        """,
        4,
        "duplicate key 'name' in a watch",
        id="duplicate-key",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a]
          - name: a
            terms: [b]
        """,
        4,
        "duplicate watch name 'a' (first defined at",
        id="duplicate-name-same-file",
    ),
    pytest.param(
        """
        watches:
          - terms: [a]
        """,
        2,
        "watch has no 'name'",
        id="missing-name",
    ),
    pytest.param(
        """
        watches:
          - name: A
            aliases: [a]
        """,
        2,
        "watch 'A' has no 'terms'",
        id="missing-terms",
    ),
    pytest.param(
        """
        watches:
          - name: [A, B]
            terms: [a]
        """,
        2,
        "name must be text, not a list",
        id="wrong-type-name",
    ),
    pytest.param(
        """
        watches:
          - name: A
            terms: [a
          - name: B
        """,
        4,
        "YAML syntax error",
        id="yaml-syntax",
    ),
    pytest.param(
        """
        watch:
          - name: A
        """,
        1,
        "unknown key 'watch' in a watchlist; did you mean 'watches'?",
        id="top-level-typo",
    ),
    pytest.param(
        """
        - name: A
          terms: [a]
        """,
        1,
        "a watchlist must be a mapping, not a list",
        id="top-level-list",
    ),
    pytest.param(
        """
        watches:
          - just a string
        """,
        2,
        "a watch must be a mapping, not text",
        id="watch-not-mapping",
    ),
]


@pytest.mark.parametrize(("source", "line", "message"), PROBLEMS)
def test_problem_is_reported_with_its_line(
    tmp_path: Path, source: str, line: int, message: str
) -> None:
    path = write(tmp_path / "watch.yaml", source)
    problems = check_watchlists(
        [path], known_targets={"chat", "email"}, known_searches=DEFAULT_SEARCH_TEMPLATES
    )
    assert problems, "expected a problem"
    rendered = [str(p) for p in problems]
    assert any(r.startswith(f"{path}:{line}: {message}") for r in rendered), rendered
    with pytest.raises(WatchlistError) as info:
        load_watchlists(
            [path], known_targets={"chat", "email"}, known_searches=DEFAULT_SEARCH_TEMPLATES
        )
    assert list(info.value.problems) == problems
    assert f"{path}:{line}: {message}" in str(info.value)


def test_every_problem_of_every_file_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path / "a.yaml",
        """
        watches:
          - name: A
            terms: [a, ""]
            colour: red
          - name: B
            terms: [{regex: "("}]
            targets: [nowhere]
        """,
    )
    write(
        tmp_path / "b.yaml",
        """
        watches:
          - name: B
            terms: [b]
            alert_on: [loud]
        """,
    )
    problems = check_watchlists([tmp_path, tmp_path / "missing.yaml"], known_targets=())
    rendered = [str(p) for p in problems]
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert [(p.path, p.line) for p in problems] == [
        (tmp_path / "missing.yaml", 1),
        (a, 3),
        (a, 4),
        (a, 6),
        (a, 7),
        (b, 2),
        (b, 4),
    ], rendered
    assert rendered[0] == f"{tmp_path / 'missing.yaml'}:1: no such file or folder"
    assert rendered[5] == f"{b}:2: duplicate watch name 'B' (first defined at {a}:5)"
    assert "unknown target 'nowhere' (known: none configured)" in rendered[4]


def test_empty_folder_is_a_problem(tmp_path: Path) -> None:
    assert [p.message for p in check_watchlists([tmp_path])] == [
        "no *.yaml or *.yml watchlist in this folder"
    ]


def test_unknown_targets_not_checked_without_config(tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", "watches:\n  - {name: A, terms: [a], targets: [x]}\n")
    assert check_watchlists([path]) == []
    assert check_watchlists([path], known_targets={"y"}) != []


# --- diff -----------------------------------------------------------------------------


def test_diff_reports_added_removed_changed_ignoring_position(tmp_path: Path) -> None:
    old_path = write(
        tmp_path / "old.yaml",
        """
        watches:
          - {name: Same, terms: [s]}
          - {name: Gone, terms: [g]}
          - {name: Edited, terms: [e]}
        """,
    )
    new_path = write(
        tmp_path / "new.yaml",
        """
        # a comment moves every line down
        watches:
          - {name: New, terms: [n]}
          - {name: Same, terms: [s]}
          - {name: Edited, terms: [e, e2]}
        """,
    )
    old = load_watchlists([old_path])
    new = load_watchlists([new_path])
    assert old.diff(new) == (("New",), ("Gone",), ("Edited",))
    added, removed, changed = new.diff(old)
    assert (added, removed, changed) == (("Gone",), ("New",), ("Edited",))
    assert old.diff(old) == ((), (), ())
    assert Watchlists().diff(old).added == ("Edited", "Gone", "Same")


# --- languages ------------------------------------------------------------------------


def test_wants_language() -> None:
    watch = Watch(name="A", terms=(Term("a"),), languages=("en", "fr"))
    assert watch.wants_language("en")
    assert watch.wants_language("fr-FR")
    assert watch.wants_language("EN_us")
    assert watch.wants_language(None)
    assert not watch.wants_language("de")
    assert Watch(name="B", terms=(Term("b"),)).wants_language("de")


# --- search feeds ---------------------------------------------------------------------


def query_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["q"][0]


def test_search_feed_urls_quote_and_or_the_terms() -> None:
    watch = Watch(
        name="GPT-5",
        terms=(Term("GPT-5"), Term("GPT 5 Pro"), Term("GPT-?5", regex=True)),
        aliases=(Term("GPT5"),),
        search=("google_news", "hn", "reddit"),
    )
    urls = search_feed_urls(watch, DEFAULT_SEARCH_TEMPLATES)
    assert urls == [
        (
            "https://news.google.com/rss/search?q=%22GPT-5%22+OR+%22GPT+5+Pro%22"
            "&hl=en-US&gl=US&ceid=US:en"
        ),
        "https://hnrss.org/newest?q=%22GPT-5%22+OR+%22GPT+5+Pro%22",
        "https://www.reddit.com/search.rss?q=%22GPT-5%22+OR+%22GPT+5+Pro%22&sort=new",
    ]
    assert all(query_of(u) == '"GPT-5" OR "GPT 5 Pro"' for u in urls)


def test_search_feed_urls_encode_reserved_characters() -> None:
    watch = Watch(name="A", terms=(Term("C&A #1 50%/été"),), search=("google_news",))
    (url,) = search_feed_urls(watch, DEFAULT_SEARCH_TEMPLATES)
    assert query_of(url) == '"C&A #1 50%/été"'
    assert urlsplit(url).netloc == "news.google.com"
    assert "#" not in url and "&A" not in url


def test_search_feed_urls_term_template_gives_one_url_per_term() -> None:
    watch = Watch(name="A", terms=(Term("x"), Term("y")), search=("one",))
    urls = search_feed_urls(watch, {"one": "https://s.example/?q={term}"})
    assert urls == ["https://s.example/?q=%22x%22", "https://s.example/?q=%22y%22"]


def test_search_feed_urls_edge_cases() -> None:
    assert search_feed_urls(Watch(name="A", terms=(Term("a"),)), DEFAULT_SEARCH_TEMPLATES) == []
    regex_only = Watch(name="A", terms=(Term("a+", regex=True),), search=("hn",))
    assert search_feed_urls(regex_only, DEFAULT_SEARCH_TEMPLATES) == []
    twice = Watch(name="A", terms=(Term("a"),), search=("hn", "hn"))
    assert len(search_feed_urls(twice, DEFAULT_SEARCH_TEMPLATES)) == 1
    with pytest.raises(ConfigError, match="unknown search source 'bing'"):
        search_feed_urls(Watch(name="A", terms=(Term("a"),), search=("bing",)), {})
    with pytest.raises(ConfigError, match="neither"):
        search_feed_urls(
            Watch(name="A", terms=(Term("a"),), search=("x",)), {"x": "https://x.example/"}
        )


def test_bundled_search_urls_stay_on_the_template_hosts() -> None:
    watchlists = load_watchlists([BUNDLED])
    hosts = {urlsplit(t).netloc for t in DEFAULT_SEARCH_TEMPLATES.values()}
    for watch in watchlists:
        urls = search_feed_urls(watch, DEFAULT_SEARCH_TEMPLATES)
        assert len(urls) == len(watch.search)
        assert {urlsplit(u).netloc for u in urls} <= hosts
        assert all(query_of(u) == " OR ".join(f'"{t.text}"' for t in watch.terms) for u in urls)


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("name: GPT-5\nterms: [GPT-5]\n", []),
        ("watches:\n  - name: GPT-5\n    terms: [GPT-5]\n", []),
        ("name: GPT-5\nterms: [GPT-5]\nterm: [x]\n", [3]),
        ("name: GPT-5\nterms: [GPT-5\n", [3]),
        ("watches:\n  - name: A\n    terms: [a]\n  - name: a\n    terms: [b]\n", [4]),
        ("", [1]),
    ],
)
def test_a_watch_written_as_text_is_checked_with_its_own_line_numbers(
    text: str, problems: list[int]
) -> None:
    """The dashboard's preview: one watch's keys, or a whole watchlist, given as text."""
    if not problems:
        [watch] = load_watch_text(text).watches
        assert watch.name == "GPT-5" and [t.text for t in watch.terms] == ["GPT-5"]
        return
    with pytest.raises(WatchlistError) as caught:
        load_watch_text(text, known_targets=(), known_searches=())
    assert [p.line for p in caught.value.problems] == problems
