"""The Python target: typed host bindings that load and drive a plugin of the spec's ABI.

The generated package (`generated/python/<slug>/`, e.g. `querymt_extism_v1`) holds:
- `models.py`: pydantic v2 models of every declared type. Structs and all-unit enums come from
  datamodel-code-generator (pinned) run in-process on the jsonschema target's bundle, steered
  with the IR (renamed fields and input aliases, integer widths, bytes); externally tagged enums
  with data are hand-shaped here (a callable-discriminated union, several times faster than the
  generator's `RootModel` union) and appended to the same module.
- `plugin.py`: the spec's facts as data (`ABI`: each export's call shape, the host's roles) and
  the plugin class, one typed method per export delegating to the runtime.
- `errors.py`: the runtime's exception hierarchy under the package's name.
- per-ABI glue: with `templates/python/<slug>/glue.yaml`, the hand-written modules it lists
  (plain Python, copied verbatim), which the package's `__init__` imports and whose `__all__`
  it re-exports (QueryMT v2's `builders.py`). A spec without that folder gets none.

Everything that does not depend on the spec is the `querymt_extism_runtime` package: ordinary
source under `templates/python/runtime/` (linted, type-checked and tested there), copied once
into the distribution by `render_shared`. All type mapping lives here; the templates under
`templates/python/` only lay text out.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

import yaml

from generator import formatting, ir
from generator.ir import calls, wire
from generator.ir.rename import for_target
from generator.naming import pascal_case, python_ident, snake_case
from generator.resources import TEMPLATES_DIR
from generator.target_limits import KEYWORDS, PYTHON_RESERVED_METHODS, RESERVED_TYPE_NAMES
from generator.targets.base import Role, Target, UnsupportedByTarget
from generator.templating import render as render_template

_WIDTHS = ("u8", "u16", "u32", "u64", "i32", "i64")
_LOCAL_MODULE = "qmt_abigen_local_"
"""A fake module the generator points hand-shaped types at; its import line is removed."""

RESERVED_METHODS = PYTHON_RESERVED_METHODS


def package_name(spec: ir.Spec) -> str:
    return snake_case(spec.slug)


def plugin_class_name(spec: ir.Spec) -> str:
    return f"{pascal_case(spec.name)}Plugin"


def render(spec: ir.Spec) -> dict[str, str]:
    spec = for_target(spec, "python")
    pkg = package_name(spec)
    base = f"python/{pkg}"
    glue = load_glue(spec)
    ctx = {
        **context(spec),
        "glue_modules": [(m.module, m.names) for m in glue],
        "glue_names": [name for m in glue for name in (m.module, *m.names)],
    }
    files = {
        **{f"{base}/{m.module}.py": m.source for m in glue},
        f"{base}/__init__.py": render_template("python/__init__.py.j2", **ctx),
        f"{base}/errors.py": render_template("python/errors.py.j2", **ctx),
        f"{base}/plugin.py": render_template("python/plugin.py.j2", **ctx),
        f"{base}/models.py": models_source(spec),
        f"{base}/py.typed": "",
    }
    return dict(sorted(files.items()))


@dataclass(frozen=True)
class GlueModule:
    """A hand-written module of one ABI's package (`templates/python/<slug>/glue.yaml`)."""

    module: str  # its name in the package
    source: str
    names: tuple[str, ...]  # its `__all__`, re-exported by the package
    summary: str  # the first line of its docstring


def load_glue(spec: ir.Spec) -> list[GlueModule]:
    """The modules `templates/python/<slug>/glue.yaml` lists (none without that file)."""
    folder = TEMPLATES_DIR / "python" / spec.slug
    path = folder / "glue.yaml"
    if not path.is_file():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    modules = []
    for target, source_name in sorted((raw.get("files") or {}).items()):
        module = target.removesuffix(".py")
        if not module.isidentifier() or module in _GENERATED_MODULES or target == module:
            raise UnsupportedByTarget(
                f"templates/python/{spec.slug}/glue.yaml: {target!r} is not a new module name"
            )
        source = (folder / source_name).read_text(encoding="utf-8")
        names = _module_all(source, f"{spec.slug}/{source_name}")
        summary = (ast.get_docstring(ast.parse(source)) or "").split("\n", 1)[0]
        modules.append(GlueModule(module, source, names, summary))
    return modules


_GENERATED_MODULES = frozenset({"__init__", "errors", "models", "plugin"})


