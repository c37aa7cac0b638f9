package lens

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// QueryView answers "/view/HANDLE?depth=&reweight=a:500000,b:0&tag=&kind=&limit=&after=":
// a ViewResult computed from the state at the queried height (same
// question, same height: same bytes on every node). Not proven.
func QueryView(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	h, err := handleArg(parts, "/view/HANDLE")
	if err != nil {
		return nil, err
	}
	var o ViewOptions
	if o.Depth, err = query.UintParam(params, "depth"); err != nil {
		return nil, err
	}
	if o.Limit, err = query.UintParam(params, "limit"); err != nil {
		return nil, err
	}
	if o.Reweight, err = ParseReweight(params.Get("reweight")); err != nil {
		return nil, err
	}
	o.Tag, o.Kind, o.After = params.Get("tag"), params.Get("kind"), params.Get("after")
	res, err := NewReader(r).View(h, o)
	if err != nil {
		return nil, notFound(err)
	}
	res.Entries = nonNil(res.Entries)
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encode view: %w", err)
	}
	return &query.Result{Value: b}, nil
}

// ParseReweight parses a view's reweight parameter, "a:500000,b:0" (also
// "a=500000"), into a reweight map; an empty string is no reweight.
func ParseReweight(s string) (map[string]uint32, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]uint32{}
	for _, item := range strings.Split(s, ",") {
		i := strings.IndexAny(item, ":=")
		if i <= 0 {
			return nil, fmt.Errorf("%w: reweight %q: want HANDLE:PPM", ErrBadQuery, item)
		}
		h := item[:i]
		n, err := strconv.ParseUint(item[i+1:], 10, 32)
		if err != nil || n > FullWeight {
			return nil, fmt.Errorf("%w: reweight %q: weight must be 0..%d", ErrBadWeight, item, FullWeight)
		}
		if _, dup := out[h]; dup {
			return nil, fmt.Errorf("%w: reweight of %q given twice", ErrBadQuery, h)
		}
		out[h] = uint32(n)
	}
	return out, nil
}

// FormatReweight is the inverse of ParseReweight (handles sorted).
func FormatReweight(rw map[string]uint32) string {
	keys := make([]string, 0, len(rw))
	for h := range rw {
		keys = append(keys, h)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, h := range keys {
		parts[i] = h + ":" + strconv.FormatUint(uint64(rw[h]), 10)
	}
	return strings.Join(parts, ",")
}
