// A plugin of the made-up fixture ABI (tests/fixtures/specs/fixture-echo.yaml) against the
// golden Go module: other export names and encodings than QueryMT's (utf8 in and out, a json
// output whose empty bytes mean none), an internally tagged enum, a default and a raw host
// import. The same behaviour as tests/rust/fixture-echo.
package main

import (
	"strconv"
	"strings"

	q "qmt-abigen.generated/go/fixture-echo-v3"
)

type echo struct {
	last q.Shape
}

func (*echo) DecodeConfig(v q.Value) (q.Value, error) { return v, nil }

func (*echo) Title() (string, error) {
	return "Echo at " + strconv.FormatInt(q.NowMs(), 10), nil
}

func (*echo) SettingsSchema() (string, error) { return `{"type":"object"}`, nil }

func (*echo) Shout(in string) (string, error) { return strings.ToUpper(in), nil }

func (e *echo) Echo(in q.EchoRequest[q.Value]) (q.Echoed, error) {
	if in.Repeat < 1 {
		return q.Echoed{}, q.Fail("repeat must be at least 1")
	}
	shapes := make([]q.Shape, int(in.Repeat))
	for i := range shapes {
		shapes[i] = in.Shape
	}
	e.last = in.Shape
	return q.Echoed{Shapes: shapes, Total: uint64(in.Repeat)}, nil
}

func (e *echo) LastShape() (q.Shape, error) { return e.last, nil }

func init() { q.Register[q.Value](&echo{}) }

func main() {}
