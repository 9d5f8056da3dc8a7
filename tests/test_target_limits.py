"""The per-target limits the loader checks match what the generated code really does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator import ir
from generator.target_limits import (
    PYTHON_RESERVED_FIELD_NAMES,
    PYTHON_RESERVED_TYPE_NAMES,
    RUST_RESERVED_TYPE_NAMES,
    rust_writes_default,
)
from generator.targets import UnsupportedByTarget
from generator.targets import python as python_target
from generator.targets.rust import _rust_literal

ROOT = Path(__file__).resolve().parent.parent
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def _module_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return {n for n in names if TYPE_NAME.match(n)}


def test_python_reserved_names_cover_what_the_bindings_bind(spec_v1: ir.Spec) -> None:
    package = ROOT / "generated" / "python" / python_target.package_name(spec_v1)
    types = {t.name for t in spec_v1.types}
    for module in ("models.py", "plugin.py"):
        own = {
            n
            for n in _module_names(package / module)
            if n not in types
            and not any(n.startswith(t) for t in types)  # a variant's class, e.g. MessageTypePdf
            and n != python_target.plugin_class_name(spec_v1)
        }
        assert own <= set(PYTHON_RESERVED_TYPE_NAMES), own - set(PYTHON_RESERVED_TYPE_NAMES)


def test_rust_reserved_names_cover_what_the_crate_names(spec_v1: ir.Spec) -> None:
    types = {t.name for t in spec_v1.types}
    found: set[str] = set()
    for path in (ROOT / "generated" / "rust" / "querymt-extism-v1" / "src").rglob("*.rs"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"pub (?:struct|enum|trait|type) ([A-Z]\w*)", text))
        for used in re.findall(r"^\s*(?:pub )?use ([^;]+);", text, re.M):
            found |= set(re.findall(r"\b([A-Z][A-Za-z0-9]*)\b", used))
    own = {n for n in found if n not in types and TYPE_NAME.match(n)}
    assert own <= set(RUST_RESERVED_TYPE_NAMES), own - set(RUST_RESERVED_TYPE_NAMES)


@pytest.mark.parametrize(
    ("value", "ref"),
    [
        ("x", ir.Primitive("string")),
        (True, ir.Primitive("bool")),
        (7, ir.Primitive("u32")),
        (True, ir.Primitive("u32")),
        (1.5, ir.Primitive("f64")),
        (2, ir.Primitive("f32")),
        ([], ir.ListOf(ir.Primitive("u8"))),
        (["a"], ir.ListOf(ir.Primitive("string"))),
        ({}, ir.MapOf(ir.Primitive("u8"))),
        ({"a": 1}, ir.MapOf(ir.Primitive("u8"))),
        ("Text", ir.Named("MessageType")),
        ([1], ir.Primitive("bytes")),
        ({"a": 1}, ir.Primitive("json")),
    ],
)
def test_rust_default_limit_matches_the_rust_target(value: ir.JsonValue, ref: ir.TypeRef) -> None:
    try:
        _rust_literal(value, ref)
        writes = True
    except UnsupportedByTarget:
        writes = False
    assert rust_writes_default(value, ref) is writes


def test_python_reserved_field_names_are_exactly_the_models_attributes() -> None:
    import warnings

    import pydantic
    from querymt_extism_runtime.wire import WireModel

    public = {n for n in dir(WireModel) if not n.startswith("_")}
    assert public <= set(PYTHON_RESERVED_FIELD_NAMES)
    # Each one really breaks a model (`model_config` is the model's configuration itself).
    for name in sorted(set(PYTHON_RESERVED_FIELD_NAMES) - {"model_config"}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises((UserWarning, ValueError, NameError, TypeError)):
                pydantic.create_model("M", __base__=WireModel, **{name: (int, 0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pydantic.create_model("M", __base__=WireModel, fields=(int, 0), model_x=(int, 0))
