package app

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestDeterminismNewKeys runs two chains over blocks that insert and delete
// many keys never seen before (fresh accounts' balances, holder entries,
// account records, unique items minted then burned): the tree's shape, and
// so its hash, depends on the order of such inserts, so a write order that
// is not sorted (a map walked as it comes) makes the two chains disagree.
// The older TestDeterminism mostly rewrites existing keys, which leaves the
// tree's shape alone: such a bug was caught only by the golden app hash.
func TestDeterminismNewKeys(t *testing.T) {
	alice := newTestKey("newkeys-alice")
	gs := fundedGenesis(alice)
	c1, c2, gen := newChain(t, gs), newChain(t, gs), newChain(t, gs)
	const perBlock = 40
	fresh := func(h, i int) testKey { return newTestKey(fmt.Sprintf("newkeys-%d-%d", h, i)) }
	one := ledger.NewAmount(1)
	var blocks [][][]byte
	for h := 0; h < 12; h++ {
		var txs [][]byte
		// New keys: a balance, a holder entry and (below) an account each.
		var moves []ledger.Move
		for i := 0; i < perBlock; i++ {
			moves = append(moves, ledger.Move{To: fresh(h, i).addr, Asset: NativeAsset, Amount: &one})
		}
		txs = append(txs, gen.tx(alice, mustMsg(t, "multi-transfer", ledger.MsgMultiTransfer{Moves: moves[:perBlock/2]}),
			mustMsg(t, "multi-transfer", ledger.MsgMultiTransfer{Moves: moves[perBlock/2:]})))
		if h > 0 {
			// Deleted keys: last block's fresh accounts send everything
			// back (their balance and holder entries go).
			for i := 0; i < perBlock; i++ {
				txs = append(txs, gen.tx(fresh(h-1, i), transferMsg(t, alice.addr, 1, NativeAsset)))
			}
		}
		// Unique items minted into new keys, burned the next block.
		if h%2 == 0 {
			var msgs []Msg
			msgs = append(msgs, mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Unique, Symbol: "ART"}))
			for i := 0; i < 30; i++ {
				msgs = append(msgs, mustMsg(t, "asset/mint", ledger.MsgMint{Asset: fmt.Sprintf("ART-%d", h/2+1), Item: fmt.Sprintf("i%02d", (i*7)%30)}))
			}
			txs = append(txs, gen.tx(alice, msgs...))
		} else {
			var msgs []Msg
			for i := 0; i < 30; i += 2 {
				msgs = append(msgs, mustMsg(t, "asset/burn", ledger.MsgBurn{Asset: fmt.Sprintf("ART-%d", h/2+1), Item: fmt.Sprintf("i%02d", i)}))
			}
			txs = append(txs, gen.tx(alice, msgs...))
		}
		blocks = append(blocks, txs)
	}
	for h, txs := range blocks {
		r1, r2 := c1.block(txs...), c2.block(txs...)
		for i, r := range r1.TxResults {
			if r.Code != 0 {
				t.Fatalf("height %d tx %d: code %d %s", h+1, i, r.Code, r.Log)
			}
		}
		if !bytes.Equal(r1.AppHash, r2.AppHash) {
			t.Fatalf("height %d: app hashes differ %X vs %X", h+1, r1.AppHash, r2.AppHash)
		}
	}
}
