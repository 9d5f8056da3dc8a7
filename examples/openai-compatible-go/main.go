// A QueryMT provider plugin for any OpenAI-compatible API, in Go, on the generated ABI v2
// module: the plugin builds HTTP requests and parses responses; the host sends them. The same
// provider and configuration as examples/openai-compatible-v2 (Rust).
//
// `GET models`, `POST chat/completions` (plain and streamed as server-sent events),
// `POST embeddings` and `POST completions`, all relative to `base_url`.
package main

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"

	q "qmt-abigen.generated/go/querymt-extism-v2"
)

const defaultBaseURL = "https://api.openai.com/v1/"

// Config is the provider's configuration; unknown keys are refused (the host prunes its own
// keys against configSchema first, so the two must list the same fields).
type Config struct {
	APIKey                  string  // a bearer token; empty sends no Authorization header
	BaseURL                 string  // the API root, normalized to end in `/`
	Model                   string  // required
	MaxTokens               *uint32 // nil: not sent
	Temperature             *float32
	System                  []string // system prompts, sent first; a single string is one
	TimeoutSeconds          *uint64
	Stream                  *bool
	TopP                    *float32
	TopK                    *uint32
	Tools                   *[]q.Tool // offered when a call brings none
	ToolChoice              *q.Value  // OpenAI's tool_choice, passed through
	EmbeddingEncodingFormat *string
	EmbeddingDimensions     *uint32
	Models                  *[]string // a fixed model list: listing models makes no request
}

var configFields = [][]string{
	{"api_key"}, {"base_url"}, {"model"}, {"max_tokens"}, {"temperature"}, {"system"},
	{"timeout_seconds"}, {"stream"}, {"top_p"}, {"top_k"}, {"tools"}, {"tool_choice"},
	{"embedding_encoding_format"}, {"embedding_dimensions"}, {"models"},
}

func optional[T any](f q.Fields, i int, d q.Decoder[T], into **T, err *error) {
	if *err != nil {
		return
	}
	*into, *err = q.NullableField(f, i, configFields[i][0], "OpenAICompatible", q.DecodeNullable(d))
}

func decodeConfig(v q.Value) (Config, error) {
	var c Config
	f, err := q.ReadStruct(v, "OpenAICompatible", configFields, true)
	if err != nil {
		return c, err
	}
	if c.APIKey, err = q.DefaultField(f, 0, q.DecodeString, ""); err != nil {
		return c, err
	}
	if c.BaseURL, err = q.DefaultField(f, 1, decodeBaseURL, defaultBaseURL); err != nil {
		return c, err
	}
	if c.Model, err = q.Field(f, 2, "model", "OpenAICompatible", q.DecodeString); err != nil {
		return c, err
	}
	optional(f, 3, q.DecodeU32, &c.MaxTokens, &err)
	optional(f, 4, q.DecodeF32, &c.Temperature, &err)
	if err == nil {
		c.System, err = q.DefaultField(f, 5, decodeSystem, []string{})
	}
	optional(f, 6, q.DecodeU64, &c.TimeoutSeconds, &err)
	optional(f, 7, q.DecodeBool, &c.Stream, &err)
	optional(f, 8, q.DecodeF32, &c.TopP, &err)
	optional(f, 9, q.DecodeU32, &c.TopK, &err)
	optional(f, 10, q.DecodeList(q.DecodeTool), &c.Tools, &err)
	optional(f, 11, q.DecodeJSON, &c.ToolChoice, &err)
	optional(f, 12, q.DecodeString, &c.EmbeddingEncodingFormat, &err)
	optional(f, 13, q.DecodeU32, &c.EmbeddingDimensions, &err)
	optional(f, 14, q.DecodeList(q.DecodeString), &c.Models, &err)
	return c, err
}

func decodeBaseURL(v q.Value) (string, error) {
	raw, err := q.DecodeString(v)
	if err != nil {
		return "", err
	}
	return normalizeBaseURL(raw)
}

