"""What a change between two ABI specs is, and for whom it breaks.

Each change is one rule (`generator.diff.rules`) applied at one place of the spec. A rule
classifies the change twice, because the two sides of the ABI upgrade separately:

- **for plugins**: a plugin built against the OLD spec, loaded by a host written for the NEW one;
- **for hosts**: a host written for the OLD spec, loading a plugin built against the NEW one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Impact(StrEnum):
    BREAKING = "breaking"  # some valid call fails or is misread
    COMPATIBLE = "compatible"  # every call that worked still works


class Level(StrEnum):
    """Where the change shows (after buf's categories: wire, JSON, generated source)."""

    WIRE = "wire"  # the bytes of a call: exports, encodings, return codes, host functions, load
    JSON = "json"  # the shape of a JSON document crossing the boundary
    SOURCE = "source"  # only the generated code: binaries keep working, sources need edits


class Direction(StrEnum):
    """Which side writes a document and which reads it."""

    INPUT = "input"
    """The host writes, the plugin reads: export inputs, host-function results."""
    OUTPUT = "output"
    """The plugin writes, the host reads: export outputs, errors, host-function arguments."""


@dataclass(frozen=True, order=True)
class Change:
    """One rule hit: `subject` is where (`export chat`, `type Usage.input_tokens`)."""

    subject: str
    rule: str
    detail: str
    via: str = ""
    """How the comparison reached a type: the export side or host function first using it."""
