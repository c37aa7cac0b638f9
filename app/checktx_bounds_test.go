package app

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// bigMsgs returns messages that make a tx of about size bytes: transfers
// of 1 RIFF to 64 addresses, repeated.
func bigMsgs(t testing.TB, size int) []Msg {
	one := ledger.NewAmount(1)
	moves := make([]ledger.Move, 64)
	for i := range moves {
		moves[i] = ledger.Move{To: newTestKey(fmt.Sprint("to", i)).addr, Asset: NativeAsset, Amount: &one}
	}
	m := mustMsg(t, "multi-transfer", ledger.MsgMultiTransfer{Moves: moves})
	var out []Msg
	for n := 0; n+len(m.Value)+64 < size; n += len(m.Value) + 32 {
		out = append(out, m)
	}
	return out
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestCheckTxKeepsNothingItRejects floods CheckTx with large txs refused for
// every reason it has (bad nonce, fee too low, fee unpayable, bad signature,
// oversize, beyond the nonce window) from many signers: nothing is cached,
// no nonce remembered, nothing held, and the heap does not grow with the
// flood. Before the fix every verified tx stayed in the cache (200,000
// entries of up to 64 KB).
func TestCheckTxKeepsNothingItRejects(t *testing.T) {
	alice := newTestKey("flood-alice")
	c := newChain(t, fundedGenesis(alice))
	c.block()
	c.app.Config = AppConfig{MinFees: []FeeMin{{Asset: NativeAsset, Amount: "5"}}, NonceWindow: 4}
	msgs := bigMsgs(t, 60_000)
	fee := &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(5)}
	kinds := []func(i int) []byte{
		func(i int) []byte { return c.txFeeNonce(alice, 1_000_000_000+uint64(i), fee, msgs...) }, // bad nonce
		func(i int) []byte { return c.txFeeNonce(alice, 6, fee, msgs...) },                       // beyond the window
		func(i int) []byte {
			return c.txFeeNonce(alice, 1, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(4)}, msgs...) // fee too low
		},
		func(i int) []byte { return c.txFeeNonce(newTestKey(fmt.Sprint("poor", i)), 1, fee, msgs...) }, // cannot pay
		func(i int) []byte { // bad signature
			tx := c.txFeeNonce(alice, 1, fee, msgs...)
			tx[len(tx)-1] ^= 1
			return tx
		},
		func(i int) []byte { return append(c.txFeeNonce(alice, 1, fee, msgs...), make([]byte, MaxTxBytes)...) }, // oversize
	}
	flood := func(rounds int) {
		for i := 0; i < rounds; i++ {
			for k, mk := range kinds {
				tx := mk(i)
				if r := c.check(tx); r.Code == 0 {
					t.Fatalf("kind %d round %d admitted: %s", k, i, r.Log)
				}
			}
		}
	}
	flood(20) // warm up
	before := heapInUse()
	flood(200) // 1,200 txs of ~60 KB (~70 MB)
	after := heapInUse()
	c.app.mu.Lock()
	cached, nonces, held := c.app.cache.len(), len(c.app.committed), c.app.held.count
	c.app.mu.Unlock()
	if cached != 0 || nonces != 0 || held != 0 {
		t.Fatalf("after rejected txs: %d cached, %d nonces remembered, %d held; want none", cached, nonces, held)
	}
	if growth := int64(after) - int64(before); growth > 8<<20 {
		t.Fatalf("heap grew by %d bytes over a flood of rejected txs", growth)
	}
	// An admitted tx is kept (and its nonce remembered).
	if r := c.check(c.txFeeNonce(alice, 1, fee)); r.Code != 0 {
		t.Fatalf("good tx: %d %s", r.Code, r.Log)
	}
	c.app.mu.Lock()
	cached, nonces = c.app.cache.len(), len(c.app.committed)
	c.app.mu.Unlock()
	if cached != 1 || nonces != 1 {
		t.Fatalf("after an admitted tx: %d cached, %d nonces; want 1, 1", cached, nonces)
	}
}

// TestCheckTxCacheBoundedInBytes: admitted txs fill the cache up to its byte
// cap, oldest dropped first, and a tx the cache dropped still executes.
func TestCheckTxCacheBoundedInBytes(t *testing.T) {
	var keys []testKey
	for i := 0; i < 40; i++ {
		keys = append(keys, newTestKey(fmt.Sprint("cache", i)))
	}
	c := newChain(t, fundedGenesis(keys...))
	c.block()
	msgs := bigMsgs(t, 20_000)
	var txs [][]byte
	for _, k := range keys {
		txs = append(txs, c.tx(k, msgs...))
	}
	limit := 10 * txCost(len(txs[0]))
	c.app.cache = newTxCache(limit)
	for _, tx := range txs {
		if r := c.check(tx); r.Code != 0 {
			t.Fatalf("check: %d %s", r.Code, r.Log)
		}
		if c.app.cache.bytes > limit {
			t.Fatalf("cache holds %d bytes, cap %d", c.app.cache.bytes, limit)
		}
	}
	if n := c.app.cache.len(); n != 10 {
		t.Fatalf("cache holds %d txs under a cap of 10", n)
	}
	if _, ok := c.app.cache.get(Hash(txs[0])); ok {
		t.Fatal("the oldest tx is still cached")
	}
	if _, ok := c.app.cache.get(Hash(txs[len(txs)-1])); !ok {
		t.Fatal("the newest tx is not cached")
	}
	// Evicted or not, every tx executes.
	res := c.block(txs...)
	for i, r := range res.TxResults {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	if c.app.cache.len() != 0 || c.app.cache.bytes != 0 {
		t.Fatalf("executed txs still cached: %d (%d bytes)", c.app.cache.len(), c.app.cache.bytes)
	}
}

func (c *chain) recheck(tx []byte) *abci.ResponseCheckTx {
	res, err := c.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_Recheck})
	if err != nil {
		c.t.Fatal(err)
	}
	return res
}

