package PACKAGE

// A strict JSON reader and a compact JSON writer with serde_json's behaviour.
//
// encoding/json is not used on the wire: it matches keys case-insensitively, accepts
// duplicate keys and invalid UTF-8 (replacing it), turns missing keys into zero values,
// accepts 1.0 for integers, writes []byte as base64 and escapes <, > and & as \u003c. Every
// one of those changes what a plugin accepts or writes compared with QueryMT's serde types.
// encoding/json/v2 is still behind GOEXPERIMENT=jsonv2 in the pinned toolchain, and it has
// no notion of serde's tagged enums, aliases or struct-as-array forms either.
//
// Parse builds a Value tree that keeps every object member in order, duplicates included, so
// each type's decoder can apply serde's own rule: a struct refuses a repeated field (under
// any of its names), a map or a json value keeps the last one.

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a Value.
type Kind uint8

const (
	// Null is the zero Kind: the zero Value is JSON null.
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Member is one key and value of a JSON object, in document order.
type Member struct {
	Key   string
	Value Value
}

// Value is one parsed JSON value; also the Go type of the spec's `json` (any JSON value).
// A Number keeps its literal text so that integers of any size keep their exact value.
type Value struct {
	Kind    Kind
	Bool    bool
	Number  string
	String  string
	Items   []Value
	Members []Member
}

// maxDepth is serde_json's recursion limit: a document nesting arrays and objects this deep
// is refused (127 levels are the most it reads).
const maxDepth = 128

// Error is a document that does not decode as its type, worded like serde_json.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func errorf(parts ...string) error { return &Error{Message: strings.Join(parts, "")} }

// Parse reads one JSON document: RFC 8259, UTF-8 only, surrogate escapes paired, whitespace
// around it allowed, nothing after it.
func Parse(data []byte) (Value, error) {
	p := parser{data: data}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return Value{}, p.fail("trailing characters")
	}
	return v, nil
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) fail(msg string) error {
	line, col := 1, 0
	for _, b := range p.data[:min(p.pos+1, len(p.data))] {
		if b == '\n' {
			line, col = line+1, 0
		} else {
			col++
		}
	}
	return errorf(msg, " at line ", strconv.Itoa(line), " column ", strconv.Itoa(col))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	if p.pos >= len(p.data) {
		return Value{}, p.fail("EOF while parsing a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return Value{Kind: String, String: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		for _, lit := range []struct {
			text string
			v    Value
		}{{"true", Value{Kind: Bool, Bool: true}}, {"false", Value{Kind: Bool}}, {"null", Value{}}} {
			if strings.HasPrefix(string(p.data[p.pos:min(p.pos+5, len(p.data))]), lit.text) {
				p.pos += len(lit.text)
				return lit.v, nil
			}
		}
		return Value{}, p.fail("expected value")
	}
}

func (p *parser) object(depth int) (Value, error) {
	if depth >= maxDepth {
		return Value{}, p.fail("recursion limit exceeded")
	}
	p.pos++
	v := Value{Kind: Object, Members: []Member{}}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, p.fail("EOF while parsing an object")
		}
		if p.data[p.pos] != '"' {
			return Value{}, p.fail("key must be a string")
		}
		key, err := p.str()
		if err != nil {
			return Value{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Value{}, p.fail("expected `:`")
		}
		p.pos++
		p.skipSpace()
		item, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.Members = append(v.Members, Member{Key: key, Value: item})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, p.fail("EOF while parsing an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return v, nil
		default:
			return Value{}, p.fail("expected `,` or `}`")
		}
	}
}

func (p *parser) array(depth int) (Value, error) {
	if depth >= maxDepth {
		return Value{}, p.fail("recursion limit exceeded")
	}
	p.pos++
	v := Value{Kind: Array, Items: []Value{}}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		item, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.Items = append(v.Items, item)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, p.fail("EOF while parsing a list")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return v, nil
		default:
			return Value{}, p.fail("expected `,` or `]`")
		}
	}
}

func (p *parser) number() (Value, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return Value{}, p.fail("invalid number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return Value{}, p.fail("invalid number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return Value{}, p.fail("invalid number")
		}
	}
	text := string(p.data[start:p.pos])
	if !isInteger(text) {
		if f, err := strconv.ParseFloat(text, 64); err != nil || math.IsInf(f, 0) {
			return Value{}, p.fail("number out of range")
		}
	}
	return Value{Kind: Number, Number: text}, nil
}

