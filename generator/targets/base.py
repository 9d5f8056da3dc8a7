"""What every target declares: its name and role, the names it reserves, how its files are
formatted, and how it renders one spec (and, if it has one, the output shared by every spec).

A target module defines one `TARGET = Target(...)`; `generator.targets` lists the modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from generator.ir import Spec

Render = Callable[[Spec], Mapping[str, str]]
RenderShared = Callable[[Sequence[Spec]], Mapping[str, str]]
Formatter = Callable[[str, str], str]
"""`(path, text) -> text`: formats one rendered file (identity for files it does not own)."""


class UnsupportedByTarget(Exception):
    """The spec is valid but uses something this target cannot express yet."""


class Role(StrEnum):
    NEUTRAL = "neutral"  # language-free documents: JSON Schemas, reference docs
    GUEST = "guest"  # code a plugin is written with (the Rust crate)
    HOST = "host"  # code that loads and drives a plugin (the Python bindings)


def unformatted(path: str, text: str) -> str:
    del path
    return text


@dataclass(frozen=True)
class Target:
    name: str
    role: Role
    render: Render
    formatter: Formatter = unformatted
    render_shared: RenderShared | None = None
    """Output spanning every spec (e.g. one distribution for every ABI module)."""
    keywords: frozenset[str] = frozenset()
    """Identifiers that are keywords of the target's language (`target_limits.KEYWORDS`)."""
    reserved_type_names: Mapping[str, str] = field(default_factory=dict)
    """Type names a spec cannot use with this target, each with where the clash comes from.
    The data lives in `generator.target_limits`, which the loader reads without this module."""
