package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

type strictProbe struct {
	A int             `json:"a"`
	B string          `json:"b,omitempty"`
	V json.RawMessage `json:"v,omitempty"`
	L []strictProbe   `json:"l,omitempty"`
}

func TestStrictUnmarshalRules(t *testing.T) {
	cases := []struct {
		name, in string
		want     error // nil: accepted
	}{
		{"plain", `{"a":1,"b":"x"}`, nil},
		{"nested raw and list", `{"a":1,"v":{"k":[1,{"k":2}]},"l":[{"a":2},{"a":3}]}`, nil},
		{"duplicate", `{"a":1,"a":2}`, ErrDuplicateKey},
		{"duplicate after unescaping", `{"b":"x","\u0062":"y"}`, ErrDuplicateKey},
		{"duplicate inside a raw value", `{"v":{"k":1,"k":2}}`, ErrDuplicateKey},
		{"duplicate inside a list", `{"l":[{"a":1},{"a":1,"a":2}]}`, ErrDuplicateKey},
		{"names are case-sensitive", `{"A":1}`, ErrUnknownField},
		{"a second spelling is unknown, not a duplicate", `{"a":1,"A":2}`, ErrUnknownField},
		{"Kelvin sign is not k", `{"\u212a":1}`, ErrUnknownField},
		{"unknown", `{"a":1,"zz":2}`, ErrUnknownField},
		{"wrong type", `{"a":"1"}`, ErrInvalidField},
		{"invalid UTF-8", "{\"b\":\"\xff\"}", ErrTxDecode},
		{"trailing value", `{"a":1}{"a":2}`, ErrTxDecode},
		{"trailing garbage", `{"a":1} x`, ErrTxDecode},
		{"truncated", `{"a":1`, ErrTxDecode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p strictProbe
			err := StrictUnmarshal([]byte(c.in), &p)
			if c.want == nil {
				if err != nil {
					t.Fatalf("%s: %v", c.in, err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("%s: err %v, want %v", c.in, err, c.want)
			}
		})
	}
}

// TestStrictUnmarshalCodes: each rule maps to its stable ABCI code.
func TestStrictUnmarshalCodes(t *testing.T) {
	for in, code := range map[string]uint32{
		`{"a":1,"a":2}`: CodeDuplicateKey,
		`{"zz":1}`:      CodeUnknownField,
		`{"a":"x"}`:     CodeInvalidField,
		`{"a":`:         CodeTxDecode,
	} {
		var p strictProbe
		if got := CodeOf(StrictUnmarshal([]byte(in), &p)); got != code {
			t.Errorf("%s: code %d, want %d", in, got, code)
		}
	}
}

// referenceDuplicate is the slow, obviously correct check: walk the token
// stream of the standard decoder and compare each object's (unescaped)
// member names exactly.
func referenceDuplicate(data []byte) (dup bool, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false, true
		}
		if err != nil {
			return false, false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if top != nil && top.obj {
					top.expect = true
				}
				stack = append(stack, &frame{obj: t == '{', keys: map[string]bool{}, expect: t == '{'})
			} else {
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.expect {
				if top.keys[t] {
					return true, true
				}
				top.keys[t] = true
				top.expect = false
				continue
			}
			if top != nil && top.obj {
				top.expect = true
			}
		default:
			if top != nil && top.obj {
				top.expect = true
			}
		}
	}
}

// FuzzStrictUnmarshal: strict decoding never panics, never accepts invalid
// JSON, and agrees with the token-stream reference on duplicate names.
func FuzzStrictUnmarshal(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"v":{"k":[1,{"k":2,"\u006b":3}]}}`, `[1,"a",{"b":null}]`, `{"a":"\"","b":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		err := StrictUnmarshal(data, &v)
		if err == nil && !json.Valid(data) {
			t.Fatalf("%q: invalid JSON accepted", data)
		}
		if !json.Valid(data) || !utf8.Valid(data) {
			return
		}
		dup, ok := referenceDuplicate(data)
		if !ok {
			return
		}
		if dup != errors.Is(err, ErrDuplicateKey) {
			t.Fatalf("%q: strict decoding says %v, reference duplicate=%v", data, err, dup)
		}
		if !dup && err != nil {
			t.Fatalf("%q: valid JSON refused: %v", data, err)
		}
		var p strictProbe
		_ = StrictUnmarshal(data, &p) // must not panic on any shape
	})
}
