//! A keyless echo provider written against QueryMT's API paths: chat, a line-by-line stream
//! parser, no embeddings or completions (typed `not_implemented` errors), default error
//! classification, a log record on every chat request, and a transcription that goes
//! through the host's `qmt_http_request`.

use http::{Request, Response};
use querymt::chat::http::{ChatStreamParser, HTTPChatProvider};
use querymt::chat::{ChatMessage, ChatResponse, Content, FinishReason, StreamChunk, Tool};
use querymt::completion::http::HTTPCompletionProvider;
use querymt::completion::{CompletionRequest, CompletionResponse};
use querymt::embedding::http::HTTPEmbeddingProvider;
use querymt::error::LLMError;
use querymt::plugin::extism_impl::ExtismChatResponse;
use querymt::plugin::HTTPLLMProviderFactory;
use querymt::stt::{SttRequest, SttResponse};
use querymt::HTTPLLMProvider;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minimal {
    pub base_url: String,
    pub model: String,
}

impl Minimal {
    fn default_base_url() -> String {
        String::from("http://127.0.0.1:9/v1/")
    }
}

fn text_of(messages: &[ChatMessage]) -> String {
    messages
        .iter()
        .flat_map(|m| m.content.iter())
        .filter_map(|c| match c {
            Content::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl HTTPChatProvider for Minimal {
    fn chat_request(
        &self,
        messages: &[ChatMessage],
        tools: Option<&[Tool]>,
    ) -> Result<Request<Vec<u8>>, LLMError> {
        querymt::log::info!("chat with {} message(s)", messages.len());
        let body = serde_json::json!({
            "model": self.model,
            "prompt": text_of(messages),
            "tools": tools.map(|t| t.len()).unwrap_or(0),
        });
        Ok(Request::builder()
            .method("POST")
            .uri(format!("{}chat", self.base_url))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body)?)?)
    }

    fn chat_stream_request(
        &self,
        messages: &[ChatMessage],
        tools: Option<&[Tool]>,
    ) -> Result<Request<Vec<u8>>, LLMError> {
        let mut req = self.chat_request(messages, tools)?;
        req.headers_mut().insert(
            "accept",
            http::HeaderValue::from_static("text/event-stream"),
        );
        Ok(req)
    }

    fn parse_chat(&self, resp: Response<Vec<u8>>) -> Result<Box<dyn ChatResponse>, LLMError> {
        let body: serde_json::Value = serde_json::from_slice(resp.body())?;
        let text = body["text"]
            .as_str()
            .ok_or_else(|| LLMError::ResponseFormatError {
                message: String::from("no text"),
                raw_response: String::from_utf8_lossy(resp.body()).into_owned(),
            })?;
        Ok(Box::new(ExtismChatResponse {
            text: Some(text.to_string()),
            tool_calls: None,
            thinking: None,
            usage: None,
            finish_reason: Some(FinishReason::Stop),
        }))
    }

    fn supports_streaming(&self) -> bool {
        true
    }

    fn chat_stream_parser(&self) -> Result<Box<dyn ChatStreamParser>, LLMError> {
        Ok(Box::new(LineParser { seen: 0 }))
    }
}

/// `data: <text>` lines become text events; `data: [DONE]` ends the answer.
struct LineParser {
    seen: usize,
}

impl ChatStreamParser for LineParser {
    fn parse_chunk(&mut self, chunk: &[u8]) -> Result<Vec<StreamChunk>, LLMError> {
        let line = String::from_utf8(chunk.to_vec())?;
        let line = line.trim_end();
        match line.strip_prefix("data: ") {
            Some("[DONE]") => Ok(vec![StreamChunk::Done {
                finish_reason: FinishReason::Stop,
            }]),
            Some(text) => {
                self.seen += 1;
                Ok(vec![StreamChunk::Text(text.to_string())])
            }
            None if line.is_empty() => Ok(Vec::new()),
            None => Err(LLMError::ResponseFormatError {
                message: String::from("not an event line"),
                raw_response: line.to_string(),
            }),
        }
    }

    fn finish(&mut self) -> Result<Vec<StreamChunk>, LLMError> {
        Ok(vec![StreamChunk::Usage(querymt::Usage {
            input_tokens: 0,
            output_tokens: self.seen as u32,
            reasoning_tokens: 0,
            cache_read: 0,
            cache_write: 0,
        })])
    }
}

impl HTTPEmbeddingProvider for Minimal {
    fn embed_request(&self, _inputs: &[String]) -> Result<Request<Vec<u8>>, LLMError> {
        Err(LLMError::NotImplemented(String::from("no embeddings")))
    }

    fn parse_embed(&self, _resp: Response<Vec<u8>>) -> Result<Vec<Vec<f32>>, LLMError> {
        Err(LLMError::NotImplemented(String::from("no embeddings")))
    }
}

impl HTTPCompletionProvider for Minimal {
    fn complete_request(&self, _req: &CompletionRequest) -> Result<Request<Vec<u8>>, LLMError> {
        Err(LLMError::NotImplemented(String::from("no completions")))
    }

    fn parse_complete(&self, _resp: Response<Vec<u8>>) -> Result<CompletionResponse, LLMError> {
        Err(LLMError::NotImplemented(String::from("no completions")))
    }
}

/// Transcription is the one call a plugin sends itself (through `qmt_http_request`).
impl HTTPLLMProvider for Minimal {
    fn stt_request(&self, req: &SttRequest) -> Result<Request<Vec<u8>>, LLMError> {
        Ok(Request::builder()
            .method("POST")
            .uri(format!("{}transcribe", self.base_url))
            .header("x-language", req.language.clone().unwrap_or_default())
            .body(req.audio.clone())?)
    }

    fn parse_stt(&self, resp: Response<Vec<u8>>) -> Result<SttResponse, LLMError> {
        querymt::handle_http_error!(resp);
        Ok(SttResponse {
            text: String::from_utf8(resp.into_body())?,
        })
    }
}

struct MinimalFactory;

impl HTTPLLMProviderFactory for MinimalFactory {
    fn name(&self) -> &str {
        "minimal"
    }

    fn config_schema(&self) -> String {
        String::from(
            r#"{"type":"object","required":["base_url","model"],"properties":{"base_url":{"type":"string"},"model":{"type":"string"}}}"#,
        )
    }

    fn list_models_request(&self, cfg: &str) -> Result<Request<Vec<u8>>, LLMError> {
        let cfg: Minimal = serde_json::from_str(cfg)?;
        Ok(Request::builder()
            .uri(format!("{}models", cfg.base_url))
            .body(Vec::new())?)
    }

    fn parse_list_models(&self, resp: Response<Vec<u8>>) -> Result<Vec<String>, LLMError> {
        Ok(serde_json::from_slice(resp.body())?)
    }

    fn from_config(&self, cfg: &str) -> Result<Box<dyn HTTPLLMProvider>, LLMError> {
        Ok(Box::new(serde_json::from_str::<Minimal>(cfg)?))
    }
}

querymt::impl_extism_http_plugin! {
    config = Minimal,
    factory = MinimalFactory,
    name = "minimal",
}
