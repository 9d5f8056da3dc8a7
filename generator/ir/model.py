"""The intermediate representation: a typed, frozen model of one ABI spec.

The loader (`generator.loader`) builds it once from YAML; every target reads it and
nothing mutates it. Backends dispatch on the type kinds with `match` and end with
`typing.assert_never`, so a new kind cannot be forgotten silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, TypeAlias, assert_never

__all__ = [
    "INTEGER_RANGES",
    "PRIMITIVE_NAMES",
    "Classifier",
    "ClassifierRule",
    "Dialect",
    "Encoding",
    "EnumType",
    "ErrorCause",
    "ErrorConvention",
    "Export",
    "ExportDialect",
    "ExportExample",
    "Field",
    "HostBehaviour",
    "HostFunction",
    "HostImport",
    "HostMode",
    "HostRoles",
    "JsonValue",
    "ListOf",
    "LoadStep",
    "MapOf",
    "Named",
    "NewtypePayload",
    "Payload",
    "Primitive",
    "PrimitiveName",
    "Protocol",
    "ProtocolStep",
    "Spec",
    "StepCalls",
    "Struct",
    "StructPayload",
    "Tagging",
    "TuplePayload",
    "TypeDef",
    "TypeParam",
    "TypeParamDecl",
    "TypeRef",
    "UnitPayload",
    "Variant",
    "VariantPayload",
    "format_type",
    "type_refs",
]

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"

PrimitiveName = Literal[
    "string", "bool", "u8", "u16", "u32", "u64", "i32", "i64", "f32", "f64", "bytes", "json"
]
PRIMITIVE_NAMES: tuple[PrimitiveName, ...] = (
    "string",
    "bool",
    "u8",
    "u16",
    "u32",
    "u64",
    "i32",
    "i64",
    "f32",
    "f64",
    "bytes",
    "json",
)

INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
    "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
}


# --------------------------------------------------------------------------- type references


@dataclass(frozen=True)
class Primitive:
    """A built-in scalar: `bytes` is `Vec<u8>` (an array of integers), `json` any JSON value."""

    name: PrimitiveName


@dataclass(frozen=True)
class ListOf:
    """`Vec<T>`: a JSON array."""

    item: TypeRef


@dataclass(frozen=True)
class MapOf:
    """`BTreeMap<String, T>`: a JSON object with string keys."""

    value: TypeRef


@dataclass(frozen=True)
class Named:
    """A reference to a type declared in the spec, with its type arguments."""

    name: str
    args: tuple[TypeRef, ...] = ()


@dataclass(frozen=True)
class TypeParam:
    """A type parameter in scope: a declared type's own (`C`) or the spec's (`Config`)."""

    name: str


TypeRef: TypeAlias = Primitive | ListOf | MapOf | Named | TypeParam


def format_type(ref: TypeRef) -> str:
    """The spec's own spelling of a type reference, e.g. `list<ToolCall>`."""
    match ref:
        case Primitive(name):
            return name
        case ListOf(item):
            return f"list<{format_type(item)}>"
        case MapOf(value):
            return f"map<{format_type(value)}>"
        case Named(name, args):
            if not args:
                return name
            return f"{name}<{', '.join(format_type(a) for a in args)}>"
        case TypeParam(name):
            return name


# --------------------------------------------------------------------------- declared types


@dataclass(frozen=True)
class Field:
    """One struct field.

    `required` and `nullable` are independent bits:
    - `required`: the key must be present when deserializing (serde: no `default`, not `Option`).
    - `nullable`: `null` is a valid value (Rust `Option<T>`, Python `T | None`).
    - `skip_if_null`: serializing omits the key instead of writing `null`
      (serde `skip_serializing_if = "Option::is_none"`).
    """

    name: str
    wire_name: str
    type: TypeRef
    description: str
    required: bool
    nullable: bool
    skip_if_null: bool = False
    aliases: tuple[str, ...] = ()
    has_default: bool = False
    default: JsonValue = None
    examples: tuple[JsonValue, ...] = ()
    since_dialect: str | None = None
    """The dialect that introduced the field; older dialects neither write nor read it."""

    @property
    def renamed(self) -> bool:
        return self.wire_name != self.name


@dataclass(frozen=True)
class Struct:
    name: str
    description: str
    fields: tuple[Field, ...]
    type_params: tuple[str, ...] = ()
    deny_unknown_fields: bool = False
    examples: tuple[JsonValue, ...] = ()
    since: int = 1
    target_names: tuple[tuple[str, str], ...] = ()
    """Per target, the name the type takes there when the spec's name is taken (sorted pairs)."""

    def name_in(self, target: str) -> str:
        return dict(self.target_names).get(target, self.name)


@dataclass(frozen=True)
class UnitPayload:
    """A variant with no data: `"Text"`."""


@dataclass(frozen=True)
class NewtypePayload:
    """A variant with one value: `{"Pdf": [37, 80]}`."""

    type: TypeRef


@dataclass(frozen=True)
class TuplePayload:
    """A variant with several positional values: `{"Image": ["PNG", [137, 80]]}`."""

    items: tuple[TypeRef, ...]


