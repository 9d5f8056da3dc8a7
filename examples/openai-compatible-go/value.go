package main

import (
	"math"
	"strconv"
	"strings"

	q "qmt-abigen.generated/go/querymt-extism-v2"
)

// Reading parsed JSON the way serde_json::Value's accessors do: `get` on an object (the last
// of repeated keys, as Value keeps it), `as_str`, `as_u64`, `as_f64`; anything else is absent.

func get(v *q.Value, key string) *q.Value {
	if v == nil || v.Kind != q.Object {
		return nil
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			return &v.Members[i].Value
		}
	}
	return nil
}

func asStr(v *q.Value) (string, bool) {
	if v == nil || v.Kind != q.String {
		return "", false
	}
	return v.String, true
}

func asArray(v *q.Value) ([]q.Value, bool) {
	if v == nil || v.Kind != q.Array {
		return nil, false
	}
	return v.Items, true
}

func isInteger(text string) bool { return !strings.ContainsAny(text, ".eE") && text != "-0" }

func asU64(v *q.Value) (uint64, bool) {
	if v == nil || v.Kind != q.Number || !isInteger(v.Number) {
		return 0, false
	}
	n, err := strconv.ParseUint(v.Number, 10, 64)
	return n, err == nil
}

func asI64(v *q.Value) (int64, bool) {
	if v == nil || v.Kind != q.Number || !isInteger(v.Number) {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Number, 10, 64)
	return n, err == nil
}

func asF64(v *q.Value) (float64, bool) {
	if v == nil || v.Kind != q.Number {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.Number, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// stringAt is `value.get(key).and_then(as_str)`.
func stringAt(v *q.Value, key string) (string, bool) { return asStr(get(v, key)) }

func strPtr(s string) *string { return &s }
