"""`generate`: golden output, determinism, minimal rewrites, --check, no writes on failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.loader import load_all
from generator.pipeline import render_all

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of spec/ and generated/ to run the generator on."""
    spec_dir, out_dir = tmp_path / "spec", tmp_path / "generated"
    shutil.copytree(ROOT / "spec", spec_dir)
    shutil.copytree(GENERATED, out_dir, ignore=shutil.ignore_patterns("__pycache__", "target"))
    return spec_dir, out_dir


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generated_tree_matches_the_spec() -> None:
    """Golden test: what is committed under generated/ is exactly what the spec renders to."""
    result = run("generate", "--check", "--full")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


def test_output_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out-{seed}"
        result = run("generate", "--out-dir", str(out), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append({k: v[0] for k, v in snapshot(out).items()})
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]


def test_rendering_is_deterministic_in_process() -> None:
    specs = load_all(ROOT / "spec")
    assert render_all(specs) == render_all(specs)


def test_only_changed_files_are_rewritten(workspace: tuple[Path, Path]) -> None:
    spec_dir, out_dir = workspace
    before = snapshot(out_dir)
    spec = spec_dir / "querymt-extism-v1.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "description: The text to continue.", "description: The text to go on from."
        ),
        encoding="utf-8",
    )
    result = run("generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    assert result.returncode == 0, result.stderr
    after = snapshot(out_dir)
    changed = sorted(p for p in after if before.get(p) != after[p])
    assert changed, "the description change must reach some output"
    assert "schemas/querymt-extism-v1/complete.input.json" in changed
    assert "schemas/querymt-extism-v1/chat.input.json" not in changed
    for path in changed:
        assert "The text to go on from." in after[path][0].decode()


def test_check_reports_a_diff_and_exits_1(workspace: tuple[Path, Path]) -> None:
    spec_dir, out_dir = workspace
    stale = out_dir / "schemas" / "querymt-extism-v1" / "name.output.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace("display name", "dizplay name"))
    extra = out_dir / "schemas" / "leftover.json"
    extra.write_text("{}\n")
    before = snapshot(out_dir)
    result = run("generate", "--check", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    assert result.returncode == 1
    assert "--- a/generated/schemas/querymt-extism-v1/name.output.json" in result.stdout
    assert '-  "description": "The plugin\'s dizplay name' in result.stdout
    assert "+++ /dev/null" in result.stdout  # the stale extra file
    assert "generated/ is stale: 1 to write, 1 to delete" in result.stderr
    assert snapshot(out_dir) == before


def test_a_bad_spec_leaves_generated_untouched(workspace: tuple[Path, Path]) -> None:
    spec_dir, out_dir = workspace
    spec = spec_dir / "querymt-extism-v1.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("type: list<ToolCall>", "type: list<ToolCal>"),
        encoding="utf-8",
    )
    before = snapshot(out_dir)
    result = run("generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    assert result.returncode == 2
    assert "unknown type 'ToolCal'" in result.stderr
    assert "did you mean 'ToolCall'?" in result.stderr
    assert "nothing written" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out_dir) == before


def test_stale_outputs_are_deleted(workspace: tuple[Path, Path]) -> None:
    spec_dir, out_dir = workspace
    leftover = out_dir / "schemas" / "old" / "gone.json"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("{}\n")
    result = run("generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    assert result.returncode == 0, result.stderr
    assert not leftover.exists()
    assert not leftover.parent.exists()


def test_unchanged_tree_is_recognised_without_rendering(workspace: tuple[Path, Path]) -> None:
    spec_dir, out_dir = workspace
    args = ("--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    first = run("generate", *args)
    assert first.returncode == 0, first.stderr
    again = run("generate", "--check", *args)
    assert again.returncode == 0
    assert "up to date" in again.stdout
    # A hand edit invalidates the shortcut: the full render finds and reports it.
    target = out_dir / "schemas" / "querymt-extism-v1.json"
    target.write_text(target.read_text(encoding="utf-8") + " ", encoding="utf-8")
    edited = run("generate", "--check", *args)
    assert edited.returncode == 1
    assert "schemas/querymt-extism-v1.json" in edited.stdout
    # So does a spec change, even though generated/ is untouched.
    restored = run("generate", *args)
    assert restored.returncode == 0
    spec = spec_dir / "querymt-extism-v1.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Completes a prompt.", "Completes."))
    changed = run("generate", "--check", *args)
    assert changed.returncode == 1
    assert '+  "description": "Completes. Input' in changed.stdout


def test_an_empty_spec_dir_is_an_error_not_a_wipe(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out_dir = workspace
    empty = tmp_path / "empty"
    empty.mkdir()
    before = snapshot(out_dir)
    result = run("generate", "--spec-dir", str(empty), "--out-dir", str(out_dir))
    assert result.returncode == 2
    assert "no spec files (*.yaml) here" in result.stderr
    assert snapshot(out_dir) == before


def test_files_outside_the_targets_directories_are_left_alone(workspace: tuple[Path, Path]) -> None:
    spec_dir, out_dir = workspace
    mine = out_dir / "notes.txt"
    mine.write_text("not ours\n")
    result = run("generate", "--full", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    assert result.returncode == 0, result.stderr
    assert mine.read_text() == "not ours\n"


def test_a_feature_a_target_cannot_express_is_a_clean_error(tmp_path: Path) -> None:
    spec_dir, out_dir = tmp_path / "spec", tmp_path / "out"
    spec_dir.mkdir()
    shutil.copy(ROOT / "spec" / "abi-spec.schema.json", spec_dir)
    text = (Path(__file__).parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "{name: items, type: list<Item>, description: Items.}",
        "{name: items, rename: things, aliases: [stuff], type: list<Item>, description: Items.}",
    )
    (spec_dir / "mini.yaml").write_text(text, encoding="utf-8")
    result = run("generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir))
    assert result.returncode == 2
    assert "both renamed and aliased is not supported by the Python target" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out_dir.exists()


def test_targets_can_be_selected_and_a_spec_without_glue_gets_the_generic_crate(
    tmp_path: Path,
) -> None:
    spec_dir, out_dir = tmp_path / "spec", tmp_path / "out"
    spec_dir.mkdir()
    shutil.copy(ROOT / "spec" / "abi-spec.schema.json", spec_dir)
    shutil.copy(Path(__file__).parent / "fixtures" / "minimal.yaml", spec_dir)
    everything = run("generate", "--spec-dir", str(spec_dir), "--out-dir", str(tmp_path / "all"))
    assert everything.returncode == 0, everything.stderr
    crate = tmp_path / "all" / "rust" / "mini-v1"
    assert (crate / "src" / "guest" / "exports.rs").is_file()  # no glue: the generic part
    assert not (crate / "src" / "plugin").exists()
    some = run(
        "generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir),
        "--target", "jsonschema", "--target", "docs",
    )  # fmt: skip
    assert some.returncode == 0, some.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["docs", "schemas"]
    unknown = run("generate", "--target", "cobol")
    assert unknown.returncode == 2
    assert "unknown target cobol; Options are: docs, jsonschema, python, rust" in unknown.stderr


def test_version_matches_the_package_metadata() -> None:
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"qmt-abigen {version('qmt-abigen')}"
