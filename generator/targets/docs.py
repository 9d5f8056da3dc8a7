"""Reference docs target: one Markdown page per spec, rendered from the IR.

It replaces hand-written interface pages: every export with its encodings and an example,
every type with its wire shape and an example, the error convention and the host behaviour.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

from generator import ir
from generator.ir import wire
from generator.target_limits import RESERVED_TYPE_NAMES
from generator.targets.base import Role, Target
from generator.templating import render as render_template


def render(spec: ir.Spec) -> Mapping[str, str]:
    return {
        f"docs/{spec.slug}.md": render_template(
            "docs/reference.md.j2",
            spec=spec,
            exports=[
                _export_view(e, spec.dialects[0].name if spec.dialects else None)
                for e in spec.exports
            ],
            types=[_type_view(t) for t in spec.types],
            conventions=[_convention_row(c) for c in spec.error_conventions],
            host_functions=[_host_function_row(f) for f in spec.host_functions],
            classifiers=[_classifier_view(c) for c in spec.classifiers],
        )
    }


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class FieldRow:
    wire: str
    type: str
    presence: str
    description: str


@dataclass(frozen=True)
class VariantRow:
    name: str
    wire_form: str
    description: str


@dataclass(frozen=True)
class TypeView:
    name: str
    kind: str
    description: str
    signature: str
    notes: tuple[str, ...]
    fields: tuple[FieldRow, ...]
    variants: tuple[VariantRow, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class PayloadView:
    encoding: str
    type: str
    description: str


@dataclass(frozen=True)
class ExampleView:
    description: str
    input: str
    output: str


@dataclass(frozen=True)
class DialectView:
    name: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class ExportView:
    export: ir.Export
    input: PayloadView
    output: PayloadView
    examples: tuple[ExampleView, ...]
    errors: str = ""
    since: str = ""
    dialects: tuple[DialectView, ...] = ()


@dataclass(frozen=True)
class ConventionRow:
    name: str
    code: int
    message: str
    cause: str
    description: str


@dataclass(frozen=True)
class HostFunctionRow:
    function: ir.HostFunction
    input: PayloadView
    output: PayloadView


_CAUSES = {
    ir.ErrorCause.INPUT: "the input did not decode",
    ir.ErrorCause.PROVIDER: "the provider code returned an error",
    ir.ErrorCause.HOST_FUNCTION: "a host function failed",
    ir.ErrorCause.TRAP: "a trap (panic)",
}


def _message(convention: ir.ErrorConvention) -> str:
    if convention.type is not None:
        return f"JSON {type_link(convention.type)}"
    return f"{convention.encoding.value} text"


def _convention_row(convention: ir.ErrorConvention) -> ConventionRow:
    cause = _CAUSES[convention.cause] if convention.cause is not None else ""
    return ConventionRow(
        convention.name,
        convention.code,
        _message(convention),
        cause,
        _one_line(convention.description),
    )


def _errors_text(conventions: tuple[ir.ErrorConvention, ...]) -> str:
    return "; ".join(f"[`{c.name}`](#errors) (code `{c.code}`, {_message(c)})" for c in conventions)


@dataclass(frozen=True)
class RuleRow:
    status: str
    result: str


@dataclass(frozen=True)
class ClassifierView:
    name: str
    description: str
    type: str
    fills: str
    rules: tuple[RuleRow, ...]


def _classifier_view(classifier: ir.Classifier) -> ClassifierView:
    def statuses(rule: ir.ClassifierRule) -> str:
        if not rule.statuses:
            return "any other"
        return ", ".join(str(lo) if lo == hi else f"{lo} to {hi}" for lo, hi in rule.statuses)

    return ClassifierView(
        classifier.name,
        classifier.description,
        type_link(classifier.type),
        ", ".join(f"`{name}` (e.g. `{_json(value)}`)" for name, value in classifier.fills),
        tuple(RuleRow(statuses(r), _json(r.result)) for r in classifier.rules),
    )


def _host_function_row(function: ir.HostFunction) -> HostFunctionRow:
    return HostFunctionRow(function, _payload_view(function.input), _payload_view(function.output))


def type_link(ref: ir.TypeRef) -> str:
    """A type expression with declared types linked to their sections."""
    match ref:
        case ir.Primitive(name):
            return f"`{name}`"
        case ir.ListOf(item):
            return f"list of {type_link(item)}"
        case ir.MapOf(value):
            return f"map of string to {type_link(value)}"
        case ir.Named(name, args):
            link = f"[`{name}`](#{name.lower()})"
            if args:
                link += " of " + ", ".join(type_link(a) for a in args)
            return link
        case ir.TypeParam(name):
            return f"`{name}`"
        case _:
            assert_never(ref)


def _presence(field: ir.Field) -> str:
    parts = ["required" if field.required else "optional"]
    if field.nullable:
        parts.append("nullable")
        parts.append("omitted when null" if field.skip_if_null else "written as `null`")
    if field.has_default:
        parts.append(f"default `{_json(field.default)}`")
    if field.renamed:
        parts.append(f"Rust `{field.name}`")
    if field.aliases:
        parts.append("also read as " + ", ".join(f"`{a}`" for a in field.aliases))
    if field.since_dialect is not None:
        parts.append(f"since {field.since_dialect}")
    return "; ".join(parts)


def _fields(fields: tuple[ir.Field, ...]) -> tuple[FieldRow, ...]:
    return tuple(
        FieldRow(f"`{f.wire_name}`", type_link(f.type), _presence(f), _one_line(f.description))
        for f in fields
    )


def _variant_form(enum: ir.EnumType, variant: ir.Variant) -> str:
    form = wire.variant_wire(enum, variant)
    content = _content_form(variant.payload) or ""  # only a variant with data shows it
    return f"`{wire.sketch(form, content, '...fields')}`"


def _content_form(payload: ir.VariantPayload) -> str | None:
    match payload:
        case ir.UnitPayload():
            return None
        case ir.NewtypePayload(type=t):
            return ir.format_type(t)
        case ir.TuplePayload(items=items):
            return "[" + ", ".join(ir.format_type(t) for t in items) + "]"
        case ir.StructPayload(fields=fields):
            return (
                "{" + ", ".join(f'"{f.wire_name}": {ir.format_type(f.type)}' for f in fields) + "}"
            )
        case _:
            assert_never(payload)


def _type_view(type_def: ir.TypeDef) -> TypeView:
    params = f"<{', '.join(type_def.type_params)}>" if type_def.type_params else ""
    examples = tuple(_json(e) for e in type_def.examples)
    match type_def:
        case ir.Struct():
            notes = [
                (
                    "Unknown fields are rejected."
                    if type_def.deny_unknown_fields
                    else "Unknown fields are ignored."
                )
            ]
            if type_def.type_params:
                notes.append(
                    f"Type parameter{'s' if len(type_def.type_params) > 1 else ''} "
                    f"{', '.join(f'`{p}`' for p in type_def.type_params)}: any JSON value at the "
                    "ABI level (the plugin's config type in Rust)."
                )
            return TypeView(
                type_def.name, "struct", type_def.description, f"{type_def.name}{params}",
                tuple(notes), _fields(type_def.fields), (), examples,
            )  # fmt: skip
        case ir.EnumType():
            notes = [f"Tagging: {type_def.tagging.value}."]
            if type_def.default_variant:
                notes.append(f"Default: `{type_def.default_variant}`.")
            fallback = type_def.fallback_variant
            if fallback is not None:
                notes.append(f"Any unknown value reads as `{fallback.wire_name}` (serde `other`).")
            for v in type_def.variants:
                if v.min_items:
                    notes.append(f"`{v.name}` holds at least {v.min_items} item(s).")
            variants = tuple(
                VariantRow(v.name, _variant_form(type_def, v), _one_line(v.description))
                for v in type_def.variants
            )
            return TypeView(
                type_def.name, "enum", type_def.description, f"{type_def.name}{params}",
                tuple(notes), (), variants, examples,
            )  # fmt: skip
        case _:
            assert_never(type_def)


def _payload_view(payload: ir.Payload) -> PayloadView:
    match payload.encoding:
        case ir.Encoding.IGNORED:
            encoding = "ignored"
            shape = "no value"
        case ir.Encoding.EMPTY:
            encoding = "empty"
            shape = "no bytes"
        case ir.Encoding.BYTES:
            encoding = "raw bytes"
            shape = "bytes"
        case ir.Encoding.UTF8:
            encoding = "raw UTF-8"
            shape = "string" + (f" (`{payload.content_type}`)" if payload.content_type else "")
        case ir.Encoding.JSON:
            assert payload.type is not None
            encoding = "JSON"
            shape = type_link(payload.type)
            if payload.nullable:
                shape += " or `null`"
        case _:
            assert_never(payload.encoding)
    if payload.empty_is_none:
        encoding += "; empty = none"
    return PayloadView(encoding, shape, _one_line(payload.description))


def _example_bytes(payload: ir.Payload, value: ir.JsonValue) -> str:
    match payload.encoding:
        case ir.Encoding.IGNORED:
            return "null" if value is None else _json(value)
        case ir.Encoding.EMPTY | ir.Encoding.BYTES:
            return ""
        case ir.Encoding.UTF8:
            return "" if value is None else str(value)
        case ir.Encoding.JSON:
            return "" if value is None and payload.empty_is_none else _json(value)
        case _:
            assert_never(payload.encoding)


def _export_view(export: ir.Export, first_dialect: str | None = None) -> ExportView:
    return ExportView(
        export,
        _payload_view(export.input),
        _payload_view(export.output),
        tuple(
            ExampleView(
                e.description,
                _example_bytes(export.input, e.input),
                _example_bytes(export.output, e.output),
            )
            for e in export.examples
        ),
        errors=_errors_text(export.errors),
        since=export.since_dialect or first_dialect or str(export.since),
        dialects=tuple(_dialect_view(d) for d in export.dialects),
    )


def _dialect_view(dialect: ir.ExportDialect) -> DialectView:
    changes: list[str] = []
    for side, payload in (("input", dialect.input), ("output", dialect.output)):
        if payload is not None:
            view = _payload_view(payload)
            changes.append(f"{side}: {view.encoding}, {view.type}. {view.description}")
    if dialect.errors is not None:
        changes.append(f"fails with: {_errors_text(dialect.errors)}")
    if dialect.host_use is not None:
        changes.append(f"host use: {_one_line(dialect.host_use)}")
    return DialectView(dialect.dialect, tuple(changes))


def _json(value: ir.JsonValue) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


TARGET = Target(
    name="docs",
    role=Role.NEUTRAL,
    render=render,
    reserved_type_names=RESERVED_TYPE_NAMES.get("docs", {}),
)
