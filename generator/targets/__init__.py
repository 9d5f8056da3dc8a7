"""Targets: each is a pure function from the IR to `{relative path under generated/: text}`.

A new target is one module here plus its templates under `templates/<target>/`, and one
entry in `TARGETS`. Targets never write files; `generator.writer` does, once, for all of them.
Formatting (black for `.py`, rustfmt for `.rs`) is applied by the pipeline after rendering,
so a target returns its text unformatted if it likes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from generator.ir import Spec

Render = Callable[[Spec], Mapping[str, str]]


def _registry() -> dict[str, Render]:
    from generator.targets import jsonschema

    targets: dict[str, Render] = {"jsonschema": jsonschema.render}
    for name in ("docs", "python", "rust"):
        try:
            module = __import__(f"generator.targets.{name}", fromlist=["render"])
        except ModuleNotFoundError as exc:  # a target still being written is simply absent
            if exc.name != f"generator.targets.{name}":
                raise
            continue
        targets[name] = module.render
    return targets


TARGETS: dict[str, Render] = _registry()
