package lens

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// DefaultSeedingTarget is the host count /seeding aims for when the query
// names none.
const DefaultSeedingTarget = 3

// SeedingAnswer is the value of the /seeding query: the Lens and target
// asked for next to a page of under-seeded entries (query.List; its Next,
// when not empty, is the seq of the last entry this page examined: older
// entries remain).
type SeedingAnswer struct {
	Lens   string `json:"lens"`
	Target uint64 `json:"target"`
	query.List[SeedingItem]
}

// QuerySeeding answers "/seeding/HANDLE?target=R&limit=N&after=SEQ": the
// Lens's entries announced by fewer than R hosts (default 3), found among
// its entries newest first below seq SEQ, at most N (default 100, max 1000)
// and at most MaxSeedingScan examined per page; most under-seeded first
// within the page. Not proven.
func QuerySeeding(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	h, err := handleArg(parts, "/seeding/HANDLE?target=R")
	if err != nil {
		return nil, err
	}
	target := uint64(DefaultSeedingTarget)
	if s := params.Get("target"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%w: target=%q, want at least 1", ErrBadQuery, s)
		}
		target = n
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	var before uint64
	if s := params.Get("after"); s != "" {
		if before, err = strconv.ParseUint(s, 10, 64); err != nil || before == 0 {
			return nil, fmt.Errorf("%w: after=%q, want the seq of a previous page's next", ErrBadQuery, s)
		}
	}
	items, next, err := NewReader(r).Seeding(h, target, before, limit)
	if err != nil {
		return nil, notFound(err)
	}
	ans := SeedingAnswer{Lens: h, Target: target, List: query.List[SeedingItem]{Entries: nonNil(items)}}
	if next > 0 {
		ans.Next = strconv.FormatUint(next, 10)
	}
	b, err := json.Marshal(ans)
	if err != nil {
		return nil, fmt.Errorf("encode seeding: %w", err)
	}
	return &query.Result{Value: b}, nil
}
