"""YAML to plain data, remembering where every value came from.

A spec is plain data: JSON's model written as YAML. This reader builds it from libyaml's event
stream with its own iterative composer rather than PyYAML's recursive one, so that

- every JSON pointer maps to a line and column, and a duplicate key is an error, not silently
  the last one;
- nothing a file can hold ends in a traceback or a hang: tags, merge keys, control characters,
  non-finite numbers, recursive aliases, nesting deeper than `MAX_DEPTH` and aliases that
  expand to more than `MAX_ALIAS_VALUES` values each become a diagnostic at the line and
  column of their cause.

YAML-level problems are all collected, but the data is then withheld (`data` is None): checking
a document with a hole where a bad value was would only add misleading errors.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.diagnostics import Collector, Diagnostic, Position, join_pointer, position_at

MAX_CHARS = 16 * 1024 * 1024
"""The largest spec read, in characters (the v1 spec is about 20,000)."""
MAX_DEPTH = 64
"""How deeply values may nest (the v1 spec needs 11; JSON examples rarely need more than 20)."""
MAX_ALIAS_VALUES = 100_000
"""How many values the aliases of one file may expand to in total."""

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~50x faster

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}
_COLLECTION_TAGS = {yaml.SequenceStartEvent: f"{_TAG}seq", yaml.MappingStartEvent: f"{_TAG}map"}
# What libyaml refuses, as it refuses it (tab, line breaks and printable Unicode are allowed;
# a byte-order mark only as the very first character).
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_MAX_CHARACTER_ERRORS = 10
_RESOLVER: Any = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CHARACTER_NAMES = {"\x00": "a NUL byte", "\ufeff": "a byte-order mark", "\x7f": "DEL"}


@dataclass
class SourceDocument:
    data: Any
    collector: Collector


class _Abort(Exception):
    """A problem after which the rest of the stream cannot be read meaningfully."""


_KEY = "\0key"
"""`_Composer._slot` when the next node is a mapping key (no pointer contains a NUL)."""
_SKIP = object()
"""The key of a mapping entry whose value is discarded (duplicate, merge or non-string key)."""


@dataclass
class _Frame:
    value: dict[str, Any] | list[Any]
    pointer: str
    anchor: str | None
    size: int = 1
    key: Any = None  # a mapping's pending key (a str or _SKIP); None while a key is expected


@dataclass
class _Composer:
    """Turns parser events into plain data and positions, with an explicit stack."""

    text: str
    collector: Collector
    stack: list[_Frame] = field(default_factory=list)
    anchors: dict[str, tuple[Any, int]] = field(default_factory=dict)
    root: Any = None
    documents: int = 0
    alias_values: int = 0
    skipping: int = 0  # depth inside a collection whose events are discarded
    failed: bool = False

    # -- diagnostics

    def error(self, mark: Any, pointer: str, message: str, hint: str | None = None) -> None:
        self.failed = True
        self.collector.diagnostics.append(
            Diagnostic(self.collector.file, _position(mark), pointer, message, hint)
        )

    def abort(self, mark: Any, pointer: str, message: str, hint: str | None = None) -> _Abort:
        self.error(mark, pointer, message, hint)
        return _Abort()

    # -- the event loop

    def feed(self, event: yaml.Event) -> None:
        if self.skipping:
            if isinstance(event, yaml.CollectionStartEvent):
                self.skipping += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                self.skipping -= 1
            return
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.CollectionStartEvent):
            self._start(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            self._end()
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.abort(
                    event.start_mark,
                    "",
                    "a second YAML document ('---') in the spec",
                    "a spec file holds exactly one document; remove the '---' line",
                )

    def _slot(self) -> str | None:
        """Where the next node goes: a key, a value at a pointer, or None (discarded)."""
        if not self.stack:
            return ""
        top = self.stack[-1]
        if isinstance(top.value, list):
            return join_pointer(top.pointer, len(top.value))
        if top.key is None:
            return _KEY
        return None if top.key is _SKIP else join_pointer(top.pointer, top.key)

    def _place(self, value: Any, pointer: str, mark: Any, size: int) -> None:
        self.collector.positions[pointer] = _position(mark)
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
        else:
            top.value[top.key] = value
            top.key = None

    def _discarded(self) -> None:
        self.stack[-1].key = None

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        slot = self._slot()
        if slot == _KEY:
            self._key(event)
            return
        if slot is None:
            self._discarded()
            return
        value = self._construct(event, slot)
        self._place(value, slot, event.start_mark, 1)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)

    def _key(self, event: yaml.ScalarEvent) -> None:
        top = self.stack[-1]
        assert isinstance(top.value, dict)
        key: str = event.value
        child = join_pointer(top.pointer, key)
        plain = event.tag is None and event.implicit[0]
        if plain and _RESOLVER.resolve(yaml.ScalarNode, key, (True, False)) == f"{_TAG}merge":
            self.error(
                event.start_mark,
                child,
                "YAML merge keys ('<<') are not supported in a spec",
                "write the keys out, or make the whole value an alias (*name)",
            )
            top.key = _SKIP
            return
        if key in top.value:
            first = self.collector.key_positions[child]
            self.collector.error(
                child,
                f"duplicate key '{key}'",
                f"'{key}' is first defined at line {first.line}; "
                "YAML would silently keep only the last one",
                at=_position(event.start_mark),
            )
            self.failed = True
            top.key = _SKIP
            return
        self.collector.key_positions[child] = _position(event.start_mark)
        top.key = key
        if event.anchor is not None:
            self.anchors[event.anchor] = (key, 1)

    def _construct(self, event: yaml.ScalarEvent, pointer: str) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag == f"{_TAG}timestamp":
                return event.value  # JSON has no dates; YAML 1.2's core schema agrees
        if tag not in _SCALAR_TAGS:
            self.error(event.start_mark, pointer, *_unsupported_tag(event.tag))
            return None
        marks: tuple[Any, Any] = (event.start_mark, event.end_mark)
        node = yaml.ScalarNode(tag, event.value, *marks, event.style)
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except (ValueError, KeyError, yaml.YAMLError):
            short = tag.removeprefix(_TAG)
            self.error(
                event.start_mark,
                pointer,
                f"'{event.value}' is not a valid !!{short} value",
                f"remove the tag, or write a value that !!{short} accepts",
            )
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.error(
                event.start_mark,
                pointer,
                f"'{event.value}' is not a JSON number",
                "JSON has no NaN or infinity; quote it to mean the string",
            )
            return None
        return value

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        slot = self._slot()
        if slot == _KEY:
            self.error(
                event.start_mark,
                self.stack[-1].pointer,
                "a mapping key must be a string, not a list or mapping",
                "use a plain string as the key",
            )
            self.stack[-1].key = _SKIP
            self.skipping = 1
            return
        if slot is None:
            self._discarded()
            self.skipping = 1
            return
        if event.tag not in (None, "!", _COLLECTION_TAGS[type(event)]):
            self.error(event.start_mark, slot, *_unsupported_tag(event.tag))
        if len(self.stack) >= MAX_DEPTH:
            raise self.abort(
                event.start_mark,
                slot,
                f"values nested more than {MAX_DEPTH} levels deep",
                "a spec never needs this; look for an unclosed or runaway '[' or '{'",
            )
        container: dict[str, Any] | list[Any] = (
            {} if isinstance(event, yaml.MappingStartEvent) else []
        )
        self._place(container, slot, event.start_mark, 0)
        self.stack.append(_Frame(container, slot, event.anchor))

    def _end(self) -> None:
        frame = self.stack.pop()
        if self.stack:
            self.stack[-1].size += frame.size
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, frame.size)

    def _alias(self, event: yaml.AliasEvent) -> None:
        slot = self._slot()
        name = event.anchor
        if slot is None:
            self._discarded()
            return
        pointer = self.stack[-1].pointer if slot == _KEY else slot
        if any(frame.anchor == name for frame in self.stack):
            raise self.abort(
                event.start_mark,
                pointer,
                f"alias '*{name}' refers to a value that contains it",
                "a recursive structure has no JSON form; copy the value instead",
            )
        if name not in self.anchors:
            self.error(
                event.start_mark,
                pointer,
                f"alias '*{name}' has no anchor '&{name}' before it",
                "define the anchor first; an alias can only refer back",
            )
            if slot == _KEY:
                self.stack[-1].key = _SKIP
            else:
                self._place(None, slot, event.start_mark, 1)
            return
        value, size = self.anchors[name]
        if slot == _KEY:
            if not isinstance(value, str):
                self.error(event.start_mark, pointer, "a mapping key must be a string")
                self.stack[-1].key = _SKIP
                return
            self._key(yaml.ScalarEvent(None, None, (True, True), value, event.start_mark))
            return
        self.alias_values += size
        if self.alias_values > MAX_ALIAS_VALUES:
            raise self.abort(
                event.start_mark,
                slot,
                f"aliases expand to more than {MAX_ALIAS_VALUES:,} values",
                "an alias of an alias of ... multiplies; write the values out instead",
            )
        self._place(copy.deepcopy(value), slot, event.start_mark, size)


def _unsupported_tag(tag: str | None) -> tuple[str, str]:
    shown = f"!!{tag.removeprefix(_TAG)}" if tag and tag.startswith(_TAG) else str(tag)
    return (
        f"YAML tag '{shown}' is not supported in a spec",
        "a spec is plain data (strings, numbers, booleans, null, lists, mappings); "
        "remove the tag",
    )


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def read_yaml(text: str, file: str) -> SourceDocument:
    """Parse `text`; every YAML-level problem lands in the returned collector."""
    collector = Collector(file, {}, {})
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_CHARS:
        collector.error(
            "",
            f"the file is {len(text) / 2**20:.1f} MiB; a spec may be at most "
            f"{MAX_CHARS // 2**20} MiB",
        )
        return SourceDocument(None, collector)
    if _bad_characters(text, collector):
        return SourceDocument(None, collector)
    composer = _Composer(text, collector)
    last: yaml.Event | None = None
    try:
        for last in yaml.parse(text, Loader=_LOADER):
            composer.feed(last)
    except _Abort:
        return SourceDocument(None, collector)
    except yaml.MarkedYAMLError as exc:
        collector.diagnostics.append(_syntax_diagnostic(exc, text, file, last))
        return SourceDocument(None, collector)
    except yaml.reader.ReaderError as exc:  # what the character scan above does not foresee
        collector.diagnostics.append(
            Diagnostic(file, position_at(text, _char_index(text, exc.position)), "", str(exc))
        )
        return SourceDocument(None, collector)
    return SourceDocument(None if composer.failed else composer.root, collector)


def _bad_characters(text: str, collector: Collector) -> bool:
    found = 0
    for match in _NOT_PRINTABLE.finditer(text):
        found += 1
        if found > _MAX_CHARACTER_ERRORS:
            break
        char = match.group()
        name = _CHARACTER_NAMES.get(char, "a control character")
        collector.error(
            "",
            f"{name} (U+{ord(char):04X}) is not allowed in YAML",
            (
                "remove it; inside a double-quoted string write it as an escape, e.g. "
                f'"\\x{ord(char):02x}"'
                if ord(char) < 0x100
                else "remove it"
            ),
            at=position_at(text, match.start()),
        )
    return found > 0


def _char_index(text: str, position: int) -> int:
    if _LOADER is yaml.SafeLoader:
        return position
    return len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, text: str, file: str, last: Any) -> Diagnostic:
    """At YAML's own mark, or where the unclosed thing opened when that is the likely cause."""
    problem = exc.problem or exc.context or "invalid YAML"
    mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
    message = f"YAML syntax error: {problem}"
    start: Any = getattr(last, "start_mark", None)
    end: Any = getattr(last, "end_mark", None)
    if (
        isinstance(last, yaml.ScalarEvent)
        and last.style in ('"', "'")
        and end.line > start.line
        and (mark is None or mark.line >= end.line)
    ):
        # A quoted string that runs over many lines usually lacks its closing quote: YAML
        # stops only at the next quote character, far below.
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return Diagnostic(
            file,
            _position(start),
            "",
            f"{message}{where}, after a quoted string that starts here and runs to line "
            f"{end.line + 1}",
            f"is its closing {last.style} missing?",
        )
    if exc.context and context is not None and exc.problem:
        unclosed = mark is None or not text[mark.index :].strip()
        unclosed |= "flow" in exc.context and "did not find expected ','" in exc.problem
        if unclosed and mark is not None and mark.line != context.line:
            message += f" at line {mark.line + 1}, column {mark.column + 1} ({exc.context} here)"
            mark = context
        else:
            message += f" ({exc.context} at line {context.line + 1}, column {context.column + 1})"
    position = _position(mark) if mark is not None else Position(1, 1)
    return Diagnostic(file, position, "", message)
