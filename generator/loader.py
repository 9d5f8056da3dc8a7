"""Spec loading: YAML -> format-schema check -> typed, frozen IR -> semantic checks.

Every problem in a file is collected in one pass and raised together as a `SpecError` whose
diagnostics point at `file:line:col` and a JSON pointer.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache, partial
from pathlib import Path
from typing import Any

import jsonschema
import referencing.exceptions

from generator import ir
from generator.diagnostics import (
    Collector,
    Diagnostic,
    Position,
    SpecError,
    join_pointer,
    position_at,
)
from generator.naming import python_ident, snake_case
from generator.resources import FORMAT_SCHEMA, SPEC_DIR
from generator.target_limits import (
    PYTHON_RESERVED_FIELD_NAMES,
    PYTHON_RESERVED_METHODS,
    RESERVED_TYPE_NAMES,
    keyword_language,
    rust_writes_default,
)
from generator.type_expr import TypeExprError, resolve_type
from generator.yaml_source import MAX_CHARS, read_yaml


@cache
def format_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(FORMAT_SCHEMA.read_text(encoding="utf-8"))
    return schema


def spec_files(directory: Path = SPEC_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_all(directory: Path = SPEC_DIR, *, display_root: Path | None = None) -> list[ir.Spec]:
    """Load every spec in `directory`; all files' errors are raised together."""
    specs: list[ir.Spec] = []
    errors: list[Any] = []
    files = spec_files(directory)
    if not files:
        raise SpecError([_file_diagnostic(str(directory), "no spec files (*.yaml) here")])
    for path in files:
        try:
            specs.append(load_spec(path, display_root=display_root))
        except SpecError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise SpecError(errors)
    return specs


