"""What a `verify` run reports: one `CheckResult` per check and export, the `VerifyReport`
around them (its JSON form is the machine-readable report), and the table `verify` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_DETAIL = 160


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    check: str
    export: str | None
    status: Status
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "export": self.export,
            "status": self.status.value,
            "detail": self.detail,
        }


@dataclass
class VerifyReport:
    """The outcome of one run; `checks` are in a fixed order (module, then the spec's exports)."""

    plugin: str
    abi: str
    server: str
    timeout_ms: int
    name: str | None = None
    mode: str | None = None
    dialect: str | None = None
    """The host mode and dialect the detected ABI drives the module in (None: it has none)."""
    verdict: str = ""
    config_keys: tuple[str, ...] = ()
    checks: list[CheckResult] = field(default_factory=list)
    elapsed_s: float = 0.0

    def describe_abi(self) -> str:
        """The spec and how it drives the module, e.g. `<slug>, adapter mode, dialect 0.6.0`."""
        parts = [self.abi]
        if self.mode is not None:
            parts.append(f"{self.mode} mode")
        if self.dialect is not None:
            parts.append(f"dialect {self.dialect}")
        return ", ".join(parts)

    @property
    def counts(self) -> dict[str, int]:
        counts = {status.value.lower(): 0 for status in Status}
        for check in self.checks:
            counts[check.status.value.lower()] += 1
        counts["total"] = len(self.checks)
        return counts

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status is Status.FAIL]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and not self.failed

    def to_json(self) -> dict[str, Any]:
        """The machine-readable report (no timings, so two runs of one plugin compare equal);
        `mode` and `dialect` only when the ABI has them."""
        detected = {"mode": self.mode, "dialect": self.dialect}
        return {
            "plugin": self.plugin,
            "abi": self.abi,
            **{key: value for key, value in detected.items() if value is not None},
            "name": self.name,
            "ok": self.ok,
            "verdict": self.verdict,
            "server": self.server,
            "timeout_ms": self.timeout_ms,
            "config_keys": list(self.config_keys),
            "checks": [c.to_json() for c in self.checks],
            "summary": self.counts,
        }


def short(text: str, limit: int = MAX_DETAIL) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def where(path: Any) -> str:
    """A JSON path (a jsonschema error's `absolute_path`) in the report's form."""
    return "/".join(str(p) for p in path) or "(root)"


def render_table(report: VerifyReport, console: Any) -> None:
    from rich.table import Table

    styles = {Status.PASS: "green", Status.FAIL: "bold red", Status.SKIP: "yellow"}
    table = Table(title=f"{report.plugin} ({report.describe_abi()})", title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("export", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        style = styles[check.status]
        table.add_row(
            check.check, check.export or "-", f"[{style}]{check.status.value}[/]", check.detail
        )
    console.print(table, markup=True, highlight=False)
    counts = report.counts
    console.print(
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped "
        f"in {report.elapsed_s:.2f} s",
        highlight=False,
    )
    colour = "green" if report.ok else "bold red"
    console.print(f"[{colour}]verdict:[/] {report.verdict}", highlight=False)
