"""The spec's JSON Schemas (Draft 2020-12): one bundle of every type, one schema per export side.

They are ABI facts, not one target's output: the loader checks the spec's examples against
them, `verify` checks plugin outputs, the Python target feeds them to datamodel-code-generator
and the jsonschema target writes them out.

Each schema accepts what serde accepts for the v1 wire format: unknown fields are allowed
(serde ignores them) unless a struct denies them, nullable fields accept `null`, optional
fields may be missing, aliases are accepted in place of the wire name (exactly one of them),
and integers carry their Rust width as bounds. Extension keywords (`x-...`) carry what JSON
Schema cannot say but other targets need: Rust names, aliases, type parameters, encodings.
"""

from __future__ import annotations

import json
from typing import Any, Literal, assert_never

import jsonschema

from generator.ir import model as ir
from generator.ir import wire

DRAFT = "https://json-schema.org/draft/2020-12/schema"
Side = Literal["input", "output"]
Schema = dict[str, Any]


def dump(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def urn(spec: ir.Spec, *parts: str) -> str:
    return ":".join(["urn:qmt-abigen", spec.slug, *parts])


# --------------------------------------------------------------------------- documents


def bundle(spec: ir.Spec) -> Schema:
    """The bundle: every declared type under `$defs`, by its QueryMT name."""
    return {
        "$schema": DRAFT,
        "$id": urn(spec),
        "title": spec.title,
        "description": spec.description,
        "x-abi-version": spec.abi_version,
        "x-type-params": {p.name: p.description for p in spec.type_params},
        "$defs": {t.name: definition(t) for t in sorted(spec.types, key=lambda t: t.name)},
    }


def export_schema(spec: ir.Spec, export: ir.Export, side: Side) -> Schema:
    """A standalone schema of one export's decoded input or output, with the `$defs` it reaches."""
    payload = export.input if side == "input" else export.output
    body = payload_schema(payload)
    reached = spec.reachable_types([payload.type]) if payload.type is not None else []
    document: Schema = {
        "$schema": DRAFT,
        "$id": urn(spec, f"{export.name}.{side}"),
        "title": f"{export.name} {side}",
        "description": f"{export.description} {side.capitalize()}: {payload.description}",
        "x-export": export.name,
        "x-encoding": payload.encoding.value,
        **body,
    }
    if payload.empty_is_none:
        document["x-empty-is-none"] = True
    if export.since_dialect is not None:
        document["x-since-dialect"] = export.since_dialect
    if reached:
        document["$defs"] = {name: definition(spec.type(name)) for name in sorted(reached)}
    return document


def payload_schema(payload: ir.Payload) -> Schema:
    match payload.encoding:
        case ir.Encoding.IGNORED | ir.Encoding.BYTES:
            return {}
        case ir.Encoding.EMPTY:
            return {"type": "null", "description": "No bytes: the decoded value is null."}
        case ir.Encoding.UTF8:
            schema: Schema = {"type": ["string", "null"] if payload.empty_is_none else "string"}
            if payload.content_type:
                schema["contentMediaType"] = payload.content_type
            return schema
        case ir.Encoding.JSON:
            assert payload.type is not None
            inner = type_schema(payload.type)
            return _nullable(inner) if payload.empty_is_none or payload.nullable else inner
        case _:
            assert_never(payload.encoding)


# --------------------------------------------------------------------------- types


def type_schema(ref: ir.TypeRef) -> Schema:
    match ref:
        case ir.Primitive(name):
            return primitive_schema(name)
        case ir.ListOf(item):
            return {"type": "array", "items": type_schema(item)}
        case ir.MapOf(value):
            return {"type": "object", "additionalProperties": type_schema(value)}
        case ir.Named(name, args):
            schema: Schema = {"$ref": f"#/$defs/{name}"}
            if args:
                schema["x-type-args"] = [ir.format_type(a) for a in args]
            return schema
        case ir.TypeParam(name):
            return {"x-type-param": name}
        case _:
            assert_never(ref)


def primitive_schema(name: ir.PrimitiveName) -> Schema:
    if name in ir.INTEGER_RANGES:
        low, high = ir.INTEGER_RANGES[name]
        return {"type": "integer", "minimum": low, "maximum": high, "x-rust-type": name}
    match name:
        case "string":
            return {"type": "string"}
        case "bool":
            return {"type": "boolean"}
        case "f32" | "f64":
            return {"type": "number", "x-rust-type": name}
        case "bytes":
            return {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 255},
                "x-rust-type": "Vec<u8>",
            }
        case "json":
            return {}
    raise AssertionError(f"unhandled primitive {name}")