func (p *parser) str() (string, error) {
	p.pos++ // the opening quote
	var b strings.Builder
	for {
		if p.pos >= len(p.data) {
			return "", p.fail("EOF while parsing a string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.fail("control character (\\u0000-\\u001F) found while parsing a string")
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.fail("invalid unicode code point")
			}
			b.Write(p.data[p.pos : p.pos+size])
			p.pos += size
		}
	}
}

func (p *parser) escape(b *strings.Builder) error {
	p.pos++
	if p.pos >= len(p.data) {
		return p.fail("EOF while parsing a string")
	}
	c := p.data[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return err
		}
		if utf16.IsSurrogate(r) {
			if r >= 0xDC00 {
				return p.fail("lone leading surrogate in hex escape")
			}
			if p.pos+1 >= len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
				return p.fail("unexpected end of hex escape")
			}
			p.pos += 2
			low, err := p.hex4()
			if err != nil {
				return err
			}
			r = utf16.DecodeRune(r, low)
			if r == utf8.RuneError {
				return p.fail("lone leading surrogate in hex escape")
			}
		}
		b.WriteRune(r)
	default:
		return p.fail("invalid escape")
	}
	return nil
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.data) {
		return 0, p.fail("EOF while parsing a string")
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, p.fail("invalid escape")
	}
	p.pos += 4
	return rune(n), nil
}

// isInteger is whether serde_json reads a literal as an integer: no fraction, no exponent,
// and not `-0`, which it reads as the float -0.0.
func isInteger(text string) bool { return !strings.ContainsAny(text, ".eE") && text != "-0" }

// ----------------------------------------------------------------------------- decoders

// Decoder reads one Go value of its type from a parsed JSON value.
type Decoder[T any] func(v Value) (T, error)

// Encoder writes one Go value of its type as JSON.
type Encoder[T any] func(w *Writer, x T)

func kindName(v Value) string {
	switch v.Kind {
	case Null:
		return "null"
	case Bool:
		if v.Bool {
			return "boolean `true`"
		}
		return "boolean `false`"
	case Number:
		if isInteger(v.Number) {
			return "integer `" + v.Number + "`"
		}
		return "floating point `" + v.Number + "`"
	case String:
		return "string " + strconv.Quote(v.String)
	case Array:
		return "sequence"
	default:
		return "map"
	}
}

// InvalidType is serde's "invalid type" error.
func InvalidType(v Value, expected string) error {
	return errorf("invalid type: ", kindName(v), ", expected ", expected)
}

// DecodeString reads a JSON string.
func DecodeString(v Value) (string, error) {
	if v.Kind != String {
		return "", InvalidType(v, "a string")
	}
	return v.String, nil
}

// DecodeBool reads true or false.
func DecodeBool(v Value) (bool, error) {
	if v.Kind != Bool {
		return false, InvalidType(v, "a boolean")
	}
	return v.Bool, nil
}

// integer reads an integer literal within [lo, hi]: serde refuses 1.0 and 1e3 for integers.
func integer(v Value, lo int64, hi uint64, name string) (int64, uint64, error) {
	if v.Kind != Number || !isInteger(v.Number) {
		return 0, 0, InvalidType(v, name)
	}
	if strings.HasPrefix(v.Number, "-") {
		n, err := strconv.ParseInt(v.Number, 10, 64)
		if err != nil || n < lo {
			return 0, 0, errorf("invalid value: integer `", v.Number, "`, expected ", name)
		}
		if n >= 0 {
			return 0, uint64(n), nil
		}
		return n, 0, nil
	}
	n, err := strconv.ParseUint(v.Number, 10, 64)
	if err != nil || n > hi {
		return 0, 0, errorf("invalid value: integer `", v.Number, "`, expected ", name)
	}
	return 0, n, nil
}

// DecodeU8 reads an integer in 0..=255.
func DecodeU8(v Value) (uint8, error) {
	_, n, err := integer(v, 0, math.MaxUint8, "u8")
	return uint8(n), err
}

// DecodeU16 reads an integer in 0..=65535.
func DecodeU16(v Value) (uint16, error) {
	_, n, err := integer(v, 0, math.MaxUint16, "u16")
	return uint16(n), err
}

// DecodeU32 reads an integer in 0..=2^32-1.
func DecodeU32(v Value) (uint32, error) {
	_, n, err := integer(v, 0, math.MaxUint32, "u32")
	return uint32(n), err
}

// DecodeU64 reads an integer in 0..=2^64-1.
func DecodeU64(v Value) (uint64, error) {
	_, n, err := integer(v, 0, math.MaxUint64, "u64")
	return n, err
}

