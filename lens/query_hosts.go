package lens

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// HostEntry is one host of a CID: who announced it and at which height.
type HostEntry struct {
	Address ledger.Address `json:"address"`
	Height  int64          `json:"height"`
}

// HostsAnswer is the value of /hosts/CID: a page of hosts in address order
// (query.List, next is the last address listed) and how many hosts the CID
// has (not proven).
type HostsAnswer struct {
	query.List[HostEntry]
	Count uint64 `json:"count"`
}

// KVs returns the state keys and values that back a's entries, the ones
// /hosts/CID proves: each entry's HostKey (of the canonical CID) with its
// announce height.
func (a *HostsAnswer) KVs(cid string) []query.KV {
	if c, err := CanonicalCID(cid); err == nil {
		cid = c
	}
	kvs := make([]query.KV, len(a.Entries))
	for i, e := range a.Entries {
		kvs[i] = query.KV{Key: HostKey(cid, e.Address), Value: []byte(strconv.FormatInt(e.Height, 10))}
	}
	return kvs
}

// QueryHosts answers "/hosts/CID?limit=N&after=ADDR": the accounts that
// announced hosting CID (tx seed announce), in address order, at most N
// (default 100, max 1000). Proven: each entry's host key with its value
// (the announce height; HostsAnswer.KVs). Any spelling of a CID asks for
// its canonical form (CanonicalCID), the one state records hosts under.
func QueryHosts(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/hosts/CID"); err != nil {
		return nil, err
	}
	cid, err := CanonicalCID(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", query.ErrBadQuery, err)
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	prefix := HostsPrefix(cid)
	start := prefix
	if s := params.Get("after"); s != "" {
		after, err := ledger.ParseAddress(s)
		if err != nil {
			return nil, err
		}
		start = append(HostKey(cid, after), 0)
	}
	ans := HostsAnswer{List: query.NewList[HostEntry]()}
	var iterErr error
	err = r.Iterate(start, ledger.PrefixEnd(prefix), func(k, v []byte) bool {
		if len(ans.Entries) == limit {
			ans.Next = ans.Entries[limit-1].Address.String()
			return false
		}
		e, err := decodeHost(prefix, k, v)
		if err != nil {
			iterErr = err
			return false
		}
		ans.Entries = append(ans.Entries, e)
		return true
	})
	if err == nil {
		err = iterErr
	}
	if err != nil {
		return nil, err
	}
	if v, err := r.Get(HostCountKey(cid)); err != nil {
		return nil, err
	} else if v != nil {
		if ans.Count, err = strconv.ParseUint(string(v), 10, 64); err != nil {
			return nil, fmt.Errorf("host count of %s: %q", cid, v)
		}
	}
	b, err := json.Marshal(ans)
	if err != nil {
		return nil, fmt.Errorf("encode hosts: %w", err)
	}
	return &query.Result{Value: b, Proven: ans.KVs(cid)}, nil
}

// decodeHost decodes one stored host record (key under prefix, value the
// announce height in decimal). It insists on the one encoding the ledger
// writes, so that the record HostsAnswer.KVs rebuilds is the stored one.
func decodeHost(prefix, k, v []byte) (HostEntry, error) {
	var e HostEntry
	if len(k) != len(prefix)+len(e.Address) {
		return e, fmt.Errorf("host key %x: malformed", k)
	}
	copy(e.Address[:], k[len(prefix):])
	h, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || strconv.FormatInt(h, 10) != string(v) {
		return e, fmt.Errorf("host height %q: malformed", v)
	}
	e.Height = h
	return e, nil
}
