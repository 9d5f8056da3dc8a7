"""Aliases of `querymt_extism_runtime` names under the module name host tools used before the
runtime was its own package. New code imports `querymt_extism_runtime` directly.

Generated from querymt-extism-v2; do not edit.
"""

from querymt_extism_runtime import (
    COMPILED,
    LOG_TAP,
    ExtismLogTap,
    Instance,
    InstancePool,
    Module,
    Redactor,
    capture_extism_log,
    classify_failure,
    compile_module,
    is_secret_key,
    read_wasm_header,
    secret_values,
)

__all__ = [
    "COMPILED",
    "LOG_TAP",
    "ExtismLogTap",
    "Instance",
    "InstancePool",
    "Module",
    "Redactor",
    "capture_extism_log",
    "classify_failure",
    "compile_module",
    "is_secret_key",
    "read_wasm_header",
    "secret_values",
]
