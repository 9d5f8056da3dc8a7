//! A QueryMT provider plugin for any OpenAI-compatible API, written against QueryMT's
//! current plugin API (the request/parse split of ABI v2): the plugin builds HTTP requests and
//! parses responses; the host sends them.
//!
//! `GET models`, `POST chat/completions` (plain and streamed as server-sent events),
//! `POST embeddings` and `POST completions`, all relative to `base_url`.

mod api;
mod sse;

use http::{Request, Response};
use querymt::chat::http::{ChatStreamParser, HTTPChatProvider};
use querymt::chat::{ChatMessage, ChatResponse, Tool};
use querymt::completion::http::HTTPCompletionProvider;
use querymt::completion::{CompletionRequest, CompletionResponse};
use querymt::embedding::http::HTTPEmbeddingProvider;
use querymt::error::LLMError;
use querymt::plugin::HTTPLLMProviderFactory;
use querymt::HTTPLLMProvider;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1/";

/// The provider's configuration; unknown keys are refused (the host prunes its own keys
/// against `CONFIG_SCHEMA` first, so the two must list the same fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, remote = "Self")]
pub struct OpenAICompatible {
    /// Sent as a bearer token; empty sends no `Authorization` header.
    #[serde(default)]
    pub api_key: String,
    /// The API root, normalized to end in `/`; request paths are relative to it.
    #[serde(
        default = "OpenAICompatible::default_base_url",
        deserialize_with = "base_url"
    )]
    pub base_url: String,
    pub model: String,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    /// System prompts, sent first; a single string is one prompt.
    #[serde(default, deserialize_with = "system_prompts")]
    pub system: Vec<String>,
    pub timeout_seconds: Option<u64>,
    pub stream: Option<bool>,
    pub top_p: Option<f32>,
    pub top_k: Option<u32>,
    /// Tools offered when a call brings none of its own.
    pub tools: Option<Vec<Tool>>,
    /// OpenAI's `tool_choice`, passed through (`"auto"`, `"required"`, `"none"` or an object).
    pub tool_choice: Option<Value>,
    pub embedding_encoding_format: Option<String>,
    pub embedding_dimensions: Option<u32>,
    /// A fixed model list; when set, listing models makes no request.
    pub models: Option<Vec<String>>,
}

impl OpenAICompatible {
    fn default_base_url() -> String {
        DEFAULT_BASE_URL.to_string()
    }
}

impl<'de> Deserialize<'de> for OpenAICompatible {
    /// Every input is read as a `Value` first and the fields from that, so the derived
    /// field-by-field code (`remote = "Self"` above) exists once, for `Value`, instead of
    /// once per deserializer that reads a configuration: the module has a size budget.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        OpenAICompatible::deserialize(value).map_err(serde::de::Error::custom)
    }
}

/// Written by hand (no schemars here); it must list exactly the fields of `OpenAICompatible`.
const CONFIG_SCHEMA: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "OpenAICompatible",
  "type": "object",
  "additionalProperties": false,
  "required": ["model"],
  "properties": {
    "api_key": {"type": "string", "default": "", "description": "Sent as a bearer token; empty sends none."},
    "base_url": {"type": "string", "format": "uri", "default": "https://api.openai.com/v1/", "description": "The API root; a missing trailing / is added."},
    "model": {"type": "string", "description": "The model to use."},
    "max_tokens": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295},
    "temperature": {"type": ["number", "null"]},
    "system": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "default": [], "description": "System prompts, sent first."},
    "timeout_seconds": {"type": ["integer", "null"], "minimum": 0},
    "stream": {"type": ["boolean", "null"]},
    "top_p": {"type": ["number", "null"]},
    "top_k": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295},
    "tools": {"type": ["array", "null"], "items": {"$ref": "#/$defs/Tool"}, "description": "Tools offered when a call brings none."},
    "tool_choice": {"anyOf": [{"type": "string", "enum": ["auto", "required", "none"]}, {"type": "object"}, {"type": "null"}]},
    "embedding_encoding_format": {"type": ["string", "null"], "description": "Defaults to float."},
    "embedding_dimensions": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295},
    "models": {"type": ["array", "null"], "items": {"type": "string"}, "description": "A fixed model list: listing models then makes no request."}
  },
  "$defs": {
    "Tool": {
      "type": "object",
      "required": ["type", "function"],
      "properties": {
        "type": {"type": "string"},
        "function": {
          "type": "object",
          "required": ["name", "description", "parameters"],
          "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "parameters": {}}
        }
      }
    }
  }
}"##;

/// Adds the trailing `/` a base URL needs for relative paths to extend it rather than replace
/// its last segment (`.../v1` + `models` must be `.../v1/models`).
pub(crate) fn normalize_base_url(url: &str) -> Result<String, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| format!("base_url {:?} is not a URL: {}", url, e))?;
    match uri.scheme_str() {
        Some("http") | Some("https") if uri.authority().is_some() => {}
        _ => return Err(format!("base_url {:?} is not an absolute http(s) URL", url)),
    }
    if uri.query().is_some() {
        return Err(format!("base_url {:?} must not have a query", url));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

fn base_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let url = String::deserialize(deserializer)?;
    normalize_base_url(&url).map_err(serde::de::Error::custom)
}

