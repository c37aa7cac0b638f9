package agreements

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// CollectivesPage lists, from the member index in state (agr/m/), the
// collectives member belongs to, in address order after the address
// after, at most limit: each collective's stored JSON, and the state keys
// that prove the page (each collective record, whose members list the
// member; the index entries themselves are empty values, which ICS-23
// cannot prove). Next is the after= of the next page. That none is left
// out is not proven (proofs are per key).
func CollectivesPage(r ledger.Reader, member ledger.Address, after string, limit int) (query.List[json.RawMessage], []query.KV, error) {
	list := query.NewList[json.RawMessage]()
	prefix := MemberIndexPrefix(member)
	start := prefix
	if after != "" {
		a, err := ledger.ParseAddress(after)
		if err != nil {
			return list, nil, fmt.Errorf("%w: after: %v", query.ErrBadQuery, err)
		}
		start = append(MemberIndexKey(member, a), 0)
	}
	var keys [][]byte
	err := r.Iterate(start, ledger.PrefixEnd(prefix), func(k, _ []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return len(keys) <= limit
	})
	if err != nil {
		return list, nil, err
	}
	more := len(keys) > limit
	if more {
		keys = keys[:limit]
	}
	var kvs []query.KV
	for i, k := range keys {
		var a ledger.Address
		if len(k) != len(prefix)+ledger.AddressLen {
			return list, nil, fmt.Errorf("%w: member index key %x", ledger.ErrStore, k)
		}
		copy(a[:], k[len(prefix):])
		raw, err := r.Get(CollectiveKey(a))
		if err != nil {
			return list, nil, err
		}
		if raw == nil {
			return list, nil, fmt.Errorf("%w: collective %s indexed but missing", ledger.ErrStore, a)
		}
		list.Entries = append(list.Entries, raw)
		kvs = append(kvs, query.KV{Key: CollectiveKey(a), Value: raw})
		if more && i == limit-1 {
			list.Next = a.String()
		}
	}
	return list, kvs, nil
}

// QueryCollectivesOf answers "/collectives/ADDR?after=ADDR&limit=N": a
// query.List of the collectives ADDR is a member of (stored JSON), each
// proven by its record (which lists ADDR among its members).
func QueryCollectivesOf(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/collectives/ADDR?after=ADDR&limit=N"); err != nil {
		return nil, err
	}
	member, err := ledger.ParseAddress(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", query.ErrBadQuery, err)
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	list, kvs, err := CollectivesPage(r, member, params.Get("after"), limit)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("%w: encode collectives: %v", ledger.ErrStore, err)
	}
	return &query.Result{Value: b, Proven: kvs}, nil
}
