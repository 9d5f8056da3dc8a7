"""What `verify` sends: a valid input of each export (from the spec's examples, or a small sample
of its type), the default configuration, and the bad inputs of the malformed-input and
invalid-config checks."""

from __future__ import annotations

import json
from typing import Any, assert_never

from generator import ir
from generator.ir import calls

DEFAULT_API_KEY = "sk-verify"
MALFORMED_JSON = b'{"qmt-verify": malformed'
INVALID_UTF8 = b"qmt-verify \xff\xfe"
INVALID_CONFIG_CANDIDATES: tuple[Any, ...] = ({}, [], 42, "qmt-verify", None)
"""Tried in order: the first one the plugin's config_schema rejects is sent as `invalid-config`."""


def json_text(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def sample(spec: ir.Spec, ref: ir.TypeRef, config: Any, depth: int = 0) -> Any:
    """A small valid value of a type, for exports the spec gives no example of."""
    match ref:
        case ir.Primitive(name):
            samples: dict[str, Any] = {"string": "qmt-verify", "bool": False, "json": {}}
            samples["bytes"] = []
            if name in samples:
                return samples[name]
            return 0.5 if name.startswith("f") else 1
        case ir.ListOf(item):
            return [] if depth > 4 else [sample(spec, item, config, depth + 1)]
        case ir.MapOf():
            return {}
        case ir.TypeParam():
            return config
        case ir.Named(name):
            type_def = spec.type(name)
            if type_def.examples:
                return type_def.examples[0]
            if isinstance(type_def, ir.Struct):
                return {
                    f.wire_name: None if f.nullable else sample(spec, f.type, config, depth + 1)
                    for f in type_def.fields
                    if f.required or not f.nullable
                }
            for variant in type_def.variants:
                if isinstance(variant.payload, ir.UnitPayload):
                    return variant.wire_name
            return None


def valid_input(spec: ir.Spec, call: calls.Call, config: Any, probe: bytes) -> bytes:
    """The bytes a host sends to one export: its spec example, with the configuration in `cfg`."""
    export = call.export
    example = export.examples[0].input if export.examples else None
    match call.input:
        case calls.InputShape.IGNORED:
            return probe
        case calls.InputShape.TEXT:
            return (example if isinstance(example, str) else "qmt-verify").encode()
        case calls.InputShape.CONFIG:
            return json_text(config)
        case calls.InputShape.REQUEST:
            assert export.input.type is not None and call.cfg_field is not None
            value = example if isinstance(example, dict) else None
            if value is None:
                value = sample(spec, export.input.type, config)
            return json_text({**value, call.cfg_field.wire_name: config})
        case calls.InputShape.JSON:
            if call.defaults_to_config:
                return json_text(config)  # `is_config`: the host sends its configuration
            assert export.input.type is not None
            if example is None:
                example = sample(spec, export.input.type, config)
            return json_text(_with_untyped_config(spec, example, config))
        case other:
            assert_never(other)


def _with_untyped_config(spec: ir.Spec, value: Any, config: Any) -> Any:
    """A struct input that carries the configuration untyped (a `json` field under the name the
    spec's request structs give their configuration field) gets the configuration there."""
    if not isinstance(value, dict):
        return value
    names = {c.cfg_field.wire_name for c in calls.calls(spec).values() if c.cfg_field is not None}
    hits = [name for name in names if name in value]
    return {**value, **{name: config for name in hits}} if hits else value


def default_config(base_url: str) -> dict[str, Any]:
    return {"api_key": DEFAULT_API_KEY, "base_url": base_url}


def fill_required(config: dict[str, Any], schema: dict[str, Any], base_url: str) -> None:
    """Gives the default configuration a value for each required key the schema lists."""
    properties = schema.get("properties")
    required = schema.get("required")
    if not isinstance(properties, dict) or not isinstance(required, list):
        return
    for key in required:
        if not isinstance(key, str) or key in config:
            continue
        prop = properties.get(key)
        prop = prop if isinstance(prop, dict) else {}
        value = _required_value(key, prop, base_url)
        if value is not _NO_VALUE:
            config[key] = value


_NO_VALUE = object()


def _required_value(key: str, prop: dict[str, Any], base_url: str) -> Any:
    kinds = prop.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "default" in prop:
        return prop["default"]
    if "enum" in prop and isinstance(prop["enum"], list) and prop["enum"]:
        return prop["enum"][0]
    if "url" in key.lower() and "string" in kinds:
        return base_url
    if "string" in kinds or kinds == [None]:
        return "qmt-verify"
    if "boolean" in kinds:
        return False
    if "integer" in kinds or "number" in kinds:
        return 1
    if "array" in kinds:
        return []
    if "object" in kinds:
        return {}
    return _NO_VALUE
