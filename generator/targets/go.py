"""The Go target: the guest module a plugin of one ABI version is written against in Go.

`generated/go/<slug>/` is one Go module, one package, standard library only:
- `json.go`, a strict JSON reader and serde_json-compatible writer (copied from
  `templates/go/runtime/`), and `types.go`, the spec's types with one decoder and encoder
  each that keep serde's wire rules (tagged enums, byte arrays, null vs absent, defaults,
  aliases, integer ranges, duplicate and unknown keys);
- `provider.go`, the `Exports` interface (one method per export, like the Rust crate's
  `Exports` trait), `Defaults` for the optional ones and the `Failure` error with the spec's
  return codes;
- under the `wasip1` build constraint, `guest.go` (Extism's kernel imports, memory,
  input/output), `host.go` (the spec's host functions with typed wrappers) and `register.go`
  (`Register`, and one `//go:wasmexport` function per export).

All type mapping lives here; the templates under `templates/go/` only lay text out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import assert_never

from generator import formatting, ir
from generator.ir.calls import InputShape, OutputShape, call_of
from generator.resources import TEMPLATES_DIR
from generator.target_limits import RESERVED_TYPE_NAMES
from generator.targets.base import Role, Target, UnsupportedByTarget
from generator.targets.rust import KERNEL_IMPORTS, KERNEL_MODULE
from generator.templating import render as render_template

MODULE_PREFIX = "qmt-abigen.generated/go"
"""Go module paths need a dot in their first element; nothing is ever fetched from it."""

GO_VERSION = "1.24"
"""The oldest Go that exports `//go:wasmexport` functions (1.21-1.23 silently drop them)."""

RUNTIME_FILES = ("json.go",)

_PRIMITIVES: dict[str, tuple[str, str]] = {
    # spec name: (Go type, codec suffix)
    "string": ("string", "String"),
    "bool": ("bool", "Bool"),
    "u8": ("uint8", "U8"),
    "u16": ("uint16", "U16"),
    "u32": ("uint32", "U32"),
    "u64": ("uint64", "U64"),
    "i32": ("int32", "I32"),
    "i64": ("int64", "I64"),
    "f32": ("float32", "F32"),
    "f64": ("float64", "F64"),
    "bytes": ("[]byte", "Bytes"),
    "json": ("Value", "JSON"),
}


def package_name(spec: ir.Spec) -> str:
    """The Go package name: the slug's letters and digits (`querymtextismv2`)."""
    return re.sub(r"[^a-z0-9]", "", spec.slug.lower())


def module_path(spec: ir.Spec) -> str:
    return f"{MODULE_PREFIX}/{spec.slug}"


