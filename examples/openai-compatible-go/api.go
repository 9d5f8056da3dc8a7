package main

// The OpenAI wire format: request bodies, response bodies, usage counts and error envelopes.

import (
	"encoding/base64"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	q "qmt-abigen.generated/go/querymt-extism-v2"
)

// ----------------------------------------------------------------------------- requests

// validHeaderValue is what the http crate's HeaderValue accepts: visible ASCII, space, tab
// and bytes from 0x80.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 32 && c != '\t') || c == 127 {
			return false
		}
	}
	return true
}

func (p *provider) request(method, baseURL, path, apiKey string, body []byte) (q.SerializableHttpRequest, error) {
	uri := baseURL + path
	p.debug(method + " " + uri)
	headers := map[string]q.HttpHeaderValue{"content-type": q.HttpHeaderValueOne{Value: "application/json"}}
	if apiKey != "" {
		auth := "Bearer " + apiKey
		if !validHeaderValue(auth) {
			// The URL was checked when the configuration was read, so this is the key.
			return q.SerializableHttpRequest{}, typed(q.LLMErrorPayloadInvalidRequest{
				Message: "cannot build the request: failed to parse header value",
			})
		}
		headers["authorization"] = q.HttpHeaderValueOne{Value: auth}
	}
	if body == nil {
		body = []byte{}
	}
	return q.SerializableHttpRequest{Req: q.HttpRequestMessage{
		Head: q.HttpRequestHead{Method: method, Uri: uri, Headers: headers, Version: q.HttpVersionHttp11},
		Body: body,
	}}, nil
}

func (p *provider) post(cfg Config, path string, write func(w *q.Writer)) (q.SerializableHttpRequest, error) {
	w := &q.Writer{}
	write(w)
	body, err := w.Bytes()
	if err != nil {
		return q.SerializableHttpRequest{}, typed(q.LLMErrorPayloadJsonError{Message: err.Error()})
	}
	return p.request("POST", cfg.BaseURL, path, cfg.APIKey, body)
}

// wireMessage is one OpenAI chat message; content is text, parts (with images) or absent.
type wireMessage struct {
	role       string
	text       *string
	parts      []wirePart
	toolCalls  []q.Value // {id, type, function: {name, arguments}}
	toolCallID *string
	reasoning  *string
}

type wirePart struct {
	text     *string
	imageURL string
}

func writeMessage(w *q.Writer, m wireMessage) {
	w.Open()
	w.Key("role")
	q.EncodeString(w, m.role)
	switch {
	case m.parts != nil:
		w.Key("content")
		w.Raw("[")
		for i, part := range m.parts {
			if i > 0 {
				w.Raw(",")
			}
			w.Open()
			w.Key("type")
			if part.text != nil {
				q.EncodeString(w, "text")
				w.Key("text")
				q.EncodeString(w, *part.text)
			} else {
				q.EncodeString(w, "image_url")
				w.Key("image_url")
				w.Open()
				w.Key("url")
				q.EncodeString(w, part.imageURL)
				w.Close()
			}
			w.Close()
		}
		w.Raw("]")
	case m.text != nil:
		w.Key("content")
		q.EncodeString(w, *m.text)
	}
	if len(m.toolCalls) > 0 {
		w.Key("tool_calls")
		q.EncodeList(q.EncodeJSON)(w, m.toolCalls)
	}
	if m.toolCallID != nil {
		w.Key("tool_call_id")
		q.EncodeString(w, *m.toolCallID)
	}
	if m.reasoning != nil {
		w.Key("reasoning_content")
		q.EncodeString(w, *m.reasoning)
	}
	w.Close()
}