def _nullable(schema: Schema) -> Schema:
    kind = schema.get("type")
    if isinstance(kind, str) and set(schema) <= {
        "type",
        "minimum",
        "maximum",
        "x-rust-type",
        "items",
    }:
        return {**schema, "type": [kind, "null"]}
    if not schema or set(schema) <= {"x-type-param"}:
        return schema  # any JSON value already includes null
    return {"anyOf": [schema, {"type": "null"}]}


def definition(type_def: ir.TypeDef) -> Schema:
    match type_def:
        case ir.Struct():
            return struct_schema(type_def)
        case ir.EnumType():
            return enum_schema(type_def)
        case _:
            assert_never(type_def)


def _header(description: str, type_params: tuple[str, ...], since: int) -> Schema:
    header: Schema = {"description": description}
    if type_params:
        header["x-type-params"] = list(type_params)
    if since != 1:
        header["x-since"] = since
    return header


def struct_schema(struct: ir.Struct) -> Schema:
    schema: Schema = {
        **_header(struct.description, struct.type_params, struct.since),
        **object_schema(struct.fields),
    }
    if struct.deny_unknown_fields:
        schema["additionalProperties"] = False
    return schema


def object_schema(fields: tuple[ir.Field, ...]) -> Schema:
    properties: Schema = {}
    required: list[str] = []
    alias_groups: list[list[str]] = []
    for field in fields:
        properties[field.wire_name] = field_schema(field)
        for alias in field.aliases:
            properties[alias] = {
                **field_schema(field, with_extensions=False),
                "description": f"Accepted on input in place of `{field.wire_name}`.",
            }
        if field.aliases:
            alias_groups.append([field.wire_name, *field.aliases])
        if field.required and not field.aliases:
            required.append(field.wire_name)
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    constraints: list[Schema] = []
    for field, names in zip([f for f in fields if f.aliases], alias_groups, strict=True):
        if field.required:
            constraints.append({"oneOf": [{"required": [n]} for n in names]})
        else:
            constraints.append({"not": {"anyOf": _pairs_present(names)}})
    if constraints:
        schema["allOf"] = constraints
    return schema


def _pairs_present(names: list[str]) -> list[Schema]:
    return [{"required": [a, b]} for i, a in enumerate(names) for b in names[i + 1 :]]


def field_schema(field: ir.Field, *, with_extensions: bool = True) -> Schema:
    schema = type_schema(field.type)
    if field.nullable:
        schema = _nullable(schema)
    schema = {**schema, "description": field.description}
    if field.has_default:
        schema["default"] = field.default
    if not with_extensions:
        return schema
    if field.renamed:
        schema["x-rust-name"] = field.name
    if field.aliases:
        schema["x-aliases"] = list(field.aliases)
    if field.skip_if_null:
        schema["x-skip-if-null"] = True
    if field.since_dialect is not None:
        schema["x-since-dialect"] = field.since_dialect
    return schema


