//! "My Example LLM HTTP Plugin" made real: a QueryMT plugin for any OpenAI-compatible API
//! (`GET /models`, `POST /chat/completions`, `POST /embeddings`, `POST /completions`).

use querymt::chat::http::HTTPChatProvider;
use querymt::chat::{ChatRole, ImageMime, MessageType};
use querymt::completion::http::HTTPCompletionProvider;
use querymt::embedding::http::HTTPEmbeddingProvider;
use querymt::error::LLMError;
use querymt::plugin::extism_impl::{impl_extism_http_plugin, ExtismChatResponse};
use querymt::plugin::http::HTTPLLMProviderFactory;
use querymt::{
    ChatMessage, ChatResponse, CompletionRequest, CompletionResponse, FunctionCall, Tool,
    ToolCall, Usage,
};
use serde::{Deserialize, Serialize};
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use http::Method;
use serde_json::Value;

const DEFAULT_BASE_URL: &str = "https://api.examplellm.com/v1";
const DEFAULT_CHAT_MODEL: &str = "gpt-4o-mini";
const DEFAULT_EMBEDDING_MODEL: &str = "text-embedding-3-small";

/// The plugin's configuration.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct MyPluginConfig {
    /// The provider's API key, sent as a bearer token.
    pub api_key: String,
    /// The model to use; each operation has its own default.
    pub model_name: Option<String>,
    /// The API base URL, up to and including the version (`.../v1`).
    #[serde(default = "default_base_url")]
    pub base_url: String,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.to_string()
}

/// The JSON Schema `config_schema` returns (no schemars here: written by hand).
const CONFIG_SCHEMA: &str = r#"{
  "title": "MyPluginConfig",
  "type": "object",
  "required": ["api_key"],
  "properties": {
    "api_key": {"type": "string", "description": "The provider's API key."},
    "model_name": {"type": ["string", "null"], "description": "The model to use."},
    "base_url": {"type": "string", "default": "https://api.examplellm.com/v1"}
  }
}"#;

impl MyPluginConfig {
    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url.trim_end_matches('/'), path)
    }

    fn model<'a>(&'a self, default: &'a str) -> &'a str {
        self.model_name.as_deref().unwrap_or(default)
    }

    fn request(&self, method: Method, path: &str, body: Vec<u8>) -> Result<http::Request<Vec<u8>>, LLMError> {
        let invalid = |what: &str| LLMError::InvalidRequest(format!("invalid {} in the configuration", what));
        let json = !body.is_empty();
        let mut req = http::Request::new(body);
        *req.method_mut() = method;
        *req.uri_mut() = self.url(path).parse().map_err(|_| invalid("base_url"))?;
        let bearer = HeaderValue::try_from(format!("Bearer {}", self.api_key)).map_err(|_| invalid("api_key"))?;
        req.headers_mut().insert(AUTHORIZATION, bearer);
        if json {
            req.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(req)
    }

    fn post_json<T: Serialize>(&self, path: &str, body: &T) -> Result<http::Request<Vec<u8>>, LLMError> {
        self.request(Method::POST, path, serde_json::to_vec(body)?)
    }
}

// Request bodies are typed structs serialized straight to bytes, and responses are read as
// `serde_json::Value`: both keep the module small (it must stay under 250 KB).

fn format_error(resp: &http::Response<Vec<u8>>, message: &str) -> LLMError {
    LLMError::ResponseFormatError {
        message: message.to_string(),
        raw_response: String::from_utf8_lossy(resp.body()).chars().take(300).collect(),
    }
}

fn parse_body(resp: &http::Response<Vec<u8>>) -> Result<Value, LLMError> {
    serde_json::from_slice(resp.body()).map_err(|e| format_error(resp, &e.to_string()))
}

fn string(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

/// The array at `key`, or a format error naming it.
fn array<'a>(resp: &http::Response<Vec<u8>>, body: &'a Value, key: &str) -> Result<&'a Vec<Value>, LLMError> {
    body[key].as_array().ok_or_else(|| format_error(resp, &format!("no `{}` array in the answer", key)))
}

// ----------------------------------------------------------------------------- models

struct MyPluginFactory;

impl HTTPLLMProviderFactory for MyPluginFactory {
    fn api_key_name(&self) -> Option<String> {
        Some("EXAMPLE_LLM_API_KEY".to_string())
    }