def _module_all(source: str, where: str) -> tuple[str, ...]:
    """The names a module's literal `__all__` lists."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            try:
                names = ast.literal_eval(node.value)
            except ValueError:
                break
            if isinstance(names, list | tuple) and all(isinstance(n, str) for n in names):
                return tuple(names)
    raise UnsupportedByTarget(f"templates/python/{where} has no literal `__all__` of names")


RUNTIME_PACKAGE = "querymt_extism_runtime"
RUNTIME_SOURCE = TEMPLATES_DIR / "python" / "runtime" / RUNTIME_PACKAGE
"""The runtime package's source, copied verbatim into the distribution."""


def runtime_files() -> dict[str, str]:
    """`python/querymt_extism_runtime/<file>` -> the source file's text, for every module."""
    return {
        f"python/{RUNTIME_PACKAGE}/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted(RUNTIME_SOURCE.iterdir())
        if path.suffix == ".py" or path.name == "py.typed"
    }


DISTRIBUTION = "querymt-extism-bindings"
RUNTIME_DEPENDENCIES = (
    "extism>=1.1.1,<2",
    "extism-sys>=1.41,<2",
    "google-re2>=1.1,<2",
    "httpx>=0.28,<0.29",
    "jiter>=0.8,<1",
    "jsonschema>=4.18,<5",
    "pydantic>=2.12,<3",
    "referencing>=0.28,<1",
)
"""What the generated packages import, as ranges a user's project can live with (the generator
itself pins exact versions because its output is committed; the bindings need not)."""


def render_shared(specs: Sequence[ir.Spec]) -> dict[str, str]:
    """The one distribution (`generated/python/pyproject.toml`) holding every spec's package."""
    from generator import __version__

    ordered = sorted(specs, key=lambda s: s.slug)
    packages = [
        {
            "name": package_name(s),
            "slug": s.slug,
            "title": s.title,
            "plugin_class": plugin_class_name(s),
            "glue": [(m.module, m.names, m.summary) for m in load_glue(s)],
        }
        for s in ordered
    ]
    abi_versions = sorted({s.abi_version for s in ordered})
    ctx = {
        "distribution": DISTRIBUTION,
        "version": f"{__version__}+abi{'.'.join(str(v) for v in abi_versions)}",
        "generator_version": __version__,
        "abis": ", ".join(f"ABI v{v}" for v in abi_versions),
        "dependencies": RUNTIME_DEPENDENCIES,
        "dependency_names": ", ".join(
            f"`{re.split(r'[<>=!~ ]', d, maxsplit=1)[0]}`" for d in RUNTIME_DEPENDENCIES
        ),
        "packages": packages,
        "runtime_package": RUNTIME_PACKAGE,
    }
    return {
        "python/pyproject.toml": render_template("python/distribution/pyproject.toml.j2", **ctx),
        "python/README.md": render_template("python/distribution/README.md.j2", **ctx),
        **runtime_files(),
    }


# --------------------------------------------------------------------------- type mapping


def py_type(ref: ir.TypeRef, *, config: str = "JsonValue", strict: bool = False) -> str:
    """The Python annotation of a type reference (models are in scope by their own names).

    `strict` gives the models' scalar types, which refuse what serde refuses (`"5"` for a
    number, `1` for a bool); method signatures use the plain ones.
    """
    match ref:
        case ir.Primitive(name):
            return (_STRICT_PRIMITIVES if strict else _PRIMITIVES).get(name, _PRIMITIVES[name])
        case ir.ListOf(item):
            return f"list[{py_type(item, config=config, strict=strict)}]"
        case ir.MapOf(value):
            return f"dict[str, {py_type(value, config=config, strict=strict)}]"
        case ir.Named(name, _args):
            return name
        case ir.TypeParam(name):
            return config if name == "Config" else "JsonValue"
        case _:
            assert_never(ref)


_PRIMITIVES: dict[str, str] = {
    "string": "str",
    "bool": "bool",
    "u8": "U8",
    "u16": "U16",
    "u32": "U32",
    "u64": "U64",
    "i32": "I32",
    "i64": "I64",
    "f32": "float",
    "f64": "float",
    "bytes": "Bytes",
    "json": "JsonValue",
}


_STRICT_PRIMITIVES: dict[str, str] = {
    "string": "StrictStr",
    "bool": "StrictBool",
    "f32": "StrictFloat",
    "f64": "StrictFloat",
}


def is_hand_shaped(type_def: ir.TypeDef) -> bool:
    """Enums the target writes itself rather than through datamodel-code-generator."""
    return isinstance(type_def, ir.EnumType) and not wire.is_string_enum(type_def)


# --------------------------------------------------------------------------- models


