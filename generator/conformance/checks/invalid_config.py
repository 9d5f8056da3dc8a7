"""`invalid-config`: an export that takes the configuration itself rejects one the plugin's own
config_schema rejects, with an error message. That is an input typed as the spec's `Config`, or,
for the host's `check_config` role, untyped JSON the host fills with its configuration
(`is_config`: v2's `from_config`)."""

from __future__ import annotations

from typing import Any

import jsonschema

from generator import ir
from generator.conformance.checks.malformed_input import send_bad_input
from generator.conformance.checks.schema_document import schema_validator
from generator.conformance.context import CheckContext
from generator.conformance.inputs import INVALID_CONFIG_CANDIDATES, json_text
from generator.conformance.report import Status
from generator.ir import calls

_NOTHING_INVALID = object()


class InvalidConfigCheck:
    name = "invalid-config"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        checks_config = call.export.name == spec.host.roles.check_config
        return call.input is calls.InputShape.CONFIG or (call.defaults_to_config and checks_config)

    def planned_calls(self, call: calls.Call) -> int:
        return 1

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        name = call.export.name
        invalid = _invalid_config(ctx, ctx.config_schema)
        if invalid is _NOTHING_INVALID:
            ctx.skip_call()
            ctx.add(self.name, name, Status.SKIP, "the config_schema accepts any value")
            return
        text = json_text(invalid)
        send_bad_input(ctx, self.name, name, text, f"config {text.decode()}")


def _invalid_config(ctx: CheckContext, schema: dict[str, Any] | None) -> Any:
    """The first candidate the plugin's config_schema rejects (any one without a usable schema)."""
    if schema is None:
        return INVALID_CONFIG_CANDIDATES[1]
    try:
        schema_validator(schema)
    except jsonschema.SchemaError:
        return INVALID_CONFIG_CANDIDATES[1]
    for candidate in INVALID_CONFIG_CANDIDATES:
        if ctx.bindings.config_problems(candidate, schema):
            return candidate
    return _NOTHING_INVALID
