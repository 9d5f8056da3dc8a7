"""`abi`: the module speaks an ABI of the bindings, by the runtime's detection (run only when
no `--spec` chose one). A module of QueryMT's legacy mode (QueryMT 0.3 and older: HTTP through
QueryMT's host functions inside monolithic exports) is refused here with that verdict; a module
of no known ABI at all goes on against the closest spec, whose `export` check names what it
lacks. A detected ABI records no row: the report's header names the spec, mode and dialect."""

from __future__ import annotations

from generator.conformance.checks.extism import ExtismCheck
from generator.conformance.context import CheckContext
from generator.conformance.report import Status
from generator.hosttools.bindings import Undetected

LEGACY = "legacy"


class AbiCheck:
    name = "abi"
    verdict = ExtismCheck.verdict  # one gate with `extism` and `export`

    def run(self, ctx: CheckContext) -> str | None:
        detection = ctx.detection
        if not isinstance(detection, Undetected) or detection.kind != LEGACY:
            return None
        ctx.add(self.name, None, Status.FAIL, detection.message)
        return (
            "it speaks QueryMT 0.3's legacy ABI (its own HTTP through QueryMT's host functions), "
            "which no spec here describes"
        )