def dcg_input(spec: ir.Spec) -> dict[str, Any]:
    """The jsonschema target's bundle, reshaped for datamodel-code-generator.

    - alias properties (and the `allOf` that keeps them exclusive) are dropped: the aliases
      come back as `AliasChoices` through the generator's `aliases` option;
    - fixed-width integers and bytes become references to the runtime's wire types (bounded
      `int`s and a byte list that also accepts `bytes`), instead of one `RootModel` per bound;
    - hand-shaped enums become references to names the target defines itself.
    """
    from generator.ir import schema as jsonschema

    bundle = copy.deepcopy(jsonschema.bundle(spec))
    defs: dict[str, Any] = bundle["$defs"]
    for type_def in spec.types:
        schema = defs[type_def.name]
        if isinstance(type_def, ir.Struct):
            props = schema.get("properties", {})
            for field in type_def.fields:
                for alias in field.aliases:
                    props.pop(alias, None)
            schema.pop("allOf", None)
            required = [f.wire_name for f in type_def.fields if f.required]
            if required:
                schema["required"] = required
            else:
                schema.pop("required", None)
        elif is_hand_shaped(type_def):
            defs[type_def.name] = {"type": "object", "description": type_def.description}
        elif type_def.fallback_variant is not None:
            # A plain enumeration for the generator; `_missing_` (models_source) reads any
            # other string as the fallback, as serde's `other` does.
            schema["enum"] = schema.pop("x-enum")
            schema.pop("examples", None)
    for width in _WIDTHS:
        defs[f"QmtWire{width.upper()}"] = {"type": "integer"}
    defs["QmtWireBytes"] = {"type": "array", "items": {"type": "integer"}}
    _rewrite_leaves(defs)
    return {"$schema": bundle["$schema"], "$defs": dict(sorted(defs.items()))}


def _rewrite_leaves(node: Any) -> Any:
    if isinstance(node, list):
        for index, item in enumerate(node):
            node[index] = _rewrite_leaves(item)
        return node
    if not isinstance(node, dict):
        return node
    rust_type = node.get("x-rust-type")
    target = None
    if rust_type in _WIDTHS:
        target = f"QmtWire{rust_type.upper()}"
    elif rust_type == "Vec<u8>":
        target = "QmtWireBytes"
    if target is not None:
        kind = node.get("type")
        ref: dict[str, Any] = {"$ref": f"#/$defs/{target}"}
        kept = {k: node[k] for k in ("description", "default") if k in node}
        if isinstance(kind, list) and "null" in kind:
            return {"anyOf": [{"$ref": f"#/$defs/{target}"}, {"type": "null"}], **kept}
        return {**ref, **kept}
    descriptions = node.get("x-enum-descriptions")
    for key in [k for k in node if isinstance(k, str) and k.startswith("x-")]:
        del node[key]
    if descriptions is not None:
        node["x-enum-descriptions"] = descriptions
    for key, value in list(node.items()):
        node[key] = _rewrite_leaves(value)
    return node


def dcg_aliases(spec: ir.Spec) -> dict[str, Any]:
    aliases: dict[str, Any] = {}
    for type_def in spec.types:
        if not isinstance(type_def, ir.Struct):
            continue
        for field in type_def.fields:
            key = f"{type_def.name}.{field.wire_name}"
            if field.aliases and field.renamed:
                raise UnsupportedByTarget(
                    f"{key}: a field both renamed and aliased is not supported by the Python target"
                )
            if field.aliases:
                aliases[key] = [field.wire_name, *field.aliases]
            elif field.renamed or python_ident(field.wire_name) != field.wire_name:
                aliases[key] = python_ident(field.name)
    return aliases


_WIRE_MODULE = f"{RUNTIME_PACKAGE}.wire"


def dcg_type_overrides(spec: ir.Spec) -> dict[str, str]:
    overrides = {f"QmtWire{w.upper()}": f"{_WIRE_MODULE}.{w.upper()}" for w in _WIDTHS}
    overrides["QmtWireBytes"] = f"{_WIRE_MODULE}.Bytes"
    for type_def in spec.types:
        if is_hand_shaped(type_def):
            overrides[type_def.name] = f"{_LOCAL_MODULE}.{type_def.name}"
    return overrides


