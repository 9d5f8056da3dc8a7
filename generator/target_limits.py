"""What each target cannot accept in a valid spec, as data the loader checks at `validate` time.

The loader must reject what a target would choke on (a type named `Field` breaks the Python
models' own `pydantic.Field`) before any target runs, yet without importing the targets:
they pull in datamodel-code-generator, Jinja and more. So each target's limits live here and
the targets read their own entries from here too, which keeps the two in step. A test compares
these lists with the names the generated modules really import and define.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping

from generator import ir
from generator.naming import PYTHON_KEYWORDS, RUST_KEYWORDS


def _names(origin: str, names: str) -> dict[str, str]:
    return {name: origin for name in names.split()}


# Names bound at module level in the generated Python `models.py` (where every model lives
# under its own name) and `plugin.py` (which imports the models it uses by name).
PYTHON_RESERVED_TYPE_NAMES: Mapping[str, str] = {
    **{name: "a Python built-in" for name in dir(builtins) if name[:1].isupper()},
    **_names("imported from enum", "Enum IntEnum StrEnum"),
    **_names(
        "imported from typing",
        "Annotated Any ClassVar Dict Generic List Literal Optional Self TypeAlias TypeVar Union",
    ),
    **_names("imported from collections.abc", "Callable Iterable Iterator Mapping Sequence"),
    **_names("imported from pydantic_core", "PydanticSerializationError"),
    **_names("imported from pathlib", "Path"),
    **_names(
        "imported from pydantic",
        "AliasChoices AnyUrl AwareDatetime BaseModel BeforeValidator ConfigDict Discriminator "
        "Field RootModel Strict StrictBool StrictBytes StrictFloat StrictInt StrictStr Tag "
        "TypeAdapter ValidationError",
    ),
    **_names("defined by querymt_extism_runtime.wire", "Bytes JsonValue WireModel"),
    **{w.upper(): "defined by querymt_extism_runtime.wire" for w in ir.INTEGER_RANGES},
    **_names(
        "imported from querymt_extism_runtime by the plugin module",
        "Abi ConfigT ExportSpec HostRoles InputShape NewConfigT OutputShape PluginBase PluginInfo",
    ),
    **_names("defined by the plugin module", "ABI Plugin"),
    **_names(
        "defined by querymt_extism_runtime",
        "Instance InstancePool Redactor AllowList CallState HttpPolicy Origin UrlError",
    ),
    **_names(
        "defined by querymt_extism_runtime.errors",
        "ConfigError ConnectionFailedError HostFunctionError HostNotAllowedError "
        "InputValidationError MissingExportError OutputValidationError PluginCallError "
        "PluginClosedError PluginError PluginLoadError PluginOutOfMemoryError "
        "PluginTimeoutError PluginTrapError RedirectRefusedError ResponseTooLargeError",
    ),
}

# Attributes of every generated model (pydantic's BaseModel, the bindings' WireModel and their
# metaclass): a field of that name would shadow them, or pydantic refuses it.
PYTHON_RESERVED_FIELD_NAMES: Mapping[str, str] = {
    **_names(
        "an attribute of pydantic's BaseModel",
        "construct copy dict from_orm json model_computed_fields model_config model_construct "
        "model_copy model_dump model_dump_json model_extra model_fields model_fields_set "
        "model_json_schema model_parametrized_name model_post_init model_rebuild model_validate "
        "model_validate_json model_validate_strings parse_file parse_obj parse_raw schema "
        "schema_json update_forward_refs validate register mro",
    ),
    **_names("an attribute of the bindings' WireModel", "from_wire to_wire to_wire_json"),
}

# Methods of the generated plugin class that an export's method would overwrite.
PYTHON_RESERVED_METHODS = frozenset(
    {"open", "close", "info", "config", "with_config", "call_raw", "has_export", "capabilities"}
)

# Names in scope in the generated crate's modules: the prelude, what `types.rs` imports, and
# what the hand-written modules define or import next to the spec's types.
RUST_RESERVED_TYPE_NAMES: Mapping[str, str] = {
    **_names("in Rust's prelude", "Self Option Some None Result Ok Err Vec String Box"),
    **_names(
        "a trait in Rust's prelude",
        "Default Clone Copy Send Sync Sized Unpin Drop Fn FnMut FnOnce Iterator IntoIterator "
        "DoubleEndedIterator ExactSizeIterator Extend FromIterator ToString ToOwned PartialEq "
        "Eq PartialOrd Ord AsRef AsMut Into From TryFrom TryInto",
    ),
    **_names(
        "imported by the crate from serde / std",
        "Deserialize DeserializeOwned Serialize Value BTreeMap PhantomData",
    ),
    **_names(
        "defined by the crate's hand-written modules",
        "ChatResponse LLMError LogLevel ConfigDefaults Context DefaultProbe BinaryCodec "
        "HTTPChatProvider HTTPCompletionProvider HTTPEmbeddingProvider HTTPLLMProviderFactory "
        "NoDefault PluginConfig ViaDefault",
    ),
}

KEYWORDS: Mapping[str, tuple[str, frozenset[str]]] = {
    "rust": ("Rust", RUST_KEYWORDS),
    "python": ("Python", PYTHON_KEYWORDS),
}
"""Per target: its language and that language's keywords, which no spec identifier may be.
Rust comes first: a name that is a keyword of both is reported as a Rust keyword."""


def keyword_language(name: str) -> str | None:
    """The first language (of `KEYWORDS`) in which `name` is a keyword, if any."""
    return next((language for language, words in KEYWORDS.values() if name in words), None)


# Names the Go package's hand-written runtime defines beside the spec's types (exported Go
# names are capitalized, so Go's lowercase keywords cannot clash with them).
GO_RESERVED_TYPE_NAMES: Mapping[str, str] = {
    **_names(
        "defined by the Go package's runtime",
        "Kind Null Bool Number String Array Object Member Value Error Decoder Encoder Writer "
        "Fields Field NullableField DefaultField Failure Exports Defaults Register Parse "
        "Unmarshal Marshal Input Output",
    ),
}

RESERVED_TYPE_NAMES: Mapping[str, Mapping[str, str]] = {
    "go": GO_RESERVED_TYPE_NAMES,
    "python": PYTHON_RESERVED_TYPE_NAMES,
    "rust": RUST_RESERVED_TYPE_NAMES,
}
"""Per target: type names it cannot give a spec type, each with where the clash comes from."""


def rust_writes_default(value: ir.JsonValue, ref: ir.TypeRef) -> bool:
    """Whether the Rust target has a literal for this default (`_rust_literal` writes it)."""
    match ref:
        case ir.Primitive("string"):
            return isinstance(value, str)
        case ir.Primitive("bool"):
            return isinstance(value, bool)
        case ir.Primitive("u8" | "u16" | "u32" | "u64" | "i32" | "i64"):
            return isinstance(value, int) and not isinstance(value, bool)
        case ir.Primitive("f32" | "f64"):
            return isinstance(value, int | float) and not isinstance(value, bool)
        case ir.ListOf():
            return value == []
        case ir.MapOf():
            return value == {}
        case _:
            return False
