// Package querytest holds checks that the query tests of every module
// share: that an answer's proven keys hold what it claims in state, and
// that a listing answers the one list envelope (query.List).
package querytest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/riffchain/riffchain/ledger/query"
)

// Proves fails t unless every proven key holds exactly the claimed value in
// r's state (a nil value: the key is absent), which is what a Merkle proof
// of it checks against that state's root.
func Proves(t testing.TB, r query.Getter, kvs []query.KV) {
	t.Helper()
	for i, kv := range kvs {
		v, err := r.Get(kv.Key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(v, kv.Value) || (v == nil) != (kv.Value == nil) {
			t.Fatalf("proven kv %d (%q) claims %q, state holds %q", i, kv.Key, kv.Value, v)
		}
	}
}

// Envelope fails t unless value is a JSON object with "entries" (an array),
// an optional "next" and no other field than those named in extra.
func Envelope(t testing.TB, value []byte, extra ...string) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(value, &raw); err != nil {
		t.Fatalf("listing answer %s: %v", value, err)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(raw["entries"], &entries); err != nil || entries == nil {
		t.Fatalf("listing answer without an entries array: %s", value)
	}
next:
	for k := range raw {
		if k == "entries" || k == "next" {
			continue
		}
		for _, x := range extra {
			if k == x {
				continue next
			}
		}
		t.Fatalf("field %q beside the list envelope: %s", k, value)
	}
}