// TestNonceWindow: nonces ahead of the next one are admitted within the
// window and held out of proposals until the gap fills; a duplicate, a
// replay or a nonce beyond the window is refused; a held tx whose gap never
// fills is dropped at a recheck after nonceHoldBlocks.
func TestNonceWindow(t *testing.T) {
	alice, bob := newTestKey("win-alice"), newTestKey("win-bob")
	c := newChain(t, fundedGenesis(alice, bob))
	c.block()
	c.app.Config.NonceWindow = 4
	tx := func(n uint64) []byte { return c.txNonce(alice, n, transferMsg(t, bob.addr, n, NativeAsset)) }
	propose := func(txs ...[]byte) [][]byte {
		res, err := c.app.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: txs, MaxTxBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		return res.Txs
	}
	t1, t2, t3, t4 := tx(1), tx(2), tx(3), tx(4)
	for _, step := range []struct {
		name string
		tx   []byte
		code uint32
	}{
		{"3 ahead of a gap", t3, CodeOK},
		{"2 ahead of a gap", t2, CodeOK},
		{"another tx with nonce 3", c.txNonce(alice, 3, transferMsg(t, bob.addr, 99, NativeAsset)), CodeBadNonce},
		{"beyond the window", tx(6), CodeBadNonce},
	} {
		if r := c.check(step.tx); r.Code != step.code {
			t.Fatalf("%s: code %d (%s), want %d", step.name, r.Code, r.Log, step.code)
		}
	}
	if got := propose(t3, t2); len(got) != 0 {
		t.Fatalf("proposal carries %d txs held behind nonce 1", len(got))
	}
	if r := c.check(t1); r.Code != 0 {
		t.Fatalf("nonce 1: %d %s", r.Code, r.Log)
	}
	if r := c.check(c.txNonce(alice, 2, transferMsg(t, bob.addr, 77, NativeAsset))); r.Code != CodeBadNonce {
		t.Fatalf("nonce 2 again once the gap closed: code %d", r.Code)
	}
	if r := c.check(t4); r.Code != 0 {
		t.Fatalf("nonce 4 after the gap closed: %d %s", r.Code, r.Log)
	}
	got := propose(t3, t2, t4, t1)
	if len(got) != 4 {
		t.Fatalf("proposal has %d txs, want 4", len(got))
	}
	res := c.block(got...)
	for i, r := range res.TxResults {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	if b := c.balance(bob.addr, NativeAsset); b != "1000010" {
		t.Fatalf("bob has %s", b)
	}

	// A gap that never fills: nonce 6 waits for 5, proposals leave it out,
	// and the recheck nonceHoldBlocks blocks on drops it.
	t6 := tx(6)
	if r := c.check(t6); r.Code != 0 {
		t.Fatalf("nonce 6: %d %s", r.Code, r.Log)
	}
	for i := 0; i < nonceHoldBlocks; i++ {
		if got := propose(t6); len(got) != 0 {
			t.Fatal("proposal carries a held tx")
		}
		c.block()
		if r := c.recheck(t6); r.Code != 0 {
			t.Fatalf("recheck %d blocks on: %d %s", i+1, r.Code, r.Log)
		}
	}
	c.block()
	if r := c.recheck(t6); r.Code != CodeBadNonce {
		t.Fatalf("recheck after %d blocks: code %d, want %d", nonceHoldBlocks+1, r.Code, CodeBadNonce)
	}
	c.app.mu.Lock()
	held, cached := c.app.held.count, c.app.cache.len()
	c.app.mu.Unlock()
	if held != 0 || cached != 0 {
		t.Fatalf("after the drop: %d held, %d cached", held, cached)
	}
	// Sent again, it is a new tx: held afresh.
	if r := c.check(t6); r.Code != 0 {
		t.Fatalf("nonce 6 sent again: %d %s", r.Code, r.Log)
	}
}

// TestNonceWindowZeroIsStrict: window 0 admits only the next nonce.
func TestNonceWindowZeroIsStrict(t *testing.T) {
	alice, bob := newTestKey("strict-alice"), newTestKey("strict-bob")
	c := newChain(t, fundedGenesis(alice))
	c.block()
	if r := c.check(c.txNonce(alice, 2, transferMsg(t, bob.addr, 1, NativeAsset))); r.Code != CodeBadNonce {
		t.Fatalf("nonce 2 first with window 0: code %d", r.Code)
	}
}