@dataclass(frozen=True)
class StructPayload:
    """A variant with named fields (used by internally tagged enums)."""

    fields: tuple[Field, ...]


VariantPayload: TypeAlias = UnitPayload | NewtypePayload | TuplePayload | StructPayload


@dataclass(frozen=True)
class Variant:
    name: str
    wire_name: str
    description: str
    payload: VariantPayload
    fallback: bool = False
    """serde's `#[serde(other)]`: any unknown tag reads as this unit variant."""
    min_items: int = 0
    """For a newtype variant holding a list: the fewest items it accepts."""


class Tagging(StrEnum):
    """serde's four enum representations."""

    EXTERNAL = "external"
    INTERNAL = "internal"
    ADJACENT = "adjacent"
    UNTAGGED = "untagged"


@dataclass(frozen=True)
class EnumType:
    name: str
    description: str
    variants: tuple[Variant, ...]
    tagging: Tagging = Tagging.EXTERNAL
    tag: str | None = None
    content: str | None = None
    default_variant: str | None = None
    type_params: tuple[str, ...] = ()
    examples: tuple[JsonValue, ...] = ()
    since: int = 1
    target_names: tuple[tuple[str, str], ...] = ()

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)

    def name_in(self, target: str) -> str:
        return dict(self.target_names).get(target, self.name)

    @property
    def fallback_variant(self) -> Variant | None:
        return next((v for v in self.variants if v.fallback), None)


TypeDef: TypeAlias = Struct | EnumType


def type_refs(type_def: TypeDef) -> tuple[TypeRef, ...]:
    """The type references a declared type holds directly: field types and variant payloads."""
    match type_def:
        case Struct(fields=fields):
            return tuple(f.type for f in fields)
        case EnumType(variants=variants):
            refs: list[TypeRef] = []
            for variant in variants:
                match variant.payload:
                    case UnitPayload():
                        pass
                    case NewtypePayload(type=t):
                        refs.append(t)
                    case TuplePayload(items=items):
                        refs.extend(items)
                    case StructPayload(fields=fields):
                        refs.extend(f.type for f in fields)
                    case other:
                        assert_never(other)
            return tuple(refs)
        case _:
            assert_never(type_def)


# --------------------------------------------------------------------------- exports


class Encoding(StrEnum):
    """How one side of an export is laid out in bytes."""

    IGNORED = "ignored"  # input: any bytes, not read (the host sends `null`); output: empty
    EMPTY = "empty"  # output only: exactly zero bytes (Rust `()`)
    UTF8 = "utf8"  # raw UTF-8 text, no JSON quoting
    JSON = "json"  # compact JSON of `type`
    BYTES = "bytes"  # host functions only: opaque bytes (an HTTP body)


@dataclass(frozen=True)
class Payload:
    encoding: Encoding
    description: str
    type: TypeRef | None = None
    empty_is_none: bool = False
    content_type: str | None = None
    is_config: bool = False
    """The host sends its provider configuration as this input (v1's `list_models`)."""
    nullable: bool = False
    """On a json payload: `null` is a value too (Rust `Json<Option<T>>`)."""


@dataclass(frozen=True)
class ExportExample:
    description: str
    input: JsonValue
    output: JsonValue


class ErrorCause(StrEnum):
    """Why an export fails with a given convention."""

    INPUT = "input"  # the input did not decode (bad JSON, a configuration the plugin refuses)
    PROVIDER = "provider"  # the provider code returned an error
    HOST_FUNCTION = "host_function"  # a host function the export called failed
    TRAP = "trap"  # a panic: the instance traps


@dataclass(frozen=True)
class ErrorConvention:
    """One way a call fails: its return code and what the error memory holds."""

    code: int
    encoding: Encoding
    description: str
    examples: tuple[str, ...] = ()
    name: str = "default"
    cause: ErrorCause | None = None
    type: TypeRef | None = None
    """For a json message: its type (e.g. `PluginError`)."""


@dataclass(frozen=True)
class ExportDialect:
    """How an export differs in an older dialect; `None` where it is the same."""

    dialect: str
    input: Payload | None = None
    output: Payload | None = None
    errors: tuple[ErrorConvention, ...] | None = None
    host_use: str | None = None


@dataclass(frozen=True)
class Export:
    name: str
    description: str
    input: Payload
    output: Payload
    optional: bool
    since: int
    host_use: str
    does_http: bool = False
    examples: tuple[ExportExample, ...] = ()
    errors: tuple[ErrorConvention, ...] = ()
    """The ways this export fails, when the spec names them (else the spec's `error`)."""
    since_dialect: str | None = None
    """The dialect that introduced the export; absent from older ones."""
    dialects: tuple[ExportDialect, ...] = ()


# --------------------------------------------------------------------------- host contract


@dataclass(frozen=True)
class HostImport:
    module: str
    name: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class HostFunction:
    """A function the host registers; `imported` when every plugin of the ABI imports it."""

    module: str
    name: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    description: str
    input: Payload
    output: Payload
    on_failure: str
    imported: bool


@dataclass(frozen=True)
class LoadStep:
    export: str | None
    description: str