func texts(blocks []q.Content) string {
	var parts []string
	for _, block := range blocks {
		if text, ok := block.(q.ContentText); ok {
			parts = append(parts, text.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func str(s string) q.Value                { return q.Value{Kind: q.String, String: s} }
func member(k string, v q.Value) q.Member { return q.Member{Key: k, Value: v} }

func toolCallValue(id, name, arguments string) q.Value {
	function := q.Value{Kind: q.Object, Members: []q.Member{member("name", str(name)), member("arguments", str(arguments))}}
	return q.Value{Kind: q.Object, Members: []q.Member{
		member("id", str(id)), member("type", str("function")), member("function", function),
	}}
}

// pushMessage turns one QueryMT message into OpenAI messages: tool results each become a
// message of their own with role `tool`, as OpenAI wants them.
func pushMessage(msg q.ChatMessage, out []wireMessage) []wireMessage {
	role := "user"
	if msg.Role == q.ChatRoleAssistant {
		role = "assistant"
	}
	var parts []wirePart
	images := false
	var calls []q.Value
	var thinking *string
	for _, block := range msg.Content {
		switch b := block.(type) {
		case q.ContentText:
			parts = append(parts, wirePart{text: strPtr(b.Text)})
		case q.ContentImageUrl:
			images = true
			parts = append(parts, wirePart{imageURL: b.Url})
		case q.ContentImage:
			images = true
			url := "data:" + b.MimeType + ";base64," + base64.StdEncoding.EncodeToString(b.Data)
			parts = append(parts, wirePart{imageURL: url})
		case q.ContentToolUse:
			arguments, _ := q.Marshal(b.Arguments, q.EncodeJSON)
			calls = append(calls, toolCallValue(b.Id, b.Name, string(arguments)))
		case q.ContentToolResult:
			out = append(out, wireMessage{role: "tool", text: strPtr(texts(b.Content)), toolCallID: strPtr(b.Id)})
		case q.ContentThinking:
			thinking = strPtr(b.Text)
		}
		// OpenAI's chat API has no place for the other blocks; they are left out.
	}
	message := wireMessage{role: role, toolCalls: calls}
	switch {
	case images:
		message.parts = parts
	case len(parts) > 0:
		var joined strings.Builder
		for _, part := range parts {
			joined.WriteString(*part.text)
		}
		message.text = strPtr(joined.String())
	case len(calls) == 0:
		return out // e.g. a user turn that only carried tool results
	}
	if role == "assistant" {
		message.reasoning = thinking
	}
	return append(out, message)
}

func (p *provider) chatRequest(cfg Config, messages []q.ChatMessage, tools *[]q.Tool, stream bool) (q.SerializableHttpRequest, error) {
	var wire []wireMessage
	for _, prompt := range cfg.System {
		wire = append(wire, wireMessage{role: "system", text: strPtr(prompt)})
	}
	for _, message := range messages {
		wire = pushMessage(message, wire)
	}
	if tools == nil {
		tools = cfg.Tools
	}
	return p.post(cfg, "chat/completions", func(w *q.Writer) {
		w.Open()
		w.Key("model")
		q.EncodeString(w, cfg.Model)
		w.Key("messages")
		q.EncodeList(writeMessage)(w, wire)
		optionalKey(w, "max_tokens", cfg.MaxTokens, q.EncodeU32)
		optionalKey(w, "temperature", cfg.Temperature, q.EncodeF32)
		optionalKey(w, "top_p", cfg.TopP, q.EncodeF32)
		optionalKey(w, "top_k", cfg.TopK, q.EncodeU32)
		w.Key("stream")
		q.EncodeBool(w, stream)
		if stream {
			// Without it OpenAI-compatible servers send no token counts in a stream.
			w.Key("stream_options")
			w.Raw(`{"include_usage":true}`)
		}
		if tools != nil {
			w.Key("tools")
			q.EncodeList(q.EncodeTool)(w, *tools)
			optionalKey(w, "tool_choice", cfg.ToolChoice, q.EncodeJSON)
		}
		w.Close()
	})
}

func optionalKey[T any](w *q.Writer, key string, x *T, e q.Encoder[T]) {
	if x != nil {
		w.Key(key)
		e(w, *x)
	}
}

func (p *provider) embedRequest(cfg Config, inputs []string) (q.SerializableHttpRequest, error) {
	format := "float"
	if cfg.EmbeddingEncodingFormat != nil {
		format = *cfg.EmbeddingEncodingFormat
	}
	return p.post(cfg, "embeddings", func(w *q.Writer) {
		w.Open()
		w.Key("model")
		q.EncodeString(w, cfg.Model)
		w.Key("input")
		q.EncodeList(q.EncodeString)(w, inputs)
		w.Key("encoding_format")
		q.EncodeString(w, format)
		optionalKey(w, "dimensions", cfg.EmbeddingDimensions, q.EncodeU32)
		w.Close()
	})
}

func (p *provider) completeRequest(cfg Config, req q.CompletionRequest) (q.SerializableHttpRequest, error) {
	maxTokens, temperature := req.MaxTokens, req.Temperature
	if maxTokens == nil {
		maxTokens = cfg.MaxTokens
	}
	if temperature == nil {
		temperature = cfg.Temperature
	}
	return p.post(cfg, "completions", func(w *q.Writer) {
		w.Open()
		w.Key("model")
		q.EncodeString(w, cfg.Model)
		w.Key("prompt")
		q.EncodeString(w, req.Prompt)
		optionalKey(w, "suffix", req.Suffix, q.EncodeString)
		optionalKey(w, "max_tokens", maxTokens, q.EncodeU32)
		optionalKey(w, "temperature", temperature, q.EncodeF32)
		w.Close()
	})
}

// ----------------------------------------------------------------------------- responses

// lossy is the body as text, invalid UTF-8 replaced, at most 500 characters.
func lossy(body []byte) string {
	text := strings.ToValidUTF8(string(body), "\uFFFD")
	if utf8.RuneCountInString(text) > 500 {
		runes := []rune(text)
		text = string(runes[:500])
	}
	return text
}

func formatError(resp q.HttpResponseMessage, what, detail string) error {
	return typed(q.LLMErrorPayloadResponseFormatError{Message: what + ": " + detail, RawResponse: lossy(resp.Body)})
}

func decodeBody(resp q.HttpResponseMessage, what string) (q.Value, error) {
	body, err := q.Parse(resp.Body)
	if err != nil {
		return body, formatError(resp, what, err.Error())
	}
	if body.Kind != q.Object {
		return body, formatError(resp, what, "not a JSON object")
	}
	return body, nil
}

func arrayAt(resp q.HttpResponseMessage, body *q.Value, key, what string) ([]q.Value, error) {
	items, ok := asArray(get(body, key))
	if !ok {
		return nil, formatError(resp, what, "no `"+key+"` array")
	}
	return items, nil
}

func firstChoice(resp q.HttpResponseMessage, body *q.Value, what string) (*q.Value, error) {
	choices, err := arrayAt(resp, body, "choices", what)
	if err != nil {
		return nil, err
	}
	if len(choices) == 0 {
		return nil, formatError(resp, what, "`choices` is empty")
	}
	return &choices[0], nil
}

func count(v *q.Value, key string) uint32 {
	n, ok := asU64(get(v, key))
	if !ok {
		return 0
	}
	return uint32(min(n, math.MaxUint32))
}

func saturatingSub(a, b uint32) uint32 {
	if b > a {
		return 0
	}
	return a - b
}

// usage is QueryMT's Usage from OpenAI's `usage` object. OpenAI counts cached prompt tokens
// inside `prompt_tokens` and reasoning tokens inside `completion_tokens`; QueryMT apart.
func usage(wire *q.Value) q.Usage {
	cached := count(get(wire, "prompt_tokens_details"), "cached_tokens")
	reasoning := count(get(wire, "completion_tokens_details"), "reasoning_tokens")
	return q.Usage{
		InputTokens:     saturatingSub(count(wire, "prompt_tokens"), cached),
		OutputTokens:    saturatingSub(count(wire, "completion_tokens"), reasoning),
		ReasoningTokens: reasoning,
		CacheRead:       cached,
	}
}

func finishReason(reason string) q.FinishReason {
	switch reason {
	case "stop":
		return q.FinishReasonStop
	case "length":
		return q.FinishReasonLength
	case "content_filter":
		return q.FinishReasonContentFilter
	case "tool_calls", "function_call":
		return q.FinishReasonToolCalls
	default:
		return q.FinishReasonUnknown
	}
}

// reasoning is the reasoning text, under the names OpenAI-compatible servers use for it.
func reasoning(v *q.Value) (string, bool) {
	if text, ok := stringAt(v, "reasoning_content"); ok {
		return text, true
	}
	return stringAt(v, "reasoning")
}

func toolCall(resp q.HttpResponseMessage, call *q.Value) (q.ToolCall, error) {
	const what = "a tool call of the answer"
	function := get(call, "function")
	if function == nil {
		return q.ToolCall{}, formatError(resp, what, "no `function`")
	}
	id, ok := stringAt(call, "id")
	if !ok {
		return q.ToolCall{}, formatError(resp, what, "no `id`")
	}
	callType, ok := stringAt(call, "type")
	if !ok {
		callType = "function"
	}
	name, ok := stringAt(function, "name")
	if !ok {
		return q.ToolCall{}, formatError(resp, what, "no `name`")
	}
	arguments, _ := stringAt(function, "arguments")
	return q.ToolCall{Id: id, CallType: callType, Function: q.FunctionCall{Name: name, Arguments: arguments}}, nil
}

// parseChat reads the first choice of an OpenAI chat completion.
func parseChat(resp q.HttpResponseMessage) (q.ExtismChatResponse, error) {
	const what = "not an OpenAI chat completion"
	var answer q.ExtismChatResponse
	body, err := decodeBody(resp, what)
	if err != nil {
		return answer, err
	}
	choice, err := firstChoice(resp, &body, what)
	if err != nil {
		return answer, err
	}
	message := get(choice, "message")
	if message == nil {
		return answer, formatError(resp, what, "the choice has no `message`")
	}
	if calls, ok := asArray(get(message, "tool_calls")); ok {
		parsed := make([]q.ToolCall, 0, len(calls))
		for i := range calls {
			call, err := toolCall(resp, &calls[i])
			if err != nil {
				return answer, err
			}
			parsed = append(parsed, call)
		}
		answer.ToolCalls = &parsed
	}
	if text, ok := stringAt(message, "content"); ok {
		answer.Text = &text
	}
	if thinking, ok := reasoning(message); ok {
		answer.Thinking = &thinking
	}
	if counts := get(&body, "usage"); counts != nil && counts.Kind == q.Object {
		u := usage(counts)
		answer.Usage = &u
	}
	if reason, ok := stringAt(choice, "finish_reason"); ok {
		r := finishReason(reason)
		answer.FinishReason = &r
	}
	return answer, nil
}

func parseEmbed(resp q.HttpResponseMessage) ([][]float32, error) {
	const what = "not an OpenAI embedding list"
	body, err := decodeBody(resp, what)
	if err != nil {
		return nil, err
	}
	data, err := arrayAt(resp, &body, "data", what)
	if err != nil {
		return nil, err
	}
	type indexed struct {
		index  uint64
		vector []float32
	}
	items := make([]indexed, 0, len(data))
	for i := range data {
		index, ok := asU64(get(&data[i], "index"))
		if !ok {
			index = uint64(len(items))
		}
		numbers, ok := asArray(get(&data[i], "embedding"))
		if !ok {
			return nil, formatError(resp, what, "an item has no `embedding` array")
		}
		vector := make([]float32, 0, len(numbers))
		for j := range numbers {
			n, ok := asF64(&numbers[j])
			if !ok {
				return nil, formatError(resp, what, "an embedding holds a non-number")
			}
			vector = append(vector, float32(n))
		}
		items = append(items, indexed{index, vector})
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].index < items[b].index })
	out := make([][]float32, len(items))
	for i, item := range items {
		out[i] = item.vector
	}
	return out, nil
}

func parseComplete(resp q.HttpResponseMessage) (q.CompletionResponse, error) {
	const what = "not an OpenAI text completion"
	body, err := decodeBody(resp, what)
	if err != nil {
		return q.CompletionResponse{}, err
	}
	choice, err := firstChoice(resp, &body, what)
	if err != nil {
		return q.CompletionResponse{}, err
	}
	text, ok := stringAt(choice, "text")
	if !ok {
		return q.CompletionResponse{}, formatError(resp, what, "the choice has no `text`")
	}
	return q.CompletionResponse{Text: text}, nil
}

func parseListModels(resp q.HttpResponseMessage) ([]string, error) {
	const what = "not an OpenAI model list"
	body, err := decodeBody(resp, what)
	if err != nil {
		return nil, err
	}
	data, err := arrayAt(resp, &body, "data", what)
	if err != nil {
		return nil, err
	}
	models := []string{}
	for i := range data {
		id, ok := stringAt(&data[i], "id")
		if !ok {
			return nil, formatError(resp, what, "a model has no `id`")
		}
		models = append(models, id)
	}
	return models, nil
}

// ----------------------------------------------------------------------------- errors

// errorKind is the kind an OpenAI-style error `code` or `type` names, if a known one.
func errorKind(token string) (q.ProviderErrorKind, bool) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(token)), "-", "_") {
	case "rate_limit_exceeded", "rate_limit_error", "rate_limited", "too_many_requests":
		return q.ProviderErrorKindRateLimited, true
	case "insufficient_quota", "quota_exceeded":
		return q.ProviderErrorKindQuotaExceeded, true
	case "context_length_exceeded", "string_above_max_length":
		return q.ProviderErrorKindContextWindowExceeded, true
	case "invalid_api_key", "authentication_error", "unauthorized", "permission_denied":
		return q.ProviderErrorKindAuthentication, true
	case "server_is_overloaded", "overloaded", "overloaded_error", "slow_down":
		return q.ProviderErrorKindServerOverloaded, true
	case "invalid_request_error", "invalid_request", "model_not_found":
		return q.ProviderErrorKindInvalidRequest, true
	case "server_error", "internal_server_error":
		return q.ProviderErrorKindUnknownTransient, true
	}
	return "", false
}

