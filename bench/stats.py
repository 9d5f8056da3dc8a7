"""Rows of the report: a measured subject, its baseline, their ratio and an optional target."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Better = Literal["lower", "higher"]


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("no samples")
    return float(statistics.median(samples))


@dataclass(frozen=True)
class Series:
    """Repeated measurements of one thing, in `unit`."""

    name: str
    unit: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return median(self.samples)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "samples": list(self.samples),
        }


@dataclass(frozen=True)
class Target:
    """`ratio <limit` (or `>=`) where ratio is the subject over `basis` (default: the baseline)."""

    text: str
    limit: float
    op: Literal["<", "<=", ">="]
    basis: Series | None = None

    def check(self, value: float) -> bool:
        if self.op == "<":
            return value < self.limit
        if self.op == "<=":
            return value <= self.limit
        return value >= self.limit


@dataclass(frozen=True)
class Row:
    subject: Series
    baseline: Series
    target: Target | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.subject.median / self.baseline.median

    @property
    def target_ratio(self) -> float | None:
        if self.target is None:
            return None
        basis = self.target.basis or self.baseline
        return self.subject.median / basis.median

    @property
    def verdict(self) -> str | None:
        ratio = self.target_ratio
        if self.target is None or ratio is None:
            return None
        return "PASS" if self.target.check(ratio) else "MISS"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.subject.name,
            "subject": self.subject.to_json(),
            "baseline": self.baseline.to_json(),
            "ratio": self.ratio,
        }
        if self.target is not None:
            basis = self.target.basis or self.baseline
            out["target"] = {
                "text": self.target.text,
                "op": self.target.op,
                "limit": self.target.limit,
                "basis": basis.name,
                "ratio": self.target_ratio,
                "verdict": self.verdict,
            }
        if self.note:
            out["note"] = self.note
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": [row.to_json() for row in self.rows],
            "notes": list(self.notes),
        }


def interleave(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Runs every measurement once per round, in turn, so drift hits them all alike."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for index in range(rounds):
        names = list(runs)
        if index % 2:  # alternate the order too: no side always runs right after the other
            names.reverse()
        for name in names:
            samples[name].append(runs[name]())
    return samples
