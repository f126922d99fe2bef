"""Watchlist files: load, validate and describe what to watch.

A watchlist is a YAML file with one top-level key, ``watches``, a list of watches. A path
given to :func:`load_watchlists` may be a file or a folder; a folder stands for its
``*.yaml`` and ``*.yml`` files (not hidden ones), in name order. ``watchlists/ai-releases.yaml``
is a commented example. A watch has these keys (only ``name`` and ``terms`` are required;
wherever a list is expected, a single value is accepted too):

``name``
    Unique across all files (case-insensitively); alerts and logs use it.
``terms``
    What the watch is about, as plain text (``GPT-5``) or, opt-in, as a regular expression
    (``{regex: "GPT-5(?:-mini)?"}``). Search feeds are built from the plain terms.
``aliases``
    Other ways texts write the same thing (``GPT 5``, ``GPT5``); matched like terms, never
    sent to search engines.
``case_sensitive``
    ``false`` by default: terms match in any case (Unicode case folding). ``true`` for names
    whose case matters (``MAI-1``, ``Build``); their capitals still match in a headline
    written all in capitals ("MICROSOFT BUILD 2024 KICKS OFF").
``exclude``
    Phrases (plain or ``{regex: ...}``) that veto a hit of this watch: a term hit is dropped
    when an occurrence of an exclude phrase overlaps it (covers it, sits inside it or
    shares a character with it). An exclude phrase elsewhere in the text vetoes nothing.
``context``
    ``{words: [...], within: N}`` (N defaults to 5): a term hit counts only if one of the
    words (plain or ``{regex: ...}``, always case-insensitive) occurs with at most N words
    between it and the hit; a context word inside the hit counts too, so ``Microsoft
    Build`` satisfies the context word ``Microsoft``. List words in every language you
    read (``conference``, ``conférence``).
``languages``
    Language codes (``en``, ``fr``); an item whose feed declares another language is not
    matched. Unset: every language.
``alert_on``
    Signals that raise an alert: any of ``mention``, ``rumor``, ``dated``, ``released``.
    Default: ``released``, ``dated`` and ``rumor``.
``targets``
    Names of the config's ``[targets]`` that receive this watch's alerts. Unset: all of
    them; an empty list: none (matches are stored and logged only).
``feeds``
    Extra feed URLs (http or https) polled for this watch.
``search``
    Search sources (``google_news``, ``hn``, ``reddit``, or any name the config adds under
    its search templates) to poll for this watch's terms; see :func:`search_feed_urls`.

Plain terms, aliases, exclude phrases and context words are normalised exactly like item
text (``monitor.normalize``), so typography in either never matters. :func:`load_watchlists`
reports every problem of every file at once, each as ``file:line: message``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote_plus, urlsplit

import yaml

from monitor.errors import ConfigError, Problem, WatchlistError
from monitor.model import Signal
from monitor.normalize import normalize
from monitor.watch_regex import problem as regex_problem

DEFAULT_ALERT_ON = frozenset({Signal.RELEASED, Signal.DATED, Signal.RUMOR})
DEFAULT_CONTEXT_WITHIN = 5

_WATCH_KEYS = (
    "name",
    "terms",
    "aliases",
    "case_sensitive",
    "exclude",
    "context",
    "languages",
    "alert_on",
    "targets",
    "feeds",
    "search",
)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_TEXT_TAGS = frozenset({_STR_TAG, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


@dataclass(frozen=True)
class Term:
    """A term, alias, exclude phrase or context word as written in the watchlist."""

    text: str
    regex: bool = False


@dataclass(frozen=True)
class Context:
    """Words of which one must occur near a hit, at most ``within`` words away."""

    words: tuple[Term, ...]
    within: int = DEFAULT_CONTEXT_WITHIN


@dataclass(frozen=True)
class Watch:
    """One watched thing. Equality ignores where it was written (``path``, ``line``)."""

    name: str
    terms: tuple[Term, ...]
    aliases: tuple[Term, ...] = ()
    case_sensitive: bool = False
    exclude: tuple[Term, ...] = ()
    context: Context | None = None
    languages: tuple[str, ...] | None = None
    alert_on: frozenset[Signal] = DEFAULT_ALERT_ON
    targets: tuple[str, ...] | None = None
    feeds: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    path: Path = field(default=Path(), compare=False)
    line: int = field(default=0, compare=False)

    @property
    def all_terms(self) -> tuple[Term, ...]:
        """Terms, then aliases: everything that makes a hit."""
        return self.terms + self.aliases

    def wants_language(self, language: str | None) -> bool:
        """Whether an item in ``language`` (None: unknown) is matched against this watch."""
        if self.languages is None or not language:
            return True
        primary = language.strip().lower().replace("_", "-").split("-", 1)[0]
        return primary in self.languages or language.strip().lower() in self.languages


class WatchlistDiff(NamedTuple):
    """Watch names added, removed and changed between two loads (for the reload log)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Watchlists:
    """Every watch of a set of watchlist paths, in file order then order in the file."""

    watches: tuple[Watch, ...] = ()
    paths: tuple[Path, ...] = ()  # as given: files or folders (what to watch for edits)
    files: tuple[Path, ...] = ()  # the files read

    def __iter__(self) -> Iterator[Watch]:
        return iter(self.watches)

    def __len__(self) -> int:
        return len(self.watches)

    def get(self, name: str) -> Watch | None:
        """The watch called ``name``, if any."""
        return next((w for w in self.watches if w.name == name), None)

    def diff(self, other: Watchlists) -> WatchlistDiff:
        """Compare these (old) watchlists with ``other`` (new): ``old.diff(new)``."""
        old = {w.name: w for w in self.watches}
        new = {w.name: w for w in other.watches}
        return WatchlistDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(n for n in old.keys() & new.keys() if old[n] != new[n])),
        )


