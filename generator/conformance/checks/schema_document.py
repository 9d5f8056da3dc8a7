"""`json-schema`, `config`: an output of content type `application/schema+json` is a JSON Schema
document (metaschema check), and the configuration used passes it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from generator import ir
from generator.conformance.context import CheckContext
from generator.conformance.report import Status, where
from generator.ir import calls

SCHEMA_CONTENT_TYPE = "application/schema+json"


def schema_validator(schema: dict[str, Any]) -> Any:
    """The validator class a config schema asks for (draft-07 when it does not say), checked
    against its metaschema (raises jsonschema.SchemaError)."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    return cls


class SchemaDocumentCheck:
    name = "json-schema"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        return call.export.output.content_type == SCHEMA_CONTENT_TYPE

    def planned_calls(self, call: calls.Call) -> int:
        return 0

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        name = call.export.name
        document = self._document(ctx, name, ctx.decoded.get(name))
        if document is None:
            ctx.add("config", name, Status.SKIP, "no usable config schema")
        else:
            _check_config(ctx, name, document)

    def _document(self, ctx: CheckContext, name: str, value: Any) -> dict[str, Any] | None:
        if value is None:
            ctx.add(self.name, name, Status.SKIP, "no output")
            return None
        if not isinstance(value, str):
            return None
        try:
            document = json.loads(value)
        except ValueError as exc:
            ctx.add(self.name, name, Status.FAIL, f"not JSON: {exc}")
            return None
        if document is None:
            return None  # `null`: recorded as no row here, only `config` skipped
        if not isinstance(document, dict):
            ctx.add(self.name, name, Status.FAIL, "not a JSON object")
            return None
        try:
            cls = schema_validator(document)
        except jsonschema.SchemaError as exc:
            detail = f"metaschema: {where(exc.absolute_path)}: {exc.message}"
            ctx.add(self.name, name, Status.FAIL, detail)
            return None
        draft = cls.__name__.removesuffix("Validator")
        props = document.get("properties")
        keys = f", {len(props)} properties" if isinstance(props, dict) else ""
        ctx.add(self.name, name, Status.PASS, f"valid JSON Schema ({draft}){keys}")
        return document


def _check_config(ctx: CheckContext, name: str, document: dict[str, Any]) -> None:
    config = ctx.config
    keys = ", ".join(config) if isinstance(config, dict) else type(config).__name__
    # The bindings' check: bounded (linear-time patterns, nothing fetched, depth limits).
    problems = ctx.bindings.config_problems(config, document)
    if problems:
        hint = "" if ctx.user_config is not None else "; pass one with --config"
        detail = f"the configuration fails it: {'; '.join(problems)}{hint}"
        ctx.add("config", name, Status.FAIL, detail)
        return
    note = ""
    if isinstance(config, dict) and ctx.user_config is None and ctx.base_url not in config.values():
        note = " (lists no base URL key: HTTP goes to the plugin's own base URL)"
    ctx.add("config", name, Status.PASS, f"the configuration passes it (keys {keys}){note}")
