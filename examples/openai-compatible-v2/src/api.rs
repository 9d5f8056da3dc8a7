//! The OpenAI wire format: request bodies, response bodies, usage counts and error envelopes.

use std::fmt;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{Method, Request, Response};
use querymt::chat::{ChatMessage, ChatRole, Content, FinishReason, Tool};
use querymt::completion::{CompletionRequest, CompletionResponse};
use querymt::error::{
    classify_status_only, parse_retry_after, LLMError, ProviderErrorKind, ProviderFailure,
};
use querymt::plugin::extism_impl::ExtismChatResponse;
use querymt::{FunctionCall, ToolCall, Usage};
use serde::Serialize;
use serde_json::Value;

use crate::OpenAICompatible;

// ----------------------------------------------------------------------------- requests

fn request(
    method: Method,
    base_url: &str,
    path: &str,
    api_key: &str,
    body: Vec<u8>,
) -> Result<Request<Vec<u8>>, LLMError> {
    let uri = format!("{}{}", base_url, path);
    querymt::log::debug!("{} {}", method, uri);
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(CONTENT_TYPE, "application/json");
    if !api_key.is_empty() {
        builder = builder.header(AUTHORIZATION, format!("Bearer {}", api_key));
    }
    builder.body(body).map_err(|e| {
        // The URL was checked when the configuration was read, so this is the key.
        LLMError::InvalidRequest(format!("cannot build the request: {}", e))
    })
}

fn post<T: Serialize>(
    cfg: &OpenAICompatible,
    path: &str,
    body: &T,
) -> Result<Request<Vec<u8>>, LLMError> {
    let body = serde_json::to_vec(body)?;
    request(Method::POST, &cfg.base_url, path, &cfg.api_key, body)
}

pub fn list_models_request(base_url: &str, api_key: &str) -> Result<Request<Vec<u8>>, LLMError> {
    request(Method::GET, base_url, "models", api_key, Vec::new())
}

#[derive(Serialize)]
struct ChatBody<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_k: Option<u32>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<&'a [Tool]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<&'a Value>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<WireContent<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<WireToolCall<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<&'a str>,
}

