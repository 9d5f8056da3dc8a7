"""The macro's other paths, in a plugin the examples do not cover, driven by the Python bindings.

A keyless provider (`api_key_name` is `None`, so the export's output is empty), a config with
no `Default` (so the schema and base URL come from the macro's `schema =` and `base_url =`
arguments), and no embedding or completion support (the traits' default methods, which must
come back as error messages). The crate is written here and built to wasm32-wasi like the
examples, sharing their cargo state under build/.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from querymt_extism_v1 import QuerymtExtismPlugin, errors

from generator.conformance.loopback_server import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
CRATE = ROOT / "generated" / "rust" / "querymt-extism-v1"  # the v1 guest crate
BUILD = ROOT / "build"
TOOLCHAIN = Path(os.environ.get("RUST_TOOLCHAIN_BIN", "/usr/bin"))
SCHEMA = {
    "type": "object",
    "required": ["base_url"],
    "properties": {"base_url": {"type": "string"}, "model": {"type": "string"}},
}

LIB_RS = """
use querymt::chat::http::HTTPChatProvider;
use querymt::completion::http::HTTPCompletionProvider;
use querymt::embedding::http::HTTPEmbeddingProvider;
use querymt::error::LLMError;
use querymt::plugin::extism_impl::{impl_extism_http_plugin, ExtismChatResponse};
use querymt::plugin::http::HTTPLLMProviderFactory;
use querymt::{http, ChatMessage, ChatResponse, Tool};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct LocalConfig {
    pub base_url: String,
    pub model: Option<String>,
}

struct LocalFactory;

impl HTTPLLMProviderFactory for LocalFactory {
    fn list_models_request(
        &self,
        cfg: &serde_json::Value,
    ) -> Result<http::Request<Vec<u8>>, LLMError> {
        let config: LocalConfig = serde_json::from_value(cfg.clone())?;
        Ok(http::Request::builder()
            .uri(format!("{}/models", config.base_url))
            .body(Vec::new())?)
    }

    fn parse_list_models(
        &self,
        resp: http::Response<Vec<u8>>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let body: serde_json::Value = serde_json::from_slice(resp.body())?;
        let ids = body["data"].as_array().cloned().unwrap_or_default();
        Ok(ids.iter().filter_map(|m| m["id"].as_str().map(String::from)).collect())
    }
}

impl HTTPChatProvider for LocalConfig {
    fn chat_request(
        &self,
        _messages: &[ChatMessage],
        _tools: Option<&[Tool]>,
    ) -> Result<http::Request<Vec<u8>>, LLMError> {
        Ok(http::Request::builder()
            .method("POST")
            .uri(format!("{}/chat/completions", self.base_url))
            .body(b"{}".to_vec())?)
    }

    fn parse_chat(&self, resp: http::Response<Vec<u8>>) -> Result<Box<dyn ChatResponse>, LLMError> {
        let body: serde_json::Value = serde_json::from_slice(resp.body())?;
        let text = body["choices"][0]["message"]["content"].as_str().map(String::from);
        Ok(Box::new(ExtismChatResponse { text, tool_calls: None, thinking: None, usage: None }))
    }
}

impl HTTPEmbeddingProvider for LocalConfig {}
impl HTTPCompletionProvider for LocalConfig {}

impl_extism_http_plugin!(
    config = LocalConfig,
    factory = LocalFactory,
    name = "Local keyless provider",
    schema = r#"SCHEMA"#,
    base_url = "http://127.0.0.1:1/v1",
);
"""


@pytest.fixture(scope="module")
def wasm(example_wasms: list[Path]) -> bytes:
    """Built after the examples, so the cargo home they configure is there to share."""
    del example_wasms
    crate = BUILD / "macro-options"
    (crate / "src").mkdir(parents=True, exist_ok=True)
    manifest = (
        '[package]\nname = "macro-options"\nversion = "0.0.0"\nedition = "2021"\n\n'
        '[lib]\ncrate-type = ["cdylib"]\n\n'
        '[dependencies]\nserde = { version = "1", features = ["derive"] }\nserde_json = "1"\n'
        f'querymt = {{ package = "querymt-extism-v1", path = "{CRATE}",'
        ' features = ["extism_plugin"] }\n\n'
        '[profile.release]\nopt-level = "z"\nlto = true\nstrip = true\npanic = "abort"\n'
    )
    for path, text in (
        (crate / "Cargo.toml", manifest),
        (crate / "src" / "lib.rs", LIB_RS.replace("SCHEMA", json.dumps(SCHEMA))),
    ):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "CARGO_HOME": str(BUILD / "cargo-home"),
        "CARGO_TARGET_DIR": str(BUILD / "cargo-target"),
        "RUSTC": str(TOOLCHAIN / "rustc"),
    }
    result = subprocess.run(
        [str(TOOLCHAIN / "cargo"), "build", "--release", "--offline", "--target", "wasm32-wasi"],
        cwd=crate, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    (crate / "Cargo.lock").unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return (BUILD / "cargo-target" / "wasm32-wasi" / "release" / "macro_options.wasm").read_bytes()


@pytest.fixture
def plugin(wasm: bytes, loopback: LoopbackServer) -> Iterator[QuerymtExtismPlugin[dict[str, str]]]:
    with QuerymtExtismPlugin.open(wasm, {"base_url": loopback.base_url, "model": "m"}) as opened:
        yield opened


def test_keyless_provider_answers_with_empty_output(
    plugin: QuerymtExtismPlugin[dict[str, str]],
) -> None:
    assert plugin.call_raw("api_key_name", b"null") == b""
    assert plugin.api_key_name() is None


def test_schema_and_base_url_come_from_the_macro_arguments(
    plugin: QuerymtExtismPlugin[dict[str, str]],
) -> None:
    assert plugin.config_schema() == json.dumps(SCHEMA)
    assert plugin.base_url() == "http://127.0.0.1:1/v1"
    assert plugin.info.name == "Local keyless provider"


def test_the_plugin_works_and_unsupported_capabilities_are_errors(
    plugin: QuerymtExtismPlugin[dict[str, str]],
) -> None:
    assert plugin.list_models()
    with pytest.raises(errors.PluginCallError) as caught:
        plugin.embed(["hello"])
    assert "not supported" in str(caught.value).lower()
    with pytest.raises(errors.PluginCallError):
        plugin.complete({"prompt": "p"})
    assert plugin.list_models()  # still usable after the errors
