"""The two kinds of check unit and the registry the runner runs.

A module check looks at the file and the loaded module once; checks sharing a `verdict` form a
gate: when one of them refuses, the rest of that gate still runs, then the run stops with that
verdict. An export check runs once per export of the spec the module has, if it `applies` to
the export's call shape (decided from IR facts only: `ir.calls` shapes, encodings, content
types, `does_http`, never export names), and declares how many plugin calls it makes there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from generator import ir
from generator.conformance.context import CheckContext
from generator.ir import calls


class ModuleCheck(Protocol):
    name: str
    verdict: str
    """The run's verdict when this check refuses: `{}` is filled with the refusals' reasons."""

    def run(self, ctx: CheckContext) -> str | None:
        """Records its results; returns a reason the run cannot go on, or None."""


class ExportCheck(Protocol):
    name: str
    """The report's check name; a unit may record rows under more names, which its module
    docstring lists (`call` also records `encoding` and `schema`)."""

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool: ...

    def planned_calls(self, call: calls.Call) -> int:
        """Plugin calls it makes (or accounts for with `ctx.skip_call()`) for this export."""

    def run(self, ctx: CheckContext, call: calls.Call) -> None: ...


@dataclass(frozen=True)
class Registry:
    module: tuple[ModuleCheck, ...]
    exports: tuple[ExportCheck, ...]
    """In report order: for each export, these run in this order."""