impl<'a> WireMessage<'a> {
    fn new(role: &'static str, content: Option<WireContent<'a>>) -> Self {
        WireMessage {
            role,
            content,
            tool_calls: Vec::new(),
            tool_call_id: None,
            reasoning_content: None,
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum WireContent<'a> {
    Text(String),
    Parts(Vec<WirePart<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WirePart<'a> {
    Text { text: &'a str },
    ImageUrl { image_url: WireImageUrl },
}

#[derive(Serialize)]
struct WireImageUrl {
    url: String,
}

#[derive(Serialize)]
struct WireToolCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunction<'a>,
}

#[derive(Serialize)]
struct WireFunction<'a> {
    name: &'a str,
    arguments: String,
}

fn texts(blocks: &[Content]) -> String {
    let parts: Vec<&str> = blocks
        .iter()
        .filter_map(|block| match block {
            Content::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    parts.join("\n")
}

/// One QueryMT message becomes one OpenAI message, except tool results: each is a message of
/// its own with role `tool`, as OpenAI wants them.
fn push_message<'a>(msg: &'a ChatMessage, out: &mut Vec<WireMessage<'a>>) {
    let role = match msg.role {
        ChatRole::User => "user",
        ChatRole::Assistant => "assistant",
    };
    let mut text_parts = Vec::new();
    let mut images = false;
    let mut calls = Vec::new();
    let mut thinking = None;
    for block in &msg.content {
        match block {
            Content::Text { text } => text_parts.push(WirePart::Text { text }),
            Content::ImageUrl { url } => {
                images = true;
                text_parts.push(WirePart::ImageUrl {
                    image_url: WireImageUrl { url: url.clone() },
                });
            }
            Content::Image { mime_type, data } => {
                images = true;
                let url = format!("data:{};base64,{}", mime_type, base64(data));
                text_parts.push(WirePart::ImageUrl {
                    image_url: WireImageUrl { url },
                });
            }
            Content::ToolUse {
                id,
                name,
                arguments,
            } => calls.push(WireToolCall {
                id,
                kind: "function",
                function: WireFunction {
                    name,
                    arguments: arguments.to_string(),
                },
            }),
            Content::ToolResult { id, content, .. } => {
                let mut result = WireMessage::new("tool", Some(WireContent::Text(texts(content))));
                result.tool_call_id = Some(id);
                out.push(result);
            }
            Content::Thinking { text, .. } => thinking = Some(text.as_str()),
            // OpenAI's chat API has no place for these; they are left out.
            _ => {}
        }
    }
    let content = if images {
        Some(WireContent::Parts(text_parts))
    } else if text_parts.is_empty() {
        None
    } else {
        let joined: Vec<&str> = text_parts
            .iter()
            .filter_map(|p| match p {
                WirePart::Text { text } => Some(*text),
                WirePart::ImageUrl { .. } => None,
            })
            .collect();
        Some(WireContent::Text(joined.join("")))
    };
    if content.is_none() && calls.is_empty() {
        return; // e.g. a user turn that only carried tool results
    }
    let mut message = WireMessage::new(role, content);
    message.tool_calls = calls;
    if role == "assistant" {
        message.reasoning_content = thinking;
    }
    out.push(message);
}

pub fn chat_request(
    cfg: &OpenAICompatible,
    messages: &[ChatMessage],
    tools: Option<&[Tool]>,
    stream: bool,
) -> Result<Request<Vec<u8>>, LLMError> {
    let mut wire: Vec<WireMessage> = cfg
        .system
        .iter()
        .map(|prompt| WireMessage::new("system", Some(WireContent::Text(prompt.clone()))))
        .collect();
    for message in messages {
        push_message(message, &mut wire);
    }
    let tools = tools.or(cfg.tools.as_deref());
    let body = ChatBody {
        model: &cfg.model,
        messages: wire,
        max_tokens: cfg.max_tokens,
        temperature: cfg.temperature,
        top_p: cfg.top_p,
        top_k: cfg.top_k,
        stream,
        // Without it OpenAI-compatible servers send no token counts in a stream.
        stream_options: if stream {
            Some(StreamOptions {
                include_usage: true,
            })
        } else {
            None
        },
        tools,
        tool_choice: if tools.is_some() {
            cfg.tool_choice.as_ref()
        } else {
            None
        },
    };
    post(cfg, "chat/completions", &body)
}

#[derive(Serialize)]
struct EmbedBody<'a> {
    model: &'a str,
    input: &'a [String],
    encoding_format: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
}

pub fn embed_request(
    cfg: &OpenAICompatible,
    inputs: &[String],
) -> Result<Request<Vec<u8>>, LLMError> {
    let body = EmbedBody {
        model: &cfg.model,
        input: inputs,
        encoding_format: cfg.embedding_encoding_format.as_deref().unwrap_or("float"),
        dimensions: cfg.embedding_dimensions,
    };
    post(cfg, "embeddings", &body)
}

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

pub fn complete_request(
    cfg: &OpenAICompatible,
    req: &CompletionRequest,
) -> Result<Request<Vec<u8>>, LLMError> {
    let body = CompleteBody {
        model: &cfg.model,
        prompt: &req.prompt,
        suffix: req.suffix.as_deref(),
        max_tokens: req.max_tokens.or(cfg.max_tokens),
        temperature: req.temperature.or(cfg.temperature),
    };
    post(cfg, "completions", &body)
}

// ----------------------------------------------------------------------------- responses
//
// Responses are read as `serde_json::Value` rather than into derived structs: the crate
// already links `Value` parsing, and each derived `Deserialize` would add its own code (the
// module has a size budget). Missing optional fields read as absent, as serde's defaults would.

fn format_error(resp: &Response<Vec<u8>>, what: &str, detail: &dyn fmt::Display) -> LLMError {
    LLMError::ResponseFormatError {
        message: format!("{}: {}", what, detail),
        raw_response: String::from_utf8_lossy(resp.body())
            .chars()
            .take(500)
            .collect(),
    }
}

fn decode(resp: &Response<Vec<u8>>, what: &str) -> Result<Value, LLMError> {
    let body: Value =
        serde_json::from_slice(resp.body()).map_err(|e| format_error(resp, what, &e))?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(format_error(resp, what, &"not a JSON object"))
    }
}

/// The array at `key`, or a format error naming it.
fn array<'a>(
    resp: &Response<Vec<u8>>,
    body: &'a Value,
    key: &str,
    what: &str,
) -> Result<&'a Vec<Value>, LLMError> {
    body.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format_error(resp, what, &format!("no `{}` array", key)))
}

