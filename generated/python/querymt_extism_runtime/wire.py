"""Wire-level building blocks shared by the models: the base model and scalar types.

The widths are those of the spec format (`u8` ... `i64`), the same for every ABI.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Self, TypeAlias

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

__all__ = [
    "I32",
    "I64",
    "MAX_JSON_DEPTH",
    "U8",
    "U16",
    "U32",
    "U64",
    "Bytes",
    "JsonValue",
    "WireModel",
    "is_null",
    "json_problem",
]

MAX_JSON_DEPTH = 127
"""How deeply JSON may nest: serde_json stops at its recursion limit of 128 levels, so a Rust
side refuses anything deeper than this."""


_F64_MAX = 1.7976931348623157e308


def json_problem(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why serde_json would refuse this JSON value, or None: a non-finite number (NaN,
    Infinity, or a literal too large for an f64), or nesting deeper than `limit`."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is float:
            if not math.isfinite(item):
                return f"{item} is not a JSON number"
            continue
        if kind is int:
            if not -_F64_MAX <= item <= _F64_MAX:
                return "a number is too large for an f64"
            continue
        if kind is not dict and kind is not list and kind is not tuple:
            continue
        if depth >= limit:
            return f"it nests deeper than {limit} levels"
        items = item.values() if kind is dict else item
        if kind is not dict and item and (type(item[0]) is float or type(item[0]) is int):
            # a list of numbers (an embedding, a body as bytes): one C loop. A finite sum means
            # every item is a number (anything else raises) and none is NaN, inf or over f64.
            try:
                if math.isfinite(sum(item, 0.0)):
                    continue
            except (TypeError, OverflowError):
                pass
        for child in items:
            child_kind = type(child)
            if child_kind is not str and child_kind is not bool and child is not None:
                stack.append((child, depth + 1))
    return None


def _json_value(value: Any) -> Any:
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value


JsonValue: TypeAlias = Annotated[Any, AfterValidator(_json_value)]
"""Any JSON value (`json` in the spec), passed through untouched; NaN, Infinity and nesting
serde would refuse are refused."""


class WireModel(BaseModel):
    """Base of every struct: validates wire names (and aliases) or Python names, dumps wire names.

    Unknown keys are ignored, as serde does; `None` is written as `null`; NaN and Infinity are
    refused, as serde_json does.
    """

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
        allow_inf_nan=False,
    )

    _alias_groups: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._alias_groups = tuple(
            tuple(str(choice) for choice in field.validation_alias.choices)
            for field in cls.model_fields.values()
            if isinstance(field.validation_alias, AliasChoices)
        )

    @model_validator(mode="before")
    @classmethod
    def _reject_duplicate_aliases(cls, data: Any) -> Any:
        """serde rejects a field given under two of its accepted names; so do we."""
        if cls._alias_groups and isinstance(data, dict):
            for names in cls._alias_groups:
                present = [name for name in names if name in data]
                if len(present) > 1:
                    raise ValueError(
                        f"duplicate field: {' and '.join(present)} name the same field"
                    )
        return data

    @classmethod
    def from_wire(cls, data: str | bytes | bytearray) -> Self:
        """Parses wire JSON as serde does: wire names and aliases only, not Python names."""
        return cls.model_validate_json(data, by_alias=True, by_name=False)

    def to_wire(self) -> dict[str, Any]:
        """The JSON-compatible dict this model is on the wire."""
        return self.model_dump(mode="json", by_alias=True)

    def to_wire_json(self) -> bytes:
        """The compact JSON bytes this model is on the wire."""
        return self.model_dump_json(by_alias=True).encode()


U8 = Annotated[int, Strict(), Field(ge=0, le=255)]
"""`u8`: an integer in [0, 255], strict as in serde."""
U16 = Annotated[int, Strict(), Field(ge=0, le=65535)]
"""`u16`: an integer in [0, 65535], strict as in serde."""
U32 = Annotated[int, Strict(), Field(ge=0, le=4294967295)]
"""`u32`: an integer in [0, 4294967295], strict as in serde."""
U64 = Annotated[int, Strict(), Field(ge=0, le=18446744073709551615)]
"""`u64`: an integer in [0, 18446744073709551615], strict as in serde."""
I32 = Annotated[int, Strict(), Field(ge=-2147483648, le=2147483647)]
"""`i32`: an integer in [-2147483648, 2147483647], strict as in serde."""
I64 = Annotated[int, Strict(), Field(ge=-9223372036854775808, le=9223372036854775807)]
"""`i64`: an integer in [-9223372036854775808, 9223372036854775807], strict as in serde."""


def is_null(value: Any) -> bool:
    """For fields the spec marks `skip_if_null`: left out of the wire JSON when None."""
    return value is None


def _bytes_as_list(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return list(bytes(value))
    return value


Bytes = Annotated[list[U8], BeforeValidator(_bytes_as_list)]
"""`bytes` on the wire: a JSON array of integers 0-255; `bytes` values are accepted too."""