def load_watchlists(
    paths: Sequence[Path],
    *,
    known_targets: Collection[str] | None = None,
    known_searches: Collection[str] | None = None,
) -> Watchlists:
    """Load and validate watchlist files and folders.

    ``known_targets`` and ``known_searches`` (the config's target names and search
    template names) are checked when given. Raises :class:`WatchlistError` listing every
    problem found in every file.
    """
    watches, files, problems = _load(paths, known_targets, known_searches)
    if problems:
        raise WatchlistError(problems)
    return Watchlists(watches=tuple(watches), paths=tuple(paths), files=tuple(files))


def check_watchlists(
    paths: Sequence[Path],
    *,
    known_targets: Collection[str] | None = None,
    known_searches: Collection[str] | None = None,
) -> list[Problem]:
    """Every problem :func:`load_watchlists` would raise for, in file and line order."""
    return _load(paths, known_targets, known_searches)[2]


def load_watch_text(
    text: str,
    *,
    known_targets: Collection[str] | None = None,
    known_searches: Collection[str] | None = None,
) -> Watchlists:
    """Watches written as text (the dashboard's preview): a whole watchlist, or the keys of
    one watch (``name: ...`` then ``terms: ...``) as they sit under ``watches:`` in a file.

    Raises :class:`WatchlistError` whose problems count lines in ``text`` itself.
    """
    whole = re.search(r"^watches\s*:", text, re.MULTILINE) is not None
    offset = 0 if whole else 2
    body = (
        text
        if whole
        else "watches:\n  -\n" + "".join(f"    {line}" for line in text.splitlines(keepends=True))
    )
    reader = _FileReader(Path("<text>"), known_targets, known_searches)
    watches = reader.read_text(body)
    first: dict[str, Watch] = {}
    for watch in watches:
        seen = first.setdefault(watch.name.casefold(), watch)
        if seen is not watch:
            where = f"first at line {seen.line - offset}"
            reader.problem(watch.line, f"duplicate watch name {watch.name!r} ({where})")
    if not watches and not reader.problems:
        reader.problem(1 + offset, "no watch given (expected at least name and terms)")
    if reader.problems:
        raise WatchlistError(
            sorted(
                (Problem(p.path, max(1, p.line - offset), p.message) for p in reader.problems),
                key=lambda p: p.line,
            )
        )
    return Watchlists(watches=tuple(watches))


def search_feed_urls(watch: Watch, templates: Mapping[str, str]) -> list[str]:
    """The search feed URLs of ``watch``: one per source in ``watch.search``.

    ``{query}`` in a template becomes the watch's plain terms (not aliases, not regexes),
    each in double quotes, joined by `` OR `` and URL-encoded; a template with ``{term}``
    yields one URL per term. Raises :class:`ConfigError` for a source missing from
    ``templates``.
    """
    terms = [t.text for t in watch.terms if not t.regex]
    if not terms:
        return []
    urls: list[str] = []
    for source in watch.search:
        template = templates.get(source)
        if template is None:
            raise ConfigError(f"watch {watch.name!r}: unknown search source {source!r}")
        if "{query}" in template:
            query = " OR ".join(f'"{t}"' for t in terms)
            candidates = [template.replace("{query}", quote_plus(query))]
        elif "{term}" in template:
            candidates = [template.replace("{term}", quote_plus(f'"{t}"')) for t in terms]
        else:
            raise ConfigError(f"search template {source!r} has neither {{query}} nor {{term}}")
        urls.extend(u for u in candidates if u not in urls)
    return urls


