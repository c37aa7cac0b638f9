package app

import (
	"context"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

// TestConcurrentConnections runs CheckTx and queries while blocks execute
// and commit, as the per-connection mutexes of the node allow (run -race).
func TestConcurrentConnections(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	c.block()
	var txs [][]byte
	for i := 0; i < 60; i++ {
		txs = append(txs, c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset)))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, _ = c.app.Query(context.Background(), &abci.RequestQuery{Path: "/balance/" + bob.addr.String() + "/RIFF", Prove: true})
			_, _ = c.app.Query(context.Background(), &abci.RequestQuery{Path: "/simulate", Data: txs[59]}) // runs a tx beside the blocks
			_, _ = c.app.Info(context.Background(), &abci.RequestInfo{})
		}
	}()
	go func() {
		defer wg.Done()
		for _, tx := range txs[30:] {
			_, _ = c.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		}
	}()
	for i := 0; i < 30; i += 5 {
		res := c.block(txs[i : i+5]...)
		for _, r := range res.TxResults {
			if r.Code != 0 {
				t.Fatalf("code %d %s", r.Code, r.Log)
			}
		}
	}
	close(stop)
	wg.Wait()
	if got := c.balance(bob.addr, NativeAsset); got != "1000030" {
		t.Fatalf("bob %s", got)
	}
}
