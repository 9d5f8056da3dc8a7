"""Models of every type in Echo fixture ABI v3, with their exact wire JSON.

Generated from the spec `fixture-echo-v3`; do not edit. Structs and plain enums come from
datamodel-code-generator run on the bundled JSON Schema; enums with data are shaped by
qmt-abigen (a union picked by its tag, so validating one costs a dict lookup).
Dump with `model_dump(mode="json")` or `.to_wire()` to get wire names (`type`, not `tool_type`).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, RootModel, StrictFloat, StrictStr, Tag

from ._wire import U16, U64, WireModel, is_null


class EchoRequest(WireModel):
    settings: Any
    """
    The configuration.
    """
    shape: Shape
    """
    What to echo back.
    """
    repeat: U16 = 1
    """
    How often.
    """


class Echoed(WireModel):
    shapes: list[Shape]
    """
    The shape, `repeat` times.
    """
    total: U64
    """
    How many shapes.
    """


class QmtWireRoot(RootModel[Any]):
    root: Any


# ----------------------------------------------------------------- Shape (internally tagged)


class ShapeSquare(WireModel):
    """A square.

    On the wire: `{"kind": "Square", <fields>}`.
    """

    wire_tag: ClassVar[str] = "Square"
    kind: Annotated[Literal["Square"], Field(alias="kind")] = "Square"

    side: Annotated[StrictFloat, Field(alias="side")]
    """The side length."""
    label: Annotated[StrictStr | None, Field(alias="label")] = None
    """An optional label."""


class ShapeDot(WireModel):
    """No fields.

    On the wire: `{"kind": "Dot"}`.
    """

    wire_tag: ClassVar[str] = "Dot"
    kind: Annotated[Literal["Dot"], Field(alias="kind")] = "Dot"


def _shape_tag(value: Any) -> str | None:
    """The variant name of a `Shape` value, on the wire or in Python."""
    if isinstance(value, dict):
        tag = value.get("kind")
        return tag if isinstance(tag, str) else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


Shape = Annotated[
    Annotated[ShapeDot, Tag("Dot")] | Annotated[ShapeSquare, Tag("Square")],
    Discriminator(_shape_tag),
]
"""Internally tagged, as serde's `#[serde(tag = "kind")]`.

In Python: the variants are `ShapeDot`, `ShapeSquare`.
"""

# Forward references first (a rebuild that resolves them collects the fields anew), then the
# skipped fields, then every model again, inside out, so each holds the final schemas.
ShapeDot.model_rebuild()
ShapeSquare.model_rebuild()
EchoRequest.model_rebuild()
Echoed.model_rebuild()
ShapeSquare.model_fields["label"].exclude_if = is_null
ShapeDot.model_rebuild(force=True)
ShapeSquare.model_rebuild(force=True)
EchoRequest.model_rebuild(force=True)
Echoed.model_rebuild(force=True)

__all__ = [
    "EchoRequest",
    "Echoed",
    "Shape",
    "ShapeDot",
    "ShapeSquare",
]
