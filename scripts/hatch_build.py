"""Wheel build hook: bundle the specs, the templates and the generated Python bindings as
package data under generator/_data/, so an installed `qmt-abigen` works outside a checkout.

A hook rather than `force-include` so that editable installs (which read the checkout) get no
stale copies, and so that caches a test run leaves behind (`__pycache__`) are never shipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLED = {"spec": "spec", "templates": "templates", "generated/python": "python"}


class BundleDataHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        for source, name in BUNDLED.items():
            base = root / source
            for path in sorted(base.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    destination = f"generator/_data/{name}/{path.relative_to(base).as_posix()}"
                    build_data["force_include"][str(path)] = destination
