"""Each export's call shape: what the host sends in and what it reads back, as enums.

The bindings' methods, `verify` and `call` all switch on these instead of re-reading encodings
and types; a new shape is one member here and fails every `match` that does not handle it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from generator.ir.model import Encoding, Export, Field, Named, Spec, Struct, TypeParam

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


def call_of(spec: Spec, export: Export) -> Call:
    return _with_input(spec, export, _output_shape(export))


def calls(spec: Spec) -> dict[str, Call]:
    """Every export's call, by export name, in spec order."""
    return {e.name: call_of(spec, e) for e in spec.exports}


def _with_input(spec: Spec, export: Export, output: OutputShape) -> Call:
    payload = export.input
    match payload.encoding:
        case Encoding.IGNORED:
            return Call(export, InputShape.IGNORED, output)
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
        case Encoding.IGNORED:
            return OutputShape.NONE
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