def run_datamodel_codegen(spec: ir.Spec) -> str:
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType, StrictTypes
    from datamodel_code_generator.format import Formatter, PythonVersion

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = generate(
            json.dumps(dcg_input(spec)),
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            disable_timestamp=True,
            keep_model_order=True,
            use_annotated=True,
            use_field_description=True,
            use_standard_collections=True,
            use_union_operator=True,
            field_constraints=True,
            strict_nullable=True,
            strict_types=[StrictTypes.str, StrictTypes.bool, StrictTypes.float],
            target_python_version=PythonVersion.PY_311,
            formatters=[Formatter.BUILTIN],
            # Explicit, so the output does not depend on a pyproject.toml in the working directory.
            builtin_format_line_length=100,
            class_name="QmtWireRoot",
            base_class=f"{_WIRE_MODULE}.WireModel",
            aliases=dcg_aliases(spec),
            type_overrides=dcg_type_overrides(spec),
        )
    assert isinstance(out, str)
    return out


_ROOT_CLASS = re.compile(r"\nclass QmtWireRoot\(RootModel\[Any\]\):\n    root: Any\n")
_HEADER = re.compile(r"\A(#[^\n]*\n)+")


def models_source(spec: ir.Spec) -> str:
    spec = for_target(spec, "python")
    body = run_datamodel_codegen(spec)
    body = _HEADER.sub("", body)
    body = _ROOT_CLASS.sub("\n", body)
    body = re.sub(rf"^from {_LOCAL_MODULE} import (\([^)]*\)|[^\n]*)\n", "", body, flags=re.M)
    for type_def in spec.types:
        if isinstance(type_def, ir.EnumType) and type_def.fallback_variant is not None:
            body = _with_fallback(body, type_def, type_def.fallback_variant)
    enums = [enum_context(spec, t) for t in spec.types if is_hand_shaped(t)]
    structs = [t.name for t in spec.types if isinstance(t, ir.Struct)]
    # serde's skip_serializing_if: such fields are left out of the dump when they are None.
    skip_if_null = [
        (t.name, python_ident(f.name))
        for t in spec.types
        if isinstance(t, ir.Struct)
        for f in t.fields
        if f.skip_if_null
    ]
    # The same for the fields of struct variants, which live in their own model.
    for enum in enums:
        enum_def = spec.type(enum.name)
        assert isinstance(enum_def, ir.EnumType)
        for v in enum.variants:
            payload = enum_def.variant(v.name).payload
            if v.fields_class and isinstance(payload, ir.StructPayload):
                skip_if_null.extend(
                    (v.fields_class, python_ident(f.name)) for f in payload.fields if f.skip_if_null
                )
    imports, body = split_imports(body)
    for module, names in list(imports.items()):
        used = {n for n in names if module == "__future__" or re.search(rf"\b{n}\b", body)}
        if used:
            imports[module] = used
        else:
            del imports[module]
    if enums:
        typing_names = imports.setdefault("typing", set())
        pydantic_names = imports.setdefault("pydantic", set())
        typing_names.add("Annotated")
        pydantic_names.add("Field")
        if any(v.class_name or v.fields_class for e in enums for v in e.variants):
            typing_names.add("ClassVar")
            imports.setdefault(_WIRE_MODULE, set()).add("WireModel")
        if any(e.tagging is not ir.Tagging.UNTAGGED for e in enums):
            typing_names.add("Any")
            pydantic_names.update({"Discriminator", "Tag"})
        if any(
            e.tagging is ir.Tagging.EXTERNAL and any(v.class_name for v in e.variants)
            for e in enums
        ):
            pydantic_names.add("ConfigDict")
        if any(
            e.tagging in (ir.Tagging.INTERNAL, ir.Tagging.ADJACENT) or "Literal[" in v.annotation
            for e in enums
            for v in e.variants
        ):
            typing_names.add("Literal")
        for enum in enums:
            for variant in enum.variants:
                text = variant.annotation + repr(variant.fields)
                for wire_type in ("Bytes", "JsonValue", *(w.upper() for w in _WIDTHS)):
                    if re.search(rf"\b{wire_type}\b", text):
                        imports.setdefault(_WIRE_MODULE, set()).add(wire_type)
                for strict_type in set(_STRICT_PRIMITIVES.values()):
                    if re.search(rf"\b{strict_type}\b", text):
                        pydantic_names.add(strict_type)
    if skip_if_null:
        imports.setdefault(_WIRE_MODULE, set()).add("is_null")
    return render_template(
        "python/models.py.j2",
        spec=spec,
        imports=format_imports(imports),
        skip_if_null=skip_if_null,
        generated=body.strip("\n"),
        enums=enums,
        exported=sorted(
            [t.name for t in spec.types]
            + [v.class_name for e in enums for v in e.variants if v.class_name],
            key=_isort_key,
        ),
        structs=sorted(structs),
        rebuild_order=rebuild_order(spec, enums) if skip_if_null else [],
    )


