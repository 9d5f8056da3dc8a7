"""A spec as one target names it: types with `target_names` renamed there, references too.

Targets whose generated code already defines a spec type's name (the Python bindings' own
`PluginError` exception) render from this copy; the wire shapes are unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from generator.ir import model as ir


def for_target(spec: ir.Spec, target: str) -> ir.Spec:
    names = {t.name: t.name_in(target) for t in spec.types if t.name_in(target) != t.name}
    if not names:
        return spec
    return replace(
        spec,
        types=tuple(_type(t, names) for t in spec.types),
        exports=tuple(_export(e, names) for e in spec.exports),
        error=_convention(spec.error, names),
        error_conventions=tuple(_convention(c, names) for c in spec.error_conventions),
        host_functions=tuple(
            replace(f, input=_payload(f.input, names), output=_payload(f.output, names))
            for f in spec.host_functions
        ),
        _types_by_name={},
    )


def _ref(ref: ir.TypeRef, names: dict[str, str]) -> ir.TypeRef:
    match ref:
        case ir.Primitive() | ir.TypeParam():
            return ref
        case ir.ListOf(item):
            return ir.ListOf(_ref(item, names))
        case ir.MapOf(value):
            return ir.MapOf(_ref(value, names))
        case ir.Named(name, args):
            return ir.Named(names.get(name, name), tuple(_ref(a, names) for a in args))
        case _:
            assert_never(ref)


def _fields(fields: tuple[ir.Field, ...], names: dict[str, str]) -> tuple[ir.Field, ...]:
    return tuple(replace(f, type=_ref(f.type, names)) for f in fields)


def _variant(variant: ir.Variant, names: dict[str, str]) -> ir.Variant:
    payload = variant.payload
    match payload:
        case ir.UnitPayload():
            return variant
        case ir.NewtypePayload(type=t):
            return replace(variant, payload=ir.NewtypePayload(_ref(t, names)))
        case ir.TuplePayload(items=items):
            return replace(variant, payload=ir.TuplePayload(tuple(_ref(t, names) for t in items)))
        case ir.StructPayload(fields=fields):
            return replace(variant, payload=ir.StructPayload(_fields(fields, names)))
        case _:
            assert_never(payload)


def _type(type_def: ir.TypeDef, names: dict[str, str]) -> ir.TypeDef:
    name = names.get(type_def.name, type_def.name)
    match type_def:
        case ir.Struct():
            return replace(
                type_def, name=name, fields=_fields(type_def.fields, names), target_names=()
            )
        case ir.EnumType():
            return replace(
                type_def,
                name=name,
                variants=tuple(_variant(v, names) for v in type_def.variants),
                target_names=(),
            )
        case _:
            assert_never(type_def)


def _payload(payload: ir.Payload, names: dict[str, str]) -> ir.Payload:
    if payload.type is None:
        return payload
    return replace(payload, type=_ref(payload.type, names))


def _convention(convention: ir.ErrorConvention, names: dict[str, str]) -> ir.ErrorConvention:
    if convention.type is None:
        return convention
    return replace(convention, type=_ref(convention.type, names))


def _export(export: ir.Export, names: dict[str, str]) -> ir.Export:
    return replace(
        export,
        input=_payload(export.input, names),
        output=_payload(export.output, names),
        errors=tuple(_convention(c, names) for c in export.errors),
        dialects=tuple(
            replace(
                d,
                input=_payload(d.input, names) if d.input else None,
                output=_payload(d.output, names) if d.output else None,
                errors=tuple(_convention(c, names) for c in d.errors) if d.errors else d.errors,
            )
            for d in export.dialects
        ),
    )
