"""One watchlist file's YAML, read into watches, with each problem and its line.

The keys and their rules are those of ``monitor.watchlist``'s docstring.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from monitor.errors import Problem
from monitor.model import Signal
from monitor.normalize import normalize
from monitor.watch_regex import problem as regex_problem
from monitor.watchlist.model import (
    DEFAULT_ALERT_ON,
    DEFAULT_CONTEXT_WITHIN,
    Context,
    Term,
    Watch,
)

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


class FileReader:
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
