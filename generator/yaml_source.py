"""YAML to plain data, remembering where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of duplicate keys; this
reader composes the node graph itself so each JSON pointer maps to a line and column and
duplicates become errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from generator.diagnostics import Collector, Diagnostic, Position, join_pointer


@dataclass
class SourceDocument:
    data: Any
    collector: Collector


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def read_yaml(text: str, file: str) -> SourceDocument:
    """Parse `text`; syntax errors and duplicate keys land in the returned collector."""
    collector = Collector(file, {}, {})
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        collector.diagnostics.append(
            Diagnostic(file, position, "", f"YAML syntax error: {problem}")
        )
        return SourceDocument(None, collector)
    if node is None:
        return SourceDocument(None, collector)
    constructor = yaml.SafeLoader("")
    return SourceDocument(_convert(node, "", collector, constructor), collector)


def _convert(node: yaml.Node, pointer: str, collector: Collector, constructor: Any) -> Any:
    collector.positions[pointer] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            child = join_pointer(pointer, key)
            if key in result:
                collector.error(
                    child,
                    f"duplicate key '{key}'",
                    f"'{key}' is first defined at line {collector.key_positions[child].line}; "
                    "YAML would silently keep only the last one",
                    at=_position(key_node),
                )
                continue
            collector.key_positions[child] = _position(key_node)
            result[key] = _convert(value_node, child, collector, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, join_pointer(pointer, index), collector, constructor)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)
