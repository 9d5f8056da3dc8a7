"""`export`: each export of the spec is present (required) or reported present/absent
(optional); the exports present are the ones the export checks run on."""

from __future__ import annotations

from generator.conformance.context import CheckContext
from generator.conformance.report import Status


class ExportPresenceCheck:
    name = "export"
    verdict = "not a QueryMT plugin: {}"

    def run(self, ctx: CheckContext) -> str | None:
        assert ctx.module.header is not None, "the wasm check did not run"
        functions = ctx.module.header.function_exports
        missing: list[str] = []
        for export in ctx.spec.exports:
            kind = "optional" if export.optional else "required"
            if export.name in functions:
                ctx.add(self.name, export.name, Status.PASS, f"{kind}, present")
            elif export.optional:
                ctx.add(self.name, export.name, Status.SKIP, f"{kind}, absent")
            else:
                ctx.add(self.name, export.name, Status.FAIL, f"{kind}, missing")
                missing.append(export.name)
        ctx.module.present = tuple(e for e in ctx.spec.exports if e.name in functions)
        return "missing exports " + ", ".join(missing) if missing else None
