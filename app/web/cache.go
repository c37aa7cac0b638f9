package web

import (
	"container/list"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
)

// answerCache keeps the node's answers to queries at an explicit height:
// a committed height's answer never changes, so the second visitor of a
// page at that height (or the same page with ?prove=true) is served
// without asking the app again. It is what keeps a Lens page fast when
// many people look at it between two blocks: its view is the expensive
// question. Bounded by entries and bytes; least recently used goes first.
type answerCache struct {
	mu       sync.Mutex
	items    map[cacheKey]*list.Element
	order    *list.List // front = most recently used
	bytes    int
	maxItems int
	maxBytes int
}

type cacheKey struct {
	path   string
	height int64
	prove  bool
}

type cacheEntry struct {
	key  cacheKey
	resp abci.ResponseQuery
	size int
}

// Cache bounds (spec/api.md "Limits").
const (
	cacheMaxItems = 1024
	cacheMaxBytes = 32 << 20
)

func newAnswerCache(maxItems, maxBytes int) *answerCache {
	return &answerCache{items: map[cacheKey]*list.Element{}, order: list.New(), maxItems: maxItems, maxBytes: maxBytes}
}

// get returns the cached answer to key, if any.
func (c *answerCache) get(k cacheKey) (abci.ResponseQuery, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return abci.ResponseQuery{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).resp, true
}

// put keeps resp as the answer to key; an answer larger than the whole
// budget is not kept.
func (c *answerCache) put(k cacheKey, resp abci.ResponseQuery) {
	size := len(k.path) + len(resp.Value) + len(resp.Log) + len(resp.Key) + 64
	if resp.ProofOps != nil {
		size += resp.ProofOps.Size()
	}
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&cacheEntry{key: k, resp: resp, size: size})
	c.bytes += size
	for c.order.Len() > c.maxItems || c.bytes > c.maxBytes {
		last := c.order.Back()
		ce := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.items, ce.key)
		c.bytes -= ce.size
	}
}
