package ledger

import (
	"encoding/json"
	"testing"
)

// jsonString agrees with encoding/json on every input, plain or escaped.
func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`"riff1abc"`, `"123"`, `""`, `"a\u0072b"`, `"a\"b"`, `"\\"`, "\"\xff\"", `"é"`, `123`, `null`, `"`, `x"`, `"unterminated`,
	} {
		got, ok := jsonString([]byte(in))
		var want string
		err := json.Unmarshal([]byte(in), &want)
		if ok != (err == nil) || got != want {
			t.Errorf("%s: got %q %v, encoding/json %q %v", in, got, ok, want, err)
		}
	}
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`"riff1abc"`, `"a\u0072"`, `"\ud800"`, `1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := jsonString(b)
		var want string
		err := json.Unmarshal(b, &want)
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("%q: got %q %v, encoding/json %q %v", b, got, ok, want, err)
		}
	})
}

// quotePlain gives exactly json.Marshal's bytes for addresses and amounts.
func TestQuotePlainMatchesMarshal(t *testing.T) {
	a := Address{1, 2, 3}
	amt := NewAmount(1234567890)
	for _, v := range []any{a, amt, []Address{a, a}, map[string]Amount{"x": amt}} {
		got, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var plain []byte
		switch x := v.(type) {
		case Address:
			plain, _ = json.Marshal(x.String())
		case Amount:
			plain, _ = json.Marshal(x.String())
		default:
			continue
		}
		if string(got) != string(plain) {
			t.Errorf("%T: %s, want %s", v, got, plain)
		}
	}
}