/// The first element of the `choices` array, or a format error.
fn first_choice<'a>(
    resp: &Response<Vec<u8>>,
    body: &'a Value,
    what: &str,
) -> Result<&'a Value, LLMError> {
    array(resp, body, "choices", what)?
        .first()
        .ok_or_else(|| format_error(resp, what, &"`choices` is empty"))
}

pub fn string(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn count(value: Option<&Value>, key: &str) -> u32 {
    value
        .and_then(|v| v.get(key))
        .and_then(Value::as_u64)
        .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32)
}

/// QueryMT's `Usage` from OpenAI's `usage` object. OpenAI counts cached prompt tokens inside
/// `prompt_tokens` and reasoning tokens inside `completion_tokens`; QueryMT counts them apart.
pub fn usage(wire: &Value) -> Usage {
    let cached = count(wire.get("prompt_tokens_details"), "cached_tokens");
    let reasoning = count(wire.get("completion_tokens_details"), "reasoning_tokens");
    Usage {
        input_tokens: count(Some(wire), "prompt_tokens").saturating_sub(cached),
        output_tokens: count(Some(wire), "completion_tokens").saturating_sub(reasoning),
        reasoning_tokens: reasoning,
        cache_read: cached,
        cache_write: 0,
    }
}

pub fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "content_filter" => FinishReason::ContentFilter,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        _ => FinishReason::Unknown,
    }
}

/// Reasoning text, under the names OpenAI-compatible servers use for it.
pub fn reasoning(value: &Value) -> Option<String> {
    string(value, "reasoning_content").or_else(|| string(value, "reasoning"))
}

fn tool_call(resp: &Response<Vec<u8>>, call: &Value) -> Result<ToolCall, LLMError> {
    let what = "a tool call of the answer";
    let function = call
        .get("function")
        .ok_or_else(|| format_error(resp, what, &"no `function`"))?;
    Ok(ToolCall {
        id: string(call, "id").ok_or_else(|| format_error(resp, what, &"no `id`"))?,
        call_type: string(call, "type").unwrap_or_else(|| "function".to_string()),
        function: FunctionCall {
            name: string(function, "name").ok_or_else(|| format_error(resp, what, &"no `name`"))?,
            arguments: string(function, "arguments").unwrap_or_default(),
        },
    })
}

/// A chat answer: the first choice of an OpenAI chat completion.
pub fn parse_chat(resp: &Response<Vec<u8>>) -> Result<ExtismChatResponse, LLMError> {
    let what = "not an OpenAI chat completion";
    let body = decode(resp, what)?;
    let choice = first_choice(resp, &body, what)?;
    let message = choice
        .get("message")
        .ok_or_else(|| format_error(resp, what, &"the choice has no `message`"))?;
    let tool_calls = match message.get("tool_calls").and_then(Value::as_array) {
        Some(calls) => {
            let mut parsed = Vec::with_capacity(calls.len());
            for call in calls {
                parsed.push(tool_call(resp, call)?);
            }
            Some(parsed)
        }
        None => None,
    };
    Ok(ExtismChatResponse {
        text: string(message, "content"),
        thinking: reasoning(message),
        tool_calls,
        usage: body.get("usage").filter(|u| u.is_object()).map(usage),
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(finish_reason),
    })
}