def go_ident(name: str) -> str:
    """An exported Go identifier for a spec name: `tool_use_start` -> `ToolUseStart`."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    ident = "".join(p[:1].upper() + p[1:] for p in parts)
    if not ident or not ident[0].isalpha():
        ident = "X" + ident
    return ident


def doc_comment(text: str, indent: str = "") -> str:
    """A `//` comment block for a spec description (one paragraph per line)."""
    lines = [line.strip() for line in text.strip().splitlines()] or [""]
    return "\n".join(f"{indent}// {line}".rstrip() for line in lines)


# --------------------------------------------------------------------------- type mapping


class Scope:
    """How a type parameter is spelled and coded where an expression is written."""

    def __init__(self, types: dict[str, str], decoders: dict[str, str], encoders: dict[str, str]):
        self.types = types
        self.decoders = decoders
        self.encoders = encoders

    @classmethod
    def of_params(cls, params: tuple[str, ...]) -> Scope:
        return cls(
            {p: p for p in params}, {p: f"d{p}" for p in params}, {p: f"e{p}" for p in params}
        )


class Mapper:
    """Go types and codec expressions for the spec's type references."""

    def __init__(self, spec: ir.Spec):
        self.spec = spec

    def is_interface(self, ref: ir.TypeRef) -> bool:
        """A declared enum with data: a Go interface, whose nil is its null."""
        if not isinstance(ref, ir.Named):
            return False
        type_def = self.spec.type(ref.name)
        return isinstance(type_def, ir.EnumType) and not is_string_enum(type_def)

    def go_type(self, ref: ir.TypeRef, scope: Scope) -> str:
        match ref:
            case ir.Primitive(name):
                return _PRIMITIVES[name][0]
            case ir.ListOf(item):
                return f"[]{self.go_type(item, scope)}"
            case ir.MapOf(value):
                return f"map[string]{self.go_type(value, scope)}"
            case ir.Named(name, args):
                if not args:
                    return name
                return f"{name}[{', '.join(self.go_type(a, scope) for a in args)}]"
            case ir.TypeParam(name):
                return scope.types[name]
            case _:
                assert_never(ref)

    def nullable_type(self, ref: ir.TypeRef, scope: Scope) -> str:
        base = self.go_type(ref, scope)
        return base if self.is_interface(ref) else f"*{base}"

    def decoder(self, ref: ir.TypeRef, scope: Scope) -> str:
        match ref:
            case ir.Primitive(name):
                return f"Decode{_PRIMITIVES[name][1]}"
            case ir.ListOf(item):
                return f"DecodeList({self.decoder(item, scope)})"
            case ir.MapOf(value):
                return f"DecodeMap({self.decoder(value, scope)})"
            case ir.Named(name, args):
                if not args:
                    return f"Decode{name}"
                return f"Decode{name}({', '.join(self.decoder(a, scope) for a in args)})"
            case ir.TypeParam(name):
                return scope.decoders[name]
            case _:
                assert_never(ref)

    def encoder(self, ref: ir.TypeRef, scope: Scope) -> str:
        match ref:
            case ir.Primitive(name):
                return f"Encode{_PRIMITIVES[name][1]}"
            case ir.ListOf(item):
                return f"EncodeList({self.encoder(item, scope)})"
            case ir.MapOf(value):
                return f"EncodeMap({self.encoder(value, scope)})"
            case ir.Named(name, args):
                if not args:
                    return f"Encode{name}"
                return f"Encode{name}({', '.join(self.encoder(a, scope) for a in args)})"
            case ir.TypeParam(name):
                return scope.encoders[name]
            case _:
                assert_never(ref)

    def nullable_decoder(self, ref: ir.TypeRef, scope: Scope) -> str:
        wrap = "DecodeOrNil" if self.is_interface(ref) else "DecodeNullable"
        return f"{wrap}({self.decoder(ref, scope)})"

    def nullable_encoder(self, ref: ir.TypeRef, scope: Scope) -> str:
        wrap = "EncodeOrNull" if self.is_interface(ref) else "EncodeNullable"
        return f"{wrap}({self.encoder(ref, scope)})"

    def literal(self, value: ir.JsonValue, ref: ir.TypeRef, owner: str) -> str:
        """A Go expression for a field's default."""
        match ref:
            case ir.Primitive("string") if isinstance(value, str):
                return json.dumps(value)
            case ir.Primitive("bool") if isinstance(value, bool):
                return "true" if value else "false"
            case ir.Primitive("u8" | "u16" | "u32" | "u64" | "i32" | "i64") if isinstance(
                value, int
            ) and not isinstance(value, bool):
                return str(value)
            case ir.Primitive("f32" | "f64") if isinstance(value, int | float) and not isinstance(
                value, bool
            ):
                return repr(float(value))
            case ir.ListOf() if value == []:
                return f"{self.go_type(ref, Scope.of_params(()))}{{}}"
            case ir.MapOf() if value == {}:
                return f"{self.go_type(ref, Scope.of_params(()))}{{}}"
            case ir.Named(name) if isinstance(value, str):
                type_def = self.spec.type(name)
                if isinstance(type_def, ir.EnumType) and is_string_enum(type_def):
                    return f"{name}{go_ident(type_def.variant(value).name)}"
        raise UnsupportedByTarget(f"go target: {owner}: no Go literal for default {value!r}")