def _with_fallback(body: str, enum: ir.EnumType, fallback: ir.Variant) -> str:
    header = f"class {enum.name}(StrEnum):\n"
    assert header in body, f"the generator wrote no StrEnum for {enum.name}"
    method = (
        "    @classmethod\n"
        f"    def _missing_(cls, value: object) -> {enum.name} | None:\n"
        f'        """serde\'s `other`: any other string reads as `{fallback.wire_name}`."""\n'
        f"        return cls({fallback.wire_name!r}) if isinstance(value, str) else None\n\n"
    )
    return body.replace(header, header + method, 1)


def rebuild_order(spec: ir.Spec, enums: Sequence[EnumCtx]) -> list[str]:
    """Every model class, each after the ones it holds: pydantic copies a held model's schema
    when it builds, so a field excluded late (`exclude_if`) must be rebuilt inside out."""
    classes = {e.name: e for e in enums}
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for held in spec.reachable_types(ir.type_refs(spec.type(name))):
            if held != name:
                visit(held)
        if name in classes:
            for v in classes[name].variants:
                for cls in dict.fromkeys(c for c in (v.fields_class, v.class_name) if c):
                    order.append(cls)
        elif isinstance(spec.type(name), ir.Struct):
            order.append(name)

    for type_def in spec.types:
        visit(type_def.name)
    return order


_IMPORT = re.compile(r"^from (\S+) import (?:\(([^)]*)\)|([^\n]*))\n", re.M)


def split_imports(source: str) -> tuple[dict[str, set[str]], str]:
    """The `from X import a, b` statements of `source` (as a module -> names map), and the rest."""
    imports: dict[str, set[str]] = {}

    def take(match: re.Match[str]) -> str:
        names = (match.group(2) or match.group(3)).replace("\n", " ").split(",")
        imports.setdefault(match.group(1), set()).update(n.strip() for n in names if n.strip())
        return ""

    rest = _IMPORT.sub(take, source)
    return imports, rest


def format_imports(imports: dict[str, set[str]]) -> str:
    """isort's layout: `__future__`, then the standard library, third party, then local."""
    groups: list[list[str]] = [[], [], [], []]
    for module in sorted(imports):
        names = ", ".join(sorted(imports[module], key=_isort_key))
        line = f"from {module} import {names}"
        if module == "__future__":
            groups[0].append(line)
        elif module.startswith("."):
            groups[3].append(line)
        elif module.split(".")[0] in _STDLIB:
            groups[1].append(line)
        else:
            groups[2].append(line)
    return "\n\n".join("\n".join(g) for g in groups if g)


def _isort_key(name: str) -> tuple[int, tuple[tuple[str, int], ...]]:
    """isort's `order-by-type` with natural order: CONSTANTS, Classes, the rest; U8 before U32."""
    natural = tuple((text, int(number or -1)) for text, number in re.findall(r"(\D*)(\d*)", name))
    if name.isupper() and len(name) > 1:
        return (0, natural)
    return (1, natural) if name[:1].isupper() else (2, natural)


_STDLIB = frozenset({"collections", "dataclasses", "enum", "typing", "re", "json", "os"})


@dataclass(frozen=True)
class VariantCtx:
    name: str
    wire_name: str
    description: str
    class_name: str | None  # the variant's own model; None where the value stands for itself
    annotation: str  # the value's type: content, `Literal[...]` of a unit variant, or "" for none
    wire_form: str  # how the variant looks on the wire, for its docstring
    fields: tuple[tuple[str, str, str, str, str], ...] = ()  # (py name, wire, type, default, doc)
    fields_class: str | None = None  # the model holding `fields`


@dataclass(frozen=True)
class EnumCtx:
    name: str
    description: str
    tagging: ir.Tagging
    tag: str | None
    content: str | None
    tag_attribute: str
    tag_function: str
    variants: tuple[VariantCtx, ...]

    @property
    def doc(self) -> str:
        text = self.description + "\n\nIn Python: "
        if self.tagging is ir.Tagging.UNTAGGED:
            return text + "a union tried in declaration order, as serde does."
        units = [f"`{v.wire_name!r}`" for v in self.variants if v.class_name is None]
        classes = [f"`{v.class_name}`" for v in self.variants if v.class_name]
        if not units:
            return text + f"the variants are {', '.join(classes)}."
        text += f"unit variants are the strings {', '.join(units)}; "
        return text + f"the others are {', '.join(classes)}."


