"""Reading the TOML config file: bytes to tables, tables to checked values, every problem.

Rules:
1. The file must be UTF-8 TOML; a bad byte or a syntax error is one problem with its line.
2. Each table is read by a ``TableReader``; a wrong key or value is a ConfigError naming
   ``file:line``, the key, the value (URLs redacted) and what is expected. The line is that
   of the key in the file, found by reading the file's table headers and keys (TOML parsers
   keep no positions), or the file alone when it cannot be told.
3. ``Problems.attempt`` runs one check and keeps its ConfigError instead of stopping, so a
   config with three mistakes gets three lines, not one per start.
4. Durations have bounds: a value past ``MAX_DURATION`` would overflow the scheduler's
   date arithmetic (``99999999999d``) and is refused.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from monitor.errors import ConfigError
from monitor.redact import redact_urls_in

T = TypeVar("T")

MAX_DURATION = 366 * 86400.0  # a year: polls, back-offs, ages and delays
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


def parse_duration(text: str) -> float:
    """'90s', '10m', '1h30m', '30d' → seconds. A bare number means seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise ValueError(f"not a duration: {text!r} (expected e.g. '90s', '10m', '1h30m', '7d')")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The tables of ``path`` and its text; a ConfigError with the line otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path}:{found.group(1)}" if found else str(path)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"{where}: not valid TOML: {reason}") from None


class KeyLines:
    """Where each key of the file is: ``line("feed[1].", "interval")`` → 12."""

    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        table = ""
        counts: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                name = header.group(2).replace('"', "").replace("'", "").replace(" ", "")
                if header.group(1) == "[[":
                    index = counts[name] = counts.get(name, -1) + 1
                    name = f"{name}[{index}]"
                table = f"{name}."
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault(table + key.group(1).strip('"'), number)

    def line(self, where: str, key: str = "") -> int | None:
        return self._lines.get(where + key) or self._lines.get(where)


class Problems:
    """Every problem of one config file, kept while reading goes on."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def attempt(self, check: Callable[[], T], fallback: Any) -> T:
        """``check()``, or ``fallback`` once its ConfigError is kept."""
        try:
            return check()
        except ConfigError as exc:
            self.lines += str(exc).splitlines()
            return fallback  # type: ignore[no-any-return]

    def raise_any(self) -> None:
        if self.lines:
            raise ConfigError("\n".join(dict.fromkeys(self.lines)))


class TableReader:
    """Reads one TOML table, turning every wrong key or value into a ConfigError."""

    def __init__(
        self, data: Mapping[str, Any], where: str, path: Path | None, keys: KeyLines | None
    ) -> None:
        self.data = data
        self.where = where
        self.path = path
        self.keys = keys
        self.origin = str(path) if path else "<defaults>"

    def sub(self, data: Mapping[str, Any], where: str) -> TableReader:
        return TableReader(data, where, self.path, self.keys)

    def at(self, key: str = "") -> str:
        """``file:line`` of ``key`` in this table, or the file alone."""
        line = self.keys.line(self.where, key) if self.keys else None
        return f"{self.origin}:{line}" if line else self.origin

    def fail(self, key: str, expected: str) -> ConfigError:
        got = redact_urls_in(repr(self.data.get(key)))
        return ConfigError(f"{self.at(key)}: {self.where}{key} = {got}: expected {expected}")

    def check_keys(self, allowed: set[str]) -> None:
        known = ", ".join(sorted(allowed))
        unknown = [
            f"{self.at(key)}: unknown key '{self.where}{key}' (known: {known})"
            for key in self.data
            if key not in allowed
        ]
        if unknown:
            raise ConfigError("\n".join(unknown))

    def get(self, key: str, kind: type, default: Any, expected: str) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, expected)
        return value

    def table(self, key: str, name: str) -> TableReader:
        """The sub-table ``[name]`` under ``key``; an empty one when it is not a table."""
        return self.sub(self.get(key, dict, {}, f"a table [{name}]"), f"{name}.")

    def duration(
        self,
        key: str,
        default: float | None,
        *,
        zero_is_none: bool = False,
        maximum: float = MAX_DURATION,
    ) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        try:
            seconds = float(value) if isinstance(value, int | float) else parse_duration(str(value))
        except ValueError:
            raise self.fail(key, "a duration such as '90s', '10m', '1h' or '7d'") from None
        if not 0 <= seconds < float("inf"):
            raise self.fail(key, "a positive duration")
        if zero_is_none and seconds == 0:
            return None
        if seconds > maximum:
            raise self.fail(key, f"at most {_days(maximum)}")
        return seconds

    def checked(self, key: str, default: Any, test: Callable[[Any], bool], expected: str) -> Any:
        value = self.data.get(key, default)
        if not test(value):
            raise self.fail(key, expected)
        return value


def _days(seconds: float) -> str:
    return f"{seconds / 86400:g}d"
