"""What we ship, installed as a user installs it: each in a fresh virtualenv, used from a
temporary directory outside the checkout, with no path tricks.

- The tool: a wheel built from the project (not editable) gives a `qmt-abigen` whose `validate`,
  `generate`, `inspect`, `call` and `verify` work from the specs, templates and bindings it
  carries as package data.
- The bindings: `pip install generated/python` gives an importable, typed distribution that
  drives a built plugin against the loopback server.

Each installs its dependencies from the package index into its own venv (pip's cache makes a
second run quick).
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import __version__
from generator.conformance.loopback_server import CHAT_TEXT, LoopbackServer
from generator.targets.python import DISTRIBUTION

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"


def _clean_env() -> dict[str, str]:
    """The environment without anything that would point Python at the checkout, naming the Go
    toolchain the Go target formats with: like Debian's rustfmt, a tool outside the wheel (the
    checkout's dev extras install it)."""
    from generator.gotool import go_binary

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "QMT_GO": os.environ.get("QMT_GO") or go_binary()}


def _run(argv: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv, cwd=cwd, env=_clean_env(), capture_output=True, text=True, check=False, timeout=600
    )
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr[-4000:]}")
    return result


def _fresh_venv(path: Path) -> Path:
    _run([sys.executable, "-m", "venv", str(path)], cwd=path.parent)
    return path / "bin"


def _pip_install(bin_dir: Path, *targets: str, cwd: Path) -> None:
    pip = [
        str(bin_dir / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    _run([*pip, *targets], cwd=cwd)


def _assert_same_tree(left: Path, right: Path) -> None:
    """Byte-identical file sets (ignoring caches the test run itself may create)."""

    def files(root: Path) -> set[str]:
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    assert files(left) == files(right)
    mismatch = [
        p for p in sorted(files(left)) if not filecmp.cmp(left / p, right / p, shallow=False)
    ]
    assert mismatch == []


@pytest.fixture(scope="module")
def installed_tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `bin/` of a fresh venv holding the project's wheel (and nothing of the checkout)."""
    base = tmp_path_factory.mktemp("tool")
    wheels = base / "wheels"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        cwd=base,
    )
    (wheel,) = wheels.glob("qmt_abigen-*.whl")
    bin_dir = _fresh_venv(base / "venv")
    _pip_install(bin_dir, str(wheel), cwd=base)
    yield bin_dir


def test_the_wheel_works_outside_the_checkout(
    installed_tool: Path, openai_wasm: Path, tmp_path: Path, loopback: LoopbackServer
) -> None:
    tool = str(installed_tool / "qmt-abigen")
    where = _run(
        [str(installed_tool / "python"), "-c", "import generator; print(generator.__file__)"],
        cwd=tmp_path,
    )
    assert not Path(where.stdout.strip()).is_relative_to(ROOT), "the checkout leaked in"

    assert _run([tool, "--version"], cwd=tmp_path).stdout.strip() == f"qmt-abigen {__version__}"

    # generate: the bundled specs by default, and a spec directory of the user's own; both give
    # exactly what the checkout committed.
    _run([tool, "generate", "--out-dir", "out-default"], cwd=tmp_path)
    _assert_same_tree(tmp_path / "out-default", GENERATED)
    # (The docs name the spec by its path from the spec directory's parent: keep it `spec/`.)
    shutil.copytree(ROOT / "spec", tmp_path / "project" / "spec")
    _run([tool, "generate", "--spec-dir", "project/spec", "--out-dir", "out"], cwd=tmp_path)
    _assert_same_tree(tmp_path / "out", GENERATED)
    check = _run(
        [tool, "generate", "--spec-dir", "project/spec", "--out-dir", "out", "--check"], tmp_path
    )
    assert check.returncode == 0
    spec = tmp_path / "project" / "spec" / "querymt-extism-v1.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: QueryMT", "title: My QueryMT"))
    stale = _run(
        [tool, "generate", "--spec-dir", "project/spec", "--out-dir", "out", "--check"],
        tmp_path,
        check=False,
    )
    assert stale.returncode == 1 and "My QueryMT" in stale.stdout

    # validate: a good spec passes, a broken one is reported at its line with exit 2.
    assert "ok (querymt-extism-v1" in _run([tool, "validate", str(spec)], cwd=tmp_path).stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(spec.read_text(encoding="utf-8").replace("abi_version: 1", "abi_version: x"))
    bad = _run([tool, "validate", str(broken)], cwd=tmp_path, check=False)
    assert bad.returncode == 2
    assert "broken.yaml:" in bad.stderr and "Traceback" not in bad.stderr

    # inspect, call and verify drive a real plugin through the bindings the wheel carries.
    inspected = json.loads(_run([tool, "inspect", str(openai_wasm), "--json"], tmp_path).stdout)
    assert inspected["name"] == "My Example LLM HTTP Plugin"
    assert inspected["compatible"] is True
    config = json.dumps({"api_key": "sk-packaging", "base_url": loopback.base_url})
    called = _run([tool, "call", str(openai_wasm), "name", "--config", config], cwd=tmp_path)
    assert "My Example LLM HTTP Plugin" in called.stdout
    verified = _run([tool, "verify", str(openai_wasm), "--json", "-"], cwd=tmp_path)
    report = json.loads(verified.stdout)
    assert report["ok"] is True
    assert report["summary"]["fail"] == 0 and report["summary"]["pass"] > 0