fn system_prompts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    // A visitor rather than an untagged enum: untagged enums buffer their input, which costs
    // tens of kilobytes of code per deserializer they are used with.
    struct Prompts;

    impl<'de> serde::de::Visitor<'de> for Prompts {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string, a list of strings or null")
        }

        fn visit_str<E: serde::de::Error>(self, prompt: &str) -> Result<Self::Value, E> {
            Ok(vec![prompt.to_string()])
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut prompts = Vec::new();
            while let Some(prompt) = seq.next_element::<String>()? {
                prompts.push(prompt);
            }
            Ok(prompts)
        }
    }

    deserializer.deserialize_any(Prompts)
}

// ----------------------------------------------------------------------------- chat

impl HTTPChatProvider for OpenAICompatible {
    fn classify_chat_error(&self, response: &Response<Vec<u8>>) -> LLMError {
        api::classify_error(response)
    }

    fn chat_request(
        &self,
        messages: &[ChatMessage],
        tools: Option<&[Tool]>,
    ) -> Result<Request<Vec<u8>>, LLMError> {
        api::chat_request(self, messages, tools, self.stream.unwrap_or(false))
    }

    fn chat_stream_request(
        &self,
        messages: &[ChatMessage],
        tools: Option<&[Tool]>,
    ) -> Result<Request<Vec<u8>>, LLMError> {
        api::chat_request(self, messages, tools, true)
    }

    fn parse_chat(&self, response: Response<Vec<u8>>) -> Result<Box<dyn ChatResponse>, LLMError> {
        Ok(Box::new(api::parse_chat(&response)?))
    }

    fn supports_streaming(&self) -> bool {
        true
    }

    fn chat_stream_parser(&self) -> Result<Box<dyn ChatStreamParser>, LLMError> {
        Ok(Box::new(sse::SseParser::default()))
    }
}

// ----------------------------------------------------------------------------- embeddings, completions

impl HTTPEmbeddingProvider for OpenAICompatible {
    fn embed_request(&self, inputs: &[String]) -> Result<Request<Vec<u8>>, LLMError> {
        api::embed_request(self, inputs)
    }

    fn parse_embed(&self, resp: Response<Vec<u8>>) -> Result<Vec<Vec<f32>>, LLMError> {
        api::parse_embed(&resp)
    }
}

impl HTTPCompletionProvider for OpenAICompatible {
    fn complete_request(&self, req: &CompletionRequest) -> Result<Request<Vec<u8>>, LLMError> {
        api::complete_request(self, req)
    }

    fn parse_complete(&self, resp: Response<Vec<u8>>) -> Result<CompletionResponse, LLMError> {
        api::parse_complete(&resp)
    }
}

impl HTTPLLMProvider for OpenAICompatible {
    fn tools(&self) -> Option<&[Tool]> {
        self.tools.as_deref()
    }
}

// ----------------------------------------------------------------------------- the factory

struct OpenAICompatibleFactory;

impl HTTPLLMProviderFactory for OpenAICompatibleFactory {
    fn name(&self) -> &str {
        "openai-compatible"
    }

    fn api_key_name(&self) -> Option<String> {
        Some("OPENAI_API_KEY".to_string())
    }

    fn config_schema(&self) -> String {
        CONFIG_SCHEMA.to_string()
    }

    fn list_models_static(&self, cfg: &str) -> Option<Result<Vec<String>, LLMError>> {
        let cfg: Value = match serde_json::from_slice(cfg.as_bytes()) {
            Ok(cfg) => cfg,
            Err(e) => return Some(Err(e.into())),
        };
        match cfg.get("models") {
            None | Some(Value::Null) => None,
            Some(Value::Array(models)) if models.iter().all(Value::is_string) => Some(Ok(models
                .iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect())),
            Some(_) => Some(Err(LLMError::InvalidRequest(
                "`models` must be a list of model names".to_string(),
            ))),
        }
    }

    fn list_models_request(&self, cfg: &str) -> Result<Request<Vec<u8>>, LLMError> {
        // The host sends whatever configuration it has, possibly without a model.
        let cfg: Value = serde_json::from_slice(cfg.as_bytes())?;
        let base_url = match cfg.get("base_url").and_then(Value::as_str) {
            Some(url) => normalize_base_url(url).map_err(LLMError::InvalidUrl)?,
            None => OpenAICompatible::default_base_url(),
        };
        let api_key = cfg.get("api_key").and_then(Value::as_str).unwrap_or("");
        api::list_models_request(&base_url, api_key)
    }

    fn parse_list_models(&self, resp: Response<Vec<u8>>) -> Result<Vec<String>, LLMError> {
        api::parse_list_models(&resp)
    }

    fn from_config(&self, cfg: &str) -> Result<Box<dyn HTTPLLMProvider>, LLMError> {
        let provider: OpenAICompatible = serde_json::from_slice(cfg.as_bytes())?;
        Ok(Box::new(provider))
    }
}

mod extism_exports {
    use super::{OpenAICompatible, OpenAICompatibleFactory};
    use querymt::impl_extism_http_plugin;

    impl_extism_http_plugin! {
        config = OpenAICompatible,
        factory = OpenAICompatibleFactory,
        name = "openai-compatible",
    }
}