// statusKind is what the status alone says, as QueryMT's classify_status_only reads it.
func statusKind(status uint16) q.ProviderErrorKind {
	switch {
	case status == 429:
		return q.ProviderErrorKindRateLimited
	case status == 401 || status == 403:
		return q.ProviderErrorKindAuthentication
	case status == 400 || status == 422:
		return q.ProviderErrorKindInvalidRequest
	case status == 408 || status == 425 || (status >= 500 && status <= 599):
		return q.ProviderErrorKindUnknownTransient
	}
	return q.ProviderErrorKindUnknownPermanent
}

// jsonString is a string, or an integer as text.
func jsonString(v *q.Value) *string {
	if s, ok := asStr(v); ok {
		return &s
	}
	if n, ok := asI64(v); ok {
		return strPtr(strconv.FormatInt(n, 10))
	}
	return nil
}

// leadingNumber is the decimal number text starts with, rounded up to a whole number, and
// what follows it (`"1.5s"` is 2 and "s").
func leadingNumber(text string) (uint64, string, bool) {
	end := strings.IndexFunc(text, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	if end < 0 {
		end = len(text)
	}
	number, rest := text[:end], text[end:]
	whole, fraction, _ := strings.Cut(number, ".")
	if strings.Contains(fraction, ".") {
		return 0, "", false
	}
	n, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, "", false
	}
	if strings.Trim(fraction, "0") != "" && n < math.MaxUint64 {
		n++
	}
	return n, rest, true
}

