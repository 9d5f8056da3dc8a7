"""The Rust target: the guest crate a plugin of one ABI version depends on.

Every spec gets the generic part, derived from the spec alone: `types.rs` (serde structs and
enums with the spec's exact wire shapes) and, under `src/guest/`, a raw runtime over Extism's
guest ABI (memory, input/output, the host imports the spec declares with typed wrappers), one
typed entry per export behind an `Exports` trait, and `register_exports!`.

A version with hand-written glue (`templates/rust/<slug>/glue.yaml`) adds its own API on top:
for QueryMT, the provider traits at QueryMT's module paths and `impl_extism_http_plugin!`.

All type mapping lives here; the templates under `templates/rust/` only lay text out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import assert_never

import yaml

from generator import formatting, ir
from generator.naming import rust_ident
from generator.resources import TEMPLATES_DIR
from generator.target_limits import KEYWORDS, RESERVED_TYPE_NAMES
from generator.targets.base import Role, Target, UnsupportedByTarget
from generator.templating import render as render_template

LIB_NAME = "querymt"
"""The crate's library name: plugins write `querymt::...` whatever the package is called."""

FEATURE = "extism_plugin"

# Extism's kernel imports the runtime always needs (memory, input/output, errors, config, log),
# as `(name, params, results)`. The spec's own `imports` (the host functions a plugin may call,
# `http_request` ...) are added after these; a name in both keeps the spec's signature.
KERNEL_IMPORTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("input_length", (), ("i64",), "Length of the call's input."),
    ("input_load_u8", ("i64",), ("i32",), "One byte of the input at an offset."),
    ("input_load_u64", ("i64",), ("i64",), "Eight bytes of the input at an offset."),
    ("alloc", ("i64",), ("i64",), "Allocates a memory block; returns its offset."),
    ("free", ("i64",), (), "Frees a memory block."),
    ("length", ("i64",), ("i64",), "Length of the block at an offset."),
    ("load_u8", ("i64",), ("i32",), "One byte of Extism memory."),
    ("load_u64", ("i64",), ("i64",), "Eight bytes of Extism memory."),
    ("store_u8", ("i64", "i32"), (), "Writes one byte of Extism memory."),
    ("store_u64", ("i64", "i64"), (), "Writes eight bytes of Extism memory."),
    ("output_set", ("i64", "i64"), (), "Sets the call's output to a block (offset, length)."),
    ("error_set", ("i64",), (), "Sets the call's error message to a block."),
    ("config_get", ("i64",), ("i64",), "A manifest config value by key (frees the key block)."),
    ("log_info", ("i64",), (), "Logs a block at info level (frees it)."),
    ("log_debug", ("i64",), (), "Logs a block at debug level (frees it)."),
    ("log_warn", ("i64",), (), "Logs a block at warn level (frees it)."),
    ("log_error", ("i64",), (), "Logs a block at error level (frees it)."),
)
KERNEL_MODULE = "extism:host/env"

_PRIMITIVES: dict[str, str] = {
    "string": "String",
    "bool": "bool",
    "u8": "u8",
    "u16": "u16",
    "u32": "u32",
    "u64": "u64",
    "i32": "i32",
    "i64": "i64",
    "f32": "f32",
    "f64": "f64",
    "bytes": "Vec<u8>",
    "json": "serde_json::Value",
}

# --------------------------------------------------------------------------- type mapping


def rust_type(ref: ir.TypeRef, params: dict[str, str] | None = None, prefix: str = "") -> str:
    """The Rust spelling of a type reference.

    `params` substitutes type parameters (the spec's `Config` becomes the handler's `C`);
    `prefix` qualifies declared types (`crate::types::`) outside the types module.
    """
    params = params or {}
    match ref:
        case ir.Primitive(name):
            return _PRIMITIVES[name]
        case ir.ListOf(item):
            return f"Vec<{rust_type(item, params, prefix)}>"
        case ir.MapOf(value):
            return f"std::collections::BTreeMap<String, {rust_type(value, params, prefix)}>"
        case ir.Named(name, args):
            if not args:
                return f"{prefix}{name}"
            inner = ", ".join(rust_type(a, params, prefix) for a in args)
            return f"{prefix}{name}<{inner}>"
        case ir.TypeParam(name):
            return params.get(name, name)
        case _:
            assert_never(ref)


