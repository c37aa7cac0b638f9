package web

import (
	"context"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/bytes"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/riffchain/riffchain/app"
)

// countingChain answers every query at height 7 (the latest) and counts
// the questions that reach it.
type countingChain struct {
	Chain
	asked int
	code  uint32
}

func (c *countingChain) ABCIQueryWithOptions(_ context.Context, path string, _ bytes.HexBytes, o rpcclient.ABCIQueryOptions) (*coretypes.ResultABCIQuery, error) {
	c.asked++
	h := o.Height
	if h == 0 {
		h = 7
	}
	return &coretypes.ResultABCIQuery{Response: abci.ResponseQuery{Code: c.code, Value: []byte(path), Height: h}}, nil
}

// TestAnswerCache: an answer at an explicit height is asked once; the
// latest height is always asked; failed answers are not kept; the cache
// keeps its bounds, least recently used first out.
func TestAnswerCache(t *testing.T) {
	ch := &countingChain{}
	cache := newAnswerCache(4, 1<<20)
	ask := func(height int64, path string) string {
		t.Helper()
		rd := &reader{chain: ch, cache: cache, height: height}
		a, err := rd.query(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return string(a.value)
	}
	for i := 0; i < 3; i++ {
		if got := ask(5, "/view/a"); got != "/view/a" {
			t.Fatal(got)
		}
	}
	if ch.asked != 1 {
		t.Fatalf("asked %d times at an explicit height", ch.asked)
	}
	ask(0, "/view/a")
	ask(0, "/view/a")
	if ch.asked != 3 {
		t.Fatalf("asked %d times: the latest height must not come from the cache", ch.asked)
	}
	ch.code = app.CodeBadQuery
	rd := &reader{chain: ch, cache: cache, height: 5}
	for i := 0; i < 2; i++ {
		if _, err := rd.query(context.Background(), "/bad"); err == nil {
			t.Fatal("a bad query answered")
		}
	}
	if ch.asked != 5 {
		t.Fatalf("asked %d times: a failed answer was kept", ch.asked)
	}
	ch.code = 0
	for i := 0; i < 10; i++ {
		ask(5, "/p/"+strconv.Itoa(i))
	}
	if cache.order.Len() != 4 || len(cache.items) != 4 {
		t.Fatalf("cache holds %d (%d), bound 4", cache.order.Len(), len(cache.items))
	}
	before := ch.asked
	ask(5, "/p/9")
	ask(5, "/p/0")
	if ch.asked != before+1 {
		t.Fatalf("asked %d: the newest should be kept, the oldest gone", ch.asked-before)
	}
	small := newAnswerCache(100, 200)
	small.put(cacheKey{path: "/big", height: 1}, abci.ResponseQuery{Value: make([]byte, 500)})
	for i := 0; i < 5; i++ {
		small.put(cacheKey{path: "/s" + strconv.Itoa(i), height: 1}, abci.ResponseQuery{Value: make([]byte, 50)})
	}
	if small.bytes > 200 || small.order.Len() != 1 {
		t.Fatalf("byte bound: %d bytes in %d entries", small.bytes, small.order.Len())
	}
}