def is_string_enum(enum: ir.EnumType) -> bool:
    """All-unit external enums are Go string types (the wire name is the value)."""
    return (
        ir.wire.is_string_enum(enum)
        and enum.tagging is ir.Tagging.EXTERNAL
        and not enum.type_params
    )


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class FieldView:
    ident: str
    names: tuple[str, ...]  # the wire name first, then its aliases
    wire_name: str
    go_type: str
    doc: str
    decode: str  # a Go expression of (value, error) given `f` (the Fields) and index
    encode: str  # an Encoder expression for the field's Go type
    skip_if_null: bool


@dataclass(frozen=True)
class StructView:
    name: str
    doc: str
    params: str  # `[C any]` or ""
    args: str  # `[C]` or ""
    decoder_params: str  # `dC Decoder[C]` ...
    encoder_params: str
    fields: tuple[FieldView, ...]
    deny_unknown: bool


@dataclass(frozen=True)
class VariantView:
    name: str  # the spec's variant name
    ident: str  # the Go type of the variant (`ContentText`) or constant (`FinishReasonStop`)
    wire_name: str
    doc: str
    kind: str  # "unit" | "newtype" | "tuple" | "struct"
    fields: tuple[FieldView, ...]  # struct payload
    value_type: str  # newtype payload
    value_decode: str
    value_encode: str
    items: tuple[tuple[str, str, str], ...]  # tuple payload: (Go type, decoder, encoder)
    min_items: int
    fallback: bool


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: str
    tagging: str
    tag: str | None
    string_enum: bool
    variants: tuple[VariantView, ...]
    fallback: str | None  # the Go constant of the `other` variant


def _field_view(mapper: Mapper, owner: str, f: ir.Field, index: int, scope: Scope) -> FieldView:
    names = (f.wire_name, *f.aliases)
    if f.nullable:
        go_type = mapper.nullable_type(f.type, scope)
        decode = (
            f'NullableField(f, {index}, "{f.wire_name}", "{owner}", '
            f"{mapper.nullable_decoder(f.type, scope)})"
        )
        encode = mapper.nullable_encoder(f.type, scope)
    else:
        go_type = mapper.go_type(f.type, scope)
        encode = mapper.encoder(f.type, scope)
        if f.has_default:
            literal = mapper.literal(f.default, f.type, f"{owner}.{f.name}")
            decode = f"DefaultField(f, {index}, {mapper.decoder(f.type, scope)}, {literal})"
        else:
            decode = (
                f'Field(f, {index}, "{f.wire_name}", "{owner}", {mapper.decoder(f.type, scope)})'
            )
    if f.nullable and f.has_default:
        raise UnsupportedByTarget(f"go target: {owner}.{f.name}: a nullable field with a default")
    return FieldView(
        ident=go_ident(f.name),
        names=names,
        wire_name=f.wire_name,
        go_type=go_type,
        doc=doc_comment(f.description, "\t"),
        decode=decode,
        encode=encode,
        skip_if_null=f.nullable and f.skip_if_null,
    )


def _generics(params: tuple[str, ...]) -> tuple[str, str, str, str]:
    if not params:
        return "", "", "", ""
    return (
        f"[{', '.join(f'{p} any' for p in params)}]",
        f"[{', '.join(params)}]",
        ", ".join(f"d{p} Decoder[{p}]" for p in params),
        ", ".join(f"e{p} Encoder[{p}]" for p in params),
    )


def struct_view(mapper: Mapper, t: ir.Struct) -> StructView:
    scope = Scope.of_params(t.type_params)
    params, args, dparams, eparams = _generics(t.type_params)
    return StructView(
        name=t.name,
        doc=doc_comment(f"{t.name}: {t.description}"),
        params=params,
        args=args,
        decoder_params=dparams,
        encoder_params=eparams,
        fields=tuple(_field_view(mapper, t.name, f, i, scope) for i, f in enumerate(t.fields)),
        deny_unknown=t.deny_unknown_fields,
    )


