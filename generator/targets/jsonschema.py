"""JSON Schema target: writes the spec's schemas (`generator.ir.schema`) as files.

`schemas/<slug>.json` bundles every type; `schemas/<slug>/<export>.<side>.json` is one schema
per export side, referring into the bundle.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator import ir
from generator.ir.schema import bundle, dump, export_schema, type_validators
from generator.target_limits import RESERVED_TYPE_NAMES
from generator.targets.base import Role, Target

__all__ = ["TARGET", "bundle", "export_schema", "render", "type_validators"]


def render(spec: ir.Spec) -> Mapping[str, str]:
    files = {f"schemas/{spec.slug}.json": dump(bundle(spec))}
    for export in spec.exports:
        for side in ("input", "output"):
            files[f"schemas/{spec.slug}/{export.name}.{side}.json"] = dump(
                export_schema(spec, export, side)
            )
    return files


TARGET = Target(
    name="jsonschema",
    role=Role.NEUTRAL,
    render=render,
    reserved_type_names=RESERVED_TYPE_NAMES.get("jsonschema", {}),
)
