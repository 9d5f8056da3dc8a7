"""The registered checks of `verify`, in report order (explicit: a new check is one entry here
and one module beside this one; see docs/architecture.md)."""

from __future__ import annotations

from generator.conformance.checks.abi import AbiCheck
from generator.conformance.checks.allowed_hosts import AllowedHostsCheck
from generator.conformance.checks.base import ExportCheck, ModuleCheck, Registry
from generator.conformance.checks.exports import ExportPresenceCheck
from generator.conformance.checks.extism import ExtismCheck
from generator.conformance.checks.invalid_config import InvalidConfigCheck
from generator.conformance.checks.load import LoadCheck
from generator.conformance.checks.malformed_body import MalformedBodyCheck
from generator.conformance.checks.malformed_input import MalformedInputCheck
from generator.conformance.checks.output import OutputCheck
from generator.conformance.checks.request import RequestCheck
from generator.conformance.checks.schema_document import SchemaDocumentCheck
from generator.conformance.checks.stream import StreamCheck
from generator.conformance.checks.typed_errors import TypedErrorsCheck
from generator.conformance.checks.wasm import WasmCheck

REGISTRY = Registry(
    module=(WasmCheck(), ExtismCheck(), AbiCheck(), ExportPresenceCheck(), LoadCheck()),
    exports=(
        OutputCheck(),
        SchemaDocumentCheck(),
        MalformedInputCheck(),
        InvalidConfigCheck(),
        AllowedHostsCheck(),
        RequestCheck(),
        MalformedBodyCheck(),
        TypedErrorsCheck(),
        StreamCheck(),
    ),
)

__all__ = ["REGISTRY", "ExportCheck", "ModuleCheck", "Registry"]
