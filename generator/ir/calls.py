"""Each export's call shape: what the host sends in and what it reads back, as enums.

The bindings' methods, `verify` and `call` all switch on these instead of re-reading encodings
and types; a new shape is one member here and fails every `match` that does not handle it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import assert_never

from generator.ir.model import (
    Encoding,
    ErrorCause,
    ErrorConvention,
    Export,
    Field,
    Named,
    Spec,
    Struct,
    TypeParam,
    TypeRef,
)

CONFIG_PARAM = TypeParam("Config")
"""The spec-level type parameter every ABI binds to the provider's configuration."""


class InputShape(StrEnum):
    IGNORED = "ignored"  # the host sends the probe input; the plugin does not read it
    TEXT = "utf8"  # raw UTF-8 text
    CONFIG = "config"  # the configuration itself (`Config`)
    REQUEST = "request"  # a struct with the configuration in one field and arguments beside it
    JSON = "json"  # any other JSON value


class OutputShape(StrEnum):
    NONE = "none"  # empty output
    TEXT = "utf8"
    TEXT_OR_NONE = "utf8_or_none"  # empty output means none
    JSON = "json"


class FailureShape(StrEnum):
    """What the error memory holds when a call fails with a given return code."""

    TEXT = "text"  # free text
    TYPED = "typed"  # a JSON document of the convention's type
    TRAP = "trap"  # the runtime's trap message; the instance is gone


@dataclass(frozen=True)
class Failure:
    code: int
    shape: FailureShape
    cause: ErrorCause | None
    type: TypeRef | None = None
    """For `TYPED`: the document's type."""


def failure_of(convention: ErrorConvention) -> Failure:
    if convention.cause is ErrorCause.TRAP:
        return Failure(convention.code, FailureShape.TRAP, convention.cause)
    match convention.encoding:
        case Encoding.JSON:
            return Failure(convention.code, FailureShape.TYPED, convention.cause, convention.type)
        case Encoding.UTF8:
            return Failure(convention.code, FailureShape.TEXT, convention.cause)
        case Encoding.IGNORED | Encoding.EMPTY | Encoding.BYTES:
            raise AssertionError(f"the loader refuses {convention.encoding} error messages")
        case _:
            assert_never(convention.encoding)


@dataclass(frozen=True)
class Call:
    export: Export
    input: InputShape
    output: OutputShape
    request: Struct | None = None
    """For `REQUEST`: the request struct."""
    request_ref: Named | None = None
    cfg_field: Field | None = None
    """For `REQUEST`: the field that carries the configuration."""
    defaults_to_config: bool = False
    """For `JSON`: the host sends its configuration here unless told otherwise (`is_config`)."""
    failures: tuple[Failure, ...] = ()
    """How the call fails, by return code (the spec's fallback when the export names none)."""
    nullable_output: bool = False
    """For `JSON`: `null` is a valid output too."""
    answers_errors: bool = False
    """The successful output is a typed error document (e.g. `classify_chat_error`)."""


def call_of(spec: Spec, export: Export) -> Call:
    call = _with_input(spec, export, _output_shape(export))
    conventions = spec.export_errors(export)
    typed = {c.type for c in conventions + spec.error_conventions if c.type is not None}
    return replace(
        call,
        failures=tuple(failure_of(c) for c in conventions),
        nullable_output=export.output.nullable,
        answers_errors=export.output.type is not None and export.output.type in typed,
    )


def calls(spec: Spec) -> dict[str, Call]:
    """Every export's call, by export name, in spec order."""
    return {e.name: call_of(spec, e) for e in spec.exports}


def _with_input(spec: Spec, export: Export, output: OutputShape) -> Call:
    payload = export.input
    match payload.encoding:
        case Encoding.IGNORED:
            return Call(export, InputShape.IGNORED, output)
        case Encoding.EMPTY | Encoding.BYTES:
            raise AssertionError(f"the loader refuses {payload.encoding} export inputs")
        case Encoding.UTF8:
            return Call(export, InputShape.TEXT, output)
        case Encoding.JSON:
            ref = payload.type
            assert ref is not None  # the loader requires a type on json payloads
            if ref == CONFIG_PARAM:
                return Call(export, InputShape.CONFIG, output)
            if isinstance(ref, Named):
                type_def = spec.type(ref.name)
                if isinstance(type_def, Struct):
                    cfg = config_field(type_def, ref)
                    if cfg is not None:
                        return Call(export, InputShape.REQUEST, output, type_def, ref, cfg)
            return Call(export, InputShape.JSON, output, defaults_to_config=payload.is_config)
        case _:
            assert_never(payload.encoding)


def _output_shape(export: Export) -> OutputShape:
    payload = export.output
    match payload.encoding:
        case Encoding.IGNORED | Encoding.EMPTY:
            return OutputShape.NONE
        case Encoding.BYTES:
            raise AssertionError("the loader refuses bytes export outputs")
        case Encoding.UTF8:
            return OutputShape.TEXT_OR_NONE if payload.empty_is_none else OutputShape.TEXT
        case Encoding.JSON:
            return OutputShape.JSON
        case _:
            assert_never(payload.encoding)


def config_field(struct: Struct, ref: Named) -> Field | None:
    """The field of `struct` whose type parameter is bound to the spec's `Config`."""
    bound = {p for p, a in zip(struct.type_params, ref.args, strict=False) if a == CONFIG_PARAM}
    for field in struct.fields:
        if isinstance(field.type, TypeParam) and field.type.name in bound:
            return field
    return None