pub fn parse_embed(resp: &Response<Vec<u8>>) -> Result<Vec<Vec<f32>>, LLMError> {
    let what = "not an OpenAI embedding list";
    let body = decode(resp, what)?;
    let mut items: Vec<(u64, Vec<f32>)> = Vec::new();
    for item in array(resp, &body, "data", what)? {
        let index = item
            .get("index")
            .and_then(Value::as_u64)
            .unwrap_or(items.len() as u64);
        let numbers = item
            .get("embedding")
            .and_then(Value::as_array)
            .ok_or_else(|| format_error(resp, what, &"an item has no `embedding` array"))?;
        let mut vector = Vec::with_capacity(numbers.len());
        for number in numbers {
            match number.as_f64() {
                Some(n) => vector.push(n as f32),
                None => return Err(format_error(resp, what, &"an embedding holds a non-number")),
            }
        }
        items.push((index, vector));
    }
    items.sort_by_key(|(index, _)| *index);
    Ok(items.into_iter().map(|(_, vector)| vector).collect())
}

pub fn parse_complete(resp: &Response<Vec<u8>>) -> Result<CompletionResponse, LLMError> {
    let what = "not an OpenAI text completion";
    let body = decode(resp, what)?;
    let text = string(first_choice(resp, &body, what)?, "text")
        .ok_or_else(|| format_error(resp, what, &"the choice has no `text`"))?;
    Ok(CompletionResponse { text })
}

pub fn parse_list_models(resp: &Response<Vec<u8>>) -> Result<Vec<String>, LLMError> {
    let what = "not an OpenAI model list";
    let body = decode(resp, what)?;
    let mut models = Vec::new();
    for model in array(resp, &body, "data", what)? {
        match string(model, "id") {
            Some(id) => models.push(id),
            None => return Err(format_error(resp, what, &"a model has no `id`")),
        }
    }
    Ok(models)
}

// ----------------------------------------------------------------------------- errors

/// The kind an OpenAI-style error `code` or `type` names, if it is one of the known ones.
fn error_kind(token: &str) -> Option<ProviderErrorKind> {
    let token = token.trim().to_ascii_lowercase().replace('-', "_");
    Some(match token.as_str() {
        "rate_limit_exceeded" | "rate_limit_error" | "rate_limited" | "too_many_requests" => {
            ProviderErrorKind::RateLimited
        }
        "insufficient_quota" | "quota_exceeded" => ProviderErrorKind::QuotaExceeded,
        "context_length_exceeded" | "string_above_max_length" => {
            ProviderErrorKind::ContextWindowExceeded
        }
        "invalid_api_key" | "authentication_error" | "unauthorized" | "permission_denied" => {
            ProviderErrorKind::Authentication
        }
        "server_is_overloaded" | "overloaded" | "overloaded_error" | "slow_down" => {
            ProviderErrorKind::ServerOverloaded
        }
        "invalid_request_error" | "invalid_request" | "model_not_found" => {
            ProviderErrorKind::InvalidRequest
        }
        "server_error" | "internal_server_error" => ProviderErrorKind::UnknownTransient,
        _ => return None,
    })
}

/// What the status alone says (as `classify_status_only` reads it), for envelopes whose code
/// and type name no known kind.
fn status_kind(status: u16) -> ProviderErrorKind {
    match status {
        429 => ProviderErrorKind::RateLimited,
        401 | 403 => ProviderErrorKind::Authentication,
        400 | 422 => ProviderErrorKind::InvalidRequest,
        408 | 425 | 500..=599 => ProviderErrorKind::UnknownTransient,
        _ => ProviderErrorKind::UnknownPermanent,
    }
}

fn json_string(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s.clone()),
        // Integer codes only: formatting floats would link core's float printing.
        Some(Value::Number(n)) => n.as_i64().map(|n| n.to_string()),
        _ => None,
    }
}