    fn list_models_request(&self, cfg: &Value) -> Result<http::Request<Vec<u8>>, LLMError> {
        let config: MyPluginConfig = serde_json::from_value(cfg.clone())?;
        config.request(Method::GET, "models", Vec::new())
    }

    fn parse_list_models(&self, resp: http::Response<Vec<u8>>) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let body = parse_body(&resp)?;
        Ok(array(&resp, &body, "data")?.iter().filter_map(|m| string(&m["id"])).collect())
    }
}

// ----------------------------------------------------------------------------- chat

fn role(role: &ChatRole) -> &'static str {
    match role {
        ChatRole::User => "user",
        ChatRole::Assistant => "assistant",
    }
}

#[derive(Serialize)]
struct ChatBody<'a> {
    model: &'a str,
    messages: Vec<OpenAIMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<&'a [Tool]>,
}

#[derive(Serialize)]
struct OpenAIMessage<'a> {
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<&'a [ToolCall]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Content<'a> {
    Text(&'a str),
    Parts(Vec<Part<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part<'a> {
    Text { text: &'a str },
    ImageUrl { image_url: Url },
    File { file: File },
}

#[derive(Serialize)]
struct Url {
    url: String,
}

#[derive(Serialize)]
struct File {
    filename: &'static str,
    file_data: String,
}

impl<'a> OpenAIMessage<'a> {
    fn new(role: &'a str, content: Option<Content<'a>>) -> Self {
        OpenAIMessage { role, content, tool_calls: None, tool_call_id: None }
    }
}

/// The message text (if any) followed by one attachment.
fn with_text<'a>(text: &'a str, part: Part<'a>) -> Option<Content<'a>> {
    let mut parts = Vec::with_capacity(2);
    if !text.is_empty() {
        parts.push(Part::Text { text });
    }
    parts.push(part);
    Some(Content::Parts(parts))
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!("data:{};base64,{}", mime, base64(bytes))
}

/// Converts QueryMT messages to OpenAI's; a tool-result message becomes one `tool` message per call.
fn openai_messages(messages: &[ChatMessage]) -> Vec<OpenAIMessage<'_>> {
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        let role = role(&m.role);
        match &m.message_type {
            MessageType::Text => out.push(OpenAIMessage::new(role, Some(Content::Text(&m.content)))),
            MessageType::Image(mime, bytes) => {
                let mime = match mime {
                    ImageMime::JPEG => "image/jpeg",
                    ImageMime::PNG => "image/png",
                    ImageMime::GIF => "image/gif",
                    ImageMime::WEBP => "image/webp",
                };
                let part = Part::ImageUrl { image_url: Url { url: data_url(mime, bytes) } };
                out.push(OpenAIMessage::new(role, with_text(&m.content, part)));
            }
            MessageType::ImageURL(url) => {
                let part = Part::ImageUrl { image_url: Url { url: url.clone() } };
                out.push(OpenAIMessage::new(role, with_text(&m.content, part)));
            }
            MessageType::Pdf(bytes) => {
                let file = File { filename: "document.pdf", file_data: data_url("application/pdf", bytes) };
                out.push(OpenAIMessage::new(role, with_text(&m.content, Part::File { file })));
            }
            MessageType::ToolUse(calls) => {
                let content = if m.content.is_empty() { None } else { Some(Content::Text(&m.content)) };
                let mut message = OpenAIMessage::new("assistant", content);
                message.tool_calls = Some(calls);
                out.push(message);
            }
            MessageType::ToolResult(results) => {
                for r in results {
                    let mut message = OpenAIMessage::new("tool", Some(Content::Text(&r.function.arguments)));
                    message.tool_call_id = Some(&r.id);
                    out.push(message);
                }
            }
        }
    }
    out
}

fn tool_call(call: &Value) -> Option<ToolCall> {
    let function = &call["function"];
    Some(ToolCall {
        id: string(&call["id"])?,
        call_type: string(&call["type"]).unwrap_or_else(|| "function".to_string()),
        function: FunctionCall {
            name: string(&function["name"])?,
            arguments: string(&function["arguments"]).unwrap_or_default(),
        },
    })
}

fn usage(usage: &Value) -> Option<Usage> {
    let tokens = |key: &str| usage[key].as_u64().map(|n| n.min(u64::from(u32::MAX)) as u32);
    Some(Usage {
        input_tokens: tokens("prompt_tokens")?,
        output_tokens: tokens("completion_tokens")?,
    })
}

impl HTTPChatProvider for MyPluginConfig {
    fn chat_request(&self, messages: &[ChatMessage], tools: Option<&[Tool]>) -> Result<http::Request<Vec<u8>>, LLMError> {
        let body = ChatBody {
            model: self.model(DEFAULT_CHAT_MODEL),
            messages: openai_messages(messages),
            tools: tools.filter(|t| !t.is_empty()),
        };
        self.post_json("chat/completions", &body)
    }

    fn parse_chat(&self, resp: http::Response<Vec<u8>>) -> Result<Box<dyn ChatResponse>, LLMError> {
        let body = parse_body(&resp)?;
        let message = match array(&resp, &body, "choices")?.first() {
            Some(choice) => &choice["message"],
            None => return Err(format_error(&resp, "no choices in the chat completion")),
        };
        let tool_calls = message["tool_calls"]
            .as_array()
            .filter(|calls| !calls.is_empty())
            .map(|calls| calls.iter().filter_map(tool_call).collect());
        Ok(Box::new(ExtismChatResponse {
            text: string(&message["content"]),
            tool_calls,
            thinking: string(&message["reasoning_content"]),
            usage: usage(&body["usage"]),
        }))
    }
}

// ----------------------------------------------------------------------------- embeddings

#[derive(Serialize)]
struct EmbedBody<'a> {
    model: &'a str,
    input: &'a [String],
}