def enum_view(mapper: Mapper, t: ir.EnumType) -> EnumView:
    if t.type_params:
        raise UnsupportedByTarget(f"go target: {t.name}: enums with type parameters")
    if t.tagging is ir.Tagging.ADJACENT:
        raise UnsupportedByTarget(f"go target: {t.name}: adjacently tagged enums")
    string_enum = is_string_enum(t)
    scope = Scope.of_params(())
    variants = []
    for v in t.variants:
        ident = f"{t.name}{go_ident(v.name)}"
        if not string_enum and ident in {d.name for d in mapper.spec.types}:
            raise UnsupportedByTarget(f"go target: variant type {ident} clashes with a spec type")
        kind = "unit"
        fields: tuple[FieldView, ...] = ()
        value = ("", "", "")
        items: tuple[tuple[str, str, str], ...] = ()
        match v.payload:
            case ir.UnitPayload():
                pass
            case ir.NewtypePayload(type=ref):
                kind = "newtype"
                decode = mapper.decoder(ref, scope)
                if v.min_items and isinstance(ref, ir.ListOf):
                    decode = f"DecodeMinItems({v.min_items}, {mapper.decoder(ref.item, scope)})"
                value = (mapper.go_type(ref, scope), decode, mapper.encoder(ref, scope))
            case ir.TuplePayload(items=refs):
                kind = "tuple"
                items = tuple(
                    (mapper.go_type(r, scope), mapper.decoder(r, scope), mapper.encoder(r, scope))
                    for r in refs
                )
            case ir.StructPayload(fields=payload):
                kind = "struct"
                fields = tuple(
                    _field_view(mapper, f"{t.name}::{v.name}", f, i, scope)
                    for i, f in enumerate(payload)
                )
            case other:
                assert_never(other)
        if t.tagging is ir.Tagging.INTERNAL and kind in ("newtype", "tuple"):
            raise UnsupportedByTarget(f"go target: {t.name}.{v.name}: internal {kind} variant")
        variants.append(
            VariantView(
                name=v.name,
                ident=ident,
                wire_name=v.wire_name,
                doc=doc_comment(f"{ident}: {v.description}"),
                kind=kind,
                fields=fields,
                value_type=value[0],
                value_decode=value[1],
                value_encode=value[2],
                items=items,
                min_items=v.min_items,
                fallback=v.fallback,
            )
        )
    fallback = next((v.ident for v in variants if v.fallback), None)
    return EnumView(
        name=t.name,
        doc=doc_comment(f"{t.name}: {t.description}"),
        tagging=t.tagging.value,
        tag=t.tag,
        string_enum=string_enum,
        variants=tuple(variants),
        fallback=fallback,
    )


# --------------------------------------------------------------------------- exports


@dataclass(frozen=True)
class ExportView:
    name: str
    ident: str
    doc: str
    optional: bool
    input_kind: str  # "ignored" | "utf8" | "json"
    input_type: str | None
    input_decode: str | None
    output_kind: str  # "empty" | "utf8" | "utf8_opt" | "json" | "json_opt"
    output_type: str | None
    output_encode: str | None
    output_deref: bool  # json_opt: the Go type is a pointer to what the encoder writes
    input_error_code: int
    wire: str
    signature: str  # the Exports method, e.g. `ChatRequest(in X) (Y, error)`


def _describe(p: ir.Payload) -> str:
    text = p.encoding.value
    if p.type is not None:
        text += f" `{ir.format_type(p.type)}`"
    if p.empty_is_none:
        text += " (empty = none)"
    return text


def _error_code(spec: ir.Spec, e: ir.Export, cause: ir.ErrorCause) -> int:
    for convention in spec.export_errors(e):
        if convention.cause is cause:
            return convention.code
    return spec.error.code


