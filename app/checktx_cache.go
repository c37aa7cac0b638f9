package app

import "container/list"

// CheckTx cache bounds (spec/security.md "Bounded work").
const (
	// checkCacheBytes caps the estimated memory of the txs CheckTx keeps
	// decoded for block execution. Only admitted txs are kept; when the
	// cap is reached the oldest are dropped (a dropped tx is decoded and
	// verified again when a block carries it: slower, never wrong).
	checkCacheBytes = 64 << 20
	// checkCacheOverhead is what one cached tx costs besides its bytes:
	// the map and list entries and the decoded structs.
	checkCacheOverhead = 1024
)

// txCost estimates what a cached tx of size wire bytes holds in memory:
// the wire bytes (the body is a slice of them), the decoded body (message
// values are copies) and the decoded messages, each at most about the
// size of the tx.
func txCost(size int) int64 { return 3*int64(size) + checkCacheOverhead }

// txCache is the set of decoded, verified txs that CheckTx admitted, by
// hash, bounded in (estimated) bytes and evicted oldest first: the one
// place a verification outlives the call that did it (checked_tx.go,
// "Verified once"). It is not safe for concurrent use: App.mu guards it.
type txCache struct {
	max   int64
	bytes int64
	byKey map[[32]byte]*list.Element // of *checkedTx
	order *list.List                 // oldest first
}

func newTxCache(maxBytes int64) *txCache {
	return &txCache{max: maxBytes, byKey: map[[32]byte]*list.Element{}, order: list.New()}
}

func (c *txCache) get(h [32]byte) (*checkedTx, bool) {
	e, ok := c.byKey[h]
	if !ok {
		return nil, false
	}
	return e.Value.(*checkedTx), true
}

// put keeps ct, dropping the oldest entries until it fits. A tx larger
// than the whole cache is not kept.
func (c *txCache) put(ct *checkedTx) {
	if _, ok := c.byKey[ct.hash]; ok {
		return
	}
	cost := txCost(ct.size)
	if cost > c.max {
		return
	}
	for c.bytes+cost > c.max {
		c.remove(c.order.Front().Value.(*checkedTx).hash)
	}
	c.byKey[ct.hash] = c.order.PushBack(ct)
	c.bytes += cost
}

func (c *txCache) remove(h [32]byte) {
	e, ok := c.byKey[h]
	if !ok {
		return
	}
	c.order.Remove(e)
	delete(c.byKey, h)
	c.bytes -= txCost(e.Value.(*checkedTx).size)
}

// len is the number of cached txs.
func (c *txCache) len() int { return len(c.byKey) }
