// A tiny ABI v2 plugin in Go for the generated module's own tests: it echoes what it decodes,
// answers typed errors on request, leaves the optional exports to Defaults and sends one
// request through qmt_http_request.
package main

import (
	"strconv"

	q "qmt-abigen.generated/go/querymt-extism-v2"
)

// Config is `{"model": string}`; unknown keys are refused, as QueryMT's providers do.
type Config struct {
	Model string
}

type echo struct {
	q.Defaults[Config]
	level  uint32
	nextID int64
}

func (*echo) DecodeConfig(v q.Value) (Config, error) {
	f, err := q.ReadStruct(v, "Config", [][]string{{"model"}}, true)
	if err != nil {
		return Config{}, err
	}
	model, err := q.Field(f, 0, "model", "Config", q.DecodeString)
	return Config{Model: model}, err
}

func notImplemented(what string) error {
	return q.FailTyped(q.PluginError{Payload: q.LLMErrorPayloadNotImplemented{Message: what}})
}

func (*echo) Name() (string, error)                  { return "go-echo", nil }
func (*echo) ConfigSchema() (string, error)          { return `{"type":"object","required":["model"]}`, nil }
func (e *echo) InitLogging(in uint32) error          { e.level = in; return nil }
func (*echo) FromConfig(in q.Value) (q.Value, error) { return in, nil }

func (e *echo) ListModelsRequest(in q.ExtismListModelsRequest) (q.SerializableHttpRequest, error) {
	if e.level >= 3 {
		_ = q.QmtLog(q.ExtismLogRecord{Level: 3, Target: "v2_echo", Message: "listing models"})
	}
	return q.SerializableHttpRequest{Req: q.HttpRequestMessage{Head: q.HttpRequestHead{
		Method:  "GET",
		Uri:     "http://127.0.0.1:9/models",
		Headers: map[string]q.HttpHeaderValue{"accept": q.HttpHeaderValueMany{Value: []string{"a", "b"}}},
		Version: q.HttpVersionHttp11,
	}, Body: []byte{}}}, nil
}

func (*echo) ParseListModelsResponse(in q.ExtismListModelsParseRequest) ([]string, error) {
	return q.Unmarshal(in.Resp.Resp.Body, q.DecodeList(q.DecodeString))
}

func (*echo) ChatRequest(in q.ExtismChatRequest[Config]) (q.SerializableHttpRequest, error) {
	body, err := q.Marshal(in.Messages, q.EncodeList(q.EncodeChatMessage))
	if err != nil {
		return q.SerializableHttpRequest{}, err
	}
	return q.SerializableHttpRequest{Req: q.HttpRequestMessage{Head: q.HttpRequestHead{
		Method: "POST", Uri: "http://127.0.0.1:9/" + in.Cfg.Model, Headers: map[string]q.HttpHeaderValue{},
		Version: q.HttpVersionHttp2,
	}, Body: body}}, nil
}

func (*echo) ChatStreamRequest(q.ExtismChatRequest[Config]) (q.SerializableHttpRequest, error) {
	return q.SerializableHttpRequest{}, notImplemented("no streaming")
}

func (*echo) ParseChatResponse(in q.ExtismChatParseRequest[Config]) (q.ExtismChatResponse, error) {
	text := string(in.Resp.Resp.Body)
	stop := q.FinishReasonStop
	return q.ExtismChatResponse{Text: &text, FinishReason: &stop}, nil
}

func (e *echo) ChatStreamParserStart(Config) (int64, error) {
	e.nextID++
	return e.nextID, nil
}

func (*echo) ChatStreamParserParse(in q.ExtismChatChunkParseRequest) ([]q.ExtismChatChunk, error) {
	return []q.ExtismChatChunk{{Chunk: q.StreamChunkText{Value: string(in.Chunk)}}}, nil
}

func (*echo) ChatStreamParserFinish(in int64) ([]q.ExtismChatChunk, error) {
	return nil, q.Fail("Unknown parser id " + strconv.FormatInt(in, 10))
}

func (*echo) ChatStreamParserClose(int64) error { return nil }

func (*echo) EmbedRequest(q.ExtismEmbedRequest[Config]) (q.SerializableHttpRequest, error) {
	return q.SerializableHttpRequest{}, notImplemented("no embeddings")
}

func (*echo) ParseEmbedResponse(q.ExtismEmbedParseRequest[Config]) ([][]float32, error) {
	return [][]float32{{0.5, 1, -2.25}}, nil
}

func (*echo) CompleteRequest(q.ExtismCompleteRequest[Config]) (q.SerializableHttpRequest, error) {
	return q.SerializableHttpRequest{}, notImplemented("no completions")
}

func (*echo) ParseCompleteResponse(q.ExtismCompleteParseRequest[Config]) (q.CompletionResponse, error) {
	return q.CompletionResponse{}, notImplemented("no completions")
}

// Transcribe posts the audio text to the configured model's URL through the host.
func (*echo) Transcribe(in q.ExtismSttRequest[Config]) (q.ExtismSttResponse, error) {
	resp, err := q.QmtHttpRequest(q.SerializableHttpRequest{Req: q.HttpRequestMessage{Head: q.HttpRequestHead{
		Method: "POST", Uri: in.Cfg.Model, Headers: map[string]q.HttpHeaderValue{},
		Version: q.HttpVersionHttp11,
	}, Body: []byte(in.AudioBase64)}})
	if err != nil {
		return q.ExtismSttResponse{}, err
	}
	status := resp.Resp.Head.Status
	return q.ExtismSttResponse{Text: strconv.Itoa(int(status)) + " " + string(resp.Resp.Body)}, nil
}

func (*echo) Speech(q.ExtismTtsRequest[Config]) (q.ExtismTtsResponse, error) {
	panic("speech is a trap")
}

func (*echo) SupportsStreaming(Config) (bool, error) { return false, nil }

func init() { q.Register[Config](&echo{}) }

func main() {}