/// The decimal number `text` starts with, rounded up to a whole number, and what follows it
/// (`"1.5s"` is `(2, "s")`). Parsed by hand: float parsing would add its code to the module.
fn leading_number(text: &str) -> Option<(u64, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(end);
    let (whole, fraction) = match number.find('.') {
        Some(dot) => (&number[..dot], &number[dot + 1..]),
        None => (number, ""),
    };
    if fraction.contains('.') {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let up = fraction.bytes().any(|b| b != b'0');
    Some((whole.saturating_add(u64::from(up)), rest))
}

/// Seconds to wait, from a JSON number or a string like `"2"` or `"1.5s"`.
fn json_seconds(value: Option<&Value>) -> Option<u64> {
    match value {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|s| *s >= 0.0).map(|s| s.ceil() as u64)),
        Some(Value::String(s)) => match leading_number(s.trim()) {
            Some((seconds, "")) | Some((seconds, "s")) => Some(seconds),
            _ => None,
        },
        _ => None,
    }
}

/// `"... try again in 1.5s ..."`, as OpenAI words its rate-limit messages.
fn retry_in_message(message: &str) -> Option<u64> {
    let lower = message.to_ascii_lowercase();
    let rest = &lower[lower.find("try again in ")? + "try again in ".len()..];
    let (value, unit) = leading_number(rest)?;
    let unit = unit.trim_start();
    if unit.starts_with("ms") {
        Some((value + 999) / 1000)
    } else if unit.starts_with('s') {
        Some(value)
    } else {
        None
    }
}

/// A provider failure from an OpenAI error object (`{"message", "type", "code", ...}`, or a
/// bare string), as it comes in an HTTP error body or an in-band stream event.
pub fn envelope_failure(error: &Value, status: Option<u16>) -> ProviderFailure {
    let message = match error {
        Value::String(s) => s.trim().to_string(),
        _ => json_string(error.get("message"))
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    let message = if message.is_empty() {
        "the provider reported an error".to_string()
    } else {
        message
    };
    let code = json_string(error.get("code"));
    let error_type = json_string(error.get("type"));
    let named = code
        .as_deref()
        .and_then(error_kind)
        .or_else(|| error_type.as_deref().and_then(error_kind));
    let kind = match (named, status) {
        (Some(kind), _) => kind,
        (None, Some(status)) => status_kind(status),
        (None, None) => ProviderErrorKind::UnknownPermanent,
    };
    let retry = json_seconds(error.get("retry_after"))
        .or_else(|| json_seconds(error.get("retry_after_secs")))
        .or_else(|| {
            if kind == ProviderErrorKind::RateLimited {
                retry_in_message(&message)
            } else {
                None
            }
        });
    let request_id = json_string(error.get("request_id"));
    ProviderFailure::new(kind, message)
        .with_code(code)
        .with_error_type(error_type)
        .with_request_id(request_id)
        .with_retry_after_secs(retry)
}

/// `classify_chat_error`: the OpenAI error envelope when the body has one, else the status.
pub fn classify_error(resp: &Response<Vec<u8>>) -> LLMError {
    let status = resp.status().as_u16();
    let envelope: Option<Value> = serde_json::from_slice(resp.body()).ok();
    let error = envelope.as_ref().and_then(|e| e.get("error"));
    match error {
        Some(error) if status != 499 => {
            let failure = envelope_failure(error, Some(status));
            let header_request_id = resp
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let request_id = header_request_id.or_else(|| failure.request_id().map(str::to_string));
            // The Retry-After header wins over hints in the body.
            let retry = parse_retry_after(resp.headers()).or_else(|| failure.retry_after_secs());
            failure
                .with_request_id(request_id)
                .with_retry_after_secs(retry)
                .into()
        }
        _ => classify_status_only(status, resp.headers(), resp.body()),
    }
}

// ----------------------------------------------------------------------------- base64

/// Standard base64 with padding, for `data:` URLs of inline images.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity((data.len() + 2) / 3 * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
