package query

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Result is what a query handler answers. Value is returned to the client;
// Proven lists the state keys and values that back it, each of which gets
// a Merkle proof when the client asks for one. A nil value in Proven asks
// for a proof of absence.
type Result struct {
	Value  []byte
	Proven []KV
}

// KV is one state key and its value (nil when absent).
type KV struct {
	Key   []byte `json:"key"`
	Value []byte `json:"value"`
}

// Getter reads one state key (ledger.Reader is one).
type Getter interface {
	Get(key []byte) ([]byte, error)
}

// NeedArgs checks that a path has exactly n arguments after its name.
func NeedArgs(parts []string, n int, usage string) error {
	if len(parts) != n {
		return fmt.Errorf("%w: want %s", ErrBadQuery, usage)
	}
	return nil
}

// Single answers a one-key query: the value at key, proven; ErrNotFound
// with a proof of absence when there is none. what names the key in the
// error.
func Single(r Getter, key []byte, what string) (*Result, error) {
	v, err := r.Get(key)
	if err != nil {
		return nil, err
	}
	res := &Result{Value: v, Proven: []KV{{Key: key, Value: v}}}
	if v == nil {
		return res, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return res, nil
}

// Provable is a query value that carries the state keys and values that
// back every field of it: KVs fails when the value disagrees with its own
// records, so that verified proofs of the KVs vouch for the whole value.
type Provable interface {
	KVs() ([]KV, error)
}

// Proven answers v as JSON, proven by v.KVs(). what names v in an encoding
// error.
func Proven(v Provable, what string) (*Result, error) {
	kvs, err := v.KVs()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return &Result{Value: b, Proven: kvs}, nil
}

// Page sizes of every listing (spec/queries.md "Paging").
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// PageLimit reads a listing's limit parameter: DefaultPageLimit when
// absent, refused (with how to page) outside 1..MaxPageLimit.
func PageLimit(params url.Values) (int, error) {
	limit := DefaultPageLimit
	if s := params.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 1:
			return 0, fmt.Errorf("%w: limit=%q: want a page size of 1..%d", ErrBadQuery, s, MaxPageLimit)
		case n > MaxPageLimit:
			return 0, fmt.Errorf("%w: limit=%d is over the page size limit %d: ask for at most %d and page with after=<the answer's next>", ErrBadQuery, n, MaxPageLimit, MaxPageLimit)
		}
		limit = n
	}
	return limit, nil
}

// UintParam reads an optional non-negative integer parameter (0 when
// absent).
func UintParam(params url.Values, name string) (int, error) {
	s := params.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s=%q", ErrBadQuery, name, s)
	}
	return n, nil
}

// List is the one envelope of every listing's answer (spec/queries.md
// "Listings"): a page of entries and, when more follow, the cursor to pass
// as after= for the next page. A listing may add fields of its own next to
// these two (e.g. /view's root and depth), never rename them.
type List[T any] struct {
	Entries []T `json:"entries"`
	// Next is the after= of the next page; "" on the last page.
	Next string `json:"next,omitempty"`
}

// NewList returns an empty list (entries encode as [], never null).
func NewList[T any]() List[T] { return List[T]{Entries: []T{}} }

// Page answers one page of a listing. read holds the entries found after
// the request's cursor, at most limit+1 of them (the one past the page
// tells that more follow). The answer is a List of the first limit
// entries, with Next the cursor of the last one shown when more follow;
// each shown entry is proven by the state key and value prove gives.
func Page[T any](read []T, limit int, cursor func(T) string, prove func(T) KV) (*Result, error) {
	list := List[T]{Entries: read}
	if len(read) > limit {
		list.Entries = read[:limit]
		list.Next = cursor(read[limit-1])
	}
	if list.Entries == nil {
		list.Entries = []T{}
	}
	res := &Result{Proven: make([]KV, 0, len(list.Entries))}
	for _, e := range list.Entries {
		res.Proven = append(res.Proven, prove(e))
	}
	var err error
	if res.Value, err = json.Marshal(list); err != nil {
		return nil, fmt.Errorf("encode page: %w", err)
	}
	return res, nil
}
