"""serde's four enum taggings, end to end through the schema and the Python models.

v1 only uses external tagging; this fixture spec holds an internally tagged, an adjacently
tagged and an untagged enum, so the targets are held to the spec format's whole promise.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from pydantic import TypeAdapter, ValidationError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "taggings.yaml"

VALID: dict[str, list[Any]] = {
    "Shape": [
        {"kind": "Empty"},
        {"kind": "Circle", "radius": 1.5, "label": None},
        {"kind": "Circle", "radius": 2.0, "label": "c"},
    ],
    "Event": [
        {"t": "Ping"},
        {"t": "Move", "c": -3},
        {"t": "Pair", "c": ["a", 7]},
        {"t": "Rect", "c": {"w": 1, "h": 2}},
    ],
    "Loose": [None, 5, "5", [1, 2]],
}
INVALID: dict[str, list[Any]] = {
    "Shape": [
        {"kind": "Square"},
        {"radius": 1.0},
        {"kind": "Circle"},
        {"kind": "Circle", "radius": "1"},
    ],
    "Event": [
        {"t": "Move"},
        {"t": "Pair", "c": ["a", 300]},
        {"c": 1},
        {"t": "Rect", "c": {"w": 1}},
    ],
    "Loose": [1.5, {"a": 1}, [1, 2, 3], True],
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("taggings")
    spec_dir = base / "spec"
    spec_dir.mkdir()
    shutil.copy(ROOT / "spec" / "abi-spec.schema.json", spec_dir)
    shutil.copy(FIXTURE, spec_dir)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--spec-dir", str(spec_dir),
         "--target", "python", "--target", "jsonschema", "--out-dir", str(base / "out")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return base / "out"


@pytest.fixture(scope="module")
def models(generated: Path) -> ModuleType:
    sys.path.insert(0, str(generated / "python"))
    try:
        return importlib.import_module("taggings_v1.models")
    finally:
        sys.path.remove(str(generated / "python"))


@pytest.fixture(scope="module")
def bundle(generated: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((generated / "schemas" / "taggings-v1.json").read_text())
    return result


def validator(bundle: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**bundle, "$ref": f"#/$defs/{name}"})


CASES = [(name, doc) for name, docs in VALID.items() for doc in docs]
BAD = [(name, doc) for name, docs in INVALID.items() for doc in docs]


@pytest.mark.parametrize(("name", "document"), CASES)
def test_valid_wire_round_trips(
    models: ModuleType, bundle: dict[str, Any], name: str, document: Any
) -> None:
    assert validator(bundle, name).is_valid(document)
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(models, name))
    value = adapter.validate_json(json.dumps(document))
    assert json.loads(adapter.dump_json(value, by_alias=True)) == document


@pytest.mark.parametrize(("name", "document"), BAD)
def test_invalid_wire_is_rejected_by_both(
    models: ModuleType, bundle: dict[str, Any], name: str, document: Any
) -> None:
    assert not validator(bundle, name).is_valid(document)
    with pytest.raises(ValidationError):
        TypeAdapter(getattr(models, name)).validate_json(json.dumps(document))


def test_untagged_keeps_serde_order(models: ModuleType) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(models.Loose)
    assert adapter.validate_json("5") == 5
    assert adapter.validate_json('"5"') == "5"  # not coerced to the earlier integer variant


def test_variants_are_built_in_python_and_dump_their_tag(models: ModuleType) -> None:
    circle = models.ShapeCircle(radius=1.0)
    assert json.loads(circle.to_wire_json()) == {"kind": "Circle", "radius": 1.0, "label": None}
    rect = models.EventRect(value={"w": 3, "h": 4})
    assert rect.to_wire() == {"t": "Rect", "c": {"w": 3, "h": 4}}


def test_generated_package_is_lint_and_type_clean(generated: Path) -> None:
    package = generated / "python" / "taggings_v1"
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(package)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(package)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout
