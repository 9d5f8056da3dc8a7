"""A report as a terminal table, as stable JSON, or as the Markdown of the generated docs."""

from __future__ import annotations

import json
from io import StringIO

from rich.console import Console
from rich.table import Table

from generator.diff import Report, rule
from generator.diff.model import Impact


def summary(report: Report) -> str:
    total = len(report.changes)
    if not total:
        return f"No changes from {report.old} to {report.new}."
    plugins, hosts = len(report.breaks("plugins")), len(report.breaks("hosts"))
    return (
        f"{total} change{'s' if total != 1 else ''} from {report.old} to {report.new}: "
        f"{plugins} break{'s' if plugins == 1 else ''} old plugins, "
        f"{hosts} break{'s' if hosts == 1 else ''} old hosts."
    )


def as_json(report: Report) -> str:
    document = {
        "old": report.old,
        "new": report.new,
        "breaking": {
            "plugins": len(report.breaks("plugins")),
            "hosts": len(report.breaks("hosts")),
        },
        "changes": [
            {
                "rule": c.rule,
                "level": str(rule(c.rule).level),
                "plugins": str(rule(c.rule).plugins),
                "hosts": str(rule(c.rule).hosts),
                "subject": c.subject,
                "detail": c.detail,
                "via": c.via,
            }
            for c in report.changes
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def as_table(report: Report, *, width: int | None = None, color: bool = False) -> str:
    out = StringIO()
    console = Console(file=out, width=width or 120, force_terminal=color, no_color=not color)
    if report.changes:
        table = Table(show_lines=False)
        for column in ("subject", "change", "rule", "level", "plugins", "hosts"):
            table.add_column(column, overflow="fold")
        for c in report.changes:
            r = rule(c.rule)
            table.add_row(
                c.subject, c.detail, c.rule, str(r.level), _mark(r.plugins), _mark(r.hosts)
            )
        console.print(table)
    console.print(summary(report), highlight=False)
    return out.getvalue()


def _mark(impact: Impact) -> str:
    return "BREAKS" if impact is Impact.BREAKING else "ok"


def as_markdown(report: Report, *, title: str, command: str) -> str:
    lines = [
        f"# {title}",
        "",
        f"Rendered by `{command}`.",
        "",
        summary(report),
        "",
        "Each change is classified for plugins (a plugin built against the old spec, loaded by",
        "a host written for the new one) and for hosts (a host written for the old spec,",
        "loading a new plugin); the rules are listed in `docs/diff-rules.md`.",
        "",
    ]
    if report.changes:
        lines += [
            "| subject | change | rule | level | plugins | hosts | reached from |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in report.changes:
            r = rule(c.rule)
            cells = (
                f"`{c.subject}`",
                _md(c.detail),
                f"`{c.rule}`",
                str(r.level),
                _mark(r.plugins),
                _mark(r.hosts),
                f"`{c.via}`" if c.via else "",
            )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")
