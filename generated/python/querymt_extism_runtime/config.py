"""A plugin's configuration as the host handles it: plain JSON, pruned to the keys its
`config_schema` lists, and checked against that schema within bounded time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import jsonschema
import re2  # type: ignore[import-untyped]
import referencing
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from .errors import ConfigError
from .wire import json_problem

__all__ = [
    "JSON_ENCODER",
    "config_to_json",
    "prune_config",
    "schema_limits_problem",
    "schema_problems",
]

JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
"""`json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)`, without
building an encoder per call: NaN and Infinity are refused, as serde_json refuses them."""


def config_to_json(config: Any) -> Any:
    """The configuration as plain JSON, refused (ConfigError) where serde_json would refuse it."""
    if isinstance(config, BaseModel):
        try:
            config = config.model_dump(mode="json", by_alias=True)
        except PydanticSerializationError as exc:
            raise ConfigError(f"the configuration is not JSON: {exc}") from None
    elif isinstance(config, Mapping):
        config = dict(config)
    else:
        raise ConfigError("the configuration must be a mapping or a pydantic model")
    problem = json_problem(config)
    if problem:
        raise ConfigError(f"the configuration is not valid JSON for the plugin: {problem}")
    try:
        return json.loads(JSON_ENCODER.encode(config).encode("utf-8"))
    except (TypeError, ValueError) as exc:  # a non-JSON type, a lone surrogate, ...
        raise ConfigError(f"the configuration is not JSON: {exc}") from None


def prune_config(config: Any, schema: Any) -> Any:
    """Drops keys the schema's `properties` do not list, recursively (the v1 host does this)."""
    if not isinstance(config, dict) or not isinstance(schema, dict):
        return config
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return config
    return {
        key: prune_config(value, properties[key])
        for key, value in config.items()
        if key in properties
    }


@lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    """A linear-time (RE2) regular expression: no pattern can make matching backtrack."""
    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise _UnsupportedSchema(
            f"its pattern {pattern[:60]!r} is not supported by a linear-time engine ({exc})"
        ) from None


class _UnsupportedSchema(Exception):
    pass


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _regex(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(original: Any) -> Any:
    """`additionalProperties`, with keys matched against `patternProperties` in linear time."""

    def check(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[Any]:
        patterns = schema.get("patternProperties")
        if not isinstance(patterns, dict):
            yield from original(validator, allowed, instance, schema)
            return
        if not validator.is_type(instance, "object"):
            return
        properties = schema.get("properties", {})
        extras = [
            key
            for key in instance
            if key not in properties and not any(_regex(p).search(key) for p in patterns)
        ]
        if validator.is_type(allowed, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], allowed, path=extra)
        elif not allowed and extras:
            yield jsonschema.ValidationError("has keys that match no property or pattern")

    return check


_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def schema_limits_problem(schema: Any) -> str | None:
    """Why the host will not check a configuration against this schema, or None.

    The checks must be bounded: the schema nests at most as deeply as serde_json allows, refers
    only within itself (no remote or file `$ref` is ever fetched), and uses no
    `unevaluatedProperties` next to `patternProperties` (jsonschema matches that pair with
    Python's backtracking `re`; every other pattern here is matched by RE2, in linear time).
    """
    problem = json_problem(schema)
    if problem:
        return problem
    stack = [schema]
    keywords: set[str] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            keywords.update(k for k in node if isinstance(k, str))
            for keyword in _REF_KEYWORDS:
                ref = node.get(keyword)
                if isinstance(ref, str) and not ref.startswith("#"):
                    return f"it refers to {ref[:80]!r}, outside itself (never fetched)"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if "unevaluatedProperties" in keywords and "patternProperties" in keywords:
        return "it combines unevaluatedProperties with patternProperties"
    return None


@lru_cache(maxsize=32)
def _bounded_validator_class(base: Any) -> Any:
    keywords: dict[str, Any] = {"pattern": _pattern, "patternProperties": _pattern_properties}
    if "additionalProperties" in base.VALIDATORS:
        keywords["additionalProperties"] = _additional_properties(
            base.VALIDATORS["additionalProperties"]
        )
    return jsonschema.validators.extend(base, keywords)  # type: ignore[no-untyped-call]


def schema_problems(config: Any, schema: dict[str, Any]) -> list[str]:
    """Where and why `config` fails `schema`, quoting no value (values may be secrets).

    Bounded in time: patterns are RE2 (linear), nothing outside the schema is fetched (an empty
    registry), and nesting is limited (`schema_limits_problem`).
    """
    limits = schema_limits_problem(schema)
    if limits:
        return [f"the host does not check against the plugin's config_schema: {limits}"]
    try:
        base = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        base.check_schema(schema)
        validator = _bounded_validator_class(base)(schema, registry=referencing.Registry())
        errors = list(validator.iter_errors(config))
    except jsonschema.SchemaError as exc:
        return [f"the plugin's config_schema is not a valid JSON Schema ({exc.validator})"]
    except _UnsupportedSchema as exc:
        return [f"the host does not check against the plugin's config_schema: {exc}"]
    except referencing.exceptions.Unresolvable as exc:
        return [f"the plugin's config_schema has a reference that does not resolve ({exc.ref!r})"]
    except RecursionError:
        return ["the plugin's config_schema is too deeply recursive to check"]
    problems = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        if error.validator == "required":
            required = error.validator_value if isinstance(error.validator_value, list) else []
            present = error.instance if isinstance(error.instance, dict) else {}
            missing = [n for n in required if n not in present]
            problems.append(f"{where}: missing required key(s) {', '.join(missing)}")
        elif error.validator == "additionalProperties":
            problems.append(f"{where}: has keys the schema does not allow")
        elif error.validator in ("type", "enum", "const", "format", "pattern"):
            problems.append(f"{where}: fails {error.validator!r} ({error.validator_value!r})")
        else:
            problems.append(f"{where}: fails {error.validator!r}")
    return problems
