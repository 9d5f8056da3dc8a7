package main

// The stream parser: OpenAI's server-sent events (`data: {chunk}` lines, `data: [DONE]`) to
// QueryMT stream chunks.
//
// The host feeds one line per call, but the parser accepts any run of whole lines. Tool calls
// are assembled per `index`: `tool_use_start` when a call's name arrives, one
// `tool_use_input_delta` per argument piece, `tool_use_complete` when the choice finishes.
// `done` is held back until `[DONE]` (or the end of the body): OpenAI sends the usage chunk
// after the finish reason, and a consumer that stops at `done` should still see the usage.

import (
	"sort"
	"strings"

	q "qmt-abigen.generated/go/querymt-extism-v2"
)

type pendingTool struct {
	id, name, arguments string
	started             bool
}

type sseParser struct {
	tools  map[uint64]*pendingTool
	reason *q.FinishReason
	done   bool
}

func (p *sseParser) completeTools(out []q.StreamChunk) []q.StreamChunk {
	indexes := make([]uint64, 0, len(p.tools))
	for index := range p.tools {
		indexes = append(indexes, index)
	}
	sort.Slice(indexes, func(a, b int) bool { return indexes[a] < indexes[b] })
	for _, index := range indexes {
		if tool := p.tools[index]; tool.started {
			out = append(out, q.StreamChunkToolUseComplete{Index: index, ToolCall: q.ToolCall{
				Id: tool.id, CallType: "function",
				Function: q.FunctionCall{Name: tool.name, Arguments: tool.arguments},
			}})
		}
	}
	p.tools = map[uint64]*pendingTool{}
	return out
}

func (p *sseParser) end(out []q.StreamChunk, fallback *q.FinishReason) []q.StreamChunk {
	out = p.completeTools(out)
	reason := p.reason
	p.reason = nil
	if reason == nil {
		reason = fallback
	}
	if reason != nil {
		out = append(out, q.StreamChunkDone{FinishReason: *reason})
	}
	p.done = true
	return out
}

func (p *sseParser) toolDelta(delta *q.Value, out []q.StreamChunk) []q.StreamChunk {
	index, ok := asU64(get(delta, "index"))
	if !ok {
		index = 0
	}
	function := get(delta, "function")
	tool, ok := p.tools[index]
	if !ok {
		tool = &pendingTool{}
		p.tools[index] = tool
	}
	if id, ok := stringAt(delta, "id"); ok {
		tool.id = id
	}
	if name, ok := stringAt(function, "name"); ok {
		tool.name += name
		if !tool.started && tool.name != "" {
			tool.started = true
			out = append(out, q.StreamChunkToolUseStart{Index: index, Id: tool.id, Name: tool.name})
		}
	}
	if piece, ok := stringAt(function, "arguments"); ok && piece != "" {
		tool.arguments += piece
		out = append(out, q.StreamChunkToolUseInputDelta{Index: index, PartialJson: piece})
	}
	return out
}

func (p *sseParser) line(line string, out []q.StreamChunk) ([]q.StreamChunk, error) {
	// Blank separators, `: comments`, `event:`/`id:`/`retry:` fields carry nothing here.
	data, ok := strings.CutPrefix(line, "data:")
	if !ok {
		return out, nil
	}
	data = strings.TrimSpace(data)
	if p.done || data == "" {
		return out, nil
	}
	if data == "[DONE]" {
		stop := q.FinishReasonStop
		return p.end(out, &stop), nil
	}
	event, err := q.Parse([]byte(data))
	if err != nil {
		return out, typed(q.LLMErrorPayloadResponseFormatError{
			Message: "not an OpenAI stream chunk: " + err.Error(), RawResponse: data,
		})
	}
	if e := get(&event, "error"); e != nil && e.Kind != q.Null {
		return out, typed(envelopeFailure(e, nil))
	}
	if counts := get(&event, "usage"); counts != nil && counts.Kind == q.Object {
		out = append(out, q.StreamChunkUsage{Value: usage(counts)})
	}
	choices, _ := asArray(get(&event, "choices"))
	for i := range choices {
		choice := &choices[i]
		if delta := get(choice, "delta"); delta != nil {
			if thinking, ok := reasoning(delta); ok && thinking != "" {
				out = append(out, q.StreamChunkThinking{Value: thinking})
			}
			if text, ok := stringAt(delta, "content"); ok && text != "" {
				out = append(out, q.StreamChunkText{Value: text})
			}
			calls, _ := asArray(get(delta, "tool_calls"))
			for j := range calls {
				out = p.toolDelta(&calls[j], out)
			}
		}
		if reason, ok := stringAt(choice, "finish_reason"); ok {
			out = p.completeTools(out)
			r := finishReason(reason)
			p.reason = &r
		}
	}
	return out, nil
}

// parseChunk reads whole lines (the last may lack its newline; a `\r` before it is dropped).
func (p *sseParser) parseChunk(chunk []byte) ([]q.StreamChunk, error) {
	text := strings.ToValidUTF8(string(chunk), "\uFFFD")
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	out := []q.StreamChunk{}
	for _, line := range lines {
		var err error
		if out, err = p.line(strings.TrimSuffix(line, "\r"), out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// finish ends a body that had no `[DONE]`: what is pending, with the finish reason seen.
func (p *sseParser) finish() []q.StreamChunk {
	out := []q.StreamChunk{}
	if !p.done {
		out = p.end(out, nil)
	}
	return out
}