// jsonSeconds reads seconds from a JSON number or a string like "2" or "1.5s".
func jsonSeconds(v *q.Value) *uint64 {
	if n, ok := asU64(v); ok {
		return &n
	}
	if f, ok := asF64(v); ok {
		if f >= 0 {
			s := uint64(math.Ceil(f))
			return &s
		}
		return nil
	}
	if s, ok := asStr(v); ok {
		if n, rest, ok := leadingNumber(strings.TrimSpace(s)); ok && (rest == "" || rest == "s") {
			return &n
		}
	}
	return nil
}

// retryInMessage reads "... try again in 1.5s ...", as OpenAI words its rate-limit messages.
func retryInMessage(message string) *uint64 {
	lower := strings.ToLower(message)
	at := strings.Index(lower, "try again in ")
	if at < 0 {
		return nil
	}
	value, unit, ok := leadingNumber(lower[at+len("try again in "):])
	if !ok {
		return nil
	}
	unit = strings.TrimLeft(unit, " \t\n\r")
	switch {
	case strings.HasPrefix(unit, "ms"):
		s := (value + 999) / 1000
		return &s
	case strings.HasPrefix(unit, "s"):
		return &value
	}
	return nil
}

// envelopeFailure is a provider error from an OpenAI error object (`{"message", "type",
// "code", ...}`, or a bare string), from an HTTP error body or an in-band stream event.
func envelopeFailure(e *q.Value, status *uint16) q.LLMErrorPayloadProviderError {
	var message string
	if s, ok := asStr(e); ok {
		message = strings.TrimSpace(s)
	} else if m := jsonString(get(e, "message")); m != nil {
		message = strings.TrimSpace(*m)
	}
	if message == "" {
		message = "the provider reported an error"
	}
	code, errorType := jsonString(get(e, "code")), jsonString(get(e, "type"))
	kind, named := q.ProviderErrorKind(""), false
	if code != nil {
		kind, named = errorKind(*code)
	}
	if !named && errorType != nil {
		kind, named = errorKind(*errorType)
	}
	if !named {
		kind = q.ProviderErrorKindUnknownPermanent
		if status != nil {
			kind = statusKind(*status)
		}
	}
	retry := jsonSeconds(get(e, "retry_after"))
	if retry == nil {
		retry = jsonSeconds(get(e, "retry_after_secs"))
	}
	if retry == nil && kind == q.ProviderErrorKindRateLimited {
		retry = retryInMessage(message)
	}
	return q.LLMErrorPayloadProviderError{
		Message: message, Kind: &kind, Code: code, ErrorType: errorType,
		RequestId: jsonString(get(e, "request_id")), RetryAfterSecs: retry,
	}
}

