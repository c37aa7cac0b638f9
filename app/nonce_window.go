package app

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Nonce window (spec/tx.md "Admission policy"; spec/security.md "Bounded
// work"). CheckTx admits an account's next nonce, and also nonces up to
// nonce_window ahead of it: a client that sends its txs in order over
// several connections sees them reach the node out of order, and refusing
// the early ones would strand every later nonce of the account. A tx ahead
// of a gap is held: proposals leave it out until the gap fills, and a
// recheck drops it if the gap is still open nonceHoldBlocks later.
const (
	// DefaultNonceWindow is app.toml's nonce_window when unset;
	// maxNonceWindow the most it may be.
	DefaultNonceWindow = 16
	maxNonceWindow     = 64
	// nonceHoldBlocks is how many blocks a tx may wait for the nonces
	// before it; the first recheck after that drops it.
	nonceHoldBlocks = 10
	// maxHeldNonces caps the txs held ahead of a gap, node-wide: a held tx
	// pays no fee until its gap fills, so this bounds the mempool room
	// such txs can take (4,096 x 64 KiB at most) as well as this table
	// (about 100 bytes an entry). Beyond it CheckTx refuses further early
	// nonces with ErrMempoolFull (the client sends again later); an
	// in-order stream reordered in transit holds a few per account for
	// milliseconds.
	maxHeldNonces = 4096
)

// heldNonces records the txs CheckTx admitted ahead of a nonce gap, per
// signer: nonce → committed height when it was admitted. Guarded by App.mu.
type heldNonces struct {
	by    map[ledger.Address]map[uint64]int64
	count int
}

func (h *heldNonces) get(s ledger.Address, n uint64) (int64, bool) {
	since, ok := h.by[s][n]
	return since, ok
}

func (h *heldNonces) add(s ledger.Address, n uint64, height int64) {
	m := h.by[s]
	if m == nil {
		if h.by == nil {
			h.by = map[ledger.Address]map[uint64]int64{}
		}
		m = map[uint64]int64{}
		h.by[s] = m
	}
	if _, ok := m[n]; !ok {
		m[n] = height
		h.count++
	}
}

func (h *heldNonces) remove(s ledger.Address, n uint64) {
	m := h.by[s]
	if _, ok := m[n]; !ok {
		return
	}
	delete(m, n)
	h.count--
	if len(m) == 0 {
		delete(h.by, s)
	}
}

// prune drops s's held nonces up to committed (executed, or replaced).
func (h *heldNonces) prune(s ledger.Address, committed uint64) {
	for n := range h.by[s] {
		if n <= committed {
			h.remove(s, n)
		}
	}
}

// expire drops every entry admitted before height-nonceHoldBlocks-1: a
// recheck would already have dropped its tx, so only entries whose tx left
// the mempool some other way remain (work: at most maxHeldNonces).
func (h *heldNonces) expire(height int64) {
	if h.count == 0 {
		return
	}
	for s, m := range h.by {
		for n, since := range m {
			if height-since > nonceHoldBlocks+1 {
				h.remove(s, n)
			}
		}
	}
}

// admitNonce decides whether CheckTx admits nonce n of signer s whose
// committed nonce is committed, at committed height height, and records
// it. recheck is true when CometBFT rechecks a tx already in its mempool
// after a block. Caller holds a.mu.
func (a *App) admitNonce(s ledger.Address, n, committed uint64, height int64, recheck bool) error {
	base := max(committed, a.pending[s]) // highest nonce admitted without a gap
	switch {
	case n <= base:
		return fmt.Errorf("%w: nonce %d, expected %d", ErrBadNonce, n, base+1)
	case n == base+1:
		a.held.remove(s, n)
		for { // the gap closed: the held txs after it are in order now
			a.pending[s] = n
			if _, ok := a.held.get(s, n+1); !ok {
				return nil
			}
			n++
			a.held.remove(s, n)
		}
	}
	w := a.Config.NonceWindow
	if w <= 0 || n-base > uint64(w) {
		return fmt.Errorf("%w: nonce %d, expected %d (this node holds nonces at most %d ahead)", ErrBadNonce, n, base+1, max(w, 0))
	}
	if since, ok := a.held.get(s, n); ok {
		if !recheck {
			return fmt.Errorf("%w: nonce %d is already pending (held until nonce %d arrives)", ErrBadNonce, n, base+1)
		}
		if height-since > nonceHoldBlocks {
			a.held.remove(s, n)
			return fmt.Errorf("%w: nonce %d held for %d blocks, nonce %d never arrived", ErrBadNonce, n, height-since, base+1)
		}
		return nil
	}
	if a.held.count >= maxHeldNonces {
		return fmt.Errorf("%w: this node holds %d txs ahead of a nonce gap; nonce %d, expected %d", ErrMempoolFull, a.held.count, n, base+1)
	}
	a.held.add(s, n, height)
	return nil
}