def test_the_bindings_install_as_their_own_distribution(
    openai_wasm: Path, tmp_path: Path, loopback: LoopbackServer
) -> None:
    bin_dir = _fresh_venv(tmp_path / "venv")
    _pip_install(bin_dir, str(GENERATED / "python"), cwd=tmp_path)
    script = textwrap.dedent(f"""
        import json, sys
        from importlib import metadata, resources
        import querymt_extism_runtime as runtime
        import querymt_extism_v1 as bindings
        import querymt_extism_v2
        from querymt_extism_v1 import QuerymtExtismPlugin, models

        config = {{"api_key": "sk-dist", "base_url": {loopback.base_url!r}}}
        with QuerymtExtismPlugin.open({str(openai_wasm)!r}, config) as plugin:
            hello = models.ChatMessage(role="User", message_type="Text", content="Hi")
            answer = plugin.chat([hello])
            info = {{"name": plugin.info.name, "text": answer.text}}
        print(json.dumps({{
            "file": bindings.__file__,
            "runtime_file": runtime.__file__,
            "same_errors": bindings.errors.PluginError is runtime.PluginError,
            "typed": resources.files("querymt_extism_v1").joinpath("py.typed").is_file(),
            "runtime_typed": resources.files(runtime.__name__).joinpath("py.typed").is_file(),
            "top_level": sorted(
                {{f.parts[0] for f in metadata.files({DISTRIBUTION!r}) if f.suffix == ".py"}}
            ),
            "v2": querymt_extism_v2.models.PluginErrorDocument.__name__,
            "version": metadata.version({DISTRIBUTION!r}),
            "requires": metadata.requires({DISTRIBUTION!r}),
            **info,
        }}))
        """)
    out = json.loads(_run([str(bin_dir / "python"), "-c", script], cwd=tmp_path).stdout)
    assert Path(out["file"]).is_relative_to(tmp_path / "venv"), "imported from outside the venv"
    assert Path(out["runtime_file"]).is_relative_to(tmp_path / "venv")
    # One distribution: the bindings of each ABI and the runtime they share.
    assert out["top_level"] == ["querymt_extism_runtime", "querymt_extism_v1", "querymt_extism_v2"]
    assert out["same_errors"] is True
    assert out["typed"] is True and out["runtime_typed"] is True
    assert out["v2"] == "PluginErrorDocument"
    assert out["version"] == f"{__version__}+abi1.2"  # the distribution holds ABI v1 and v2
    # Ranges a user's project can live with, not the generator's exact pins.
    assert out["requires"] and not any("==" in r for r in out["requires"])
    assert out["name"] == "My Example LLM HTTP Plugin"
    assert out["text"] == CHAT_TEXT
    assert loopback.requests, "the chat did not reach the loopback server"