// DecodeI32 reads an integer in -2^31..=2^31-1.
func DecodeI32(v Value) (int32, error) {
	neg, n, err := integer(v, math.MinInt32, math.MaxInt32, "i32")
	return int32(neg) + int32(n), err
}

// DecodeI64 reads an integer in -2^63..=2^63-1.
func DecodeI64(v Value) (int64, error) {
	neg, n, err := integer(v, math.MinInt64, math.MaxInt64, "i64")
	return neg + int64(n), err
}

// DecodeF64 reads any JSON number.
func DecodeF64(v Value) (float64, error) {
	if v.Kind != Number {
		return 0, InvalidType(v, "f64")
	}
	return strconv.ParseFloat(v.Number, 64)
}

// DecodeF32 reads any JSON number, rounded to the nearest float32 (serde's `as f32`).
func DecodeF32(v Value) (float32, error) {
	if v.Kind != Number {
		return 0, InvalidType(v, "f32")
	}
	f, err := strconv.ParseFloat(v.Number, 64)
	return float32(f), err
}

// DecodeBytes reads `Vec<u8>`: an array of integers 0..=255 (never a string).
func DecodeBytes(v Value) ([]byte, error) {
	if v.Kind != Array {
		return nil, InvalidType(v, "a sequence")
	}
	out := make([]byte, len(v.Items))
	for i, item := range v.Items {
		b, err := DecodeU8(item)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// DecodeJSON reads any JSON value (serde_json::Value).
func DecodeJSON(v Value) (Value, error) { return v, nil }

// DecodeList reads a JSON array of items.
func DecodeList[T any](item Decoder[T]) Decoder[[]T] {
	return func(v Value) ([]T, error) {
		if v.Kind != Array {
			return nil, InvalidType(v, "a sequence")
		}
		out := make([]T, 0, len(v.Items))
		for _, raw := range v.Items {
			x, err := item(raw)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
}

// DecodeMinItems reads a JSON array of at least n items.
func DecodeMinItems[T any](n int, item Decoder[T]) Decoder[[]T] {
	list := DecodeList(item)
	return func(v Value) ([]T, error) {
		out, err := list(v)
		if err == nil && len(out) < n {
			return nil, errorf("invalid length ", strconv.Itoa(len(out)), ", expected at least ",
				strconv.Itoa(n), " item(s)")
		}
		return out, err
	}
}

// DecodeMap reads a JSON object with string keys (a BTreeMap: a repeated key keeps its last value).
func DecodeMap[T any](item Decoder[T]) Decoder[map[string]T] {
	return func(v Value) (map[string]T, error) {
		if v.Kind != Object {
			return nil, InvalidType(v, "a map")
		}
		out := make(map[string]T, len(v.Members))
		for _, m := range v.Members {
			x, err := item(m.Value)
			if err != nil {
				return nil, err
			}
			out[m.Key] = x
		}
		return out, nil
	}
}

// DecodeNullable reads `null` as nil, anything else as the item.
func DecodeNullable[T any](item Decoder[T]) Decoder[*T] {
	return func(v Value) (*T, error) {
		if v.Kind == Null {
			return nil, nil
		}
		x, err := item(v)
		if err != nil {
			return nil, err
		}
		return &x, nil
	}
}

// DecodeOrNil reads `null` as the zero value (a nil interface), anything else as the item:
// the nullable form of an enum with data, whose Go type is an interface.
func DecodeOrNil[T any](item Decoder[T]) Decoder[T] {
	return func(v Value) (T, error) {
		if v.Kind == Null {
			var zero T
			return zero, nil
		}
		return item(v)
	}
}

// ----------------------------------------------------------------------------- structs

// Fields is what ReadStruct found: one slot per declared field, nil where it is absent.
type Fields struct {
	Slots []*Value
	// Seq is true for serde's struct-as-array form (`[v0, v1, ...]`, fields in order).
	Seq bool
}

// ReadStruct matches a JSON object (or array) against a struct's fields, each given by its
// wire names (the name first, then its aliases). An object may name a field once under any
// of its names; unknown keys are skipped unless denyUnknown. An array gives the fields in
// order and may not be longer than the struct.
func ReadStruct(v Value, typeName string, fields [][]string, denyUnknown bool) (Fields, error) {
	out := Fields{Slots: make([]*Value, len(fields))}
	switch v.Kind {
	case Array:
		if len(v.Items) > len(fields) {
			return out, errorf("invalid length ", strconv.Itoa(len(v.Items)), ", expected struct ",
				typeName, " with ", strconv.Itoa(len(fields)), " elements")
		}
		for i := range v.Items {
			out.Slots[i] = &v.Items[i]
		}
		out.Seq = true
		return out, nil
	case Object:
		for i := range v.Members {
			m := &v.Members[i]
			index := fieldIndex(fields, m.Key)
			if index < 0 {
				if denyUnknown {
					return out, errorf("unknown field `", m.Key, "`, expected ", expectedNames(fields))
				}
				continue
			}
			if out.Slots[index] != nil {
				return out, errorf("duplicate field `", fields[index][0], "`")
			}
			out.Slots[index] = &m.Value
		}
		return out, nil
	default:
		return out, InvalidType(v, "struct "+typeName)
	}
}

func fieldIndex(fields [][]string, key string) int {
	for i, names := range fields {
		for _, name := range names {
			if name == key {
				return i
			}
		}
	}
	return -1
}

func expectedNames(fields [][]string) string {
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		for _, n := range f {
			names = append(names, "`"+n+"`")
		}
	}
	return "one of " + strings.Join(names, ", ")
}

// Missing is the error of an absent field: serde's "missing field" for an object, "invalid
// length" for the array form.
func (f Fields) Missing(index int, name, typeName string, count int) error {
	if f.Seq {
		return errorf("invalid length ", strconv.Itoa(index), ", expected struct ", typeName,
			" with ", strconv.Itoa(count), " elements")
	}
	return errorf("missing field `", name, "`")
}

// Field decodes slot `index` or reports it missing.
func Field[T any](f Fields, index int, name, typeName string, d Decoder[T]) (T, error) {
	slot := f.Slots[index]
	if slot == nil {
		var zero T
		return zero, f.Missing(index, name, typeName, len(f.Slots))
	}
	return d(*slot)
}

// NullableField decodes a nullable field with its nullable decoder: absent from an object
// reads as null (serde's Option), absent from the array form is an error.
func NullableField[T any](f Fields, index int, name, typeName string, d Decoder[T]) (T, error) {
	slot := f.Slots[index]
	if slot == nil {
		var zero T
		if f.Seq {
			return zero, f.Missing(index, name, typeName, len(f.Slots))
		}
		return zero, nil
	}
	return d(*slot)
}

// DefaultField decodes a field with a default: absent in either form gives `fallback`.
func DefaultField[T any](f Fields, index int, d Decoder[T], fallback T) (T, error) {
	slot := f.Slots[index]
	if slot == nil {
		return fallback, nil
	}
	return d(*slot)
}

// ----------------------------------------------------------------------------- enums

// ExternalForm splits an externally tagged value into its variant name and content: a bare
// string is a unit variant (content nil); an object must have exactly one key.
func ExternalForm(v Value, typeName string) (string, *Value, error) {
	switch v.Kind {
	case String:
		return v.String, nil, nil
	case Object:
		if len(v.Members) != 1 {
			return "", nil, errorf("invalid value: map, expected map with a single key")
		}
		return v.Members[0].Key, &v.Members[0].Value, nil
	default:
		return "", nil, InvalidType(v, "enum "+typeName)
	}
}

// UnitContent checks a unit variant's content in the map form: it must be null.
func UnitContent(content *Value) error {
	if content != nil && content.Kind != Null {
		return InvalidType(*content, "unit variant")
	}
	return nil
}

// NeedContent refuses a data variant named by a bare string.
func NeedContent(content *Value, kind string) error {
	if content == nil {
		return errorf("invalid type: unit variant, expected ", kind)
	}
	return nil
}

// InternalForm splits an internally tagged value into its tag and the rest: an object whose
// `tag` key (once) names the variant, or serde's array form with the tag first.
func InternalForm(v Value, tag, typeName string) (string, Value, error) {
	switch v.Kind {
	case Object:
		rest := Value{Kind: Object, Members: make([]Member, 0, len(v.Members))}
		var found *Value
		for i := range v.Members {
			m := v.Members[i]
			if m.Key == tag {
				if found != nil {
					return "", Value{}, errorf("duplicate field `", tag, "`")
				}
				found = &v.Members[i].Value
				continue
			}
			rest.Members = append(rest.Members, m)
		}
		if found == nil {
			return "", Value{}, errorf("missing field `", tag, "`")
		}
		if found.Kind != String {
			return "", Value{}, InvalidType(*found, "variant identifier")
		}
		return found.String, rest, nil
	case Array:
		if len(v.Items) == 0 {
			return "", Value{}, errorf("invalid length 0, expected internally tagged enum ", typeName)
		}
		if v.Items[0].Kind != String {
			return "", Value{}, InvalidType(v.Items[0], "variant identifier")
		}
		return v.Items[0].String, Value{Kind: Array, Items: v.Items[1:]}, nil
	default:
		return "", Value{}, InvalidType(v, "internally tagged enum "+typeName)
	}
}

// InternalUnit checks what an internally tagged unit variant holds besides its tag: any
// other keys of an object are ignored, but the array form may hold nothing else.
func InternalUnit(rest Value) error {
	if rest.Kind == Array && len(rest.Items) > 0 {
		return errorf("invalid length ", strconv.Itoa(len(rest.Items)), ", expected 0 elements in sequence")
	}
	return nil
}

// UnknownVariant is serde's error for a tag no variant has.
func UnknownVariant(name string, expected []string) error {
	quoted := make([]string, len(expected))
	for i, e := range expected {
		quoted[i] = "`" + e + "`"
	}
	return errorf("unknown variant `", name, "`, expected one of ", strings.Join(quoted, ", "))
}

// NoUntaggedMatch is serde's error when no variant of an untagged enum reads the value.
func NoUntaggedMatch(typeName string) error {
	return errorf("data did not match any variant of untagged enum ", typeName)
}

// ----------------------------------------------------------------------------- writer

// Writer builds compact JSON as serde_json writes it. The first encoding error sticks.
type Writer struct {
	buf    []byte
	err    error
	firsts []bool // per open object: no key written yet
}

// Bytes is the document written so far, or the first error.
func (w *Writer) Bytes() ([]byte, error) { return w.buf, w.err }

// Fail records an encoding error (a value the wire cannot carry, such as a nil variant).
func (w *Writer) Fail(msg string) {
	if w.err == nil {
		w.err = errors.New(msg)
	}
}

// Raw appends literal JSON text.
func (w *Writer) Raw(text string) { w.buf = append(w.buf, text...) }

// Open starts an object.
func (w *Writer) Open() {
	w.buf = append(w.buf, '{')
	w.firsts = append(w.firsts, true)
}

// Key writes an object key and its colon, after a comma unless it is the object's first.
func (w *Writer) Key(name string) {
	top := len(w.firsts) - 1
	if !w.firsts[top] {
		w.buf = append(w.buf, ',')
	}
	w.firsts[top] = false
	EncodeString(w, name)
	w.buf = append(w.buf, ':')
}

// Close ends the innermost object.
func (w *Writer) Close() {
	w.firsts = w.firsts[:len(w.firsts)-1]
	w.buf = append(w.buf, '}')
}

const hexDigits = "0123456789abcdef"

// EncodeString writes a string with serde_json's escapes: only `"`, `\` and control
// characters are escaped; everything else, non-ASCII included, is written as it is.
func EncodeString(w *Writer, s string) {
	w.buf = append(w.buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			w.buf = append(w.buf, '\\', '"')
		case c == '\\':
			w.buf = append(w.buf, '\\', '\\')
		case c == '\n':
			w.buf = append(w.buf, '\\', 'n')
		case c == '\r':
			w.buf = append(w.buf, '\\', 'r')
		case c == '\t':
			w.buf = append(w.buf, '\\', 't')
		case c == '\b':
			w.buf = append(w.buf, '\\', 'b')
		case c == '\f':
			w.buf = append(w.buf, '\\', 'f')
		case c < 0x20:
			w.buf = append(w.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			w.buf = append(w.buf, c)
		}
	}
	w.buf = append(w.buf, '"')
}

// EncodeBool writes true or false.
func EncodeBool(w *Writer, b bool) {
	if b {
		w.Raw("true")
	} else {
		w.Raw("false")
	}
}

func encodeUint(w *Writer, n uint64) { w.buf = strconv.AppendUint(w.buf, n, 10) }
func encodeInt(w *Writer, n int64)   { w.buf = strconv.AppendInt(w.buf, n, 10) }

// EncodeU8 writes an integer.
func EncodeU8(w *Writer, n uint8) { encodeUint(w, uint64(n)) }

// EncodeU16 writes an integer.
func EncodeU16(w *Writer, n uint16) { encodeUint(w, uint64(n)) }

// EncodeU32 writes an integer.
func EncodeU32(w *Writer, n uint32) { encodeUint(w, uint64(n)) }

// EncodeU64 writes an integer.
func EncodeU64(w *Writer, n uint64) { encodeUint(w, n) }

// EncodeI32 writes an integer.
func EncodeI32(w *Writer, n int32) { encodeInt(w, int64(n)) }

// EncodeI64 writes an integer.
func EncodeI64(w *Writer, n int64) { encodeInt(w, n) }

// encodeFloat writes the shortest text that reads back as the same float (ryu, as
// serde_json), `1.0` rather than `1`, and null for NaN and infinities.
func encodeFloat(w *Writer, f float64, bits int) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.Raw("null")
		return
	}
	text := strconv.FormatFloat(f, 'g', -1, bits)
	if mantissa, exp, ok := strings.Cut(text, "e"); ok {
		n, _ := strconv.Atoi(exp)
		text = mantissa + "e" + strconv.Itoa(n)
	} else if !strings.Contains(text, ".") {
		text += ".0"
	}
	w.Raw(text)
}

// EncodeF32 writes a float32.
func EncodeF32(w *Writer, f float32) { encodeFloat(w, float64(f), 32) }

// EncodeF64 writes a float64.
func EncodeF64(w *Writer, f float64) { encodeFloat(w, f, 64) }

// EncodeBytes writes `Vec<u8>` as an array of integers.
func EncodeBytes(w *Writer, b []byte) {
	w.buf = append(w.buf, '[')
	for i, c := range b {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		encodeUint(w, uint64(c))
	}
	w.buf = append(w.buf, ']')
}

// EncodeJSON writes a JSON value as serde_json::Value does: object keys sorted (a repeated
// key keeps its last value), integers exact, other numbers as f64.
func EncodeJSON(w *Writer, v Value) {
	switch v.Kind {
	case Null:
		w.Raw("null")
	case Bool:
		EncodeBool(w, v.Bool)
	case Number:
		encodeNumber(w, v.Number)
	case String:
		EncodeString(w, v.String)
	case Array:
		w.buf = append(w.buf, '[')
		for i, item := range v.Items {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			EncodeJSON(w, item)
		}
		w.buf = append(w.buf, ']')
	case Object:
		last := map[string]Value{}
		for _, m := range v.Members {
			last[m.Key] = m.Value
		}
		keys := make([]string, 0, len(last))
		for k := range last {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.Open()
		for _, k := range keys {
			w.Key(k)
			EncodeJSON(w, last[k])
		}
		w.Close()
	}
}

func encodeNumber(w *Writer, text string) {
	if isInteger(text) {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			encodeInt(w, n)
			return
		}
		if n, err := strconv.ParseUint(text, 10, 64); err == nil {
			encodeUint(w, n)
			return
		}
	}
	f, _ := strconv.ParseFloat(text, 64)
	encodeFloat(w, f, 64)
}

// EncodeList writes a JSON array (a nil slice as `[]`).
func EncodeList[T any](item Encoder[T]) Encoder[[]T] {
	return func(w *Writer, xs []T) {
		w.buf = append(w.buf, '[')
		for i, x := range xs {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			item(w, x)
		}
		w.buf = append(w.buf, ']')
	}
}

// EncodeMap writes a JSON object with its keys sorted (a BTreeMap).
func EncodeMap[T any](item Encoder[T]) Encoder[map[string]T] {
	return func(w *Writer, m map[string]T) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.Open()
		for _, k := range keys {
			w.Key(k)
			item(w, m[k])
		}
		w.Close()
	}
}

// EncodeNullable writes nil as null.
func EncodeNullable[T any](item Encoder[T]) Encoder[*T] {
	return func(w *Writer, x *T) {
		if x == nil {
			w.Raw("null")
			return
		}
		item(w, *x)
	}
}

// EncodeOrNull writes a nil interface as null, anything else as the item.
func EncodeOrNull[T any](item Encoder[T]) Encoder[T] {
	return func(w *Writer, x T) {
		if any(x) == nil {
			w.Raw("null")
			return
		}
		item(w, x)
	}
}

// Unmarshal parses data and decodes it with d.
func Unmarshal[T any](data []byte, d Decoder[T]) (T, error) {
	v, err := Parse(data)
	if err != nil {
		var zero T
		return zero, err
	}
	return d(v)
}

// Marshal encodes x with e.
func Marshal[T any](x T, e Encoder[T]) ([]byte, error) {
	w := &Writer{}
	e(w, x)
	return w.Bytes()
}