// header is the first value of a response header (names are lowercase on the wire).
func header(resp q.HttpResponseMessage, name string) (string, bool) {
	for key, value := range resp.Head.Headers {
		if strings.EqualFold(key, name) {
			switch v := value.(type) {
			case q.HttpHeaderValueOne:
				return v.Value, true
			case q.HttpHeaderValueMany:
				return v.Value[0], true
			}
		}
	}
	return "", false
}

func durationSecs(seconds float64) uint64 {
	if s := uint64(seconds); s > 0 {
		return s
	} else if seconds > 0 {
		return 1
	}
	return 0
}

func retryValue(s string) *uint64 {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return &n
	}
	number, millis := s, false
	if n, ok := strings.CutSuffix(s, "ms"); ok {
		number, millis = n, true
	} else if n, ok := strings.CutSuffix(s, "s"); ok {
		number = n
	} else {
		return nil
	}
	value, err := strconv.ParseFloat(strings.TrimSpace(number), 64)
	if err != nil || math.IsInf(value, 0) || math.IsNaN(value) || value < 0 {
		return nil
	}
	if millis {
		value /= 1000
	}
	secs := durationSecs(value)
	return &secs
}

// retryAfter reads `Retry-After`, `retry-after-ms` or `x-ratelimit-reset-requests`.
func retryAfter(resp q.HttpResponseMessage) *uint64 {
	if v, ok := header(resp, "retry-after"); ok {
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			return &n
		}
	}
	if v, ok := header(resp, "retry-after-ms"); ok {
		if ms, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			secs := ms / 1000
			if secs == 0 && ms > 0 {
				secs = 1
			}
			return &secs
		}
	}
	if v, ok := header(resp, "x-ratelimit-reset-requests"); ok {
		return retryValue(v)
	}
	return nil
}

