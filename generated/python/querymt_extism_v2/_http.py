"""Aliases of `querymt_extism_runtime.http_policy` names under the module name host tools used
before the runtime was its own package. New code imports `querymt_extism_runtime` directly.

Generated from querymt-extism-v2; do not edit.
"""

from querymt_extism_runtime.http_policy import AllowList, HttpPolicy, Origin, UrlError, origin_of

__all__ = ["AllowList", "HttpPolicy", "Origin", "UrlError", "origin_of"]
