"""The results as a rich table, as Markdown, and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.stats import Row, Section


def _number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "calls/s":
        return f"{value:,.0f}/s"
    if unit == "bytes":
        return f"{value:,.0f} B"
    if value >= 1000:
        return f"{value / 1000:.2f} ms"
    return f"{value:.1f} us"


def _cells(row: Row) -> list[str]:
    target = ""
    if row.target is not None:
        target = row.target.text
        if row.target.basis is not None:
            target += f" (is {row.target_ratio:.3g})"
    return [
        row.subject.name,
        _number(row.subject.median, row.subject.unit),
        row.baseline.name,
        _number(row.baseline.median, row.baseline.unit),
        f"{row.ratio:.3g}x",
        target,
        row.verdict or "",
    ]


HEADERS = ("measurement", "median", "baseline", "baseline median", "ratio", "target", "")


def table(sections: Sequence[Section]) -> Table:
    out = Table(title="qmt-abigen benchmarks (medians; ratio = measurement / baseline)")
    for header in HEADERS:
        out.add_column(header, justify="right" if header in ("median", "ratio") else "left")
    for section in sections:
        out.add_section()
        out.add_row(f"[bold]{section.title}[/bold]", *[""] * (len(HEADERS) - 1))
        for row in section.rows:
            cells = _cells(row)
            colour = {"PASS": "green", "MISS": "red"}.get(cells[-1])
            if colour:
                cells[-1] = f"[{colour}]{cells[-1]}[/{colour}]"
            out.add_row(*cells)
    return out


def markdown(sections: Sequence[Section]) -> str:
    lines = ["| " + " | ".join(HEADERS[:-1]) + " | verdict |", "|" + "---|" * len(HEADERS)]
    for section in sections:
        lines.append(f"| **{section.title}** |" + " |" * (len(HEADERS) - 1))
        for row in section.rows:
            lines.append("| " + " | ".join(_cells(row)) + " |")
    warnings = [
        f"- {row.subject.name}: {row.note}"
        for section in sections
        for row in section.rows
        if row.note and row.target is not None
    ]
    return "\n".join(lines + (["", *warnings] if warnings else []))


def print_report(sections: Sequence[Section], console: Console) -> None:
    console.print(table(sections))
    for section in sections:
        for row in section.rows:
            if row.note and row.target is not None:
                console.print(f"[yellow]{row.subject.name}: {row.note}[/yellow]")
    for section in sections:
        for note in section.notes:
            console.print(f"[dim]{section.title.split(' (')[0]}: {note}[/dim]")


def write_json(path: Path, sections: Sequence[Section], meta: dict[str, Any]) -> None:
    document = {
        "meta": meta,
        "sections": {section.key: section.to_json() for section in sections},
        "markdown": markdown(sections),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
