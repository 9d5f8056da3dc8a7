"""A native serde checker for one spec's generated crate and its wire cases.

`build_checker(spec)` writes a small Rust program from the spec (one arm per declared type,
type parameters instantiated with `serde_json::Value`), builds it offline against
`generated/rust/<slug>` with Debian's rustc and packaged crates under `-D warnings`, and returns
the binary. `run_checker(binary, cases)` feeds it `(type name, JSON document)` pairs: each is
deserialized as the type and, if serde accepts it, serialized back. Every spec's checker lives
in its own crate under `build/wire-check/` and shares one cargo target directory there, so a
rerun rebuilds only what changed.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import ir
from generator.targets.rust import lib_name, type_path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "wire-check"
TOOLCHAIN = Path(os.environ.get("RUST_TOOLCHAIN_BIN", "/usr/bin"))
REGISTRY = os.environ.get("CARGO_REGISTRY_DIR", "/usr/share/cargo/registry")

Cases = dict[str, dict[str, list[Any]]]


@dataclass(frozen=True)
class Verdict:
    """What serde made of one document: `ok` with what it wrote back, `err` with its message,
    or `unknown` for a type name the checker has no arm for."""

    verdict: str
    output: str

    @property
    def written(self) -> Any:
        assert self.verdict == "ok", self
        return json.loads(self.output)


def load_cases(path: Path) -> Cases:
    cases: Cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    return cases


def checker_source(spec: ir.Spec) -> str:
    arms = []
    for type_def in spec.types:
        args = ", ".join("serde_json::Value" for _ in type_def.type_params)
        rust_type = type_path(spec, type_def) + (f"<{args}>" if args else "")
        arms.append(f'        "{type_def.name}" => check::<{rust_type}>(document),')
    return (
        "// Written by tests/serde_wire.py from the spec; not committed.\n"
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


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def build_checker(spec: ir.Spec) -> Path:
    """The checker binary for `spec`, built (incrementally) against its generated crate.

    Fails the calling test (AssertionError) if cargo fails or prints a warning.
    """
    package = f"wire-check-{spec.slug}"
    crate = BUILD / spec.slug
    crate_dir = ROOT / "generated" / "rust" / spec.slug
    _write_if_changed(
        crate / "Cargo.toml",
        f'[package]\nname = "{package}"\nversion = "0.0.0"\nedition = "2021"\n\n'
        '[dependencies]\nserde = "1"\nserde_json = "1"\n'
        f'{lib_name(spec)} = {{ package = "{spec.slug}", path = "{crate_dir}" }}\n',
    )
    _write_if_changed(crate / "src" / "main.rs", checker_source(spec))
    home = BUILD / "cargo-home"
    _write_if_changed(
        home / "config.toml",
        '[source.crates-io]\nreplace-with = "debian"\n\n'
        f'[source.debian]\ndirectory = "{REGISTRY}"\n\n[net]\noffline = true\n',
    )
    env = {
        **os.environ,
        "CARGO_HOME": str(home),
        "CARGO_TARGET_DIR": str(BUILD / "target"),
        "RUSTC": str(TOOLCHAIN / "rustc"),
        "RUSTFLAGS": "-D warnings",
    }
    try:
        result = subprocess.run(
            [str(TOOLCHAIN / "cargo"), "build", "--release", "--offline", "--quiet"],
            cwd=crate, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        (crate / "Cargo.lock").unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr[-6000:]
    assert "warning" not in result.stderr, result.stderr[-6000:]
    return BUILD / "target" / "release" / package


def run_checker(checker: Path, cases: list[tuple[str, Any]]) -> list[Verdict]:
    """serde's verdict on each `(type name, document)`, in order."""
    lines = "".join(f"{name}\t{json.dumps(document)}\n" for name, document in cases)
    result = subprocess.run([str(checker)], input=lines, capture_output=True, text=True, check=True)
    verdicts = [Verdict(*line.split("\t", 1)) for line in result.stdout.splitlines()]
    assert len(verdicts) == len(cases), result.stdout
    return verdicts
