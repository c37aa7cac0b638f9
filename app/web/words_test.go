package web

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// TestMsgWords: messages that need no lookup are said in words.
func TestMsgWords(t *testing.T) {
	a, b := ledger.DeriveAddress("words", []byte{1}), ledger.DeriveAddress("words", []byte{2})
	rd := &reader{}
	for _, c := range []struct {
		typ  string
		v    any
		want string
	}{
		{"collective/create", map[string]any{"members": []string{a.String(), b.String()}, "threshold": 2},
			short(a.String()) + " created a collective of 2 members, 2 to sign"},
		{"collective/leave", map[string]any{"collective": b.String()}, short(a.String()) + " left the collective " + short(b.String())},
		{"lens/revoke", map[string]any{"lens": "club", "address": b.String()}, short(a.String()) + " revoked the role of " + short(b.String()) + " in Lens club"},
		{"something/new", map[string]any{}, short(a.String()) + " sent something/new"},
	} {
		v, _ := json.Marshal(c.v)
		if got := rd.msgWords(context.Background(), a.String(), app.Msg{Type: c.typ, Value: v}); got != c.want {
			t.Errorf("%s: %q, want %q", c.typ, got, c.want)
		}
	}
}
