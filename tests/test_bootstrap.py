"""scripts/bootstrap.sh decides what to install and refuses to change anything it may not.

The package manager is replaced by recording stand-ins on PATH (`id`, `dpkg-query`, `apt-get`),
so these tests exercise the script's own decisions on this machine without installing anything;
that the real installs work is what the fresh-machine run of `.ci/run` proves.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bootstrap.sh"


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _run(tmp_path: Path, profile: str, *, uid: int, installed: set[str]) -> tuple[int, str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "apt.log"
    _stub(bin_dir, "id", f"echo {uid}")
    cases = "\n".join(f'  {p}) echo "install ok installed";;' for p in sorted(installed))
    # dpkg-query -W -f=... PACKAGE: answer for the last argument only.
    query = f'for last; do :; done\ncase "$last" in\n{cases}\n  *) exit 1;;\nesac'
    _stub(bin_dir, "dpkg-query", query)
    _stub(bin_dir, "apt-get", f'echo "$@" >> {log}')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", str(SCRIPT), profile], env=env, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stderr, log.read_text() if log.exists() else ""


TEST_PACKAGES = {
    "rustfmt",
    "rustc",
    "cargo",
    "libstd-rust-dev-wasm32",
    "lld-14",
    "librust-serde-dev",
    "librust-serde-derive-dev",
    "librust-serde-json-dev",
    "librust-http-dev",
    "librust-log-dev",
    "binaryen",
}


def test_not_root_prints_the_exact_command_and_changes_nothing(tmp_path: Path) -> None:
    code, stderr, apt = _run(tmp_path, "test", uid=1000, installed={"rustc", "cargo"})
    assert code == 1
    assert apt == "", "apt-get ran although the user is not root"
    line = next(x for x in stderr.splitlines() if "run as root:" in x)
    command = line.split("run as root: ", 1)[1]
    assert command.startswith("apt-get update && apt-get install -y --no-install-recommends ")
    asked = set(command.split("--no-install-recommends ", 1)[1].split())
    assert asked == TEST_PACKAGES - {"rustc", "cargo"}
    assert "lld-14" in asked, "the wasm linker must be installed by name"


def test_generate_needs_only_rustfmt(tmp_path: Path) -> None:
    code, stderr, _ = _run(tmp_path, "generate", uid=1000, installed=set())
    assert code == 1
    assert stderr.splitlines()[0] == "bootstrap: missing packages: rustfmt"


@pytest.mark.parametrize("profile", ["generate", "test"])
def test_root_installs_what_is_missing(tmp_path: Path, profile: str) -> None:
    code, _, apt = _run(tmp_path, profile, uid=0, installed=set())
    # The stand-in apt-get installs nothing, so the checks after it still see this machine's
    # real tools: they pass here, where the toolchain is present.
    assert code == 0
    install = [line for line in apt.splitlines() if line.startswith("install")]
    assert len(install) == 1
    expected = {"rustfmt"} if profile == "generate" else TEST_PACKAGES
    assert set(install[0].split()) - {"install", "-y", "-qq", "--no-install-recommends"} == expected


def test_nothing_to_do_when_everything_is_installed(tmp_path: Path) -> None:
    code, stderr, apt = _run(tmp_path, "test", uid=1000, installed=TEST_PACKAGES)
    assert (code, stderr, apt) == (0, "", "")


def test_an_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    code, stderr, _ = _run(tmp_path, "everything", uid=0, installed=set())
    assert code == 2
    assert "usage: scripts/bootstrap.sh generate|test" in stderr