def export_view(mapper: Mapper, spec: ir.Spec, e: ir.Export, scope: Scope) -> ExportView:
    call = call_of(spec, e)
    input_type = input_decode = None
    match call.input:
        case InputShape.IGNORED:
            input_kind = "ignored"
        case InputShape.TEXT:
            input_kind, input_type = "utf8", "string"
        case InputShape.CONFIG | InputShape.REQUEST | InputShape.JSON:
            ref = e.input.type
            assert ref is not None
            input_kind = "json"
            if e.input.nullable:
                input_type = mapper.nullable_type(ref, scope)
                input_decode = mapper.nullable_decoder(ref, scope)
            else:
                input_type = mapper.go_type(ref, scope)
                input_decode = mapper.decoder(ref, scope)
        case _:
            assert_never(call.input)
    output_type = output_encode = None
    output_deref = False
    match call.output:
        case OutputShape.NONE:
            output_kind = "empty"
        case OutputShape.TEXT:
            output_kind, output_type = "utf8", "string"
        case OutputShape.TEXT_OR_NONE:
            output_kind, output_type = "utf8_opt", "*string"
        case OutputShape.JSON:
            ref = e.output.type
            assert ref is not None
            output_kind = "json"
            if e.output.empty_is_none:
                # nil is empty output; a value is its JSON (never `null`).
                output_kind = "json_opt"
                output_type = mapper.nullable_type(ref, scope)
                output_encode = mapper.encoder(ref, scope)
                output_deref = not mapper.is_interface(ref)
            elif e.output.nullable:
                output_type = mapper.nullable_type(ref, scope)
                output_encode = mapper.nullable_encoder(ref, scope)
            else:
                output_type = mapper.go_type(ref, scope)
                output_encode = mapper.encoder(ref, scope)
        case _:
            assert_never(call.output)
    ident = go_ident(e.name)
    arg = f"in {input_type}" if input_type else ""
    result = f"({output_type}, error)" if output_type else "error"
    return ExportView(
        name=e.name,
        ident=ident,
        doc=doc_comment(e.description, "\t"),
        optional=e.optional,
        input_kind=input_kind,
        input_type=input_type,
        input_decode=input_decode,
        output_kind=output_kind,
        output_type=output_type,
        output_encode=output_encode,
        output_deref=output_deref,
        input_error_code=_error_code(spec, e, ir.ErrorCause.INPUT),
        wire=f"input {_describe(e.input)}; output {_describe(e.output)}",
        signature=f"{ident}({arg}) {result}",
    )


@dataclass(frozen=True)
class ImportView:
    module: str
    name: str
    ident: str  # the Go function of the raw import
    params: str
    result: str
    doc: str
    call_args: str
    wrapper: str  # the exported Go function that calls it (spec-declared imports only)


def _wasm_type(t: str) -> str:
    if t not in ("i32", "i64", "f32", "f64"):
        raise UnsupportedByTarget(f"go target: unknown wasm value type {t!r}")
    return {"i32": "int32", "i64": "int64", "f32": "float32", "f64": "float64"}[t]


def _import_view(
    module: str, name: str, params: tuple[str, ...], results: tuple[str, ...], doc: str
) -> ImportView:
    if len(results) > 1:
        raise UnsupportedByTarget(f"go target: import {name} has several results")
    prefix = "kernel" if module == KERNEL_MODULE else "host"
    return ImportView(
        module=module,
        name=name,
        ident=prefix + go_ident(name),
        params=", ".join(f"a{i} {_wasm_type(p)}" for i, p in enumerate(params)),
        result=f" {_wasm_type(results[0])}" if results else "",
        doc=" ".join(doc.split()),
        call_args=", ".join(f"a{i}" for i in range(len(params))),
        wrapper=go_ident(name),
    )