def doc_lines(text: str) -> list[str]:
    """Doc-comment lines (without `///`) for a spec description."""
    return [line.rstrip() for line in text.strip().splitlines()] or [""]


def _rust_literal(value: ir.JsonValue, ref: ir.TypeRef) -> str:
    """A Rust expression for a field's default value (the cases a v1-style spec needs)."""
    match ref:
        case ir.Primitive("string") if isinstance(value, str):
            return f"String::from({json.dumps(value)})"
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
            return "Vec::new()"
        case ir.MapOf() if value == {}:
            return "std::collections::BTreeMap::new()"
        case _:
            raise UnsupportedByTarget(
                f"rust target: no Rust literal for default {value!r} of type {ir.format_type(ref)}"
            )


@dataclass(frozen=True)
class FieldView:
    ident: str
    type: str
    attrs: tuple[str, ...]
    doc: tuple[str, ...]


@dataclass(frozen=True)
class DefaultFnView:
    name: str
    type: str
    expr: str


def _field(owner: str, f: ir.Field, defaults: list[DefaultFnView]) -> FieldView:
    base = rust_type(f.type)
    ty = f"Option<{base}>" if f.nullable else base
    serde: list[str] = []
    if f.renamed:
        serde.append(f"rename = {json.dumps(f.wire_name)}")
    serde.extend(f"alias = {json.dumps(a)}" for a in f.aliases)
    if not f.required or f.has_default:
        if f.has_default and f.default is not None:
            literal = _rust_literal(f.default, f.type)
            expr = f"Some({literal})" if f.nullable else literal
            fn = DefaultFnView(name=f"default_{owner.lower()}_{f.name}", type=ty, expr=expr)
            defaults.append(fn)
            serde.append(f"default = {json.dumps(fn.name)}")
        elif not f.nullable:  # a missing `Option` is `None` without `default`
            serde.append("default")
    if f.nullable and f.skip_if_null:
        serde.append('skip_serializing_if = "Option::is_none"')
    attrs = (f"#[serde({', '.join(serde)})]",) if serde else ()
    return FieldView(
        ident=rust_ident(f.name), type=ty, attrs=attrs, doc=tuple(doc_lines(f.description))
    )


@dataclass(frozen=True)
class VariantView:
    ident: str
    attrs: tuple[str, ...]
    doc: tuple[str, ...]
    shape: str  # "unit" | "tuple" | "struct"
    items: tuple[str, ...] = ()
    fields: tuple[FieldView, ...] = ()


@dataclass(frozen=True)
class TypeView:
    kind: str  # "struct" | "enum"
    name: str
    generics: str
    doc: tuple[str, ...]
    attrs: tuple[str, ...]
    fields: tuple[FieldView, ...] = ()
    variants: tuple[VariantView, ...] = ()
    default_variant: str | None = None


def _generics(params: tuple[str, ...]) -> str:
    return f"<{', '.join(params)}>" if params else ""


def _variant(owner: str, v: ir.Variant, defaults: list[DefaultFnView]) -> VariantView:
    attrs: tuple[str, ...] = ()
    if v.wire_name != v.name:
        attrs += (f"#[serde(rename = {json.dumps(v.wire_name)})]",)
    if v.fallback:
        attrs += ("#[serde(other)]",)
    if v.min_items:  # the loader allows it on a newtype variant holding a list only
        attrs += (f"#[serde(deserialize_with = {json.dumps(min_items_fn(v.min_items))})]",)
    doc = tuple(doc_lines(v.description))
    ident = rust_ident(v.name)
    match v.payload:
        case ir.UnitPayload():
            return VariantView(ident, attrs, doc, "unit")
        case ir.NewtypePayload(t):
            return VariantView(ident, attrs, doc, "tuple", items=(rust_type(t),))
        case ir.TuplePayload(items):
            return VariantView(ident, attrs, doc, "tuple", items=tuple(rust_type(t) for t in items))
        case ir.StructPayload(fields):
            views = tuple(_field(f"{owner}_{v.name}", f, defaults) for f in fields)
            return VariantView(ident, attrs, doc, "struct", fields=views)
        case _:
            assert_never(v.payload)


