package agreements

// The agreements module's query paths (spec/agreements.md "Queries"):
// /agreement, /agreements (from the node-local party index), /collective
// and /collective-exec, each answered with the state keys that prove it.
// The app's module list routes them (app/modules.go).

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// QueryAgreement answers "/agreement/ID": the agreement record JSON,
// proven by AgreementKey(ID) (absent: not found, with an absence proof).
func QueryAgreement(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/agreement/ID"); err != nil {
		return nil, err
	}
	if !ValidID(parts[0]) {
		return nil, fmt.Errorf("%w: agreement id must be 64 lowercase hex characters", query.ErrBadQuery)
	}
	return query.Single(r, AgreementKey(parts[0]), "agreement "+parts[0])
}

// QueryAgreements answers "/agreements/ADDR?status=S&after=CURSOR&limit=N":
// a page (query.List) of the agreements ADDR is a party to, ordered by
// status then id, found through the node-local party index in local; each
// entry is the exact stored record, proven by its AgreementKey. That the
// page is complete is not proven.
func QueryAgreements(r, local ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/agreements/ADDR?status=S&after=CURSOR&limit=N"); err != nil {
		return nil, err
	}
	addr, err := ledger.ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	status, err := ParseStatus(params.Get("status"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", query.ErrBadQuery, err)
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	page, err := AgreementsByParty(r, local, addr, status, params.Get("after"), limit)
	if err != nil {
		return nil, err
	}
	list := query.NewList[json.RawMessage]()
	list.Next = page.Next
	res := &query.Result{}
	for _, rec := range page.Agreements {
		key := AgreementKey(rec.ID)
		raw, err := r.Get(key)
		if err != nil {
			return nil, err
		}
		if raw == nil {
			return nil, fmt.Errorf("%w: agreement %s indexed but missing", ledger.ErrStore, rec.ID)
		}
		list.Entries = append(list.Entries, raw)
		res.Proven = append(res.Proven, query.KV{Key: key, Value: raw})
	}
	if res.Value, err = json.Marshal(list); err != nil {
		return nil, fmt.Errorf("encode agreement list: %w", err)
	}
	return res, nil
}

// QueryCollective answers "/collective/ADDR" (the current record) and
// "/collective/ADDR/VERSION" (the membership at that version), proven.
func QueryCollective(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	if len(parts) != 1 && len(parts) != 2 {
		return nil, fmt.Errorf("%w: want /collective/ADDR or /collective/ADDR/VERSION", query.ErrBadQuery)
	}
	addr, err := ledger.ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		return query.Single(r, CollectiveKey(addr), "collective "+parts[0])
	}
	v, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil || v == 0 {
		return nil, fmt.Errorf("%w: version must be a positive integer", query.ErrBadQuery)
	}
	return query.Single(r, CollectiveVersionKey(addr, v), fmt.Sprintf("collective %s version %d", parts[0], v))
}

// CollectiveExecState is the value of "/collective-exec/ADDR": what a
// member needs to build the collective's next exec.
type CollectiveExecState struct {
	Collective ledger.Address   `json:"collective"`
	Version    uint64           `json:"version"`
	Threshold  uint32           `json:"threshold"`
	Members    []ledger.Address `json:"members"`
	// Nonce is the last executed exec nonce; the next exec uses Nonce+1.
	Nonce     uint64 `json:"nonce"`
	NextNonce uint64 `json:"next_nonce"`
}

// QueryCollectiveExec answers "/collective-exec/ADDR", proven by the
// collective's key and its exec nonce key (absent = nonce 0).
func QueryCollectiveExec(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/collective-exec/ADDR"); err != nil {
		return nil, err
	}
	addr, err := ledger.ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	res, err := query.Single(r, CollectiveKey(addr), "collective "+parts[0])
	if err != nil {
		return res, err // not a collective: the absence proof of its key
	}
	var c Collective
	if err := json.Unmarshal(res.Value, &c); err != nil {
		return nil, fmt.Errorf("decode collective %s: %w", addr, err)
	}
	nkey := ExecNonceKey(addr)
	nraw, err := r.Get(nkey)
	if err != nil {
		return nil, err
	}
	n, err := ExecNonce(r, addr)
	if err != nil {
		return nil, err
	}
	st := CollectiveExecState{Collective: addr, Version: c.Version, Threshold: c.Threshold, Members: c.Members, Nonce: n, NextNonce: n + 1}
	if res.Value, err = json.Marshal(st); err != nil {
		return nil, fmt.Errorf("encode exec state: %w", err)
	}
	res.Proven = append(res.Proven, query.KV{Key: nkey, Value: nraw})
	return res, nil
}