def import_views(spec: ir.Spec) -> list[ImportView]:
    """Kernel imports first, then the spec's; a name in both keeps the spec's signature."""
    seen: dict[tuple[str, str], ImportView] = {}
    for name, params, results, doc in KERNEL_IMPORTS:
        seen[(KERNEL_MODULE, name)] = _import_view(KERNEL_MODULE, name, params, results, doc)
    for i in spec.imports:
        seen[(i.module, i.name)] = _import_view(
            i.module, i.name, i.params, i.results, i.description
        )
    for f in spec.host_functions:
        seen[(f.module, f.name)] = _import_view(
            f.module, f.name, f.params, f.results, f.description
        )
    return list(seen.values())


def raw_import_views(spec: ir.Spec, typed: set[str]) -> list[ImportView]:
    """The imports the spec declares that get no typed wrapper: exported as they are (offsets
    and wasm values), for use with `WriteBlock`/`ReadBlock`."""
    declared = [(i.module, i.name) for i in spec.imports] + [
        (f.module, f.name) for f in spec.host_functions
    ]
    by_key = {(v.module, v.name): v for v in import_views(spec)}
    seen: list[ImportView] = []
    for key in declared:
        view = by_key[key]
        if view.name not in typed and view not in seen:
            seen.append(view)
    return seen


@dataclass(frozen=True)
class HostFunctionView:
    name: str
    ident: str
    raw: str
    doc: str
    on_failure: str
    input_kind: str  # "none" | "json" | "utf8" | "bytes"
    input_type: str | None
    input_encode: str | None
    output_kind: str  # "empty" | "json" | "utf8" | "bytes"
    output_type: str | None
    output_decode: str | None


def host_function_views(mapper: Mapper, spec: ir.Spec) -> list[HostFunctionView]:
    """Typed wrappers for the host functions of Extism's usual shape (one block in, at most
    one out); a function of another shape is declared but gets no wrapper."""
    scope = Scope.of_params(())
    views = []
    for f in spec.host_functions:
        sides: list[tuple[str, str | None, str | None]] = []
        for payload, side in ((f.input, "input"), (f.output, "output")):
            match payload.encoding:
                case ir.Encoding.IGNORED | ir.Encoding.EMPTY:
                    sides.append(("none" if side == "input" else "empty", None, None))
                case ir.Encoding.JSON:
                    assert payload.type is not None
                    codec = (mapper.encoder if side == "input" else mapper.decoder)(
                        payload.type, scope
                    )
                    sides.append(("json", mapper.go_type(payload.type, scope), codec))
                case ir.Encoding.UTF8:
                    sides.append(("utf8", "string", None))
                case ir.Encoding.BYTES:
                    sides.append(("bytes", "[]byte", None))
                case _:
                    assert_never(payload.encoding)
        (in_kind, in_type, in_codec), (out_kind, out_type, out_codec) = sides
        params = () if in_kind == "none" else ("i64",)
        results = () if out_kind == "empty" else ("i64",)
        if (f.params, f.results) != (params, results):
            continue
        views.append(
            HostFunctionView(
                name=f.name,
                ident=go_ident(f.name),
                raw="host" + go_ident(f.name),
                doc=doc_comment(f.description),
                on_failure=" ".join(f.on_failure.split()),
                input_kind=in_kind,
                input_type=in_type,
                input_encode=in_codec,
                output_kind=out_kind,
                output_type=out_type,
                output_decode=out_codec,
            )
        )
    return views


@dataclass(frozen=True)
class ConventionView:
    """A typed error convention: a constructor of its failure."""

    name: str
    ident: str
    code: int
    doc: str
    go_type: str
    encode: str


def convention_views(mapper: Mapper, spec: ir.Spec) -> list[ConventionView]:
    scope = Scope.of_params(())
    views = []
    for c in spec.error_conventions:
        if c.encoding is ir.Encoding.JSON and c.type is not None:
            views.append(
                ConventionView(
                    name=c.name,
                    ident=f"Fail{go_ident(c.name)}",
                    code=c.code,
                    doc=doc_comment(c.description),
                    go_type=mapper.go_type(c.type, scope),
                    encode=mapper.encoder(c.type, scope),
                )
            )
    return views