def enum_context(spec: ir.Spec, enum: ir.TypeDef) -> EnumCtx:
    """How a hand-shaped enum is written: one model per variant, or a plain union if untagged."""
    assert isinstance(enum, ir.EnumType)
    tagging = enum.tagging
    tag_attribute = python_ident(snake_case(enum.tag)) if enum.tag else ""
    variants = []
    for variant in enum.variants:
        payload = variant.payload
        class_name: str | None = f"{enum.name}{pascal_case(variant.name)}"
        fields: tuple[tuple[str, str, str, str, str], ...] = ()
        fields_class: str | None = None
        match payload:
            case ir.UnitPayload():
                annotation = "None" if tagging is ir.Tagging.UNTAGGED else ""
                if tagging is ir.Tagging.EXTERNAL:
                    class_name = None
                    annotation = f"Literal[{variant.wire_name!r}]"
            case ir.NewtypePayload(type=t):
                annotation = py_type(t, strict=True)
                if variant.min_items:
                    annotation = f"Annotated[{annotation}, Field(min_length={variant.min_items})]"
            case ir.TuplePayload(items=items):
                annotation = f"tuple[{', '.join(py_type(t, strict=True) for t in items)}]"
            case ir.StructPayload(fields=struct_fields):
                fields = tuple(_field_ctx(f) for f in struct_fields)
                if tag_attribute in {f[0] for f in fields}:
                    raise UnsupportedByTarget(
                        f"{enum.name}.{variant.name}: a field has the Python name of the tag"
                    )
                own_class = f"{enum.name}{pascal_case(variant.name)}"
                internal = tagging is ir.Tagging.INTERNAL
                fields_class = own_class if internal else f"{own_class}Fields"
                annotation = "" if internal else fields_class
            case _:
                assert_never(payload)
        if tagging is ir.Tagging.UNTAGGED:
            class_name = None
        variants.append(
            VariantCtx(
                variant.name,
                variant.wire_name,
                variant.description,
                class_name,
                annotation,
                _wire_form(enum, variant),
                fields,
                fields_class,
            )
        )
    return EnumCtx(
        name=enum.name,
        description=enum.description,
        tagging=tagging,
        tag=enum.tag,
        content=enum.content,
        tag_attribute=tag_attribute,
        tag_function=f"_{snake_case(enum.name)}_tag",
        variants=tuple(variants),
    )


def _wire_form(enum: ir.EnumType, variant: ir.Variant) -> str:
    return wire.sketch(wire.variant_wire(enum, variant), "<value>", "<fields>")


def _field_ctx(field: ir.Field) -> tuple[str, str, str, str, str]:
    annotation = py_type(field.type, strict=True)
    if field.nullable:
        annotation = f"{annotation} | None"
    default = "" if field.required else (repr(field.default) if field.has_default else "None")
    return (python_ident(field.name), field.wire_name, annotation, default, field.description)


# --------------------------------------------------------------------------- plugin methods


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    default: str | None  # Python source of the default, None when required
    wire_name: str
    description: str


@dataclass(frozen=True)
class Method:
    export: ir.Export
    name: str
    call: calls.Call
    params: tuple[Param, ...]
    request_class: str | None  # struct built from params, with `cfg_field` filled in
    cfg_field: str | None
    input_type: str | None
    output_type: str
    output_adapter: str | None
    doc: str
    input_adapter: str | None = None  # set when a typed JSON input is validated before encoding

    @property
    def kind(self) -> calls.InputShape:
        return self.call.input

    @property
    def output_kind(self) -> calls.OutputShape:
        return self.call.output

    @property
    def invoke_arg(self) -> str:
        """The Python source after the export's name in `self._invoke(name<here>)`."""
        match self.kind:
            case calls.InputShape.IGNORED:
                return ""
            case calls.InputShape.REQUEST:
                fields = ", ".join(f"{p.name!r}: {p.name}" for p in self.params)
                return f", {{{fields}}}"
            case calls.InputShape.TEXT | calls.InputShape.CONFIG | calls.InputShape.JSON:
                return f", {self.params[0].name}"
            case _:
                assert_never(self.kind)


@dataclass(frozen=True)
class ExportRow:
    """One entry of the generated `ABI.exports` table: what `ExportSpec` is given."""

    name: str
    input: calls.InputShape
    output: calls.OutputShape
    options: tuple[tuple[str, str], ...]  # (keyword, Python source), only non-defaults


