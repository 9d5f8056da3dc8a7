"""An ABI as data: its exports' call shapes, the exports the host's load sequence uses, and
the facts a generated package states about its spec.

A generated package describes its spec with one `Abi` value; `PluginBase` interprets it. A
new call shape (an ABI that sends a JSON integer, or reads a typed error payload) is one member
here and its handling in `PluginBase`, not new template logic in every package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter

from .status_classify import StatusClassifier

__all__ = [
    "BOUND_CONFIG",
    "Abi",
    "ExportSpec",
    "HostMode",
    "HostRoles",
    "InputShape",
    "OutputShape",
]


class InputShape(StrEnum):
    """What the host sends an export (the generator's `ir.calls.InputShape`, same values)."""

    IGNORED = "ignored"
    """The probe input (`Abi.probe_input`); the plugin does not read it."""
    TEXT = "utf8"
    """Raw UTF-8 text."""
    CONFIG = "config"
    """The configuration itself: the bound one unless the caller passes another."""
    REQUEST = "request"
    """A struct (`ExportSpec.request`) with the configuration in one field (`config_field`)
    and the caller's arguments beside it."""
    JSON = "json"
    """Any other JSON value; the bound configuration if `defaults_to_config` and none given."""


class OutputShape(StrEnum):
    """What the host reads back (the generator's `ir.calls.OutputShape`, same values)."""

    NONE = "none"
    """Nothing: the output is ignored."""
    TEXT = "utf8"
    """UTF-8 text."""
    TEXT_OR_NONE = "utf8_or_none"
    """UTF-8 text; empty output is None."""
    JSON = "json"
    """A JSON value, checked against `ExportSpec.output_type` (any JSON if None)."""


class _BoundConfig:
    def __repr__(self) -> str:
        return "<the plugin's configuration>"


BOUND_CONFIG: Any = _BoundConfig()
"""The default of an argument the host fills with the plugin's bound configuration."""


@dataclass(frozen=True)
class ExportSpec:
    """One export as the host calls it: its call shape and what checks its output."""

    name: str
    input: InputShape
    output: OutputShape
    optional: bool = False
    """A plugin may lack it (the load still succeeds; calling it raises MissingExportError)."""
    does_http: bool = False
    """The export is expected to make HTTP requests."""
    empty_is_none: bool = False
    """For a JSON output: empty output means None."""
    defaults_to_config: bool = False
    """For a JSON input: the host sends its configuration unless told otherwise."""
    request: Any = None
    """For a REQUEST input: the pydantic model of the request."""
    config_field: str | None = None
    """For a REQUEST input: the (Python) name of the field that carries the configuration."""
    input_type: Any = None
    """For a JSON input: the Python type the value must validate as before it is encoded
    (None: any JSON)."""
    output_type: Any = None
    """For a JSON output: the Python type the output must validate as (None: any JSON)."""
    input_schema: str | None = None
    """The `$id` of the JSON Schema of the decoded input (the jsonschema target's file)."""
    output_schema: str | None = None
    """The `$id` of the JSON Schema of the decoded output."""
    since_dialect: str | None = None
    """The dialect (`Abi.dialects`) that introduced the export; None: every dialect has it."""
    adapter: TypeAdapter[Any] | None = field(default=None, init=False, repr=False, compare=False)
    """`output_type`'s validator, built once with the table."""
    input_adapter: TypeAdapter[Any] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """`input_type`'s validator and encoder, built once with the table."""

    def __post_init__(self) -> None:
        if self.input is InputShape.REQUEST and (self.request is None or not self.config_field):
            raise ValueError(f"{self.name}: a request input needs `request` and `config_field`")
        if self.output is OutputShape.JSON and self.output_type is not None:
            object.__setattr__(self, "adapter", TypeAdapter(self.output_type))
        if self.input is InputShape.JSON and self.input_type is not None:
            object.__setattr__(self, "input_adapter", TypeAdapter(self.input_type))


@dataclass(frozen=True)
class HostRoles:
    """The exports the host's load sequence calls, by role (None: the ABI has none)."""

    display_name: str | None = None
    """Probed for `PluginInfo.name` (text)."""
    base_url: str | None = None
    """Probed, if the plugin has it, for `PluginInfo.base_url` (text, an absolute URL)."""
    config_schema: str | None = None
    """Probed for the JSON Schema the configuration is pruned by and checked against."""
    check_config: str | None = None
    """Called with the bound configuration, so the plugin accepts (or refuses) it at load."""
    log_init: str | None = None
    """Called once on each instance that serves calls with the host's maximum log level (a JSON
    integer, 0 off ... 5 trace: `host.log_level_of` the plugin's logger); failing fails it."""


@dataclass(frozen=True)
class HostMode:
    """A way of driving plugins, chosen by the exports a plugin has (the spec's `host.modes`)."""

    name: str
    requires: tuple[str, ...]

    def applies_to(self, exports: frozenset[str]) -> bool:
        return all(name in exports for name in self.requires)


@dataclass(frozen=True)
class Abi:
    """Everything a generated package states about its spec that the runtime acts on."""

    name: str
    version: int
    slug: str
    exports: tuple[ExportSpec, ...]
    roles: HostRoles
    probe_input: bytes = b"null"
    """What exports that take no argument receive."""
    logger: str = "querymt_extism_runtime.plugin"
    """The `logging` logger a plugin's `log_*` records go to."""
    modes: tuple[HostMode, ...] = ()
    """The spec's host modes; a plugin is driven in the first one whose exports it has."""
    dialects: tuple[str, ...] = ()
    """Released variants of the ABI, oldest first (exports name theirs in `since_dialect`)."""
    host_functions: tuple[tuple[str, str], ...] = ()
    """(module, name) of the host functions the spec's host registers for its plugins."""
    classifiers: tuple[StatusClassifier, ...] = ()
    """The host's own classifications of non-2xx responses (the spec's `classifiers`)."""
    typed_errors: bool = False
    """A plugin's error message may be a JSON `{"payload": {"type": ...}}` document (an
    `LLMErrorPayload`), which becomes its `llm_errors` class."""
    """Released variants of the ABI, oldest first (exports name theirs in `since_dialect`)."""
    by_name: dict[str, ExportSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {e.name: e for e in self.exports})
        if len(self.by_name) != len(self.exports):
            raise ValueError(f"{self.slug}: two exports share a name")
        for role, export in vars(self.roles).items():
            if export is not None and export not in self.by_name:
                raise ValueError(f"{self.slug}: the {role} role names no export ({export!r})")

    @property
    def required_exports(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.exports if not e.optional)

    @property
    def optional_exports(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.exports if e.optional)

    def mode_of(self, exports: frozenset[str]) -> HostMode | None:
        """The first host mode a module with these function exports is driven in."""
        return next((m for m in self.modes if m.applies_to(exports)), None)

    def dialect_of(self, exports: frozenset[str]) -> str | None:
        """The newest dialect all of whose new exports the module has; else the oldest one.

        None when the ABI names no dialects.
        """
        for dialect in reversed(self.dialects[1:]):
            new = [e.name for e in self.exports if e.since_dialect == dialect]
            if new and all(name in exports for name in new):
                return dialect
        return self.dialects[0] if self.dialects else None

    def classifier(self, name: str) -> StatusClassifier:
        """The classifier called `name`; KeyError if the ABI has none."""
        for classifier in self.classifiers:
            if classifier.name == name:
                return classifier
        raise KeyError(name)

    def export(self, name: str) -> ExportSpec:
        """The export called `name`; KeyError if the ABI has none."""
        return self.by_name[name]
