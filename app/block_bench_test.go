package app

import (
	"context"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

const (
	benchAccounts = 1000
	benchBlockTxs = 1000
	benchShares   = "SHR"
)

// benchChain is a chain whose accounts hold RIFF and SHR, as in the node
// benchmark (scripts/bench).
func benchChain(b *testing.B) (*chain, []testKey) {
	b.Helper()
	keys := make([]testKey, benchAccounts)
	for i := range keys {
		keys[i] = newTestKey("bench-" + strconv.Itoa(i))
	}
	gs := fundedGenesis(keys...)
	gs.Ledger.Assets = append(gs.Ledger.Assets, ledger.Asset{ID: benchShares, Kind: ledger.Fungible, Symbol: benchShares})
	for _, k := range keys {
		gs.Ledger.Balances = append(gs.Ledger.Balances, ledger.Holding{Address: k.addr, Asset: benchShares, Amount: ledger.NewAmount(1_000_000)})
	}
	return newChainIn(b, b.TempDir(), gs), keys // on disk, as in a node
}

// benchBlocks pre-signs b.N txs with next, then measures CheckTx for each,
// FinalizeBlock and Commit, in blocks of benchBlockTxs: the app's whole
// cost per tx (ns/op, B/op, allocs/op), without CometBFT.
func benchBlocks(b *testing.B, next func(c *chain, keys []testKey, i int) []byte) {
	c, keys := benchChain(b)
	txs := make([][]byte, b.N)
	for i := range txs {
		txs[i] = next(c, keys, i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for start := 0; start < len(txs); start += benchBlockTxs {
		blk := txs[start:min(start+benchBlockTxs, len(txs))]
		for _, tx := range blk {
			if r, _ := c.app.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New}); r.Code != 0 {
				b.Fatalf("CheckTx: %d %s", r.Code, r.Log)
			}
		}
		c.height++
		res, err := c.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: c.height, Time: time.Unix(1_700_000_000+c.height, 0), Txs: blk})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res.TxResults {
			if r.Code != 0 {
				b.Fatalf("FinalizeBlock: %d %s", r.Code, r.Log)
			}
		}
		if _, err := c.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
			b.Fatal(err)
		}
	}
}

// go test ./app -run XXX -bench Block -benchmem: a transfer's and a DvP
// agreement's whole cost in the app; an agreement at most twice a transfer
// is what issue 3's 0.5 needs from the app.
func BenchmarkBlockTransfers(b *testing.B) {
	one := ledger.NewAmount(1)
	benchBlocks(b, func(c *chain, keys []testKey, i int) []byte {
		from, to := keys[i%len(keys)], keys[(i+1)%len(keys)]
		return c.tx(from, mustMsg(b, "transfer", ledger.Move{To: to.addr, Asset: NativeAsset, Amount: &one}))
	})
}

func BenchmarkBlockAgreements(b *testing.B) {
	benchBlocks(b, func(c *chain, keys []testKey, i int) []byte {
		pa, pb := keys[(2*i)%len(keys)], keys[(2*i+1)%len(keys)]
		shares, price := ledger.NewAmount(uint64(1+i%7)), ledger.NewAmount(uint64(100+i))
		f := signedFile(b, agreements.Body{
			Parties: []ledger.Address{pa.addr, pb.addr},
			Title:   "bench dvp",
			Actions: []agreements.Action{
				{Transfer: &agreements.TransferAction{From: pa.addr, To: pb.addr, Asset: benchShares, Amount: &shares}},
				{Transfer: &agreements.TransferAction{From: pb.addr, To: pa.addr, Asset: NativeAsset, Amount: &price}},
			},
			ExpiresAtHeight: 1 << 40,
			Salt:            strconv.Itoa(i),
		}, pa, pb)
		return c.tx(pa, mustMsg(b, agreements.TypeSubmit, f.ForSubmitter(pa.addr)))
	})
}