def classifier_rows(spec: ir.Spec) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each classifier's rules as Python literals: statuses, result, fields to fill.

    A rule fills those of the classifier's `fills` that its result's variant has.
    """
    rows = []
    for classifier in spec.classifiers:
        typedef = spec.type(classifier.type.name) if isinstance(classifier.type, ir.Named) else None
        fields: dict[str, set[str]] = {}
        if isinstance(typedef, ir.EnumType):
            for variant in typedef.variants:
                payload_fields = getattr(variant.payload, "fields", ())
                fields[variant.wire_name] = {f.wire_name for f in payload_fields}
        rules = []
        for rule in classifier.rules:
            tag = rule.result.get("type") if isinstance(rule.result, dict) else None
            fill = tuple(k for k, _ in classifier.fills if k in fields.get(str(tag), set()))
            rules.append((repr(rule.statuses), repr(rule.result), repr(fill)))
        rows.append((classifier.name, rules))
    return rows


def export_table(spec: ir.Spec, ms: Sequence[Method]) -> list[ExportRow]:
    from generator.ir import schema as jsonschema

    rows = []
    for m in ms:
        export = m.export
        options: list[tuple[str, str]] = []
        if export.optional:
            options.append(("optional", "True"))
        if export.does_http:
            options.append(("does_http", "True"))
        if export.output.empty_is_none:
            options.append(("empty_is_none", "True"))
        if m.call.defaults_to_config:
            options.append(("defaults_to_config", "True"))
        if m.request_class is not None:
            options.append(("request", m.request_class))
            options.append(("config_field", repr(m.cfg_field)))
        if m.input_adapter is not None and m.input_type is not None:
            options.append(("input_type", m.input_type))
        if m.output_adapter is not None and m.output_type != "JsonValue":
            options.append(("output_type", m.output_type))
        for side in ("input", "output"):
            schema_id = jsonschema.urn(spec, f"{export.name}.{side}")
            options.append((f"{side}_schema", json.dumps(schema_id)))
        if export.since_dialect is not None:
            options.append(("since_dialect", json.dumps(export.since_dialect)))
        rows.append(ExportRow(export.name, m.kind, m.output_kind, tuple(options)))
    return rows


def methods(spec: ir.Spec) -> list[Method]:
    out: list[Method] = []
    for export in spec.exports:
        name = python_ident(snake_case(export.name))
        if name in RESERVED_METHODS:
            raise UnsupportedByTarget(
                f"export {export.name!r} clashes with the plugin class's own method {name!r}"
            )
        out.append(_method(export, calls.call_of(spec, export), name))
    return out


def _method(export: ir.Export, call: calls.Call, name: str) -> Method:
    inp, outp = export.input, export.output
    params: list[Param] = []
    request_class = cfg_field = input_type = input_adapter = None
    match call.input:
        case calls.InputShape.IGNORED:
            pass
        case calls.InputShape.TEXT:
            params.append(Param("text", "str", None, "", inp.description))
        case calls.InputShape.CONFIG:
            params.append(
                Param("config", "ConfigT | Mapping[str, Any] | None", "None", "", inp.description)
            )
        case calls.InputShape.REQUEST:
            assert call.request is not None and call.cfg_field is not None
            params = _request_params(call.request, call.cfg_field)
            request_class, cfg_field = call.request.name, call.cfg_field.name
        case calls.InputShape.JSON:
            assert inp.type is not None
            input_type = py_type(inp.type)
            # The host sends its configuration here (`is_config`): default to it, let the
            # caller send anything else.
            default = "_CONFIG" if call.defaults_to_config else None
            params.append(Param("payload", input_type, default, "", inp.description))
            if input_type != "JsonValue":
                input_adapter = f"_IN_{snake_case(export.name).upper()}"
        case _:
            assert_never(call.input)
    output_adapter = None
    match call.output:
        case calls.OutputShape.NONE:
            output_type = "None"
        case calls.OutputShape.TEXT:
            output_type = "str"
        case calls.OutputShape.TEXT_OR_NONE:
            output_type = "str | None"
        case calls.OutputShape.JSON:
            assert outp.type is not None
            output_type = py_type(outp.type)
            if outp.empty_is_none or outp.nullable:
                output_type = f"{output_type} | None"
            output_adapter = f"_OUT_{snake_case(export.name).upper()}"
        case _:
            assert_never(call.output)
    return Method(
        export=export,
        name=name,
        call=call,
        params=tuple(params),
        request_class=request_class,
        cfg_field=cfg_field,
        input_type=input_type,
        output_type=output_type,
        output_adapter=output_adapter,
        doc=export.description,
        input_adapter=input_adapter,
    )


def _param_default(field: ir.Field) -> str | None:
    """Python source of an argument's default: the spec's own scalar default where it has one."""
    if field.required:
        return None
    if field.has_default and isinstance(field.default, bool | int | float | str):
        return repr(field.default)
    return "None"


def _request_params(struct: ir.Struct, cfg: ir.Field) -> list[Param]:
    """The request struct's fields but the configuration, required ones first."""
    required: list[Param] = []
    optional: list[Param] = []
    for field in struct.fields:
        if field.name == cfg.name:
            continue
        annotation = py_type(field.type)
        if field.nullable:
            annotation = f"{annotation} | None"
        param = Param(
            python_ident(field.name),
            annotation,
            _param_default(field),
            field.wire_name,
            field.description,
        )
        (required if field.required else optional).append(param)
    return required + optional


