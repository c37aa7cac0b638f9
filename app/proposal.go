package app

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// PrepareProposal implements abci.Application: the proposal is the txs
// CometBFT reaped from the mempool, with each signer's txs put in nonce
// order in the places that signer's txs held (everything else keeps its
// place), less those held behind a nonce gap (nonce_window.go).
//
// CheckTx admits an account's txs only in nonce order, but the mempool
// inserts a checked tx after the app's ABCI lock is released, so two txs of
// one account that arrive at the same time (one from a client, one from a
// peer; or from two peers) can enter the mempool swapped. Executed in that
// order the later nonce would fail (code 10) and the earlier succeed, and
// the account's following txs would fail as well. Reordering here costs a
// hash lookup per tx (CheckTx cached them) and no state read.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	return &abci.ResponsePrepareProposal{Txs: a.capGas(a.proposalTxs(req.Txs))}, nil
}

// proposalTxs returns txs as a proposal should carry them: every signer's
// txs sorted by nonce within the positions they occupy, keeping only the
// run that follows the signer's committed nonce without a gap (the others
// stay in the mempool, held). Txs that do not decode or verify stay where
// they are (execution rejects them).
func (a *App) proposalTxs(txs [][]byte) [][]byte {
	type entry struct {
		pos   int
		nonce uint64
		raw   []byte
	}
	bySigner := map[ledger.Address][]entry{}
	var signers []ledger.Address // first-seen order, for determinism of reads
	for i, raw := range txs {
		ct, err := a.prepare(raw, false)
		if err != nil {
			continue
		}
		b := &ct.tx.Body
		if _, seen := bySigner[b.Signer]; !seen {
			signers = append(signers, b.Signer)
		}
		bySigner[b.Signer] = append(bySigner[b.Signer], entry{pos: i, nonce: b.Nonce, raw: raw})
	}
	out := append([][]byte(nil), txs...)
	changed := false
	for _, s := range signers {
		list := bySigner[s]
		committed, _, err := a.committedNonce(s)
		if err != nil {
			continue // execution reports it
		}
		sorted := sortedRun(list, committed, func(e entry) uint64 { return e.nonce })
		if len(sorted) == len(list) && samePositions(list, sorted, func(e entry) int { return e.pos }) {
			continue
		}
		changed = true
		for i, e := range list {
			if i < len(sorted) {
				out[e.pos] = sorted[i].raw
			} else {
				out[e.pos] = nil
			}
		}
	}
	if !changed {
		return txs
	}
	kept := out[:0]
	for _, raw := range out {
		if raw != nil {
			kept = append(kept, raw)
		}
	}
	return kept
}

// sortedRun returns the entries whose nonces are committed+1, +2, ... with
// no gap, in nonce order (the first of duplicates).
func sortedRun[E any](list []E, committed uint64, nonce func(E) uint64) []E {
	byNonce := make(map[uint64]E, len(list))
	for _, e := range list {
		if _, dup := byNonce[nonce(e)]; !dup {
			byNonce[nonce(e)] = e
		}
	}
	var run []E
	for n := committed + 1; ; n++ {
		e, ok := byNonce[n]
		if !ok {
			return run
		}
		run = append(run, e)
	}
}

func samePositions[E any](a, b []E, pos func(E) int) bool {
	for i := range a {
		if pos(a[i]) != pos(b[i]) {
			return false
		}
	}
	return true
}