// decodeSystem reads a string (one prompt), a list of strings, or null (none).
func decodeSystem(v q.Value) ([]string, error) {
	switch v.Kind {
	case q.String:
		return []string{v.String}, nil
	case q.Null:
		return []string{}, nil
	case q.Array:
		return q.DecodeList(q.DecodeString)(v)
	default:
		return nil, q.InvalidType(v, "a string, a list of strings or null")
	}
}

// normalizeBaseURL adds the trailing `/` a base URL needs for relative paths to extend it
// rather than replace its last segment (`.../v1` + `models` must be `.../v1/models`).
func normalizeBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	quoted := strconv.Quote(raw)
	if err != nil || strings.ContainsAny(raw, " \t\r\n") {
		return "", errors.New("base_url " + quoted + " is not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("base_url " + quoted + " is not an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", errors.New("base_url " + quoted + " must not have a query")
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

// Written by hand; it must list exactly the fields of Config.
const configSchema = `{
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
}`

// ----------------------------------------------------------------------------- errors

func typed(payload q.LLMErrorPayload) error {
	return q.FailTyped(q.PluginError{Payload: payload})
}

func jsonError(err error) error { return typed(q.LLMErrorPayloadJsonError{Message: err.Error()}) }

func notImplemented(message string) error {
	return typed(q.LLMErrorPayloadNotImplemented{Message: message})
}

// ----------------------------------------------------------------------------- the provider

type provider struct {
	maxLevel uint32
	parsers  map[int64]*sseParser
	nextID   int64
}

func (*provider) DecodeConfig(v q.Value) (Config, error) { return decodeConfig(v) }

func (*provider) Name() (string, error)         { return "openai-compatible", nil }
func (*provider) BaseUrl() (string, error)      { return defaultBaseURL, nil }
func (*provider) ConfigSchema() (string, error) { return configSchema, nil }

func (*provider) ApiKeyName() (*string, error) { return strPtr("OPENAI_API_KEY"), nil }

func (p *provider) InitLogging(level uint32) error {
	p.maxLevel = level
	return nil
}

// debug logs through the host's qmt_log when the host's level lets debug records through.
func (p *provider) debug(message string) {
	if p.maxLevel >= 4 {
		_ = q.QmtLog(q.ExtismLogRecord{Level: 4, Target: "openai_compatible_go::api", Message: message})
	}
}

func (*provider) FromConfig(in q.Value) (q.Value, error) {
	if _, err := decodeConfig(in); err != nil {
		return q.Value{}, jsonError(err)
	}
	return in, nil
}

func (*provider) ListModelsStatic(in q.ExtismListModelsRequest) (*[]string, error) {
	models := get(&in.Cfg, "models")
	if models == nil || models.Kind == q.Null {
		return nil, nil
	}
	names, err := q.DecodeList(q.DecodeString)(*models)
	if err != nil {
		return nil, typed(q.LLMErrorPayloadInvalidRequest{Message: "`models` must be a list of model names"})
	}
	return &names, nil
}

func (p *provider) ListModelsRequest(in q.ExtismListModelsRequest) (q.SerializableHttpRequest, error) {
	// The host sends whatever configuration it has, possibly without a model.
	baseURL := defaultBaseURL
	if raw, ok := stringAt(&in.Cfg, "base_url"); ok {
		normalized, err := normalizeBaseURL(raw)
		if err != nil {
			return q.SerializableHttpRequest{}, typed(q.LLMErrorPayloadInvalidUrl{Message: err.Error()})
		}
		baseURL = normalized
	}
	apiKey, _ := stringAt(&in.Cfg, "api_key")
	return p.request("GET", baseURL, "models", apiKey, nil)
}

func (*provider) ParseListModelsResponse(in q.ExtismListModelsParseRequest) ([]string, error) {
	return parseListModels(in.Resp.Resp)
}

func (p *provider) ChatRequest(in q.ExtismChatRequest[Config]) (q.SerializableHttpRequest, error) {
	return p.chatRequest(in.Cfg, in.Messages, in.Tools, in.Cfg.Stream != nil && *in.Cfg.Stream)
}

func (p *provider) ChatStreamRequest(in q.ExtismChatRequest[Config]) (q.SerializableHttpRequest, error) {
	return p.chatRequest(in.Cfg, in.Messages, in.Tools, true)
}

func (*provider) ClassifyChatError(in q.ExtismChatParseRequest[Config]) (q.PluginError, error) {
	return q.PluginError{Payload: classifyError(in.Resp.Resp)}, nil
}

func (*provider) ParseChatResponse(in q.ExtismChatParseRequest[Config]) (q.ExtismChatResponse, error) {
	return parseChat(in.Resp.Resp)
}

func (p *provider) ChatStreamParserStart(Config) (int64, error) {
	p.nextID++
	p.parsers[p.nextID] = &sseParser{tools: map[uint64]*pendingTool{}}
	return p.nextID, nil
}

func unknownParser(id int64) error {
	return q.Fail("Unknown parser id " + strconv.FormatInt(id, 10))
}

func (p *provider) ChatStreamParserParse(in q.ExtismChatChunkParseRequest) ([]q.ExtismChatChunk, error) {
	parser, ok := p.parsers[in.ParserId]
	if !ok {
		return nil, unknownParser(in.ParserId)
	}
	events, err := parser.parseChunk(in.Chunk)
	if err != nil {
		return nil, err
	}
	return chunks(events), nil
}

func (p *provider) ChatStreamParserFinish(id int64) ([]q.ExtismChatChunk, error) {
	parser, ok := p.parsers[id]
	if !ok {
		return nil, unknownParser(id)
	}
	delete(p.parsers, id)
	return chunks(parser.finish()), nil
}

func (p *provider) ChatStreamParserClose(id int64) error {
	delete(p.parsers, id)
	return nil
}

// chunks pairs each event with the copy of its counts the host reads for usage chunks.
func chunks(events []q.StreamChunk) []q.ExtismChatChunk {
	out := make([]q.ExtismChatChunk, 0, len(events))
	for _, event := range events {
		chunk := q.ExtismChatChunk{Chunk: event}
		if usage, ok := event.(q.StreamChunkUsage); ok {
			counts := usage.Value
			chunk.Usage = &counts
		}
		out = append(out, chunk)
	}
	return out
}

func (p *provider) EmbedRequest(in q.ExtismEmbedRequest[Config]) (q.SerializableHttpRequest, error) {
	return p.embedRequest(in.Cfg, in.Inputs)
}

func (*provider) ParseEmbedResponse(in q.ExtismEmbedParseRequest[Config]) ([][]float32, error) {
	return parseEmbed(in.Resp.Resp)
}

func (p *provider) CompleteRequest(in q.ExtismCompleteRequest[Config]) (q.SerializableHttpRequest, error) {
	return p.completeRequest(in.Cfg, in.Req)
}

func (*provider) ParseCompleteResponse(in q.ExtismCompleteParseRequest[Config]) (q.CompletionResponse, error) {
	return parseComplete(in.Resp.Resp)
}

// Transcribe and Speech: OpenAI-compatible servers have no common speech API.
func (*provider) Transcribe(in q.ExtismSttRequest[Config]) (q.ExtismSttResponse, error) {
	if _, err := base64.StdEncoding.DecodeString(in.AudioBase64); err != nil {
		return q.ExtismSttResponse{}, q.Fail(err.Error())
	}
	return q.ExtismSttResponse{}, notImplemented("STT not supported")
}

func (*provider) Speech(q.ExtismTtsRequest[Config]) (q.ExtismTtsResponse, error) {
	return q.ExtismTtsResponse{}, notImplemented("TTS not supported")
}

func (*provider) SupportsStreaming(Config) (bool, error) { return true, nil }

func init() { q.Register[Config](&provider{parsers: map[int64]*sseParser{}}) }

func main() {}