def min_items_fn(count: int) -> str:
    """The types module's function that reads a list of at least `count` items."""
    return f"min_items_{count}"


def min_items_counts(spec: ir.Spec) -> list[int]:
    """Each distinct `min_items` of the spec's variants: one reader function each."""
    return sorted(
        {v.min_items for t in spec.types if isinstance(t, ir.EnumType) for v in t.variants} - {0}
    )


def _enum_attrs(t: ir.EnumType) -> tuple[str, ...]:
    match t.tagging:
        case ir.Tagging.EXTERNAL:
            return ()
        case ir.Tagging.INTERNAL:
            return (f"#[serde(tag = {json.dumps(t.tag)})]",)
        case ir.Tagging.ADJACENT:
            return (f"#[serde(tag = {json.dumps(t.tag)}, content = {json.dumps(t.content)})]",)
        case ir.Tagging.UNTAGGED:
            return ("#[serde(untagged)]",)
        case _:
            assert_never(t.tagging)


def type_view(t: ir.TypeDef, defaults: list[DefaultFnView]) -> TypeView:
    match t:
        case ir.Struct():
            attrs = ("#[serde(deny_unknown_fields)]",) if t.deny_unknown_fields else ()
            return TypeView(
                kind="struct",
                name=t.name,
                generics=_generics(t.type_params),
                doc=tuple(doc_lines(t.description)),
                attrs=attrs,
                fields=tuple(_field(t.name, f, defaults) for f in t.fields),
            )
        case ir.EnumType():
            variants = tuple(_variant(t.name, v, defaults) for v in t.variants)
            default = None
            if t.default_variant is not None:
                chosen = t.variant(t.default_variant)
                if not isinstance(chosen.payload, ir.UnitPayload):
                    raise UnsupportedByTarget(
                        f"rust target: default variant {t.name}.{chosen.name} must be a unit one"
                    )
                default = rust_ident(chosen.name)
            return TypeView(
                kind="enum",
                name=t.name,
                generics=_generics(t.type_params),
                doc=tuple(doc_lines(t.description)),
                attrs=_enum_attrs(t),
                variants=variants,
                default_variant=default,
            )
        case _:
            assert_never(t)


# --------------------------------------------------------------------------- exports


@dataclass(frozen=True)
class ExportView:
    name: str
    ident: str
    doc: tuple[str, ...]
    input_type: str | None  # Rust type of the decoded input, in handler scope (`C` = config)
    output_type: str  # Rust type the handler returns inside `Result<_, LLMError>`
    decode: str | None  # runtime function that decodes the input bytes
    encode: str  # runtime function that encodes the output
    body: str  # handler body (Rust)
    encodings: str  # human summary for the docs


def _input(p: ir.Payload, export: str) -> tuple[str | None, str | None]:
    match p.encoding:
        case ir.Encoding.IGNORED:
            return None, None
        case ir.Encoding.EMPTY | ir.Encoding.BYTES:
            raise ValueError(f"export {export}: the loader refuses a {p.encoding} input")
        case ir.Encoding.UTF8:
            return "String", "decode_utf8"
        case ir.Encoding.JSON:
            if p.type is None:
                raise ValueError(f"export {export}: a JSON input needs a type")
            return rust_type(p.type, _CONFIG_PARAM, "crate::types::"), "decode_json"
        case _:
            assert_never(p.encoding)


def _output(p: ir.Payload, export: str) -> tuple[str, str]:
    match p.encoding:
        case ir.Encoding.IGNORED | ir.Encoding.EMPTY:
            return "()", "encode_unit"
        case ir.Encoding.BYTES:
            raise ValueError(f"export {export}: the loader refuses a bytes output")
        case ir.Encoding.UTF8:
            if p.empty_is_none:
                return "Option<String>", "encode_utf8_opt"
            return "String", "encode_utf8"
        case ir.Encoding.JSON:
            if p.type is None:
                raise ValueError(f"export {export}: a JSON output needs a type")
            return rust_type(p.type, _CONFIG_PARAM, "crate::types::"), "encode_json"
        case _:
            assert_never(p.encoding)


_CONFIG_PARAM = {"Config": "C"}


def _describe(p: ir.Payload) -> str:
    text = p.encoding.value
    if p.type is not None:
        text += f" `{ir.format_type(p.type)}`"
    if p.empty_is_none:
        text += " (empty = none)"
    return text


