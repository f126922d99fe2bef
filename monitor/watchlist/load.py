"""Loading watchlist files and folders, and the search feeds of a watch.

Every problem of every file is reported at once, each as ``file:line: message``; a watch
name is unique across all files (case-insensitively).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote_plus

from monitor.errors import ConfigError, Problem, WatchlistError
from monitor.watchlist.model import Watch, Watchlists
from monitor.watchlist.reader import FileReader


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
    reader = FileReader(Path("<text>"), known_targets, known_searches)
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
        reader = FileReader(file, known_targets, known_searches)
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
