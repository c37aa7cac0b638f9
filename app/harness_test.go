package app

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

const testChain = "riff-test"

// testKey is a deterministic key for tests.
type testKey struct {
	priv ed25519.PrivateKey
	addr ledger.Address
}

func newTestKey(seed string) testKey {
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	return testKey{priv: priv, addr: ledger.AddressFromPubKey(priv.Public().(ed25519.PublicKey))}
}

// chain drives an App through ABCI calls the way CometBFT would.
type chain struct {
	t      testing.TB
	app    *App
	height int64
	nonces map[ledger.Address]uint64
}

func newChain(t testing.TB, gs GenesisState) *chain {
	t.Helper()
	return newChainIn(t, "", gs)
}

// newChainIn is newChain with its state in a goleveldb database under dir
// ("" = in memory).
func newChainIn(t testing.TB, dir string, gs GenesisState) *chain {
	t.Helper()
	tree, err := ledger.OpenTree(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	a := New(tree, testChain, nil)
	t.Cleanup(a.Close) // before tree.Close (cleanups run last-registered first)
	st, _ := json.Marshal(gs)
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChain, AppStateBytes: st, InitialHeight: 1}); err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, app: a, nonces: map[ledger.Address]uint64{}}
}

func fundedGenesis(keys ...testKey) GenesisState {
	gs := GenesisState{Ledger: ledger.Genesis{Assets: []ledger.Asset{{ID: NativeAsset, Kind: ledger.Fungible, Symbol: NativeAsset}}}}
	for _, k := range keys {
		gs.Ledger.Balances = append(gs.Ledger.Balances, ledger.Holding{Address: k.addr, Asset: NativeAsset, Amount: ledger.NewAmount(1_000_000)})
	}
	return gs
}

func mustMsg(t testing.TB, typ string, v any) Msg {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return Msg{Type: typ, Value: b}
}

// testGas is the gas limit of the test txs: enough for any of them.
const testGas = 50_000_000

// tx signs msgs from k with the next nonce.
func (c *chain) tx(k testKey, msgs ...Msg) []byte {
	c.nonces[k.addr]++
	return c.txNonce(k, c.nonces[k.addr], msgs...)
}

func (c *chain) txNonce(k testKey, nonce uint64, msgs ...Msg) []byte {
	body, err := MarshalBody(Body{ChainID: testChain, Signer: k.addr, Nonce: nonce, Msgs: msgs, Gas: testGas})
	if err != nil {
		c.t.Fatal(err)
	}
	return SignTx(body, k.priv)
}

// block runs one block of txs and commits it.
func (c *chain) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	c.height++
	res, err := c.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Height: c.height, Time: time.Unix(1_700_000_000+c.height, 0), Txs: txs})
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		c.t.Fatal(err)
	}
	if err := c.app.CheckInvariants(c.app.tree); err != nil {
		c.t.Fatalf("after block %d: %v", c.height, err)
	}
	return res
}

func (c *chain) check(tx []byte) *abci.ResponseCheckTx {
	res, err := c.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		c.t.Fatal(err)
	}
	return res
}

func (c *chain) balance(a ledger.Address, asset string) string {
	amt, err := ledger.New(c.app.tree, nil).Balance(a, asset)
	if err != nil {
		c.t.Fatal(err)
	}
	return amt.String()
}