def _host_error_code(spec: ir.Spec) -> int:
    for convention in spec.error_conventions:
        if convention.cause is ir.ErrorCause.HOST_FUNCTION:
            return convention.code
    return spec.error.code


# --------------------------------------------------------------------------- render

FILES: dict[str, str] = {
    "go.mod": "go/go.mod.j2",
    "README.md": "go/README.md.j2",
    "doc.go": "go/doc.go.j2",
    "types.go": "go/types.go.j2",
    "provider.go": "go/provider.go.j2",
    "guest.go": "go/guest.go.j2",
    "host.go": "go/host.go.j2",
    "register.go": "go/register.go.j2",
}


def _context(spec: ir.Spec) -> dict[str, object]:
    mapper = Mapper(spec)
    params = tuple(p.name for p in spec.type_params)
    scope = Scope(
        {p: p for p in params},
        {p: f"p.Decode{go_ident(p)}" for p in params},
        {p: f"p.Encode{go_ident(p)}" for p in params},
    )
    structs = [struct_view(mapper, t) for t in spec.types if isinstance(t, ir.Struct)]
    enums = [enum_view(mapper, t) for t in spec.types if isinstance(t, ir.EnumType)]
    order = {t.name: i for i, t in enumerate(spec.types)}
    types: list[StructView | EnumView] = sorted([*structs, *enums], key=lambda v: order[v.name])
    exports = [export_view(mapper, spec, e, scope) for e in spec.exports]
    host_functions = host_function_views(mapper, spec)
    encodes_params = any(
        isinstance(r, ir.TypeParam) or _mentions_param(spec, r)
        for e in spec.exports
        for r in ([e.output.type] if e.output.type is not None else [])
    )
    return {
        "spec": spec,
        "package": package_name(spec),
        "module": module_path(spec),
        "go_version": GO_VERSION,
        "types": types,
        "exports": exports,
        "type_params": [
            (p.name, doc_comment(f"Decode{go_ident(p.name)}: {p.description}", "\t"))
            for p in spec.type_params
        ],
        "generic_params": f"[{', '.join(f'{p} any' for p in params)}]" if params else "",
        "generic_args": f"[{', '.join(params)}]" if params else "",
        "encodes_params": encodes_params,
        "imports": import_views(spec),
        "host_functions": host_functions,
        "raw_imports": raw_import_views(spec, {h.name for h in host_functions}),
        "conventions": convention_views(mapper, spec),
        "error_code": spec.error.code,
        "host_error_code": _host_error_code(spec),
        "doc": doc_comment(spec.description),
    }


def _mentions_param(spec: ir.Spec, ref: ir.TypeRef) -> bool:
    match ref:
        case ir.Primitive():
            return False
        case ir.TypeParam():
            return True
        case ir.ListOf(item):
            return _mentions_param(spec, item)
        case ir.MapOf(value):
            return _mentions_param(spec, value)
        case ir.Named(_, args):
            return any(_mentions_param(spec, a) for a in args)
        case _:
            assert_never(ref)


def render(spec: ir.Spec) -> dict[str, str]:
    ctx = _context(spec)
    out = {f"go/{spec.slug}/{path}": render_template(tpl, **ctx) for path, tpl in FILES.items()}
    header = f"package {ctx['package']}\n"
    for name in RUNTIME_FILES:
        source = (TEMPLATES_DIR / "go" / "runtime" / name).read_text(encoding="utf-8")
        assert source.startswith("package PACKAGE\n")
        banner = (
            f"// Generated by qmt-abigen from the {spec.slug} spec. Do not edit: the source is "
            f"templates/go/runtime/{name}.\n\n"
        )
        out[f"go/{spec.slug}/{name}"] = banner + header + source.removeprefix("package PACKAGE\n")
    return dict(sorted(out.items()))


TARGET = Target(
    name="go",
    role=Role.GUEST,
    render=render,
    formatter=formatting.go_files,
    reserved_type_names=RESERVED_TYPE_NAMES["go"],
)