def _handler_body(glue: Glue, e: ir.Export, view_ctx: dict[str, object]) -> str:
    """The hand-written glue for an export the glue lists, or a `NotImplemented` error."""
    if e.name in glue.handlers:
        return render_template(f"{glue.folder}/handlers/{e.name}.rs.j2", **view_ctx).strip()
    return render_template(f"{glue.folder}/unknown_handler.rs.j2", **view_ctx).strip()


def export_view(glue: Glue, e: ir.Export) -> ExportView:
    input_type, decode = _input(e.input, e.name)
    output_type, encode = _output(e.output, e.name)
    view_ctx: dict[str, object] = {
        "export": e,
        "input_type": input_type,
        "output_type": output_type,
    }
    return ExportView(
        name=e.name,
        ident=rust_ident(e.name),
        doc=tuple(doc_lines(e.description)),
        input_type=input_type,
        output_type=output_type,
        decode=decode,
        encode=encode,
        body=_handler_body(glue, e, view_ctx),
        encodings=f"input {_describe(e.input)}; output {_describe(e.output)}",
    )


@dataclass(frozen=True)
class ImportView:
    module: str
    name: str
    ident: str
    params: str
    result: str
    call_args: str
    doc: str


@dataclass(frozen=True)
class ImportGroup:
    module: str
    imports: tuple[ImportView, ...]


def _wasm_type(t: str) -> str:
    if t not in ("i32", "i64", "f32", "f64"):
        raise ValueError(f"rust target: unknown wasm value type {t!r}")
    return t


def spec_import_views(spec: ir.Spec) -> list[ImportView]:
    """The host functions the spec declares, in spec order."""
    return [
        _import_view(i.module, i.name, i.params, i.results, i.description) for i in spec.imports
    ]


def import_views(spec: ir.Spec) -> list[ImportView]:
    """Kernel imports first, then the spec's; a name in both keeps the spec's signature."""
    seen: dict[tuple[str, str], ImportView] = {}
    for name, params, results, doc in KERNEL_IMPORTS:
        seen[(KERNEL_MODULE, name)] = _import_view(KERNEL_MODULE, name, params, results, doc)
    for view in spec_import_views(spec):
        seen[(view.module, view.name)] = view
    for f in spec.host_functions:
        seen[(f.module, f.name)] = _import_view(
            f.module, f.name, f.params, f.results, f.description
        )
    return list(seen.values())


def import_groups(spec: ir.Spec) -> list[ImportGroup]:
    """The imports by wasm module, Extism's kernel module first, then in spec order."""
    modules: dict[str, list[ImportView]] = {KERNEL_MODULE: []}
    for view in import_views(spec):
        modules.setdefault(view.module, []).append(view)
    return [ImportGroup(m, tuple(views)) for m, views in modules.items()]


@dataclass(frozen=True)
class HostFunctionView:
    """A host function with payload types: a safe wrapper that encodes and decodes them."""

    name: str
    ident: str
    doc: str
    module: str
    input_kind: str  # "none" | "json" | "utf8" | "bytes"
    input_type: str | None
    output_kind: str  # "empty" | "json" | "utf8" | "bytes"
    output_type: str | None


def _host_kind(p: ir.Payload, side: str) -> tuple[str, str | None]:
    match p.encoding:
        case ir.Encoding.IGNORED | ir.Encoding.EMPTY:
            return ("none" if side == "input" else "empty"), None
        case ir.Encoding.JSON:
            return "json", _json_type(p, {})
        case ir.Encoding.UTF8:
            return "utf8", None
        case ir.Encoding.BYTES:
            return "bytes", None
        case _:
            assert_never(p.encoding)


def host_function_views(spec: ir.Spec) -> list[HostFunctionView]:
    """Typed wrappers for the host functions of Extism's usual shape (one block in, at most
    one out); a function of another shape is declared but gets no wrapper."""
    views = []
    for f in spec.host_functions:
        input_kind, input_type = _host_kind(f.input, "input")
        output_kind, output_type = _host_kind(f.output, "output")
        params = () if input_kind == "none" else ("i64",)
        results = () if output_kind == "empty" else ("i64",)
        if (f.params, f.results) != (params, results):
            continue
        views.append(
            HostFunctionView(
                name=f.name,
                ident=rust_ident(f.name),
                doc=" ".join(f.description.split()),
                module=f.module,
                input_kind=input_kind,
                input_type=input_type,
                output_kind=output_kind,
                output_type=output_type,
            )
        )
    return views


