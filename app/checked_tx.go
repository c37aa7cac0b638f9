package app

import "fmt"

// Verified once (spec/tx.md "Verified once").
//
// What CheckTx verifies depends only on a tx's bytes and the app's chain
// id: decode checks the framing, strict decoding, field limits, the chain
// id and every message's decoding and shape rules; checkChain runs the
// chain checks of messages that carry offline signatures (an agreement
// file: its body is valid for this chain, its id matches, and every
// signature is well-formed, by a party or a collective member, and
// verifies); then the tx signature. prepare does these, in that order
// (with the gas-limit check before any signature), and its outcome is one
// value: a checkedTx, keyed by the SHA-256 of the bytes it was built from.
//
// A checkedTx is never changed once prepare returns it. Its messages carry
// what their chain checks established (an agreement file remembers the
// chain id and id CheckChain verified it for; its keeper skips only that
// verification, and only for that chain id), so the verdict travels with
// the value, not beside it.
//
// Execution runs only checkedTxs, each obtained from prepare: a hit in the
// App's txCache is the checkedTx CheckTx built from bytes with the same
// hash — the same bytes, so the same verdict — and a miss decodes and
// verifies from scratch. There is no other cache of verified signatures,
// and nothing is shared between two Apps in one process. What depends on
// state (nonce, fee, admission policy; at execution, every check a message
// makes against state) is never cached. A message that reaches execution
// without a verdict of its own (an agreement file inside a collective
// exec: CheckTx decodes it but runs no chain check on it) is verified in
// full by its keeper. /simulate builds a checkedTx without the tx
// signature and never caches it.
//
// A checkedTx enters the cache when CheckTx admits its tx and leaves it
// when block execution takes it (prepare with consume: a tx executes
// once), when a recheck refuses the tx, or when the cache needs room
// (oldest first, checktx_cache.go). The cache lives in memory only.

// checkedTx is a decoded, verified transaction with its decoded messages:
// prepare's verdict on the bytes whose hash it holds, shared between
// CheckTx, PrepareProposal and FinalizeBlock through the txCache. Nothing
// writes to it (or to its messages) after prepare.
type checkedTx struct {
	tx   *Tx
	msgs []any
	hash [32]byte // Hash of the wire bytes
	size int      // length of the wire bytes
}

// chainChecker is implemented by messages with checks that need the chain
// id but no state (e.g. an offline-signed agreement's signatures); they run
// in CheckTx, so such a message with a bad signature never enters a block.
// A message records what it established in itself (it is part of the
// checkedTx from then on).
type chainChecker interface{ CheckChain(chainID string) error }

// prepare returns the checkedTx of raw: the one CheckTx admitted, from the
// cache, or one decoded and verified now. It stores nothing (CheckTx keeps
// a tx only once it is admitted); block execution (consume true) takes the
// entry out, since a tx executes once.
func (a *App) prepare(raw []byte, consume bool) (*checkedTx, error) {
	h := Hash(raw)
	a.mu.Lock()
	ct, ok := a.cache.get(h)
	if ok && consume {
		a.cache.remove(h)
	}
	a.mu.Unlock()
	if ok {
		return ct, nil
	}
	ct, err := a.decode(raw)
	if err != nil {
		return nil, err
	}
	// A limit that cannot pay for the tx's signatures (or that no block
	// holds) is refused before any of them is checked: in a block, by
	// every validator, a tx fails then without a trace and having cost
	// its decoding only.
	if err := a.checkGasLimit(ct, len(raw)); err != nil {
		return nil, err
	}
	if err := a.checkChain(ct); err != nil {
		return nil, err
	}
	if err := ct.tx.VerifySignature(); err != nil {
		return nil, err
	}
	return ct, nil
}

// checkChain runs the chain-id checks of ct's messages (an offline-signed
// agreement's signatures, ...).
func (a *App) checkChain(ct *checkedTx) error {
	for i, m := range ct.msgs {
		if cc, ok := m.(chainChecker); ok {
			if err := cc.CheckChain(a.chainID); err != nil {
				return fmt.Errorf("msg %d (%s): %w", i, ct.tx.Body.Msgs[i].Type, err)
			}
		}
	}
	return nil
}

// decode decodes and validates raw and its messages for this chain; it
// verifies no signature (the tx's, or its messages': checkChain).
func (a *App) decode(raw []byte) (*checkedTx, error) {
	tx, err := DecodeTx(raw)
	if err != nil {
		return nil, err
	}
	if err := Validate(&tx.Body); err != nil {
		return nil, err
	}
	if tx.Body.ChainID != a.chainID {
		return nil, fmt.Errorf("%w: tx is for %q, this chain is %q", ErrWrongChainID, tx.Body.ChainID, a.chainID)
	}
	msgs, err := a.router.decodeMsgs(&tx.Body)
	if err != nil {
		return nil, err
	}
	return &checkedTx{tx: tx, msgs: msgs, hash: Hash(raw), size: len(raw)}, nil
}
