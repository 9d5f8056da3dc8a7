"""The generated Rust types against the same wire documents as the schema and the Python models.

A small native checker is written from the spec (one arm per declared type, generic types
instantiated with `serde_json::Value`), built against `generated/rust/<slug>` with the packaged
serde, and fed every document of `fixtures/wire_cases.yaml`. serde must accept exactly the valid
ones and refuse the invalid ones, and what it writes back must equal what the Python models write:
spec, Rust and Python agree on every type, not only on what the example plugin happens to send.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import ir
from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
CASES: dict[str, dict[str, list[Any]]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "wire_cases.yaml").read_text(encoding="utf-8")
)
BUILD = ROOT / "build" / "wire-check"
TOOLCHAIN = Path(os.environ.get("RUST_TOOLCHAIN_BIN", "/usr/bin"))
REGISTRY = os.environ.get("CARGO_REGISTRY_DIR", "/usr/share/cargo/registry")


def checker_source(spec: ir.Spec) -> str:
    arms = []
    for type_def in spec.types:
        args = ", ".join("serde_json::Value" for _ in type_def.type_params)
        rust_type = f"querymt::{type_def.name}" + (f"<{args}>" if args else "")
        arms.append(f'        "{type_def.name}" => check::<{rust_type}>(document),')
    return (
        "// Written by tests/test_rust_wire.py from the spec; not committed.\n"
        "use std::io::BufRead;\n\n"
        "fn check<T: serde::de::DeserializeOwned + serde::Serialize>(document: &str) -> String {\n"
        "    match serde_json::from_str::<T>(document) {\n"
        '        Ok(value) => format!("ok\\t{}", serde_json::to_string(&value).unwrap()),\n'
        '        Err(error) => format!("err\\t{}", error),\n'
        "    }\n"
        "}\n\n"
        "fn main() {\n"
        "    for line in std::io::stdin().lock().lines() {\n"
        "        let line = line.unwrap();\n"
        "        let (name, document) = line.split_once('\\t').unwrap();\n"
        "        let verdict = match name {\n" + "\n".join(arms) + "\n"
        '            other => format!("unknown\\t{}", other),\n'
        "        };\n"
        '        println!("{}", verdict);\n'
        "    }\n"
        "}\n"
    )


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def checker() -> Path:
    crate = BUILD / "crate"
    crate_dir = ROOT / "generated" / "rust" / SPEC.slug
    write_if_changed(
        crate / "Cargo.toml",
        '[package]\nname = "wire-check"\nversion = "0.0.0"\nedition = "2021"\n\n'
        '[dependencies]\nserde = "1"\nserde_json = "1"\n'
        f'querymt = {{ package = "{SPEC.slug}", path = "{crate_dir}" }}\n',
    )
    write_if_changed(crate / "src" / "main.rs", checker_source(SPEC))
    home = BUILD / "cargo-home"
    write_if_changed(
        home / "config.toml",
        '[source.crates-io]\nreplace-with = "debian"\n\n'
        f'[source.debian]\ndirectory = "{REGISTRY}"\n\n[net]\noffline = true\n',
    )
    env = {
        **os.environ,
        "CARGO_HOME": str(home),
        "CARGO_TARGET_DIR": str(BUILD / "target"),
        "RUSTC": str(TOOLCHAIN / "rustc"),
    }
    result = subprocess.run(
        [str(TOOLCHAIN / "cargo"), "build", "--release", "--offline", "--quiet"],
        cwd=crate, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    (crate / "Cargo.lock").unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return BUILD / "target" / "release" / "wire-check"


def run_checker(checker: Path, cases: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    lines = "".join(f"{name}\t{json.dumps(document)}\n" for name, document in cases)
    result = subprocess.run([str(checker)], input=lines, capture_output=True, text=True, check=True)
    verdicts = [tuple(line.split("\t", 1)) for line in result.stdout.splitlines()]
    assert len(verdicts) == len(cases)
    return [(v[0], v[1]) for v in verdicts]


def cases(kind: str) -> list[tuple[str, Any]]:
    return [(name, doc) for name, groups in CASES.items() for doc in groups.get(kind, [])]


def test_serde_accepts_every_valid_document_and_writes_what_python_writes(checker: Path) -> None:
    from pydantic import TypeAdapter
    from querymt_extism_v1 import models

    valid = cases("valid")
    for (name, document), (verdict, output) in zip(valid, run_checker(checker, valid), strict=True):
        assert verdict == "ok", f"serde refused a valid {name}: {document!r}: {output}"
        python = TypeAdapter(getattr(models, name)).validate_json(json.dumps(document))
        dumped = TypeAdapter(getattr(models, name)).dump_json(python, by_alias=True)
        assert json.loads(output) == json.loads(dumped), f"{name}: {document!r}"


def test_serde_refuses_every_invalid_document(checker: Path) -> None:
    invalid = cases("invalid")
    accepted = [
        (name, document)
        for (name, document), (verdict, _) in zip(
            invalid, run_checker(checker, invalid), strict=True
        )
        if verdict != "err"
    ]
    assert accepted == []


def test_documented_serde_leniency_is_real(checker: Path) -> None:
    """What serde reads but the schema refuses on purpose (see docs/spec-format.md)."""
    lenient = cases("serde_only")
    assert lenient, "the fixture lists serde's lenient forms"
    assert [v for v, _ in run_checker(checker, lenient)] == ["ok"] * len(lenient)


def test_every_spec_type_is_checked(checker: Path) -> None:
    verdicts = run_checker(checker, [(t.name, None) for t in SPEC.types])
    assert [v for v, _ in verdicts if v == "unknown"] == []
    assert set(CASES) == {t.name for t in SPEC.types}
