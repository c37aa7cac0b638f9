package main

import (
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// TestMsgWords: tx results say in words what each message did, amounts in
// display units.
func TestMsgWords(t *testing.T) {
	knownDecimals(t, map[string]uint8{"RIFF": 6, "ACME-1": 2})
	bob := ledger.Address{7}
	five, half := ledger.NewAmount(500), ledger.NewAmount(500000)
	for _, tc := range []struct {
		typ  string
		msg  any
		out  map[string]any
		want string
	}{
		{"transfer", ledger.Move{To: bob, Asset: "RIFF", Amount: &half}, nil, "sent 0.5 RIFF to " + shortAddr(bob)},
		{"asset/burn", ledger.MsgBurn{Asset: "ACME-1", Amount: &five}, nil, "burned 5 ACME-1"},
		{"asset/burn", ledger.MsgBurn{Asset: "ART-2", Item: "mona"}, nil, "burned item ART-2/mona"},
		{"asset/transfer-issuer", ledger.MsgTransferIssuer{Asset: "ACME-1", To: bob, Holdings: true}, nil, "handed ACME-1 issuer rights and holdings to " + shortAddr(bob)},
		{lens.TypeGrant, lens.MsgGrant{Lens: "lens-a", Address: bob, Role: "member"}, nil, "granted " + shortAddr(bob) + " member in Lens lens-a"},
		{lens.TypeRevoke, lens.MsgRevoke{Lens: "lens-a", Address: bob}, nil, "revoked " + shortAddr(bob) + "'s role in Lens lens-a"},
		{lens.TypeRemoveEntry, lens.MsgRemoveEntry{Lens: "lens-a", Seq: 3}, nil, "removed entry 3 of Lens lens-a"},
		{lens.TypeUnfollow, lens.MsgUnfollow{Lens: "lens-a", Target: "lens-b"}, nil, "Lens lens-a no longer follows lens-b"},
		{lens.TypeUnblock, lens.MsgUnblock{Lens: "lens-a", Target: "lens-x"}, nil, "Lens lens-a no longer blocks lens-x"},
		{lens.TypeAnnounce, map[string]any{"cids": []string{"x"}}, map[string]any{"announced": uint64(2)}, "announced hosting 2 CIDs"},
		{"pool/swap", map[string]any{}, map[string]any{"amount_in": "150", "asset_in": "ACME-1", "amount_out": "1500000", "asset_out": "RIFF", "path": "POOL-1"},
			"swapped 1.5 ACME-1 for 1.5 RIFF via POOL-1"},
	} {
		m := mustCLIMsg(t, tc.typ, tc.msg) // e2e_collective_exec_test.go
		if got := msgWords(m, tc.out); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.typ, got, tc.want)
		}
	}
}