def _host_error_code(spec: ir.Spec) -> int:
    for convention in spec.error_conventions:
        if convention.cause is ir.ErrorCause.HOST_FUNCTION:
            return convention.code
    return spec.error.code


def _import_view(
    module: str, name: str, params: tuple[str, ...], results: tuple[str, ...], doc: str
) -> ImportView:
    if len(results) > 1:
        raise UnsupportedByTarget(f"rust target: import {name} has several results")
    args = ", ".join(f"a{i}: {_wasm_type(p)}" for i, p in enumerate(params))
    result = f" -> {_wasm_type(results[0])}" if results else ""
    return ImportView(
        module=module,
        name=name,
        ident=rust_ident(name),
        params=args,
        result=result,
        call_args=", ".join(f"a{i}" for i in range(len(params))),
        doc=" ".join(doc.split()),
    )


# --------------------------------------------------------------------------- generic guest


@dataclass(frozen=True)
class EntryView:
    """One export as the generic guest layer sees it: its `Exports` method and its entry."""

    name: str
    ident: str
    doc: tuple[str, ...]
    optional: bool
    trait_input: str | None  # the method's input type (`Self::Config` for the spec's `Config`)
    trait_output: str
    entry_input: str | None  # the same type in the entry's scope (`P::Config`)
    decode: str | None
    encode: str
    encodings: str
    input_error_code: int  # the return code when the input does not decode


@dataclass(frozen=True)
class TypeParamView:
    name: str
    doc: tuple[str, ...]


def _json_type(p: ir.Payload, params: dict[str, str]) -> str:
    assert p.type is not None  # the loader requires a type for JSON
    ty = rust_type(p.type, params, "crate::types::")
    return f"Option<{ty}>" if p.nullable else ty


def _generic_input(p: ir.Payload, params: dict[str, str]) -> tuple[str | None, str | None]:
    match p.encoding:
        case ir.Encoding.IGNORED:
            return None, None
        case ir.Encoding.UTF8:
            return "String", "decode_utf8"
        case ir.Encoding.JSON:
            return _json_type(p, params), "decode_json"
        case ir.Encoding.EMPTY | ir.Encoding.BYTES:
            raise UnsupportedByTarget(f"rust target: no export input is {p.encoding.value}")
        case _:
            assert_never(p.encoding)


def _generic_output(p: ir.Payload, params: dict[str, str]) -> tuple[str, str]:
    match p.encoding:
        case ir.Encoding.IGNORED | ir.Encoding.EMPTY:
            return "()", "encode_unit"
        case ir.Encoding.UTF8:
            if p.empty_is_none:
                return "Option<String>", "encode_utf8_opt"
            return "String", "encode_utf8"
        case ir.Encoding.JSON:
            ty = _json_type(p, params)
            if p.empty_is_none:
                return f"Option<{ty}>", "encode_json_opt"
            return ty, "encode_json"
        case ir.Encoding.BYTES:
            raise UnsupportedByTarget("rust target: no export output is bytes")
        case _:
            assert_never(p.encoding)


def _error_code(spec: ir.Spec, e: ir.Export, cause: ir.ErrorCause) -> int:
    """The return code of `e` failing for `cause`: its convention for it, else the spec's."""
    for convention in spec.export_errors(e):
        if convention.cause is cause:
            return convention.code
    return spec.error.code


def entry_view(spec: ir.Spec, e: ir.Export) -> EntryView:
    in_trait = {p.name: f"Self::{p.name}" for p in spec.type_params}
    in_entry = {p.name: f"P::{p.name}" for p in spec.type_params}
    trait_input, decode = _generic_input(e.input, in_trait)
    entry_input, _ = _generic_input(e.input, in_entry)
    trait_output, encode = _generic_output(e.output, in_trait)
    return EntryView(
        name=e.name,
        ident=rust_ident(e.name),
        doc=tuple(doc_lines(e.description)),
        optional=e.optional,
        trait_input=trait_input,
        trait_output=trait_output,
        entry_input=entry_input,
        decode=decode,
        encode=encode,
        encodings=f"input {_describe(e.input)}; output {_describe(e.output)}",
        input_error_code=_error_code(spec, e, ir.ErrorCause.INPUT),
    )


