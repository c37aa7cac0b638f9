package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// HostEntry is one host of a CID: who announced it and at which height.
type HostEntry struct {
	Address ledger.Address `json:"address"`
	Height  int64          `json:"height"`
}

// HostsAnswer is the value of /hosts/CID: a page of hosts in address
// order, the cursor of the next page, and how many hosts the CID has.
type HostsAnswer struct {
	Entries []json.RawMessage `json:"entries"`
	Next    string            `json:"next,omitempty"`
	Count   uint64            `json:"count"`
}

// queryHosts answers "/hosts/CID?limit=N&after=ADDR": the accounts that
// announced hosting CID (tx seed announce), in address order, at most N
// (default 100, max 1000). Proven: each entry's host key with its value
// (the announce height).
func queryHosts(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/hosts/CID"); err != nil {
		return nil, err
	}
	cid := parts[0]
	if !ValidCID(cid) {
		return nil, fmt.Errorf("%w: %q is not a CID", ErrBadQuery, cid)
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	prefix := lens.HostsPrefix(cid)
	start := prefix
	if s := params.Get("after"); s != "" {
		after, err := parseAddr(s)
		if err != nil {
			return nil, err
		}
		start = append(lens.HostKey(cid, after), 0)
	}
	var ans HostsAnswer
	res := &QueryResult{}
	var iterErr error
	err = r.Iterate(start, ledger.PrefixEnd(prefix), func(k, v []byte) bool {
		if len(ans.Entries) == limit {
			ans.Next = lastAddress(ans.Entries)
			return false
		}
		var addr ledger.Address
		if len(k) != len(prefix)+len(addr) {
			iterErr = fmt.Errorf("%w: host key %x", ErrInternal, k)
			return false
		}
		copy(addr[:], k[len(prefix):])
		h, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			iterErr = fmt.Errorf("%w: host height %q", ErrInternal, v)
			return false
		}
		b, _ := json.Marshal(HostEntry{Address: addr, Height: h})
		ans.Entries = append(ans.Entries, b)
		res.Proven = append(res.Proven, KV{Key: append([]byte(nil), k...), Value: append([]byte(nil), v...)})
		return true
	})
	if err == nil {
		err = iterErr
	}
	if err != nil {
		return nil, err
	}
	if v, err := r.Get(lens.HostCountKey(cid)); err != nil {
		return nil, err
	} else if v != nil {
		if ans.Count, err = strconv.ParseUint(string(v), 10, 64); err != nil {
			return nil, fmt.Errorf("%w: host count %q", ErrInternal, v)
		}
	}
	if ans.Entries == nil {
		ans.Entries = []json.RawMessage{}
	}
	res.Value, err = json.Marshal(ans)
	if err != nil {
		return nil, fmt.Errorf("%w: encode hosts: %v", ErrInternal, err)
	}
	return res, nil
}

// lastAddress is the address of the last entry of a hosts page.
func lastAddress(entries []json.RawMessage) string {
	var e HostEntry
	_ = json.Unmarshal(entries[len(entries)-1], &e)
	return e.Address.String()
}
