"""The Python target's per-ABI glue (`templates/python/<slug>/glue.yaml`): the modules it lists
are added to the package verbatim with their `__all__`, a spec without the folder gets none,
and a glue file that names a generated module or a module without `__all__` is refused with
a precise error."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from generator.targets import python as target
from generator.targets.base import UnsupportedByTarget

SPEC = SimpleNamespace(slug="glue-test-v1")


def _glue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], yaml: str
) -> None:
    folder = tmp_path / "python" / SPEC.slug
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "glue.yaml").write_text(yaml)
    monkeypatch.setattr(target, "TEMPLATES_DIR", tmp_path)


def test_listed_modules_come_with_their_all_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = '"""Helpers.\n\nMore."""\n__all__ = ["b", "a"]\na = b = 1\n'
    _glue(tmp_path, monkeypatch, {"helpers.py": source}, "files:\n  helpers.py: helpers.py\n")
    (module,) = target.load_glue(SPEC)  # type: ignore[arg-type]
    assert (module.module, module.source, module.names, module.summary) == (
        "helpers",
        source,
        ("b", "a"),
        "Helpers.",
    )


def test_a_spec_without_glue_gets_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(target, "TEMPLATES_DIR", tmp_path)
    assert target.load_glue(SPEC) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("files", "yaml", "problem"),
    [
        (
            {"m.py": "__all__ = []\n"},
            "files:\n  models.py: m.py\n",
            "'models.py' is not a new module",
        ),
        ({"m.py": "__all__ = []\n"}, "files:\n  m: m.py\n", "'m' is not a new module"),
        ({"m.py": "x = 1\n"}, "files:\n  m.py: m.py\n", "has no literal `__all__`"),
        ({"m.py": "__all__ = [f()]\n"}, "files:\n  m.py: m.py\n", "has no literal `__all__`"),
    ],
)
def test_bad_glue_is_refused_precisely(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    yaml: str,
    problem: str,
) -> None:
    _glue(tmp_path, monkeypatch, files, yaml)
    with pytest.raises(UnsupportedByTarget) as caught:
        target.load_glue(SPEC)  # type: ignore[arg-type]
    assert problem in str(caught.value) and SPEC.slug in str(caught.value)