@dataclass(frozen=True)
class GlueEntryView:
    """One `Exports` method as a glue macro implements it (types spelled from `$crate`)."""

    ident: str
    input: str | None
    output: str
    body: str


def glue_entry_view(spec: ir.Spec, glue: Glue, e: ir.Export) -> GlueEntryView:
    params = {p.name: f"Self::{p.name}" for p in spec.type_params}
    input_type, _ = _generic_input(e.input, params)
    output_type, _ = _generic_output(e.output, params)

    def in_macro(ty: str | None) -> str | None:
        if ty is None:
            return None
        return ty.replace("crate::types::", "$crate::types::").replace(
            "serde_json::", "$crate::serde_json::"
        )

    output = in_macro(output_type)
    assert output is not None
    return GlueEntryView(
        ident=rust_ident(e.name),
        input=in_macro(input_type),
        output=output,
        body=_handler_body(glue, e, {"export": e}),
    )


GUEST_FILES: dict[str, str] = {
    "src/guest/mod.rs": "rust/guest/guest_mod.rs.j2",
    "src/guest/runtime.rs": "rust/guest/runtime.rs.j2",
    "src/guest/exports.rs": "rust/guest/exports.rs.j2",
    "src/guest/macros.rs": "rust/guest/macros.rs.j2",
}
"""The generic guest part: the raw runtime, one typed entry per export, `register_exports!`."""

CRATE_FILES: dict[str, str] = {
    "Cargo.toml": "rust/guest/Cargo.toml.j2",
    "README.md": "rust/guest/README.md.j2",
    "src/lib.rs": "rust/guest/lib.rs.j2",
}
"""The crate around it for a spec without per-version glue."""

TYPES_FILE = ("src/types.rs", "rust/types.rs.j2")


# --------------------------------------------------------------------------- per-version glue


@dataclass(frozen=True)
class Glue:
    """`templates/rust/<slug>/glue.yaml`: what one ABI version's hand-written Rust needs."""

    folder: str  # template folder, e.g. `rust/querymt-extism-v1`
    lib_name: str
    generic_guest: bool  # whether the crate holds the generic guest part (`src/guest/`)
    files: tuple[tuple[str, str], ...]  # (path in the crate, template in the folder)
    runtime_types: tuple[str, ...]
    runtime_imports: tuple[str, ...]
    wrappers: frozenset[str]
    reexports: tuple[tuple[str, str], ...]  # (module, export whose types it re-exports)
    handlers: frozenset[str]


def glue_path(spec: ir.Spec) -> str:
    return f"rust/{spec.slug}/glue.yaml"


def has_glue(spec: ir.Spec) -> bool:
    return (TEMPLATES_DIR / glue_path(spec)).is_file()


def load_glue(spec: ir.Spec) -> Glue:
    folder = f"rust/{spec.slug}"
    path = TEMPLATES_DIR / glue_path(spec)
    if not path.is_file():
        raise UnsupportedByTarget(
            f"the Rust target has no hand-written glue for {spec.slug} "
            f"(templates/{folder}/glue.yaml)"
        )
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Glue(
        folder=folder,
        lib_name=raw["lib_name"],
        generic_guest=bool(raw.get("generic_guest", False)),
        files=tuple(raw["files"].items()),
        runtime_types=tuple(raw.get("runtime_types", ())),
        runtime_imports=tuple(raw.get("runtime_imports", ())),
        wrappers=frozenset(raw.get("wrappers", ())),
        reexports=tuple((raw.get("reexports") or {}).items()),
        handlers=frozenset(raw.get("handlers", ())),
    )


def _export_types(spec: ir.Spec, name: str) -> list[str]:
    try:
        e = spec.export(name)
    except StopIteration:
        return []
    return spec.reachable_types(p.type for p in (e.input, e.output) if p.type is not None)


# --------------------------------------------------------------------------- render


