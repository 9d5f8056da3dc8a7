"""`qmt-abigen diff`: every change between two ABI specs (or two dialects of one), and whom
it breaks.

- `model`: a change, its impact, level and direction;
- `rules`: the registry of rules (stable ids, classification for plugins and for hosts, level);
- `view`: one spec as one of its dialects speaks it;
- `compare`: the walk over two views that records rule hits;
- `render`: the table, `--json` and the Markdown report of `generated/docs/changes/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.diff.compare import compare
from generator.diff.model import Change, Direction, Impact, Level
from generator.diff.rules import RULES, Rule, rule
from generator.diff.view import SpecView, UnknownDialect, view
from generator.ir import Spec

__all__ = [
    "RULES",
    "Change",
    "Direction",
    "Impact",
    "Level",
    "Report",
    "Rule",
    "SpecView",
    "UnknownDialect",
    "diff",
    "rule",
    "view",
]


@dataclass(frozen=True)
class Report:
    old: str
    new: str
    changes: tuple[Change, ...]

    def breaks(self, side: str) -> tuple[Change, ...]:
        """The changes that break `plugins` or `hosts`."""
        return tuple(c for c in self.changes if getattr(rule(c.rule), side) is Impact.BREAKING)

    @property
    def breaking(self) -> bool:
        return bool(self.breaks("plugins") or self.breaks("hosts"))


def diff(
    old: Spec, new: Spec, *, old_dialect: str | None = None, new_dialect: str | None = None
) -> Report:
    """Every change from `old` to `new`, each spec at the dialect given (else its newest).

    Raises `UnknownDialect` for a dialect a spec does not declare.
    """
    before, after = view(old, old_dialect), view(new, new_dialect)
    return Report(before.label, after.label, tuple(compare(before, after)))
