"""Where the generator finds its inputs: the specs, the spec format's schema, the templates and
the generated Python bindings that `inspect`, `call` and `verify` drive.

Two layouts exist. In a checkout (or an editable install) they are the repository's own
`spec/`, `templates/` and `generated/` beside `generator/`. An installed wheel carries copies
of them as package data under `generator/_data/` (see `[tool.hatch.build.targets.wheel]` in
pyproject.toml); then the default output directory is `./generated` under the working
directory and the render cache lives in the user's cache directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"

INSTALLED = _BUNDLED.is_dir()
"""True when running from an installed wheel rather than a checkout."""

if INSTALLED:
    SPEC_DIR = _BUNDLED / "spec"
    TEMPLATES_DIR = _BUNDLED / "templates"
    BINDINGS_DIR = _BUNDLED / "python"
    GENERATED_DIR = Path("generated")
    _cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    CACHE_DIR = _cache_home / "qmt-abigen" / "generate-cache"
else:
    ROOT = PACKAGE_DIR.parent
    SPEC_DIR = ROOT / "spec"
    TEMPLATES_DIR = ROOT / "templates"
    GENERATED_DIR = ROOT / "generated"
    BINDINGS_DIR = GENERATED_DIR / "python"
    CACHE_DIR = ROOT / "build" / "generate-cache"

FORMAT_SCHEMA = SPEC_DIR / "abi-spec.schema.json"
DEFAULT_SPEC = SPEC_DIR / "querymt-extism-v1.yaml"
"""The spec `inspect`, `call` and `verify` use unless `--spec` names another."""