def check_supported(spec: ir.Spec, glue: Glue) -> None:
    """The glue is written against the ABI's own types and host imports: refuse a spec without."""
    declared = {t.name for t in spec.types}
    imported = {i.name for i in spec.imports}
    missing = [t for t in glue.runtime_types if t not in declared]
    missing += [f"import {i}" for i in glue.runtime_imports if i not in imported]
    missing += [
        f"export {e}" for e in sorted(glue.handlers) if e not in {x.name for x in spec.exports}
    ]
    if missing:
        raise UnsupportedByTarget(
            f"the Rust target builds QueryMT's plugin crate and needs {', '.join(missing)} "
            f"in {spec.slug}; generate other targets with --target"
        )


def lib_name(spec: ir.Spec) -> str:
    """The crate's library name: the glue's (`querymt`), else the slug's."""
    return load_glue(spec).lib_name if has_glue(spec) else rust_ident(spec.slug.replace("-", "_"))


def type_path(spec: ir.Spec, type_def: ir.TypeDef) -> str:
    """Where a declared type is named from outside the crate: every crate has `types`."""
    return f"{lib_name(spec)}::types::{type_def.name}"


def _context(spec: ir.Spec, glue: Glue | None) -> dict[str, object]:
    defaults: list[DefaultFnView] = []
    types = [type_view(t, defaults) for t in spec.types]
    ctx: dict[str, object] = {
        "spec": spec,
        "lib_name": glue.lib_name if glue is not None else lib_name(spec),
        "package": spec.slug,
        "version": f"{spec.abi_version}.0.0",
        "feature": FEATURE,
        "feature_guest": glue is None or glue.generic_guest,
        "spec_doc": doc_lines(spec.description),
        "types": types,
        "defaults": defaults,
        "min_items": [(min_items_fn(n), n) for n in min_items_counts(spec)],
        "imports": import_views(spec),
        "import_groups": import_groups(spec),
        "spec_imports": spec_import_views(spec),
        "import_module": KERNEL_MODULE,
        "error_code": spec.error.code,
        "error_encoding": spec.error.encoding.value,
        "host_error_code": _host_error_code(spec),
        "host_functions": host_function_views(spec),
        "type_params": [
            TypeParamView(p.name, tuple(doc_lines(p.description))) for p in spec.type_params
        ],
        "entries": [entry_view(spec, e) for e in spec.exports],
        "export_names": [e.name for e in spec.exports],
    }
    if glue is not None and glue.generic_guest:
        ctx["glue_entries"] = [glue_entry_view(spec, glue, e) for e in spec.exports]
    if glue is not None:
        wrapper_defs = [t for t in spec.types if t.name in glue.wrappers]
        if not glue.generic_guest:
            ctx["exports"] = [export_view(glue, e) for e in spec.exports]
        ctx["wrappers"] = [t.name for t in wrapper_defs]
        ctx["codec_types"] = [f"{t.name}{_generics(t.type_params)}" for t in wrapper_defs]
        for module, export in glue.reexports:
            ctx[f"{module}_types"] = [
                n for n in _export_types(spec, export) if n not in glue.wrappers
            ]
    return ctx


def render(spec: ir.Spec) -> dict[str, str]:
    """The crate: the generic part for every spec, plus the version's glue where it has one."""
    glue = load_glue(spec) if has_glue(spec) else None
    if glue is not None:
        check_supported(spec, glue)
    ctx = _context(spec, glue)
    templates: dict[str, str] = {TYPES_FILE[0]: TYPES_FILE[1]}
    if glue is None:
        templates.update(CRATE_FILES)
        templates.update(GUEST_FILES)
    else:
        if glue.generic_guest:
            templates.update(GUEST_FILES)
        for path, tpl in glue.files:
            if path in templates:
                raise UnsupportedByTarget(f"templates/{glue.folder}/glue.yaml: {path} is generic")
            templates[path] = f"{glue.folder}/{tpl}"
    out = {
        f"rust/{spec.slug}/{path}": render_template(tpl, **ctx) for path, tpl in templates.items()
    }
    return dict(sorted(out.items()))


TARGET = Target(
    name="rust",
    role=Role.GUEST,
    render=render,
    formatter=formatting.rust_files,
    keywords=KEYWORDS["rust"][1],
    reserved_type_names=RESERVED_TYPE_NAMES["rust"],
)