def load_spec(path: Path, *, display_root: Path | None = None) -> ir.Spec:
    display = _display_name(path, display_root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([_file_diagnostic(display, f"cannot read spec: {exc.strerror}")]) from None
    if len(raw) > 4 * MAX_CHARS:
        raise SpecError(
            [_file_diagnostic(display, f"cannot read spec: over {MAX_CHARS:,} characters")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        raise SpecError(
            [
                Diagnostic(
                    display,
                    position_at(before, len(before)),
                    "",
                    f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                    "save the spec as UTF-8",
                )
            ]
        ) from None
    return load_text(text, display)


def load_text(text: str, file: str) -> ir.Spec:
    document = read_yaml(text, file)
    collector = document.collector
    if document.data is None:
        if not collector.diagnostics:
            collector.error("", "the spec is empty", "start from spec/querymt-extism-v1.yaml")
        raise SpecError(collector.diagnostics)
    data: dict[str, Any] = document.data
    broken = _check_format(data, collector)
    # A malformed type or export is set aside so the rest still gets its semantic checks in
    # this pass; its name stays known, so references to it raise no second, misleading error.
    # A malformed top-level section stops here: nothing can be built without it.
    isolated = _isolate(broken)
    if isolated is None:
        raise SpecError(collector.diagnostics)
    builder = _Builder(_without(data, isolated), collector)
    builder.declared.update(
        {name: _arity(data["types"][name]) for section, name in isolated if section == "types"}
    )
    builder.known_exports.update(name for section, name in isolated if section == "exports")
    spec = builder.build()
    _check_values(spec, collector)
    if collector.diagnostics:
        raise SpecError(collector.diagnostics)
    return spec


def _display_name(path: Path, root: Path | None) -> str:
    base = root if root is not None else Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _file_diagnostic(file: str, message: str) -> Diagnostic:
    return Diagnostic(file, Position(1, 1), "", message)


# --------------------------------------------------------------------------- format schema


def _check_format(data: Any, collector: Collector) -> list[tuple[str | int, ...]]:
    """Report every departure from the format schema; return where each one is."""
    validator = jsonschema.Draft202012Validator(format_schema())
    broken: list[tuple[str | int, ...]] = []
    for error in _leaf_errors(validator.iter_errors(data)):
        path = tuple(error.absolute_path)
        message, hint, at_key = _describe(error)
        if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
            path, at_key = (*path, error.instance), None  # the offending name, not its section
            collector.error(join_pointer("", *path), message, hint, key=True)
            broken.append(path)
            continue
        pointer = join_pointer("", *path)
        if at_key is not None:
            pointer = join_pointer(pointer, at_key)
        collector.error(pointer, message, hint, key=at_key is not None)
        broken.append(path)
    return broken


def _isolate(broken: list[tuple[str | int, ...]]) -> set[tuple[str, str]] | None:
    """The (section, name) entries holding every error, or None if one lies outside them."""
    entries: set[tuple[str, str]] = set()
    for path in broken:
        if len(path) < 2 or path[0] not in ("types", "exports"):
            return None
        entries.add((str(path[0]), str(path[1])))
    return entries


def _without(data: dict[str, Any], entries: set[tuple[str, str]]) -> dict[str, Any]:
    trimmed = dict(data)
    for section in ("types", "exports"):
        trimmed[section] = {
            name: value for name, value in data[section].items() if (section, name) not in entries
        }
    return trimmed


def _arity(raw: Any) -> int:
    params = raw.get("type_params", []) if isinstance(raw, dict) else []
    return len(params) if isinstance(params, list) else 0


def _leaf_errors(
    errors: Iterable[jsonschema.ValidationError],
) -> Iterable[jsonschema.ValidationError]:
    for error in errors:
        if error.context and error.validator in ("oneOf", "anyOf"):
            yield jsonschema.exceptions.best_match(error.context)
        else:
            yield error


def _describe(error: jsonschema.ValidationError) -> tuple[str, str | None, str | None]:
    """A message, a hint and (for an unexpected key) the key to point at."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        key = extra[0]
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = (
            f"did you mean '{close[0]}'? " if close else ""
        ) + f"Options are: {', '.join(allowed)}"
        return f"unknown key '{key}'", hint, key
    if error.validator == "required":
        return error.message.replace("is a required property", "is required here"), None, None
    if error.validator == "enum":
        allowed_values = error.validator_value if isinstance(error.validator_value, list) else []
        options = ", ".join(json.dumps(o) for o in allowed_values)
        return f"{json.dumps(error.instance)} is not allowed here", f"Options are: {options}", None
    if error.validator == "pattern":
        what = schema.get("description") or f"a name matching {error.validator_value}"
        return f"{json.dumps(error.instance)} is not a valid name", what, None
    if error.validator == "propertyNames" and isinstance(error.instance, dict):
        return error.message, None, None
    return error.message, schema.get("description"), None


# --------------------------------------------------------------------------- IR construction


class _Builder:
    def __init__(self, data: dict[str, Any], collector: Collector) -> None:
        self.data = data
        self.c = collector
        raw_types: dict[str, Any] = data.get("types", {})
        self.declared = {name: len(t.get("type_params", [])) for name, t in raw_types.items()}
        self.known_exports = set(data["exports"])
        self.spec_params = tuple(data.get("type_params", {}))
        self.dialects = [d["name"] for d in data.get("dialects", [])]
        self.conventions: dict[str, ir.ErrorConvention] = {}

    def build(self) -> ir.Spec:
        for name in self.spec_params:
            if name in self.declared:
                self.c.error(
                    join_pointer("/type_params", name),
                    f"type parameter '{name}' has the name of a declared type",
                    key=True,
                )
        self._check_dialects()
        types = tuple(
            self._typedef(name, raw, join_pointer("/types", name))
            for name, raw in self.data["types"].items()
        )
        self._check_target_names(types)
        self.conventions = {
            name: self._convention(name, raw, join_pointer("/error_conventions", name))
            for name, raw in self.data.get("error_conventions", {}).items()
        }
        exports = tuple(
            self._export(name, raw, join_pointer("/exports", name))
            for name, raw in self.data["exports"].items()
        )
        errors = self.data["errors"]
        host = self.data["host"]
        spec = ir.Spec(
            name=self.data["name"],
            abi_version=self.data["abi_version"],
            title=self.data["title"],
            description=self.data["description"],
            source=self.c.file,
            format_version=self.data["format"],
            type_params=tuple(
                ir.TypeParamDecl(name, raw["description"])
                for name, raw in self.data.get("type_params", {}).items()
            ),
            types=types,
            exports=exports,
            error=ir.ErrorConvention(
                code=errors["code"],
                encoding=ir.Encoding(errors["encoding"]),
                description=errors["description"],
                examples=tuple(errors.get("examples", ())),
            ),
            imports=tuple(
                ir.HostImport(
                    i["module"],
                    i["name"],
                    tuple(i["params"]),
                    tuple(i["results"]),
                    i["description"],
                )
                for i in self.data.get("imports", [])
            ),
            host=ir.HostBehaviour(
                load_sequence=tuple(
                    ir.LoadStep(step["export"], step["description"])
                    for step in host["load_sequence"]
                ),
                roles=ir.HostRoles(**host.get("roles", {})),
                allowed_hosts=host["allowed_hosts"],
                config=host["config"],
                probe_input=host["probe_input"],
                concurrency=host["concurrency"],
                modes=tuple(
                    ir.HostMode(m["name"], m["description"], tuple(m["requires"]))
                    for m in host.get("modes", [])
                ),
            ),
            dialects=tuple(
                ir.Dialect(d["name"], d["description"]) for d in self.data.get("dialects", [])
            ),
            error_conventions=tuple(self.conventions.values()),
            host_functions=self._host_functions(),
            classifiers=tuple(
                self._classifier(name, raw, join_pointer("/classifiers", name))
                for name, raw in self.data.get("classifiers", {}).items()
            ),
            protocols=tuple(
                ir.Protocol(
                    name,
                    raw["description"],
                    tuple(
                        ir.ProtocolStep(
                            step["description"],
                            ir.StepCalls(step.get("calls", "once")),
                            step.get("export"),
                            step.get("host_function"),
                        )
                        for step in raw["steps"]
                    ),
                )
                for name, raw in self.data.get("protocols", {}).items()
            ),
        )
        self._check_load_sequence(spec)
        self._check_protocols(spec)
        self._check_cycles(spec)
        return spec

    # -- dialects, error conventions, host functions

    def _check_dialects(self) -> None:
        seen: dict[str, int] = {}
        for index, name in enumerate(self.dialects):
            if name in seen:
                self.c.error(
                    join_pointer("/dialects", index, "name"),
                    f"duplicate dialect '{name}'",
                    f"first declared at /dialects/{seen[name]}",
                )
            seen.setdefault(name, index)

    def _dialect(self, name: str, pointer: str, *, key: bool = False) -> str | None:
        """`name` if it is a declared dialect; otherwise an error at `pointer`."""
        if name in self.dialects:
            return name
        known = ", ".join(self.dialects) if self.dialects else "none: the spec declares no dialects"
        self.c.error(
            pointer, f"'{name}' is not a dialect of this spec", f"Options are: {known}", key=key
        )
        return None

    def _convention(self, name: str, raw: dict[str, Any], pointer: str) -> ir.ErrorConvention:
        encoding = ir.Encoding(raw["encoding"])
        type_ref = None
        if "type" in raw:
            if encoding is not ir.Encoding.JSON:
                self.c.error(
                    join_pointer(pointer, "type"),
                    f"a `type` needs the json encoding, not {encoding.value}",
                    "utf8 messages are free text",
                )
            type_ref = self._type(raw["type"], join_pointer(pointer, "type"), ())
        return ir.ErrorConvention(
            code=raw["code"],
            encoding=encoding,
            description=raw["description"],
            examples=tuple(raw.get("examples", ())),
            name=name,
            cause=ir.ErrorCause(raw["cause"]),
            type=type_ref,
        )

    def _errors(self, names: list[str], pointer: str) -> tuple[ir.ErrorConvention, ...]:
        found: list[ir.ErrorConvention] = []
        for index, name in enumerate(names):
            convention = self.conventions.get(name)
            if convention is None:
                known = ", ".join(sorted(self.conventions)) or "none: declare error_conventions"
                self.c.error(
                    join_pointer(pointer, index),
                    f"unknown error convention '{name}'",
                    f"Options are: {known}",
                )
                continue
            found.append(convention)
        codes = [c.code for c in found]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            same = [c.name for c in found if c.code == code]
            if len({c.encoding for c in found if c.code == code}) > 1:
                self.c.error(
                    pointer,
                    f"conventions {', '.join(same)} share return code {code} with different"
                    " encodings",
                    "a host tells them apart by the code; give each its own code",
                )
        return tuple(found)

    def _host_functions(self) -> tuple[ir.HostFunction, ...]:
        functions: list[ir.HostFunction] = []
        seen: set[tuple[str, str]] = {
            (i["module"], i["name"]) for i in self.data.get("imports", [])
        }
        for index, raw in enumerate(self.data.get("host_functions", [])):
            at = join_pointer("/host_functions", index)
            key = (raw["module"], raw["name"])
            if key in seen:
                self.c.error(
                    join_pointer(at, "name"),
                    f"host function '{raw['module']}::{raw['name']}' is declared twice",
                    "each host function appears once, in imports or in host_functions",
                )
            seen.add(key)
            functions.append(
                ir.HostFunction(
                    module=raw["module"],
                    name=raw["name"],
                    params=tuple(raw["params"]),
                    results=tuple(raw["results"]),
                    description=raw["description"],
                    input=self._host_payload(raw["input"], join_pointer(at, "input")),
                    output=self._host_payload(raw["output"], join_pointer(at, "output")),
                    on_failure=raw["on_failure"],
                    imported=raw["imported"],
                )
            )
            wasm_side = (raw["params"], raw["results"])
            wants = (
                ["i64"] if raw["input"]["encoding"] != "empty" else [],
                ["i64"] if raw["output"]["encoding"] != "empty" else [],
            )
            if wasm_side != wants:
                self.c.error(
                    join_pointer(at, "params"),
                    f"host function '{raw['name']}' passes {raw['input']['encoding']} in and"
                    f" {raw['output']['encoding']} out, so its wasm signature is"
                    f" ({', '.join(wants[0])}) -> ({', '.join(wants[1])})",
                    "every non-empty payload is one i64 memory offset",
                )
        return tuple(functions)

    def _host_payload(self, raw: dict[str, Any], pointer: str) -> ir.Payload:
        encoding = ir.Encoding(raw["encoding"])
        type_ref = None
        if "type" in raw:
            if encoding is not ir.Encoding.JSON:
                self.c.error(
                    join_pointer(pointer, "type"),
                    f"a `type` needs the json encoding, not {encoding.value}",
                )
            type_ref = self._type(raw["type"], join_pointer(pointer, "type"), ())
        return ir.Payload(encoding=encoding, description=raw["description"], type=type_ref)

    def _classifier(self, name: str, raw: dict[str, Any], pointer: str) -> ir.Classifier:
        rules: list[ir.ClassifierRule] = []
        covered: dict[int, int] = {}
        for index, rule in enumerate(raw["rules"]):
            at = join_pointer(pointer, "rules", index)
            statuses: list[tuple[int, int]] = []
            for position, item in enumerate(rule.get("status", [])):
                low, high = (item, item) if isinstance(item, int) else map(int, item.split("-"))
                if low > high:
                    self.c.error(
                        join_pointer(at, "status", position),
                        f"status range {item} is empty",
                        "write the lower status first",
                    )
                for status in range(low, high + 1):
                    if status in covered:
                        self.c.error(
                            join_pointer(at, "status", position),
                            f"status {status} is already classified by rule {covered[status]}",
                            "the first matching rule wins; give each status one rule",
                        )
                        break
                    covered[status] = index
                statuses.append((low, high))
            if "status" not in rule and index != len(raw["rules"]) - 1:
                self.c.error(
                    at,
                    "a rule without statuses (every other status) must be the last",
                    "later rules could never match",
                )
            rules.append(ir.ClassifierRule(tuple(statuses), rule["result"]))
        if "status" in raw["rules"][-1]:
            self.c.error(
                join_pointer(pointer, "rules"),
                f"classifier '{name}' leaves statuses unclassified",
                "end with a rule without `status`: every other status",
            )
        return ir.Classifier(
            name=name,
            description=raw["description"],
            type=self._type(raw["type"], join_pointer(pointer, "type"), ()),
            fills=tuple(raw["fills"].items()),
            rules=tuple(rules),
        )

    def _check_target_names(self, types: tuple[ir.TypeDef, ...]) -> None:
        for target in RESERVED_TYPE_NAMES:
            taken: dict[str, str] = {}
            for type_def in types:
                name = type_def.name_in(target)
                if name in taken:
                    self.c.error(
                        join_pointer("/types", type_def.name, "target_names", target),
                        f"types '{taken[name]}' and '{type_def.name}' would both be named"
                        f" '{name}' in the {target.capitalize()} target",
                        "choose another target name",
                    )
                taken.setdefault(name, type_def.name)

    def _check_protocols(self, spec: ir.Spec) -> None:
        functions = {f.name for f in spec.host_functions} | {i.name for i in spec.imports}
        for name, protocol in zip(self.data.get("protocols", {}), spec.protocols, strict=True):
            for index, step in enumerate(protocol.steps):
                at = join_pointer("/protocols", name, "steps", index)
                if step.export is not None and step.export not in self.known_exports:
                    self.c.error(
                        join_pointer(at, "export"),
                        f"protocol step names unknown export '{step.export}'",
                        f"Options are: {', '.join(sorted(self.known_exports))}",
                    )
                if step.host_function is not None and step.host_function not in functions:
                    self.c.error(
                        join_pointer(at, "host_function"),
                        f"protocol step names unknown host function '{step.host_function}'",
                        f"Options are: {', '.join(sorted(functions)) or 'none'}",
                    )
        for index, mode in enumerate(spec.host.modes):
            for position, export in enumerate(mode.requires):
                if export not in self.known_exports:
                    self.c.error(
                        join_pointer("/host/modes", index, "requires", position),
                        f"mode {mode.name} requires unknown export '{export}'",
                        f"Options are: {', '.join(sorted(self.known_exports))}",
                    )

    # -- names

    def _check_identifier(self, name: str, pointer: str, what: str, *, key: bool = False) -> None:
        language = keyword_language(name)
        if language is not None:
            self.c.error(
                pointer,
                f"{what} '{name}' is a {language} keyword",
                f"name it e.g. '{what.split()[0]}_{name}' with `rename: {name}` for the wire name",
                key=key,
            )

    def _check_type_name(self, name: str, pointer: str, renamed: dict[str, str]) -> None:
        clashes = [
            f"{target.capitalize()} target: {reserved[name]}"
            for target, reserved in RESERVED_TYPE_NAMES.items()
            if name in reserved and target not in renamed
        ]
        language = keyword_language(name)
        if language is not None:
            clashes.insert(0, f"a {language} keyword")
        if clashes:
            self.c.error(
                pointer,
                f"type name '{name}' is already taken in the generated code ({'; '.join(clashes)})",
                "choose another name, or give the target its own with `target_names`",
                key=True,
            )
        for target, other in renamed.items():
            at = join_pointer(pointer, "target_names", target)
            reserved = RESERVED_TYPE_NAMES.get(target, {})
            if other in reserved or keyword_language(other) is not None:
                why = reserved.get(other) or f"a {keyword_language(other)} keyword"
                self.c.error(
                    at,
                    f"target name '{other}' is already taken in the {target.capitalize()}"
                    f" target ({why})",
                    "choose another name",
                )
            elif other in self.declared and other != name:
                self.c.error(at, f"target name '{other}' is the name of another declared type")

    def _check_since(self, raw: dict[str, Any], pointer: str) -> int:
        since: int | str = raw.get("since", 1)
        if isinstance(since, str):
            self._dialect(since, join_pointer(pointer, "since"))
            return int(self.data["abi_version"])
        if since > self.data["abi_version"]:
            self.c.error(
                join_pointer(pointer, "since"),
                f"since: {since} is later than this spec's abi_version {self.data['abi_version']}",
                "an item is introduced by this ABI version or an earlier one",
            )
        return since

    def _type(self, text: str, pointer: str, params: tuple[str, ...]) -> ir.TypeRef:
        try:
            return resolve_type(text, declared=self.declared, params=params)
        except TypeExprError as exc:
            self.c.error(pointer, str(exc), exc.hint)
            return ir.Primitive("json")

    # -- types

    def _typedef(self, name: str, raw: dict[str, Any], pointer: str) -> ir.TypeDef:
        target_names = dict(raw.get("target_names", {}))
        self._check_type_name(name, pointer, target_names)
        params = tuple(raw.get("type_params", ()))
        for index, param in enumerate(params):
            if param in self.declared or param in self.spec_params:
                self.c.error(
                    join_pointer(pointer, "type_params", index),
                    f"type parameter '{param}' shadows a declared type or spec parameter",
                )
        examples = tuple(raw.get("examples", ()))
        since = self._check_since(raw, pointer)
        if raw["kind"] == "struct":
            fields = self._fields(raw["fields"], join_pointer(pointer, "fields"), params)
            self._check_params_used(params, [f.type for f in fields], pointer)
            return ir.Struct(
                name=name,
                description=raw["description"],
                fields=fields,
                type_params=params,
                deny_unknown_fields=raw.get("deny_unknown_fields", False),
                examples=examples,
                since=since,
                target_names=tuple(sorted(target_names.items())),
            )
        enum = self._enum(name, raw, pointer, params, examples, since)
        return replace(enum, target_names=tuple(sorted(target_names.items())))

    def _check_params_used(
        self, params: tuple[str, ...], refs: list[ir.TypeRef], pointer: str
    ) -> None:
        used = {p for ref in refs for p in _params_in(ref)}
        for index, param in enumerate(params):
            if param not in used:
                self.c.error(
                    join_pointer(pointer, "type_params", index),
                    f"type parameter '{param}' is never used",
                    "Rust rejects unused type parameters; remove it",
                )

    def _fields(
        self, raw_fields: list[dict[str, Any]], pointer: str, params: tuple[str, ...]
    ) -> tuple[ir.Field, ...]:
        fields: list[ir.Field] = []
        names: dict[str, int] = {}
        wire_names: dict[str, int] = {}
        for index, raw in enumerate(raw_fields):
            at = join_pointer(pointer, index)
            name = raw["name"]
            self._check_identifier(name, join_pointer(at, "name"), "field")
            if python_ident(name) in PYTHON_RESERVED_FIELD_NAMES:
                self.c.error(
                    join_pointer(at, "name"),
                    f"field '{name}' would shadow {PYTHON_RESERVED_FIELD_NAMES[python_ident(name)]}"
                    " in the Python target's models",
                    f"name it e.g. '{name}_value' with `rename: {name}` for the wire name",
                )
            if name in names:
                self.c.error(
                    join_pointer(at, "name"),
                    f"duplicate field '{name}'",
                    f"first declared at {join_pointer(pointer, names[name])}",
                )
            names.setdefault(name, index)
            wire = raw.get("rename", name)
            for accepted in (wire, *raw.get("aliases", ())):
                if accepted in wire_names and wire_names[accepted] != index:
                    self.c.error(
                        at,
                        f"wire name '{accepted}' is accepted by two fields",
                        f"also used by {join_pointer(pointer, wire_names[accepted])}",
                    )
                wire_names.setdefault(accepted, index)
            nullable = raw.get("nullable", False)
            has_default = "default" in raw
            required = raw.get("required", not (nullable or has_default))
            if required and has_default:
                self.c.error(
                    at, f"field '{name}' is required but has a default", "drop one of them"
                )
            if raw.get("skip_if_null") and not nullable:
                self.c.error(
                    join_pointer(at, "skip_if_null"),
                    f"field '{name}' has skip_if_null but is not nullable",
                    "set `nullable: true`, or drop skip_if_null",
                )
            fields.append(
                ir.Field(
                    name=name,
                    wire_name=wire,
                    type=self._type(raw["type"], join_pointer(at, "type"), params),
                    description=raw["description"],
                    required=required,
                    nullable=nullable,
                    skip_if_null=raw.get("skip_if_null", False),
                    aliases=tuple(raw.get("aliases", ())),
                    has_default=has_default,
                    default=raw.get("default"),
                    examples=tuple(raw.get("examples", ())),
                    since_dialect=(
                        self._dialect(raw["since"], join_pointer(at, "since"))
                        if "since" in raw
                        else None
                    ),
                )
            )
            if "since" in raw and required:
                self.c.error(
                    join_pointer(at, "since"),
                    f"field '{name}' is new in dialect {raw['since']} but required",
                    "an older dialect's messages lack it; make it nullable or give it a default",
                )
        return tuple(fields)

    def _enum(
        self,
        name: str,
        raw: dict[str, Any],
        pointer: str,
        params: tuple[str, ...],
        examples: tuple[Any, ...],
        since: int,
    ) -> ir.EnumType:
        tagging = ir.Tagging(raw.get("tagging", "external"))
        tag, content = raw.get("tag"), raw.get("content")
        if tagging in (ir.Tagging.INTERNAL, ir.Tagging.ADJACENT) and tag is None:
            self.c.error(pointer, f"{tagging.value}ly tagged enum '{name}' needs `tag`")
        if tagging is ir.Tagging.ADJACENT and content is None:
            self.c.error(pointer, f"adjacently tagged enum '{name}' needs `content`")
        variants: list[ir.Variant] = []
        seen: dict[str, int] = {}
        seen_wire: dict[str, int] = {}
        refs: list[ir.TypeRef] = []
        for index, raw_variant in enumerate(raw["variants"]):
            at = join_pointer(pointer, "variants", index)
            vname = raw_variant["name"]
            wire = raw_variant.get("rename", vname)
            if vname in seen:
                self.c.error(join_pointer(at, "name"), f"duplicate variant '{vname}'")
            elif wire in seen_wire:
                self.c.error(at, f"two variants have the wire name '{wire}'")
            seen.setdefault(vname, index)
            seen_wire.setdefault(wire, index)
            payload: ir.VariantPayload
            if "value" in raw_variant:
                payload = ir.NewtypePayload(
                    self._type(raw_variant["value"], join_pointer(at, "value"), params)
                )
                refs.append(payload.type)
            elif "tuple" in raw_variant:
                items = tuple(
                    self._type(t, join_pointer(at, "tuple", i), params)
                    for i, t in enumerate(raw_variant["tuple"])
                )
                payload = ir.TuplePayload(items)
                refs.extend(items)
            elif "fields" in raw_variant:
                fields = self._fields(raw_variant["fields"], join_pointer(at, "fields"), params)
                payload = ir.StructPayload(fields)
                refs.extend(f.type for f in fields)
            else:
                payload = ir.UnitPayload()
            if tagging is ir.Tagging.INTERNAL and isinstance(payload, ir.TuplePayload):
                self.c.error(
                    at,
                    f"internally tagged enum '{name}' cannot have tuple variant '{vname}'",
                    "serde cannot write a tag into an array; use `fields:` or another tagging",
                )
            if tagging is ir.Tagging.INTERNAL and isinstance(payload, ir.NewtypePayload):
                self.c.error(
                    at,
                    f"internally tagged enum '{name}' cannot have newtype variant '{vname}' here",
                    "serde needs the value to be a struct; declare its fields with `fields:`",
                )
            fallback = raw_variant.get("other", False)
            if fallback and not isinstance(payload, ir.UnitPayload):
                self.c.error(
                    join_pointer(at, "other"),
                    f"variant '{vname}' is the fallback (`other`) but carries data",
                    "serde's `other` applies to a unit variant only",
                )
            if fallback and tagging is ir.Tagging.UNTAGGED:
                self.c.error(
                    join_pointer(at, "other"),
                    f"untagged enum '{name}' cannot have a fallback variant",
                    "an untagged enum has no tag to be unknown",
                )
            min_items = raw_variant.get("min_items", 0)
            if min_items and not (
                isinstance(payload, ir.NewtypePayload) and isinstance(payload.type, ir.ListOf)
            ):
                self.c.error(
                    join_pointer(at, "min_items"),
                    f"min_items on variant '{vname}', which does not hold a list",
                    "min_items applies to a newtype variant whose value is list<T>",
                )
            variants.append(
                ir.Variant(vname, wire, raw_variant["description"], payload, fallback, min_items)
            )
        fallbacks = [i for i, v in enumerate(variants) if v.fallback]
        if len(fallbacks) > 1:
            names = ", ".join(variants[i].name for i in fallbacks)
            for index in fallbacks:
                self.c.error(
                    join_pointer(pointer, "variants", index, "other"),
                    f"enum '{name}' has {len(fallbacks)} fallback variants ({names})",
                    "serde allows one `other` variant; keep one",
                )
        default = raw.get("default")
        if default is not None:
            match = next((v for v in variants if v.name == default), None)
            if match is None:
                self.c.error(
                    join_pointer(pointer, "default"),
                    f"default variant '{default}' is not a variant of '{name}'",
                    f"Options are: {', '.join(v.name for v in variants)}",
                )
            elif not isinstance(match.payload, ir.UnitPayload):
                self.c.error(
                    join_pointer(pointer, "default"),
                    f"default variant '{default}' carries data",
                    "only a unit variant can be the default",
                )
        self._check_params_used(params, refs, pointer)
        return ir.EnumType(
            name=name,
            description=raw["description"],
            variants=tuple(variants),
            tagging=tagging,
            tag=tag,
            content=content,
            default_variant=default,
            type_params=params,
            examples=examples,
            since=since,
        )

    # -- exports

    def _export(self, name: str, raw: dict[str, Any], pointer: str) -> ir.Export:
        self._check_identifier(name, pointer, "export", key=True)
        method = python_ident(snake_case(name))
        if method in PYTHON_RESERVED_METHODS:
            self.c.error(
                pointer,
                f"export '{name}' clashes with the Python plugin class's own method '{method}'",
                "choose another export name",
                key=True,
            )
        since = self._check_since(raw, pointer)
        since_dialect = raw.get("since") if isinstance(raw.get("since"), str) else None
        if since_dialect is not None and since_dialect not in self.dialects:
            since_dialect = None  # reported by _check_since
        if (
            since_dialect is not None
            and self.dialects.index(since_dialect) > 0
            and not raw["optional"]
        ):
            self.c.error(
                join_pointer(pointer, "optional"),
                f"export '{name}' is new in dialect {since_dialect} but not optional",
                "plugins of older dialects lack it, so a host must work without it",
            )
        dialects: list[ir.ExportDialect] = []
        for dialect, override in raw.get("dialects", {}).items():
            at = join_pointer(pointer, "dialects", dialect)
            if self._dialect(dialect, at, key=True) is None:
                continue
            if dialect == self.dialects[-1]:
                self.c.error(
                    at,
                    f"dialect {dialect} is the one this file describes",
                    "write the newest dialect's shape in the export itself",
                    key=True,
                )
            if since_dialect is not None and self.dialects.index(dialect) < self.dialects.index(
                since_dialect
            ):
                self.c.error(
                    at,
                    f"export '{name}' does not exist in dialect {dialect} (since {since_dialect})",
                    key=True,
                )
            dialects.append(
                ir.ExportDialect(
                    dialect=dialect,
                    input=(
                        self._payload(override["input"], join_pointer(at, "input"), is_input=True)
                        if "input" in override
                        else None
                    ),
                    output=(
                        self._payload(
                            override["output"], join_pointer(at, "output"), is_input=False
                        )
                        if "output" in override
                        else None
                    ),
                    errors=(
                        self._errors(override["errors"], join_pointer(at, "errors"))
                        if "errors" in override
                        else None
                    ),
                    host_use=override.get("host_use"),
                )
            )
        return ir.Export(
            name=name,
            description=raw["description"],
            input=self._payload(raw["input"], join_pointer(pointer, "input"), is_input=True),
            output=self._payload(raw["output"], join_pointer(pointer, "output"), is_input=False),
            optional=raw["optional"],
            since=since,
            host_use=raw["host_use"],
            does_http=raw.get("does_http", False),
            examples=tuple(
                ir.ExportExample(e["description"], e["input"], e["output"])
                for e in raw.get("examples", ())
            ),
            errors=self._errors(raw.get("errors", []), join_pointer(pointer, "errors")),
            since_dialect=since_dialect,
            dialects=tuple(dialects),
        )

    def _payload(self, raw: dict[str, Any], pointer: str, *, is_input: bool) -> ir.Payload:
        encoding = ir.Encoding(raw["encoding"])
        type_ref = None
        if "type" in raw:
            if encoding is not ir.Encoding.JSON:
                self.c.error(
                    join_pointer(pointer, "type"),
                    f"a `type` needs the json encoding, not {encoding.value}",
                    "utf8 payloads are strings; ignored payloads carry nothing",
                )
            type_ref = self._type(raw["type"], join_pointer(pointer, "type"), self.spec_params)
        if encoding is ir.Encoding.EMPTY and is_input:
            self.c.error(
                join_pointer(pointer, "encoding"),
                "the empty encoding applies to outputs only",
                "an input the plugin does not read is `ignored`",
            )
        if raw.get("nullable") and encoding is not ir.Encoding.JSON:
            self.c.error(
                join_pointer(pointer, "nullable"),
                f"nullable applies to json payloads only, not {encoding.value}",
            )
        if raw.get("empty_is_none") and (
            is_input or encoding in (ir.Encoding.IGNORED, ir.Encoding.EMPTY)
        ):
            self.c.error(
                join_pointer(pointer, "empty_is_none"),
                "empty_is_none applies to utf8 or json outputs only",
            )
        if raw.get("is_config") and not (is_input and encoding is ir.Encoding.JSON):
            self.c.error(
                join_pointer(pointer, "is_config"),
                "is_config applies to json inputs only",
                "it says the host sends its configuration as this export's input",
            )
        return ir.Payload(
            encoding=encoding,
            description=raw["description"],
            type=type_ref,
            empty_is_none=raw.get("empty_is_none", False),
            content_type=raw.get("content_type"),
            is_config=raw.get("is_config", False),
            nullable=raw.get("nullable", False),
        )

    # -- whole-spec checks

    def _check_load_sequence(self, spec: ir.Spec) -> None:
        exports = self.known_exports
        roles = self.data["host"].get("roles", {})
        for role, export in roles.items():
            if export not in exports:
                self.c.error(
                    join_pointer("/host/roles", role),
                    f"role {role} names unknown export '{export}'",
                    f"Options are: {', '.join(sorted(exports))}",
                )
        for index, step in enumerate(spec.host.load_sequence):
            if step.export is not None and step.export not in exports:
                self.c.error(
                    join_pointer("/host/load_sequence", index, "export"),
                    f"load step names unknown export '{step.export}'",
                    f"Options are: {', '.join(sorted(exports))}",
                )

    def _check_cycles(self, spec: ir.Spec) -> None:
        """A type that contains itself without a list or map in between has infinite size.

        One error per strongly connected component of the "holds directly" graph, found in
        time linear in the spec's size (an iterative Tarjan: no recursion, no path walks).
        """
        edges = {t.name: sorted(_direct_refs(t)) for t in spec.types}
        for component in _strongly_connected([t.name for t in spec.types], edges):
            start = component[0]
            if len(component) == 1 and start not in edges[start]:
                continue
            cycle = _cycle_through(start, set(component), edges)
            self.c.error(
                join_pointer("/types", start),
                "recursive type without indirection: " + " -> ".join(cycle),
                "Rust needs a list or map on the way round; make one field a list",
                key=True,
            )


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's components, each listed in `nodes` order, with an explicit stack."""
    order = {name: position for position, name in enumerate(nodes)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in edges:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while not component or component[-1] != node:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                    components.append(sorted(component, key=order.__getitem__))
    return sorted(components, key=lambda c: order[c[0]])


def _cycle_through(start: str, members: set[str], edges: dict[str, list[str]]) -> list[str]:
    """The shortest way from `start` back to itself inside one component (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in edges[node]:
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if child in members and child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is in a component without a cycle")


def _params_in(ref: ir.TypeRef) -> set[str]:
    match ref:
        case ir.TypeParam(name):
            return {name}
        case ir.ListOf(item):
            return _params_in(item)
        case ir.MapOf(value):
            return _params_in(value)
        case ir.Named(_, args):
            return {p for a in args for p in _params_in(a)}
        case ir.Primitive():
            return set()


def _direct_refs(type_def: ir.TypeDef) -> set[str]:
    """Declared types held without a list or map in between (type arguments included)."""
    names: set[str] = set()
    for ref in ir.type_refs(type_def):
        if isinstance(ref, ir.Named):
            names.add(ref.name)
            names.update(a.name for a in ref.args if isinstance(a, ir.Named))
    return names


# --------------------------------------------------------------------------- examples


def _check_values(spec: ir.Spec, collector: Collector) -> None:
    """Every example and default in the spec must validate against the schema generated from it.

    Runs in the same pass as the other checks; on a spec that already has errors the schema
    may not be buildable, and then only those errors are reported.
    """
    from generator.ir import schema as schema_target
    from generator.ir.schema import Side

    try:
        document = schema_target.bundle(spec)
    except Exception:
        if collector.diagnostics:
            return
        raise

    def report(validator: Callable[[], Any], value: Any, pointer: str, what: str) -> bool:
        """Whether `value` is valid; each problem is reported."""
        valid = True
        try:
            for error in validator().iter_errors(value):
                collector.error(pointer, f"{what}: {_short(error)}")
                valid = False
        except (KeyError, referencing.exceptions.Unresolvable):
            if not collector.diagnostics:  # only a type set aside as malformed can be missing
                raise
        return valid

    def check(schema: dict[str, Any], value: Any, pointer: str, what: str) -> bool:
        return report(
            lambda: jsonschema.Draft202012Validator({**document, **schema}), value, pointer, what
        )

    for type_def in spec.types:
        pointer = join_pointer("/types", type_def.name)
        for index, example in enumerate(type_def.examples):
            check(
                {"$ref": f"#/$defs/{type_def.name}"},
                example,
                join_pointer(pointer, "examples", index),
                f"example does not match type '{type_def.name}'",
            )
        for fields_pointer, fields in _field_lists(type_def, pointer):
            for index, field in enumerate(fields):
                _check_field_values(field, join_pointer(fields_pointer, index), check, collector)
    for export in spec.exports:
        for index, export_example in enumerate(export.examples):
            sides: tuple[tuple[Side, ir.JsonValue], ...] = (
                ("input", export_example.input),
                ("output", export_example.output),
            )
            for side, value in sides:
                if export.input.encoding is ir.Encoding.IGNORED and side == "input":
                    continue
                report(
                    partial(schema_target.validator_for_payload, spec, export, side),
                    value,
                    join_pointer("/exports", export.name, "examples", index, side),
                    f"example {side} of '{export.name}' does not match its schema",
                )
    for classifier in spec.classifiers:
        for index, rule in enumerate(classifier.rules):
            value = (
                {**dict(classifier.fills), **rule.result}
                if isinstance(rule.result, dict)
                else rule.result
            )
            check(
                schema_target.type_schema(classifier.type),
                value,
                join_pointer("/classifiers", classifier.name, "rules", index, "result"),
                "result (with the filled fields) does not match type"
                f" '{ir.format_type(classifier.type)}'",
            )
    for convention in spec.error_conventions:
        if convention.type is None:
            continue
        for index, text in enumerate(convention.examples):
            pointer = join_pointer("/error_conventions", convention.name, "examples", index)
            try:
                message = json.loads(text)
            except ValueError as exc:
                collector.error(pointer, f"example is not JSON: {exc}", "a json message is JSON")
                continue
            check(
                schema_target.type_schema(convention.type),
                message,
                pointer,
                f"example does not match type '{ir.format_type(convention.type)}'",
            )


def _field_lists(type_def: ir.TypeDef, pointer: str) -> Iterable[tuple[str, tuple[ir.Field, ...]]]:
    if isinstance(type_def, ir.Struct):
        yield join_pointer(pointer, "fields"), type_def.fields
        return
    for index, variant in enumerate(type_def.variants):
        if isinstance(variant.payload, ir.StructPayload):
            yield join_pointer(pointer, "variants", index, "fields"), variant.payload.fields


def _check_field_values(field: ir.Field, pointer: str, check: Any, collector: Collector) -> None:
    from generator.ir.schema import field_schema

    if not (field.has_default or field.examples):
        return
    schema = field_schema(field, with_extensions=False)
    schema.pop("default", None)
    shown = ir.format_type(field.type) + (" or null" if field.nullable else "")
    if field.has_default:
        valid = check(
            schema,
            field.default,
            join_pointer(pointer, "default"),
            f"default of field '{field.name}' does not match its type {shown}",
        )
        if (
            valid
            and field.default is not None
            and not rust_writes_default(field.default, field.type)
        ):
            collector.error(
                join_pointer(pointer, "default"),
                f"the Rust target cannot write the default {json.dumps(field.default)} "
                f"for type {ir.format_type(field.type)}",
                "defaults may be a string, boolean or number, [] for a list or {} for a map",
            )
    for index, example in enumerate(field.examples):
        check(
            schema,
            example,
            join_pointer(pointer, "examples", index),
            f"example of field '{field.name}' does not match its type {shown}",
        )


def _short(error: jsonschema.ValidationError) -> str:
    # Descend into the branch that got furthest: the deepest error, a type mismatch last.
    while error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    where = join_pointer("", *error.absolute_path) or "/"
    return f"{error.message} (at {where})"