def context(spec: ir.Spec) -> dict[str, Any]:
    from generator.targets.python_host_calls import host_calls, usage_example

    ms = methods(spec)
    adapter_calls = host_calls(spec, ms)
    mentioned = " ".join(
        " ".join([m.output_type, m.request_class or "", *(p.annotation for p in m.params)])
        for m in ms
    ) + " ".join(
        " ".join([c.output_type, *(p.annotation for p in c.params)]) for c in adapter_calls
    )
    runtime_calls = sorted(
        {re.sub(r"^await ", "", c.call).split("(")[0] for c in adapter_calls}
        - {"asyncio.to_thread"}
        | {n for n in ("ChatStream", "AsyncChatStream") if re.search(rf"\b{n}\[", mentioned)}
    )
    used_models = sorted(
        (t.name for t in spec.types if re.search(rf"\b{re.escape(t.name)}\b", mentioned)),
        key=lambda name: (_isort_key(name)[0], name.lower()),  # ruff's isort: case-insensitive
    )
    roles = spec.host.roles
    return {
        "used_models": used_models,
        "runtime_names": sorted(
            [
                *_RUNTIME_NAMES,
                *(("HostMode",) if spec.host.modes else ()),
                *runtime_calls,
                *(("StatusClassifier", "StatusRule") if spec.classifiers else ()),
                *(
                    n
                    for n in ("Bytes", "JsonValue", *(w.upper() for w in _WIDTHS))
                    if re.search(rf"\b{n}\b", mentioned)
                ),
            ],
            key=_isort_key,
        ),
        "typing_names": ["Any", "ClassVar"] if re.search(r"\bAny\b", mentioned) else ["ClassVar"],
        "uses_bound_config": any(p.default == "_CONFIG" for m in ms for p in m.params),
        "role_items": [
            (role, getattr(roles, role))
            for role in ("display_name", "base_url", "config_schema", "check_config", "log_init")
        ],
        "export_table": export_table(spec, ms),
        "spec": spec,
        "pkg": package_name(spec),
        "plugin_class": plugin_class_name(spec),
        "methods": ms,
        "host_calls": adapter_calls,
        "usage_example": usage_example(spec, adapter_calls),
        "uses_asyncio": any("asyncio." in c.call for c in adapter_calls),
        "uses_sequence": "Sequence[" in mentioned,
        "required_exports": [e.name for e in spec.exports if not e.optional],
        "optional_exports": [e.name for e in spec.exports if e.optional],
        "probe_input": "null",
        "modes": [(m.name, list(m.requires)) for m in spec.host.modes],
        "dialects": [d.name for d in spec.dialects],
        "classifiers": classifier_rows(spec),
        "host_functions": sorted((f.module, f.name) for f in spec.host_functions),
        "typed_errors": any(
            c.encoding is ir.Encoding.JSON for c in (spec.error, *spec.error_conventions)
        ),
    }


_RUNTIME_NAMES = (
    "DEFAULT_MAX_HTTP_RESPONSE_BYTES",
    "DEFAULT_MAX_OUTPUT_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT_MS",
    "Abi",
    "ConfigT",
    "ExportSpec",
    "HostRoles",
    "InputShape",
    "NewConfigT",
    "OutputShape",
    "PluginBase",
    "PluginInfo",
    "prune_config",
    "schema_limits_problem",
)
"""What every generated `plugin.py` imports from the runtime (its signatures, table and API)."""


def exports_table(spec: ir.Spec) -> Mapping[str, ir.Export]:
    return {e.name: e for e in spec.exports}


TARGET = Target(
    name="python",
    role=Role.HOST,
    render=render,
    render_shared=render_shared,
    formatter=formatting.python_files,
    keywords=KEYWORDS["python"][1],
    reserved_type_names=RESERVED_TYPE_NAMES["python"],
)
