package app

import (
	"cmp"
	"context"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// PrepareProposal implements abci.Application: the proposal is the txs
// CometBFT reaped from the mempool, with each signer's txs put in nonce
// order in the places that signer's txs held (everything else keeps its
// place).
//
// CheckTx admits an account's txs only in nonce order, but the mempool
// inserts a checked tx after the app's ABCI lock is released, so two txs of
// one account that arrive at the same time (one from a client, one from a
// peer; or from two peers) can enter the mempool swapped. Executed in that
// order the later nonce would fail (code 10) and the earlier succeed, and
// the account's following txs would fail as well. Reordering here costs a
// hash lookup per tx (CheckTx cached them) and no state read.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	return &abci.ResponsePrepareProposal{Txs: a.nonceOrder(req.Txs)}, nil
}

// nonceOrder returns txs with every signer's txs sorted by nonce within the
// positions they occupy. Txs that do not decode or verify stay where they
// are (execution rejects them).
func (a *App) nonceOrder(txs [][]byte) [][]byte {
	type entry struct {
		pos   int
		nonce uint64
		raw   []byte
	}
	bySigner := map[ledger.Address][]entry{}
	// Signers with txs out of order. Each signer's txs are put back only in
	// the positions they held, so the order these are fixed in is irrelevant.
	unsorted := map[ledger.Address]bool{}
	for i, raw := range txs {
		ct, err := a.prepare(raw, false)
		if err != nil {
			continue
		}
		b := &ct.tx.Body
		list := bySigner[b.Signer]
		if n := len(list); n > 0 && list[n-1].nonce > b.Nonce {
			unsorted[b.Signer] = true
		}
		bySigner[b.Signer] = append(list, entry{pos: i, nonce: b.Nonce, raw: raw})
	}
	if len(unsorted) == 0 {
		return txs
	}
	out := append([][]byte(nil), txs...)
	for s := range unsorted {
		list := bySigner[s]
		sorted := slices.Clone(list)
		slices.SortStableFunc(sorted, func(x, y entry) int { return cmp.Compare(x.nonce, y.nonce) })
		for i, e := range list {
			out[e.pos] = sorted[i].raw
		}
	}
	return out
}