def enum_schema(enum: ir.EnumType) -> Schema:
    header = _header(enum.description, enum.type_params, enum.since)
    header["x-tagging"] = enum.tagging.value
    if enum.default_variant:
        header["x-default-variant"] = enum.default_variant
    fallback = enum.fallback_variant
    if fallback is not None:
        header["x-fallback-variant"] = fallback.name
    if wire.is_string_enum(enum) and fallback is not None:
        # serde's `other`: every string is accepted, the unknown ones read as the fallback.
        return {
            **header,
            "type": "string",
            "examples": [v.wire_name for v in enum.variants],
            "x-enum": [v.wire_name for v in enum.variants],
            "x-enum-descriptions": [v.description for v in enum.variants],
        }
    if wire.is_string_enum(enum):
        return {
            **header,
            "type": "string",
            "enum": [v.wire_name for v in enum.variants],
            # A list aligned with `enum`: the form datamodel-code-generator reads as member docs.
            "x-enum-descriptions": [v.description for v in enum.variants],
        }
    alternatives = [variant_schema(enum, v) for v in enum.variants]
    keyword = "anyOf" if enum.tagging is ir.Tagging.UNTAGGED else "oneOf"
    return {**header, keyword: alternatives}


def variant_schema(enum: ir.EnumType, variant: ir.Variant) -> Schema:
    meta: Schema = {"description": variant.description, "x-variant": variant.name}
    content = _variant_content(variant.payload)
    if variant.min_items and content is not None:
        content = {**content, "minItems": variant.min_items}
    form = wire.variant_wire(enum, variant)
    match form.form:
        case wire.VariantForm.STRING:
            return {**meta, "const": form.name}
        case wire.VariantForm.SINGLE_KEY:
            assert content is not None
            return {**meta, **_single_key_object(form.name, content)}
        case wire.VariantForm.TAG_FIELDS:
            assert form.tag is not None
            tag = {form.tag: {"const": form.name}}
            if isinstance(variant.payload, ir.StructPayload):
                body = object_schema(variant.payload.fields)
                return {
                    **meta,
                    **body,
                    "properties": {**tag, **body["properties"]},
                    "required": [form.tag, *body.get("required", [])],
                }
            return {**meta, "type": "object", "properties": tag, "required": [form.tag]}
        case wire.VariantForm.TAG_CONTENT:
            assert form.tag is not None and form.content_key is not None
            properties: Schema = {form.tag: {"const": form.name}}
            required = [form.tag]
            if content is not None:
                properties[form.content_key] = content
                required.append(form.content_key)
            return {**meta, "type": "object", "properties": properties, "required": required}
        case wire.VariantForm.NULL:
            return {**meta, "type": "null"}
        case wire.VariantForm.CONTENT:
            assert content is not None
            return {**meta, **content}
        case _:
            assert_never(form.form)


def _variant_content(payload: ir.VariantPayload) -> Schema | None:
    match payload:
        case ir.UnitPayload():
            return None
        case ir.NewtypePayload(type=t):
            return type_schema(t)
        case ir.TuplePayload(items=items):
            return {
                "type": "array",
                "prefixItems": [type_schema(t) for t in items],
                "items": False,
                "minItems": len(items),
                "maxItems": len(items),
            }
        case ir.StructPayload(fields=fields):
            return object_schema(fields)
        case _:
            assert_never(payload)


def _single_key_object(key: str, value: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {key: value},
        "required": [key],
        "additionalProperties": False,
    }


# --------------------------------------------------------------------------- validators


def type_validators(spec: ir.Spec) -> dict[str, jsonschema.Draft202012Validator]:
    """A validator per declared type, all sharing one bundle."""
    document = bundle(spec)
    return {
        t.name: jsonschema.Draft202012Validator({**document, "$ref": f"#/$defs/{t.name}"})
        for t in spec.types
    }


def validator_for_payload(
    spec: ir.Spec, export: ir.Export, side: Side
) -> jsonschema.Draft202012Validator | None:
    payload = export.input if side == "input" else export.output
    if payload.encoding is ir.Encoding.IGNORED and side == "input":
        return None
    return jsonschema.Draft202012Validator(export_schema(spec, export, side))
