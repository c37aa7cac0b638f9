package app

import (
	"context"
	"github.com/riffchain/riffchain/ledger"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

// FuzzDecodeTx: the wire decoder never panics and whatever it accepts
// re-encodes to the same bytes.
func FuzzDecodeTx(f *testing.F) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := &chain{t: f, nonces: map[ledger.Address]uint64{}}
	f.Add(c.tx(alice, transferMsg(f, bob.addr, 1, NativeAsset)))
	f.Add([]byte{1, 2, '{', '}', 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := DecodeTx(raw)
		if err != nil {
			return
		}
		again := EncodeTx(tx.BodyBytes, tx.PubKey, tx.Signature)
		if string(again) != string(raw) {
			t.Fatalf("accepted bytes do not round-trip")
		}
	})
}

// FuzzCheckTx: CheckTx never panics or errors on any input and refuses
// anything that does not decode.
func FuzzCheckTx(f *testing.F) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(f, fundedGenesis(alice))
	c.block()
	f.Add(c.tx(alice, transferMsg(f, bob.addr, 1, NativeAsset)))
	f.Add([]byte("\x01\x05{\"a\"}\x01"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := c.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw, Type: abci.CheckTxType_New})
		if err != nil {
			t.Fatalf("CheckTx returned an error: %v", err)
		}
		if _, derr := DecodeTx(raw); derr != nil && res.Code == CodeOK {
			t.Fatalf("undecodable tx admitted")
		}
	})
}
