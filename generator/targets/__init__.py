"""Targets: each is a pure function from the IR to `{relative path under generated/: text}`.

A new target is one module here exposing `render(spec)`, its templates under
`templates/<target>/`, and one entry in `TARGETS`. A target whose output spans every spec (the
Python bindings' one distribution) also exposes `render_shared(specs)`. Targets never write files;
`generator.writer` does, once, for all of them. Formatting (black for `.py`, rustfmt for
`.rs`) is applied by the pipeline after rendering. Modules are imported only when a target
runs, so commands that do not render (a cached `--check`, `validate`) stay fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence

from generator.ir import Spec

Render = Callable[[Spec], Mapping[str, str]]
RenderShared = Callable[[Sequence[Spec]], Mapping[str, str]]

TARGETS: tuple[str, ...] = ("docs", "jsonschema", "python", "rust")


class UnsupportedByTarget(Exception):
    """The spec is valid but uses something this target cannot express yet."""


def renderer(name: str) -> Render:
    module = importlib.import_module(f"generator.targets.{name}")
    render: Render = module.render
    return render


def shared_renderer(name: str) -> RenderShared | None:
    module = importlib.import_module(f"generator.targets.{name}")
    render: RenderShared | None = getattr(module, "render_shared", None)
    return render
