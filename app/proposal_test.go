package app

import (
	"bytes"
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

// Two txs of one account can enter the mempool swapped (CometBFT inserts a
// checked tx after the ABCI lock is released); the proposal puts each
// account's txs back in nonce order, in the places they held.
func TestPrepareProposalRestoresNonceOrder(t *testing.T) {
	alice, bob := newTestKey("prop-alice"), newTestKey("prop-bob")
	build := func() (*chain, [][]byte) {
		c := newChain(t, fundedGenesis(alice, bob))
		a1 := c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset))
		a2 := c.tx(alice, transferMsg(t, bob.addr, 2, NativeAsset))
		a3 := c.tx(alice, transferMsg(t, bob.addr, 3, NativeAsset))
		b1 := c.tx(bob, transferMsg(t, alice.addr, 4, NativeAsset))
		for _, tx := range [][]byte{a1, a2, a3, b1} {
			if r := c.check(tx); r.Code != 0 {
				t.Fatalf("check: %d %s", r.Code, r.Log)
			}
		}
		return c, [][]byte{a2, b1, a1, a3, []byte("not a tx")}
	}
	codes := func(res *abci.ResponseFinalizeBlock) []uint32 {
		var out []uint32
		for _, r := range res.TxResults {
			out = append(out, r.Code)
		}
		return out
	}

	// What goes wrong without it: the swapped nonce fails.
	c, swapped := build()
	if got := codes(c.block(swapped...)); got[0] != CodeBadNonce {
		t.Fatalf("swapped txs executed as is: codes %v, want the first to fail with %d", got, CodeBadNonce)
	}

	c, swapped = build()
	res, err := c.app.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: swapped, MaxTxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{swapped[2], swapped[1], swapped[0], swapped[3], swapped[4]}
	if len(res.Txs) != len(want) {
		t.Fatalf("proposal has %d txs, want %d", len(res.Txs), len(want))
	}
	for i := range want {
		if !bytes.Equal(res.Txs[i], want[i]) {
			t.Fatalf("proposal tx %d is not the expected one", i)
		}
	}
	got := codes(c.block(res.Txs...))
	for i, code := range got[:4] {
		if code != 0 {
			t.Fatalf("tx %d of the reordered proposal: code %d (all %v)", i, code, got)
		}
	}
	if got[4] == 0 {
		t.Fatal("garbage tx executed")
	}

	// A proposal already in order comes back unchanged, and txs CheckTx
	// never saw (from a peer's block) are decoded on the spot.
	fresh := newChain(t, fundedGenesis(alice, bob))
	in := [][]byte{swapped[1], swapped[2], swapped[0]}
	res, err = fresh.app.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: in, MaxTxBytes: 1 << 20})
	if err != nil || !bytes.Equal(res.Txs[0], in[0]) || !bytes.Equal(res.Txs[1], in[1]) || !bytes.Equal(res.Txs[2], in[2]) {
		t.Fatalf("in-order proposal changed (%v)", err)
	}
}
