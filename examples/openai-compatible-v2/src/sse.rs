//! The stream parser: OpenAI's server-sent events (`data: {chunk}` lines, `data: [DONE]`) to
//! QueryMT `StreamChunk`s.
//!
//! The host feeds one line per call, but the parser accepts any run of whole lines. Tool
//! calls are assembled per `index`: `tool_use_start` when a call's name arrives, one
//! `tool_use_input_delta` per argument piece, `tool_use_complete` when the choice finishes.
//! `done` is held back until `[DONE]` (or the end of the body): OpenAI sends the usage chunk
//! after the finish reason, and a consumer that stops at `done` should still see the usage.

use std::collections::BTreeMap;

use querymt::chat::http::ChatStreamParser;
use querymt::chat::{FinishReason, StreamChunk};
use querymt::error::LLMError;
use querymt::{FunctionCall, ToolCall};
use serde::Deserialize;
use serde_json::Value;

use crate::api::{envelope_failure, finish_reason, WireUsage};

#[derive(Default)]
struct PendingTool {
    id: String,
    name: String,
    arguments: String,
    started: bool,
}

#[derive(Default)]
pub struct SseParser {
    tools: BTreeMap<usize, PendingTool>,
    finish: Option<FinishReason>,
    done: bool,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    choices: Vec<EventChoice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct EventChoice {
    #[serde(default)]
    delta: Delta,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default, alias = "reasoning")]
    reasoning_content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolDelta>,
}

#[derive(Deserialize)]
struct ToolDelta {
    #[serde(default)]
    index: usize,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: FunctionDelta,
}

#[derive(Deserialize, Default)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

impl SseParser {
    fn complete_tools(&mut self, out: &mut Vec<StreamChunk>) {
        let tools = std::mem::take(&mut self.tools);
        for (index, tool) in tools {
            if tool.started {
                out.push(StreamChunk::ToolUseComplete {
                    index,
                    tool_call: ToolCall {
                        id: tool.id,
                        call_type: "function".to_string(),
                        function: FunctionCall {
                            name: tool.name,
                            arguments: tool.arguments,
                        },
                    },
                });
            }
        }
    }

    fn end(&mut self, out: &mut Vec<StreamChunk>, default: Option<FinishReason>) {
        self.complete_tools(out);
        if let Some(finish_reason) = self.finish.take().or(default) {
            out.push(StreamChunk::Done { finish_reason });
        }
        self.done = true;
    }

    fn tool_delta(&mut self, delta: ToolDelta, out: &mut Vec<StreamChunk>) {
        let tool = self.tools.entry(delta.index).or_default();
        if let Some(id) = delta.id {
            tool.id = id;
        }
        if let Some(name) = delta.function.name {
            tool.name.push_str(&name);
            if !tool.started && !tool.name.is_empty() {
                tool.started = true;
                out.push(StreamChunk::ToolUseStart {
                    index: delta.index,
                    id: tool.id.clone(),
                    name: tool.name.clone(),
                });
            }
        }
        if let Some(piece) = delta.function.arguments {
            if !piece.is_empty() {
                tool.arguments.push_str(&piece);
                out.push(StreamChunk::ToolUseInputDelta {
                    index: delta.index,
                    partial_json: piece,
                });
            }
        }
    }

    fn line(&mut self, line: &str, out: &mut Vec<StreamChunk>) -> Result<(), LLMError> {
        // Blank separators, `: comments`, `event:`/`id:`/`retry:` fields carry nothing here.
        let data = match line.strip_prefix("data:") {
            Some(data) => data.trim(),
            None => return Ok(()),
        };
        if self.done || data.is_empty() {
            return Ok(());
        }
        if data == "[DONE]" {
            self.end(out, Some(FinishReason::Stop));
            return Ok(());
        }
        let value: Value =
            serde_json::from_str(data).map_err(|e| LLMError::ResponseFormatError {
                message: format!("a stream event is not JSON: {}", e),
                raw_response: data.to_string(),
            })?;
        if let Some(error) = value.get("error") {
            return Err(envelope_failure(error, &value, None).into());
        }
        let event: Event =
            serde_json::from_value(value).map_err(|e| LLMError::ResponseFormatError {
                message: format!("not an OpenAI stream chunk: {}", e),
                raw_response: data.to_string(),
            })?;
        if let Some(usage) = &event.usage {
            out.push(StreamChunk::Usage(usage.to_usage()));
        }
        for choice in event.choices {
            if let Some(thinking) = choice.delta.reasoning_content {
                if !thinking.is_empty() {
                    out.push(StreamChunk::Thinking(thinking));
                }
            }
            if let Some(text) = choice.delta.content {
                if !text.is_empty() {
                    out.push(StreamChunk::Text(text));
                }
            }
            for delta in choice.delta.tool_calls {
                self.tool_delta(delta, out);
            }
            if let Some(reason) = choice.finish_reason {
                self.complete_tools(out);
                self.finish = Some(finish_reason(&reason));
            }
        }
        Ok(())
    }
}

impl ChatStreamParser for SseParser {
    fn parse_chunk(&mut self, chunk: &[u8]) -> Result<Vec<StreamChunk>, LLMError> {
        let text = String::from_utf8_lossy(chunk);
        let mut out = Vec::new();
        for line in text.lines() {
            self.line(line, &mut out)?;
        }
        Ok(out)
    }

    /// A body that ended without `[DONE]`: finish what is pending, with the finish reason
    /// seen, if any.
    fn finish(&mut self) -> Result<Vec<StreamChunk>, LLMError> {
        let mut out = Vec::new();
        if !self.done {
            self.end(&mut out, None);
        }
        Ok(out)
    }
}
