"""Every mutant of the real spec gets a clean error at its line; unusual valid specs load.

The mutants (tests/spec_mutants.py) go through `qmt-abigen generate` in-process, as a user
would run it: exit 2, `spec/querymt-extism-v1.yaml:LINE:COL:` at the mutated line, no
traceback, and the output directory untouched. A few go through a real subprocess too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from spec_mutants import (
    KINDS,
    SPEC_TEXT,
    V2_KINDS,
    V2_SPEC_TEXT,
    VALID_VARIANTS,
    Mutant,
    mutants,
    v2_mutants,
    with_types,
)
from typer.testing import CliRunner

from generator import loader
from generator.cli import app
from generator.diagnostics import SpecError
from generator.loader import load_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = mutants()
runner = CliRunner()


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    spec_dir, out_dir = tmp_path / "spec", tmp_path / "out"
    spec_dir.mkdir()
    (out_dir / "schemas").mkdir(parents=True)
    (out_dir / "schemas" / "keep.json").write_text("{}\n")
    return spec_dir, out_dir


def test_the_corpus_covers_every_kind() -> None:
    assert len(CORPUS) >= 80
    assert {m.kind for m in CORPUS} == set(KINDS)
    assert all(m.data != SPEC_TEXT.encode() for m in CORPUS)


@pytest.mark.parametrize("mutant", CORPUS, ids=lambda m: m.name)
def test_mutant_gets_a_clean_error_at_its_line(mutant: Mutant, dirs: tuple[Path, Path]) -> None:
    spec_dir, out_dir = dirs
    (spec_dir / "querymt-extism-v1.yaml").write_bytes(mutant.data)
    before = snapshot(out_dir)
    result = runner.invoke(
        app, ["generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir)]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert re.search(rf"^spec/querymt-extism-v1\.yaml:{mutant.line}:\d+: ", result.output, re.M), (
        mutant.line,
        result.output[:2000],
    )
    assert "nothing written." in result.output
    assert snapshot(out_dir) == before


@pytest.mark.parametrize("name", ["alias-bomb", "5000-brackets", "nul-byte", "latin1-byte"])
def test_hostile_mutants_in_a_real_process(name: str, tmp_path: Path) -> None:
    mutant = next(m for m in CORPUS if m.name == name)
    spec = tmp_path / "querymt-extism-v1.yaml"
    spec.write_bytes(mutant.data)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"querymt-extism-v1.yaml:{mutant.line}:" in result.stderr


def test_the_byte_order_mark_does_not_shift_positions() -> None:
    mutant = next(m for m in CORPUS if m.name == "unknown-key-in-type")
    with pytest.raises(SpecError) as caught:
        load_text("\ufeff" + mutant.data.decode("utf-8"), "spec.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.position.line == mutant.line


@pytest.mark.parametrize("name", sorted(VALID_VARIANTS))
def test_unusual_valid_specs_load(name: str, tmp_path: Path) -> None:
    path = tmp_path / "querymt-extism-v1.yaml"
    path.write_bytes(VALID_VARIANTS[name]())
    started = time.perf_counter()
    spec = loader.load_spec(path)
    # A generous bound against hangs and exponential walks, not a benchmark (about 1 s here).
    assert time.perf_counter() - started < 20
    assert spec.slug == "querymt-extism-v1"
    assert len(spec.exports) == 9


def test_aliases_copy_their_anchor() -> None:
    spec = load_text(VALID_VARIANTS["anchors-and-aliases"]().decode(), "spec.yaml")
    role = spec.type("ChatRole")
    assert role.examples == ("User", "Assistant", "User")
    assert spec.export("base_url").input == spec.export("name").input


def test_the_cycle_check_is_linear_in_the_lattice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 60-type lattice has 2**29 paths; the check must look at each edge a bounded number
    of times, not walk the paths (which took hours before)."""
    seen: list[int] = []
    original = loader._strongly_connected

    def counting(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
        seen.append(sum(len(e) for e in edges.values()))
        return original(nodes, edges)

    monkeypatch.setattr(loader, "_strongly_connected", counting)
    spec = load_text(VALID_VARIANTS["lattice-60"]().decode(), "spec.yaml")
    assert len(spec.types) == 75 and seen == [seen[0]] and seen[0] < 300


def _cyclic_lattice() -> str:
    from spec_mutants import _lattice

    text = _lattice(5).replace(
        "      - {name: end, type: u32, description: x}\n",
        "      - {name: back, type: Lat0A, description: x}\n",
        1,
    )
    return with_types(text)


def test_cycles_are_still_found_once_per_component() -> None:
    with pytest.raises(SpecError) as caught:
        load_text(_cyclic_lattice(), "spec.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == (
        "recursive type without indirection: Lat0A -> Lat1A -> Lat2A -> Lat3A -> Lat4A -> Lat0A"
    )
    assert diagnostic.pointer == "/types/Lat0A"


def test_every_problem_in_one_pass_examples_included() -> None:
    text = SPEC_TEXT.replace("{input_tokens: 57, output_tokens: 9}\n", "{input_tokens: -1}\n", 1)
    text = text.replace("        type: list<ToolCall>\n", "        type: list<ToolCal>\n", 1)
    text = text.replace("    examples: [User, Assistant]", "    since: 3\n    examples: [User]", 1)
    with pytest.raises(SpecError) as caught:
        load_text(text, "spec.yaml")
    messages = [d.message for d in caught.value.diagnostics]
    assert any(m.startswith("unknown type 'ToolCal'") for m in messages), messages
    assert any(m.startswith("example does not match type 'Usage'") for m in messages), messages
    assert "since: 3 is later than this spec's abi_version 1" in messages


# --------------------------------------------------------------------------- v2

V2_CORPUS = v2_mutants()


def test_the_v2_corpus_covers_every_new_check() -> None:
    assert {m.kind for m in V2_CORPUS} == set(V2_KINDS)
    assert all(m.data != V2_SPEC_TEXT.encode() for m in V2_CORPUS)


@pytest.mark.parametrize("mutant", V2_CORPUS, ids=lambda m: m.name)
def test_v2_mutant_gets_a_clean_error_at_its_line(mutant: Mutant, dirs: tuple[Path, Path]) -> None:
    spec_dir, out_dir = dirs
    (spec_dir / "querymt-extism-v2.yaml").write_bytes(mutant.data)
    before = snapshot(out_dir)
    result = runner.invoke(
        app, ["generate", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir)]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert re.search(rf"^spec/querymt-extism-v2\.yaml:{mutant.line}:\d+: ", result.output, re.M), (
        mutant.line,
        result.output[:2000],
    )
    assert snapshot(out_dir) == before


def test_the_v2_spec_itself_loads_with_its_dialects_and_conventions() -> None:
    spec = loader.load_spec(ROOT / "spec" / "querymt-extism-v2.yaml")
    assert [d.name for d in spec.dialects] == ["0.5.2", "0.6.0"]
    assert len(spec.exports) == 24
    assert len(spec.exports_in("0.5.2")) == 23
    assert {e.name for e in spec.exports} - {e.name for e in spec.exports_in("0.5.2")} == {
        "classify_chat_error"
    }
    from_config = spec.export("from_config")
    (old,) = from_config.dialects
    assert old.dialect == "0.5.2" and old.errors is not None
    assert [c.code for c in old.errors] == [-1]
    assert [c.code for c in from_config.errors] == [-1, 1]
    assert {f.name for f in spec.host_functions if f.imported} == {"qmt_log", "qmt_http_request"}
    assert len(spec.host_functions) == 6
    assert {p.name for p in spec.protocols} >= {"chat", "chat_stream", "list_models"}


def test_the_v2_classifiers_are_data_a_host_can_run() -> None:
    spec = loader.load_spec(ROOT / "spec" / "querymt-extism-v2.yaml")
    by_name = {c.name: c for c in spec.classifiers}
    chat = by_name["classify_status_only"]
    assert chat.classify(499) == {"type": "cancelled"}
    assert chat.classify(429) == {"type": "provider_error", "kind": "rate_limited"}
    assert chat.classify(403) == {"type": "provider_error", "kind": "authentication"}
    assert chat.classify(422) == {"type": "provider_error", "kind": "invalid_request"}
    assert (
        chat.classify(425)
        == chat.classify(503)
        == {
            "type": "provider_error",
            "kind": "unknown_transient",
        }
    )
    assert chat.classify(404) == {"type": "provider_error", "kind": "unknown_permanent"}
    other = by_name["classify_http_status"]
    assert [other.classify(s)["type"] for s in (499, 401, 429, 400, 500, 418)] == [  # type: ignore[index]
        "cancelled",
        "auth_error",
        "rate_limited",
        "invalid_request",
        "http_status",
        "provider_error",
    ]
