"""Targets: each turns the IR into `{relative path under generated/: text}`.

A target is one module here defining `TARGET = Target(...)` (see `generator.targets.base`:
name, role, reserved names, formatter, `render(spec)` and optionally `render_shared(specs)`),
its templates under `templates/<target>/`, and one loader function in `_REGISTRY` below.
Targets never write files; `generator.writer` does, once, for all of them. The pipeline runs
each file through its target's formatter. Modules are imported only when a target is asked for,
so commands that do not render (a cached `--check`, `validate`) stay fast.
"""

from __future__ import annotations

from collections.abc import Callable

from generator.targets.base import Render, RenderShared, Role, Target, UnsupportedByTarget

__all__ = [
    "TARGETS",
    "Render",
    "RenderShared",
    "Role",
    "Target",
    "UnsupportedByTarget",
    "target",
]


def _changes() -> Target:
    from generator.targets import changes

    return changes.TARGET


def _docs() -> Target:
    from generator.targets import docs

    return docs.TARGET


def _go() -> Target:
    from generator.targets import go

    return go.TARGET


def _jsonschema() -> Target:
    from generator.targets import jsonschema

    return jsonschema.TARGET


def _python() -> Target:
    from generator.targets import python

    return python.TARGET


def _rust() -> Target:
    from generator.targets import rust

    return rust.TARGET


_REGISTRY: dict[str, Callable[[], Target]] = {
    "docs": _docs,
    "jsonschema": _jsonschema,
    "python": _python,
    "rust": _rust,
    "go": _go,
    "changes": _changes,
}

TARGETS: tuple[str, ...] = tuple(_REGISTRY)


def target(name: str) -> Target:
    """The target called `name` (one of `TARGETS`), its module imported on first use."""
    return _REGISTRY[name]()
