package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"unicode"
)

func TestCheckDuplicateKeys(t *testing.T) {
	cases := []struct {
		in  string
		dup bool
	}{
		{`{"a":1,"b":2}`, false},
		{`{"a":1,"a":2}`, true},
		{`{"nonce":1,"NONCE":2}`, true},
		{`{"nonce":1,"Nonce":2}`, true},
		{`{"a\u0062":1,"ab":2}`, true},
		{`{"k":1,"\u212a":2}`, true}, // Kelvin sign folds to k in encoding/json
		{`{"s":1,"\u017f":2}`, true}, // long s folds to s
		{`{"x":{"a":1},"y":{"a":1}}`, false},
		{`{"x":[{"a":1,"a":2}]}`, true},
		{`[{"a":1},{"a":1}]`, false},
		{`{"a":"}\"{","b":"\"a\":"}`, false},
		{`{"a\/b":1,"a/b":2}`, true},
	}
	for _, c := range cases {
		err := checkDuplicateKeys([]byte(c.in))
		if c.dup != errors.Is(err, ErrDuplicateKey) {
			t.Errorf("%s: err %v, want duplicate=%v", c.in, err, c.dup)
		}
		if !c.dup && err != nil {
			t.Errorf("%s: %v", c.in, err)
		}
	}
}

// referenceDuplicate is the slow, obviously correct check: walk the token
// stream and fold each key as encoding/json matches field names.
func referenceDuplicate(data []byte) (dup bool, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool
	}
	var stack []*frame
	fold := func(s string) string {
		r := []rune(s)
		for i := range r {
			r[i] = unicode.ToUpper(unicode.ToLower(r[i]))
		}
		return string(r)
	}
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
				k := fold(t)
				if top.keys[k] {
					return true, true
				}
				top.keys[k] = true
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

// FuzzCheckDuplicateKeys: on every input that is valid JSON, the one-pass
// scanner agrees with the token-stream reference, and it never panics.
func FuzzCheckDuplicateKeys(f *testing.F) {
	for _, s := range []string{`{"a":1,"A":2}`, `{"x":[{"k":1}],"y":{"\u212a":[1,2]}}`, `[1,"a",{"b":null}]`, `{"a":"\"","b":true}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkDuplicateKeys(data)
		if !json.Valid(data) {
			return
		}
		dup, ok := referenceDuplicate(data)
		if !ok {
			return
		}
		if dup != errors.Is(err, ErrDuplicateKey) {
			t.Fatalf("%q: scanner says %v, reference duplicate=%v", data, err, dup)
		}
		if !dup && err != nil {
			t.Fatalf("%q: valid JSON refused: %v", data, err)
		}
	})
}