class StepCalls(StrEnum):
    """How often a protocol step happens."""

    ONCE = "once"
    OPTIONAL = "optional"  # only when its condition holds
    REPEATED = "repeated"  # zero or more times
    ALWAYS = "always"  # on every path, also after an error


@dataclass(frozen=True)
class ProtocolStep:
    description: str
    calls: StepCalls = StepCalls.ONCE
    export: str | None = None
    host_function: str | None = None


@dataclass(frozen=True)
class Protocol:
    """A named sequence of calls a host makes (e.g. one streamed chat turn)."""

    name: str
    description: str
    steps: tuple[ProtocolStep, ...]


@dataclass(frozen=True)
class HostMode:
    """A way of driving plugins, chosen by the exports a plugin has."""

    name: str
    description: str
    requires: tuple[str, ...]


@dataclass(frozen=True)
class ClassifierRule:
    """Statuses (inclusive ranges) and the error they give; no statuses: every other one."""

    statuses: tuple[tuple[int, int], ...]
    result: JsonValue

    def matches(self, status: int) -> bool:
        return not self.statuses or any(low <= status <= high for low, high in self.statuses)


@dataclass(frozen=True)
class Classifier:
    """A host's own status-to-error mapping, as data: the first rule that matches wins."""

    name: str
    description: str
    type: TypeRef
    fills: tuple[tuple[str, JsonValue], ...]
    """Fields the host computes from the response (message, retry hint), with example values."""
    rules: tuple[ClassifierRule, ...]

    def classify(self, status: int) -> JsonValue:
        """The rule's result for `status`, without the filled fields."""
        return next(r.result for r in self.rules if r.matches(status))


@dataclass(frozen=True)
class Dialect:
    """A released variant of the ABI that plugins in the wild speak, oldest first."""

    name: str
    description: str


@dataclass(frozen=True)
class HostRoles:
    """Which export plays each part the host's loader knows; `None` when the ABI has none.

    The load sequence calls `display_name` (required: the load fails without it), `base_url`
    (its origin joins the allowed hosts) and `config_schema` on the probe instance, and
    `check_config` to validate a configuration before calls, and `log_init` once on each
    instance that serves calls, with the host's maximum log level.
    """

    display_name: str | None = None
    base_url: str | None = None
    config_schema: str | None = None
    check_config: str | None = None
    log_init: str | None = None


@dataclass(frozen=True)
class HostBehaviour:
    load_sequence: tuple[LoadStep, ...]
    roles: HostRoles
    allowed_hosts: str
    config: str
    probe_input: str
    concurrency: str
    modes: tuple[HostMode, ...] = ()


@dataclass(frozen=True)
class TypeParamDecl:
    name: str
    description: str


@dataclass(frozen=True)
class Spec:
    """One versioned ABI: everything a target needs, nothing it must re-derive from YAML."""

    name: str
    abi_version: int
    title: str
    description: str
    source: str
    type_params: tuple[TypeParamDecl, ...]
    types: tuple[TypeDef, ...]
    exports: tuple[Export, ...]
    error: ErrorConvention
    imports: tuple[HostImport, ...]
    host: HostBehaviour
    format_version: int = 1
    dialects: tuple[Dialect, ...] = ()
    error_conventions: tuple[ErrorConvention, ...] = ()
    host_functions: tuple[HostFunction, ...] = ()
    protocols: tuple[Protocol, ...] = ()
    classifiers: tuple[Classifier, ...] = ()
    _types_by_name: dict[str, TypeDef] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._types_by_name.update({t.name: t for t in self.types})

    @property
    def slug(self) -> str:
        """The stem every target names its outputs after, e.g. `querymt-extism-v1`."""
        return f"{self.name}-v{self.abi_version}"

    def type(self, name: str) -> TypeDef:
        return self._types_by_name[name]

    def export(self, name: str) -> Export:
        return next(e for e in self.exports if e.name == name)

    def export_errors(self, export: Export) -> tuple[ErrorConvention, ...]:
        """How `export` fails: its own conventions, else the spec's one."""
        return export.errors or (self.error,)

    def exports_in(self, dialect: str) -> tuple[Export, ...]:
        """The exports a plugin of `dialect` has (those introduced later left out)."""
        order = [d.name for d in self.dialects]
        at = order.index(dialect)
        return tuple(
            e for e in self.exports if e.since_dialect is None or order.index(e.since_dialect) <= at
        )

    def reachable_types(self, roots: Iterable[TypeRef]) -> list[str]:
        """The declared types reachable from `roots`, in spec order."""
        found: set[str] = set()
        stack = list(roots)
        while stack:
            match stack.pop():
                case Primitive() | TypeParam():
                    pass
                case ListOf(item):
                    stack.append(item)
                case MapOf(value):
                    stack.append(value)
                case Named(name, args):
                    stack.extend(args)
                    if name not in found:
                        found.add(name)
                        stack.extend(type_refs(self.type(name)))
                case other:
                    assert_never(other)
        return [t.name for t in self.types if t.name in found]

    @property
    def required_exports(self) -> tuple[Export, ...]:
        return tuple(e for e in self.exports if not e.optional)
