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
use serde_json::Value;

use crate::api::{envelope_failure, finish_reason, reasoning, string, usage};

#[derive(Default)]
struct PendingTool {
    id: String,
    name: String,
    arguments: String,
    started: bool,
}

#[derive(Default)]
pub struct SseParser {
    tools: BTreeMap<u64, PendingTool>,
    finish: Option<FinishReason>,
    done: bool,
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

    fn tool_delta(&mut self, delta: &Value, out: &mut Vec<StreamChunk>) {
        let index = delta.get("index").and_then(Value::as_u64).unwrap_or(0);
        let function = delta.get("function");
        let tool = self.tools.entry(index).or_default();
        if let Some(id) = string(delta, "id") {
            tool.id = id;
        }
        if let Some(name) = function.and_then(|f| string(f, "name")) {
            tool.name.push_str(&name);
            if !tool.started && !tool.name.is_empty() {
                tool.started = true;
                out.push(StreamChunk::ToolUseStart {
                    index,
                    id: tool.id.clone(),
                    name: tool.name.clone(),
                });
            }
        }
        if let Some(piece) = function.and_then(|f| string(f, "arguments")) {
            if !piece.is_empty() {
                tool.arguments.push_str(&piece);
                out.push(StreamChunk::ToolUseInputDelta {
                    index,
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
        let event: Value =
            serde_json::from_slice(data.as_bytes()).map_err(|e| LLMError::ResponseFormatError {
                message: format!("not an OpenAI stream chunk: {}", e),
                raw_response: data.to_string(),
            })?;
        if let Some(error) = event.get("error").filter(|e| !e.is_null()) {
            return Err(envelope_failure(error, None).into());
        }
        if let Some(counts) = event.get("usage").filter(|u| u.is_object()) {
            out.push(StreamChunk::Usage(usage(counts)));
        }
        let choices = event.get("choices").and_then(Value::as_array);
        for choice in choices.into_iter().flatten() {
            if let Some(delta) = choice.get("delta") {
                if let Some(thinking) = reasoning(delta).filter(|t| !t.is_empty()) {
                    out.push(StreamChunk::Thinking(thinking));
                }
                if let Some(text) = string(delta, "content").filter(|t| !t.is_empty()) {
                    out.push(StreamChunk::Text(text));
                }
                let calls = delta.get("tool_calls").and_then(Value::as_array);
                for call in calls.into_iter().flatten() {
                    self.tool_delta(call, out);
                }
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                self.complete_tools(out);
                self.finish = Some(finish_reason(reason));
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
