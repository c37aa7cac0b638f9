package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// TestBalancesPaged: dust of many assets minted to one account (anyone
// can) no longer makes /balances read and prove every balance: pages of
// at most 1,000 (default 100) walk them once each, and a limit above
// the maximum is refused with code 27 and a hint. Before, /balances had
// no paging and answered every balance with a proof each.
func TestBalancesPaged(t *testing.T) {
	alice, victim := newTestKey("dust-alice"), newTestKey("dust-victim")
	c := newChain(t, fundedGenesis(alice))
	const assets = 250
	one := ledger.NewAmount(1)
	var txs [][]byte
	for i := 0; i < assets; i += 32 {
		var msgs []Msg
		for j := i; j < min(i+32, assets); j++ {
			msgs = append(msgs, mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "DUST"}),
				mustMsg(t, "asset/mint", ledger.MsgMint{Asset: fmt.Sprintf("DUST-%d", j+1), To: &victim.addr, Amount: &one}))
		}
		txs = append(txs, c.tx(alice, msgs...))
	}
	for i, r := range c.block(txs...).TxResults {
		if r.Code != 0 {
			t.Fatalf("tx %d: %d %s", i, r.Code, r.Log)
		}
	}
	page := func(q string) (listResult, *abci.ResponseQuery) {
		res, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: "/balances/" + victim.addr.String() + q, Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		var lr listResult
		if res.Code == 0 {
			if err := json.Unmarshal(res.Value, &lr); err != nil {
				t.Fatal(err)
			}
			if len(res.ProofOps.Ops) != len(lr.Entries) {
				t.Fatalf("%d proofs for %d entries", len(res.ProofOps.Ops), len(lr.Entries))
			}
		}
		return lr, res
	}
	if lr, _ := page(""); len(lr.Entries) != DefaultPageLimit || lr.Next == "" {
		t.Fatalf("default page: %d entries, next %q", len(lr.Entries), lr.Next)
	}
	seen := map[string]bool{}
	after := ""
	for {
		lr, res := page("?limit=70&after=" + after)
		if res.Code != 0 {
			t.Fatalf("page after %q: %d %s", after, res.Code, res.Log)
		}
		for _, e := range lr.Entries {
			var h ledger.Holding
			if err := json.Unmarshal(e, &h); err != nil || seen[h.Asset] {
				t.Fatalf("entry %s (%v, seen before: %v)", e, err, seen[h.Asset])
			}
			seen[h.Asset] = true
		}
		if lr.Next == "" {
			break
		}
		after = lr.Next
	}
	if len(seen) != assets {
		t.Fatalf("paging walked %d balances, want %d", len(seen), assets)
	}
	_, res := page(fmt.Sprintf("?limit=%d", MaxPageLimit+1))
	if res.Code != CodeBadQuery || !strings.Contains(res.Log, "page with after=") {
		t.Fatalf("limit over the maximum: code %d %q", res.Code, res.Log)
	}
}