func jsonRetry(v *q.Value) *uint64 {
	if f, ok := asF64(v); ok {
		secs := durationSecs(max(f, 0))
		if f >= 1 {
			secs = uint64(f)
		}
		return &secs
	}
	if s, ok := asStr(v); ok {
		return retryValue(s)
	}
	return nil
}

func bodyRetry(body *q.Value) *uint64 {
	e := get(body, "error")
	for _, v := range []*q.Value{get(e, "retry_after"), get(e, "retry_after_secs"), get(body, "retry_after"), get(body, "retry_after_secs")} {
		if v != nil {
			return jsonRetry(v)
		}
	}
	return nil
}

// classifyStatusOnly is QueryMT's default classification of a non-2xx chat response.
func classifyStatusOnly(resp q.HttpResponseMessage) q.LLMErrorPayload {
	status := resp.Head.Status
	if status == 499 {
		return q.LLMErrorPayloadCancelled{}
	}
	body, err := q.Parse(resp.Body)
	parsed := err == nil
	retry := retryAfter(resp)
	if retry == nil && parsed {
		retry = bodyRetry(&body)
	}
	message := ""
	if m, ok := stringAt(get(&body, "error"), "message"); parsed && ok {
		message = m
	} else {
		message = strings.TrimSpace(strings.ToValidUTF8(string(resp.Body), "\uFFFD"))
	}
	message = strings.TrimSpace(message)
	if message == "" {
		message = "HTTP " + strconv.Itoa(int(status))
	}
	kind := statusKind(status)
	return q.LLMErrorPayloadProviderError{Message: message, Kind: &kind, RetryAfterSecs: retry}
}

// classifyError is classify_chat_error: the OpenAI error envelope when the body has one,
// else the status.
func classifyError(resp q.HttpResponseMessage) q.LLMErrorPayload {
	status := resp.Head.Status
	envelope, err := q.Parse(resp.Body)
	if err != nil || status == 499 {
		return classifyStatusOnly(resp)
	}
	e := get(&envelope, "error")
	if e == nil {
		return classifyStatusOnly(resp)
	}
	failure := envelopeFailure(e, &status)
	if id, ok := header(resp, "x-request-id"); ok {
		failure.RequestId = &id
	}
	// The Retry-After header wins over hints in the body.
	if retry := retryAfter(resp); retry != nil {
		failure.RetryAfterSecs = retry
	}
	return failure
}
