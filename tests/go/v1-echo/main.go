// A plugin of QueryMT's ABI v1 in Go, against the generated v1 module: the same target
// that renders v2, with v1's own exports, its configuration-typed from_config, its error
// convention (-1 and free text) and Extism's built-in HTTP client (a raw spec import) for
// list_models.
package main

import (
	"strconv"

	q "qmt-abigen.generated/go/querymt-extism-v1"
)

// Config is `{"api_key": string, "base_url": string}`; unknown keys are refused.
type Config struct {
	APIKey, BaseURL string
}

var fields = [][]string{{"api_key"}, {"base_url"}}

func decodeConfig(v q.Value) (Config, error) {
	var c Config
	f, err := q.ReadStruct(v, "Config", fields, true)
	if err != nil {
		return c, err
	}
	if c.APIKey, err = q.Field(f, 0, "api_key", "Config", q.DecodeString); err != nil {
		return c, err
	}
	c.BaseURL, err = q.DefaultField(f, 1, q.DecodeString, "http://127.0.0.1:9/v1/")
	return c, err
}

type plugin struct{}

func (plugin) DecodeConfig(v q.Value) (Config, error) { return decodeConfig(v) }

func (plugin) EncodeConfig(w *q.Writer, c Config) {
	w.Open()
	w.Key("api_key")
	q.EncodeString(w, c.APIKey)
	w.Key("base_url")
	q.EncodeString(w, c.BaseURL)
	w.Close()
}

func (plugin) Name() (string, error)         { return "go-v1", nil }
func (plugin) BaseUrl() (string, error)      { return "http://127.0.0.1:9/v1/", nil }
func (plugin) ApiKeyName() (*string, error)  { return nil, nil }
func (plugin) ConfigSchema() (string, error) { return `{"type":"object","required":["api_key"]}`, nil }

func (plugin) FromConfig(in Config) (Config, error) { return in, nil }

// ListModels sends `GET <base_url>models` through Extism's http_request.
func (plugin) ListModels(in q.Value) ([]string, error) {
	cfg, err := decodeConfig(in)
	if err != nil {
		return nil, err
	}
	w := &q.Writer{}
	w.Open()
	w.Key("method")
	q.EncodeString(w, "GET")
	w.Key("url")
	q.EncodeString(w, cfg.BaseURL+"models")
	w.Key("headers")
	q.EncodeMap(q.EncodeString)(w, map[string]string{"authorization": "Bearer " + cfg.APIKey})
	w.Close()
	request, err := w.Bytes()
	if err != nil {
		return nil, err
	}
	body := q.ReadBlock(q.HttpRequest(q.WriteBlock(request), 0))
	if status := q.HttpStatusCode(); status != 200 {
		return nil, q.Fail("HTTP " + strconv.Itoa(int(status)) + ": " + string(body))
	}
	return q.Unmarshal(body, q.DecodeList(q.DecodeString))
}

func (plugin) Chat(in q.ExtismChatRequest[Config]) (q.ExtismChatResponse, error) {
	text := "no messages"
	if n := len(in.Messages); n > 0 {
		text = in.Messages[n-1].Content
	}
	return q.ExtismChatResponse{Text: &text}, nil
}

func (plugin) Embed(in q.ExtismEmbedRequest[Config]) ([][]float32, error) {
	out := make([][]float32, len(in.Inputs))
	for i, text := range in.Inputs {
		out[i] = []float32{float32(len(text))}
	}
	return out, nil
}

func (plugin) Complete(q.ExtismCompleteRequest[Config]) (q.CompletionResponse, error) {
	return q.CompletionResponse{}, q.Fail("no completions")
}

func init() { q.Register[Config](plugin{}) }

func main() {}