# --- loading -------------------------------------------------------------------------


def _expand(paths: Sequence[Path], problems: list[Problem]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file()
            )
            if not found:
                problems.append(Problem(path, 1, "no *.yaml or *.yml watchlist in this folder"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(path, 1, "no such file or folder"))
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


def _load(
    paths: Sequence[Path],
    known_targets: Collection[str] | None,
    known_searches: Collection[str] | None,
) -> tuple[list[Watch], list[Path], list[Problem]]:
    problems: list[Problem] = []
    files = _expand(paths, problems)
    watches: list[Watch] = []
    first_seen: dict[str, Watch] = {}
    for file in files:
        reader = _FileReader(file, known_targets, known_searches)
        for watch in reader.read():
            key = watch.name.casefold()
            if key in first_seen:
                first = first_seen[key]
                reader.problem(
                    watch.line,
                    f"duplicate watch name {watch.name!r} (first defined at "
                    f"{first.path}:{first.line})",
                )
            else:
                first_seen[key] = watch
                watches.append(watch)
        problems.extend(sorted(reader.problems, key=lambda p: p.line))
    return watches, files, problems


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    return {"null": "nothing", "bool": "true/false", "int": "a number", "float": "a number"}.get(
        tag, "text"
    )


class _FileReader:
    """Turn one file's YAML nodes into watches, noting each problem with its line."""

    def __init__(
        self,
        path: Path,
        known_targets: Collection[str] | None,
        known_searches: Collection[str] | None,
    ) -> None:
        self.path = path
        self.known_targets = known_targets
        self.known_searches = known_searches
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def read(self) -> list[Watch]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(1, "not UTF-8 text")
            return []
        except OSError as exc:
            self.problem(1, f"cannot read: {exc.strerror or exc}")
            return []
        return self.read_text(text)

    def read_text(self, text: str) -> list[Watch]:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = int(mark.line) + 1 if mark is not None else 1
            self.problem(line, f"YAML syntax error: {exc.problem or exc.context}")
            return []
        except yaml.YAMLError as exc:
            self.problem(1, f"YAML syntax error: {exc}")
            return []
        if root is None:
            return []
        top = self.mapping(root, "a watchlist", ("watches",))
        if top is None:
            return []
        if "watches" not in top:
            self.problem(_line(root), "missing key 'watches' (the list of watches)")
            return []
        watches = []
        for node in self.seq(top["watches"], "watches"):
            watch = self.watch(node)
            if watch is not None:
                watches.append(watch)
        return watches

    # -- node helpers

    def mapping(
        self, node: yaml.Node, what: str, keys: Sequence[str]
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(_line(node), f"{what} must be a mapping, not {_kind(node)}")
            return None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                self.problem(_line(key_node), f"keys of {what} must be text")
                continue
            key = key_node.value
            if key in result:
                self.problem(_line(key_node), f"duplicate key {key!r} in {what}")
            elif key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                known = ", ".join(keys)
                self.problem(
                    _line(key_node), f"unknown key {key!r} in {what}{suggestion} (known: {known})"
                )
            else:
                result[key] = value_node
        return result

    def seq(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        """A list value; a single scalar or mapping stands for a list of one."""
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.problem(_line(node), f"{key!r} is an empty list")
            return list(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            self.problem(_line(node), f"{key!r} has no value")
            return []
        return [node]

    def text(self, node: yaml.Node, key: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TEXT_TAGS:
            value = str(node.value)
            if not value.strip():
                self.problem(_line(node), f"empty {key}")
                return None
            return value
        self.problem(_line(node), f"{key} must be text, not {_kind(node)}")
        return None

    def texts(
        self, node: yaml.Node, key: str, check: Callable[[str, int], str | None]
    ) -> tuple[str, ...]:
        values = []
        for item in self.seq(node, key):
            value = self.text(item, f"{key} entry")
            if value is None:
                continue
            error = check(value, _line(item))
            if error:
                self.problem(_line(item), error)
            else:
                values.append(value)
        return tuple(values)

    def terms(self, node: yaml.Node, key: str) -> tuple[Term, ...]:
        terms = []
        for item in self.seq(node, key):
            if isinstance(item, yaml.MappingNode):
                fields = self.mapping(item, f"a {key} entry", ("regex",))
                if fields is None:
                    continue
                if "regex" not in fields:
                    self.problem(_line(item), f"a {key} mapping needs the key 'regex'")
                    continue
                source = self.text(fields["regex"], "regex")
                if source is None:
                    continue
                error = regex_problem(source)
                if error:
                    self.problem(_line(item), error)
                    continue
                terms.append(Term(source, regex=True))
            else:
                value = self.text(item, f"{key} entry")
                if value is None:
                    continue
                if not normalize(value):
                    self.problem(_line(item), f"{key} entry {value!r} is empty once normalised")
                    continue
                terms.append(Term(value))
        return tuple(terms)

    def boolean(self, node: yaml.Node, key: str) -> bool:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return str(node.value).lower() in ("true", "yes", "on", "y")
        self.problem(_line(node), f"{key} must be true or false, not {_kind(node)}")
        return False

    # -- one watch

    def watch(self, node: yaml.Node) -> Watch | None:
        fields = self.mapping(node, "a watch", _WATCH_KEYS)
        if fields is None:
            return None
        line = _line(node)
        name = self.text(fields["name"], "name") if "name" in fields else None
        if "name" not in fields:
            self.problem(line, "watch has no 'name'")
        label = f"watch {name!r}" if name else "watch"
        terms = self.terms(fields["terms"], "terms") if "terms" in fields else ()
        aliases = self.terms(fields["aliases"], "aliases") if "aliases" in fields else ()
        if "terms" not in fields:
            self.problem(line, f"{label} has no 'terms'")
        case_sensitive = (
            self.boolean(fields["case_sensitive"], "case_sensitive")
            if "case_sensitive" in fields
            else False
        )
        exclude = self.terms(fields["exclude"], "exclude") if "exclude" in fields else ()
        context = self.context(fields["context"]) if "context" in fields else None
        languages = (
            self.texts(fields["languages"], "languages", _check_language)
            if "languages" in fields
            else None
        )
        alert_on = self.signals(fields["alert_on"]) if "alert_on" in fields else DEFAULT_ALERT_ON
        targets = (
            self.texts(fields["targets"], "targets", self._check_target)
            if "targets" in fields and not _is_empty_seq(fields["targets"])
            else (() if "targets" in fields else None)
        )
        feeds = self.texts(fields["feeds"], "feeds", _check_url) if "feeds" in fields else ()
        search = (
            self.texts(fields["search"], "search", self._check_search) if "search" in fields else ()
        )
        if search and not any(not t.regex for t in terms):
            self.problem(_line(fields["search"]), f"{label}: search needs at least one plain term")
        if name is None:
            return None
        return Watch(
            name=name.strip(),
            terms=terms,
            aliases=aliases,
            case_sensitive=case_sensitive,
            exclude=exclude,
            context=context,
            languages=tuple(lang.lower() for lang in languages) if languages is not None else None,
            alert_on=alert_on,
            targets=targets,
            feeds=feeds,
            search=search,
            path=self.path,
            line=line,
        )

    def context(self, node: yaml.Node) -> Context | None:
        fields = self.mapping(node, "context", ("words", "within"))
        if fields is None:
            return None
        if "words" not in fields:
            self.problem(_line(node), "context needs 'words'")
            return None
        words = self.terms(fields["words"], "context words")
        within = DEFAULT_CONTEXT_WITHIN
        if "within" in fields:
            within_node = fields["within"]
            if (
                isinstance(within_node, yaml.ScalarNode)
                and within_node.tag == "tag:yaml.org,2002:int"
                and 0 <= int(within_node.value) <= 1000
            ):
                within = int(within_node.value)
            else:
                self.problem(
                    _line(within_node), "context 'within' must be a whole number from 0 to 1000"
                )
        return Context(words=words, within=within) if words else None

    def signals(self, node: yaml.Node) -> frozenset[Signal]:
        names = ", ".join(s.value for s in Signal)

        def check(value: str, line: int) -> str | None:
            if value.strip().lower() in Signal._value2member_map_:
                return None
            return f"unknown signal {value!r} in alert_on (known: {names})"

        return frozenset(Signal(v.strip().lower()) for v in self.texts(node, "alert_on", check))

    def _check_target(self, value: str, line: int) -> str | None:
        if self.known_targets is not None and value not in self.known_targets:
            known = ", ".join(sorted(self.known_targets)) or "none configured"
            return f"unknown target {value!r} (known: {known})"
        return None

    def _check_search(self, value: str, line: int) -> str | None:
        if self.known_searches is not None and value not in self.known_searches:
            known = ", ".join(sorted(self.known_searches)) or "none configured"
            return f"unknown search source {value!r} (known: {known})"
        return None


def _is_empty_seq(node: yaml.Node) -> bool:
    return isinstance(node, yaml.SequenceNode) and not node.value


def _check_language(value: str, line: int) -> str | None:
    if _LANGUAGE.fullmatch(value.strip().lower()):
        return None
    return f"language {value!r} is not a language code like 'en' or 'fr'"


def _check_url(value: str, line: int) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return None
    return f"feed {value!r} is not an http(s) URL"