impl HTTPEmbeddingProvider for MyPluginConfig {
    fn embed_request(&self, inputs: &[String]) -> Result<http::Request<Vec<u8>>, LLMError> {
        let body = EmbedBody { model: self.model(DEFAULT_EMBEDDING_MODEL), input: inputs };
        self.post_json("embeddings", &body)
    }

    fn parse_embed(&self, resp: http::Response<Vec<u8>>) -> Result<Vec<Vec<f32>>, LLMError> {
        let body = parse_body(&resp)?;
        let data = array(&resp, &body, "data")?;
        // Each entry says which input it embeds (`index`); the answer keeps the input order.
        let mut rows = vec![Vec::new(); data.len()];
        for (position, entry) in data.iter().enumerate() {
            let vector = entry["embedding"]
                .as_array()
                .and_then(|xs| xs.iter().map(|x| x.as_f64().map(|x| x as f32)).collect::<Option<Vec<f32>>>())
                .ok_or_else(|| format_error(&resp, "an embedding is not an array of numbers"))?;
            let index = entry["index"].as_u64().map(|i| i as usize).filter(|&i| i < rows.len());
            rows[index.unwrap_or(position)] = vector;
        }
        Ok(rows)
    }
}

// ----------------------------------------------------------------------------- completions

#[derive(Serialize)]
struct CompleteBody<'a> {
    model: &'a str,
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    suffix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
}

impl HTTPCompletionProvider for MyPluginConfig {
    fn complete_request(&self, req: &CompletionRequest) -> Result<http::Request<Vec<u8>>, LLMError> {
        let body = CompleteBody {
            model: self.model(DEFAULT_CHAT_MODEL),
            prompt: &req.prompt,
            suffix: req.suffix.as_deref(),
            max_tokens: req.max_tokens,
            temperature: req.temperature,
        };
        self.post_json("completions", &body)
    }

    fn parse_complete(&self, resp: http::Response<Vec<u8>>) -> Result<CompletionResponse, LLMError> {
        let body = parse_body(&resp)?;
        match array(&resp, &body, "choices")?.first().and_then(|c| string(&c["text"])) {
            Some(text) => Ok(CompletionResponse { text }),
            None => Err(format_error(&resp, "no choices with text in the completion")),
        }
    }
}

// ----------------------------------------------------------------------------- base64

/// Standard base64 with padding (for data URLs); small enough not to need a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity((bytes.len() + 2) / 3 * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl_extism_http_plugin!(
    config = MyPluginConfig,
    factory = MyPluginFactory,
    name = "My Example LLM HTTP Plugin",
    schema = CONFIG_SCHEMA,
    base_url = DEFAULT_BASE_URL,
);
