package app

import (
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// benchDecodeTxs returns a signed transfer and a signed two-party DvP
// agreement submit, shaped like the node benchmark's (scripts/bench).
func benchDecodeTxs(b *testing.B) (transfer, agreement []byte) {
	b.Helper()
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := &chain{t: b, nonces: map[ledger.Address]uint64{}}
	one, pay, deliver := ledger.NewAmount(1), ledger.NewAmount(107), ledger.NewAmount(7)
	transfer = c.tx(alice, mustMsg(b, "transfer", ledger.Move{To: bob.addr, Asset: NativeAsset, Amount: &one}))
	f := signedFile(b, agreements.Body{
		Parties: []ledger.Address{alice.addr, bob.addr},
		Title:   "dvp",
		Actions: []agreements.Action{
			{Transfer: &agreements.TransferAction{From: alice.addr, To: bob.addr, Asset: "SHR", Amount: &deliver}},
			{Transfer: &agreements.TransferAction{From: bob.addr, To: alice.addr, Asset: NativeAsset, Amount: &pay}},
		},
		ExpiresAtHeight: 1_000_000,
	}, bob)
	agreement = c.tx(alice, mustMsg(b, agreements.TypeSubmit, f))
	return transfer, agreement
}

// benchDecode runs what CheckTx does before signatures and state: framing,
// strict body JSON, field validation, message decoding and validation.
func benchDecode(b *testing.B, raw []byte) {
	r := NewRouter()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		tx, err := DecodeTx(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := Validate(&tx.Body); err != nil {
			b.Fatal(err)
		}
		if _, err := r.decodeMsgs(&tx.Body); err != nil {
			b.Fatal(err)
		}
	}
}

// go test ./app -run XXX -bench Decode: a transfer's and an agreement's
// decoding cost (ns/op, allocs/op), the JSON share of CheckTx.
func BenchmarkDecodeTransferTx(b *testing.B) {
	tr, _ := benchDecodeTxs(b)
	benchDecode(b, tr)
}

func BenchmarkDecodeAgreementTx(b *testing.B) {
	_, ag := benchDecodeTxs(b)
	benchDecode(b, ag)
}
