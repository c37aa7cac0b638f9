package validators

// The validators module's query paths (spec/validators.md "Queries"):
// /validators, /evidence and /validator-change/ID, each answered with the
// state keys that prove it. The app's module list routes them
// (app/modules.go).

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// ValidatorSet is the value of "/validators": the one list envelope
// (query.List) holding the whole recorded set in address order, each entry
// the exact stored Validator JSON (proven by its ValidatorKey), and its
// total power. It is never paged: Next is always empty.
type ValidatorSet struct {
	query.List[json.RawMessage]
	TotalPower int64 `json:"total_power"`
}

// QueryValidators answers "/validators": the recorded ValidatorSet; proven:
// every entry's ValidatorKey.
func QueryValidators(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 0, "/validators"); err != nil {
		return nil, err
	}
	vals, err := Validators(r)
	if err != nil {
		return nil, err
	}
	total, err := TotalPower(vals)
	if err != nil {
		return nil, err
	}
	set := ValidatorSet{List: query.NewList[json.RawMessage](), TotalPower: total}
	res := &query.Result{}
	for _, v := range vals {
		key := ValidatorKey(v.Account)
		raw, err := r.Get(key)
		if err != nil {
			return nil, err
		}
		set.Entries = append(set.Entries, raw)
		res.Proven = append(res.Proven, query.KV{Key: key, Value: raw})
	}
	if res.Value, err = json.Marshal(set); err != nil {
		return nil, fmt.Errorf("encode validators: %w", err)
	}
	return res, nil
}

// QueryEvidence answers "/evidence?after=CURSOR&limit=N": a page
// (query.List) of evidence records, oldest first, each the exact stored
// Evidence JSON proven by its EvidenceKey; Next is the cursor of the last
// entry when more may follow. A malformed cursor is query.ErrBadQuery.
func QueryEvidence(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 0, "/evidence?after=CURSOR&limit=N"); err != nil {
		return nil, err
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	page, err := EvidenceList(r, params.Get("after"), limit)
	if err != nil {
		if !errors.Is(err, ErrCorruptState) {
			return nil, fmt.Errorf("%w: %v", query.ErrBadQuery, err)
		}
		return nil, err
	}
	list := query.NewList[json.RawMessage]()
	list.Next = page.Next
	res := &query.Result{}
	for i, raw := range page.Raw {
		list.Entries = append(list.Entries, raw)
		res.Proven = append(res.Proven, query.KV{Key: page.Keys[i], Value: raw})
	}
	if res.Value, err = json.Marshal(list); err != nil {
		return nil, fmt.Errorf("encode evidence: %w", err)
	}
	return res, nil
}

// QueryChange answers "/validator-change/ID": the record of an applied
// proposal, proven by AppliedKey(ID) (absent: query.ErrNotFound with a
// proof of absence).
func QueryChange(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/validator-change/ID"); err != nil {
		return nil, err
	}
	if err := query.HashID(parts[0], "proposal id"); err != nil {
		return nil, err
	}
	return query.Single(r, AppliedKey(parts[0]), "validator change "+parts[0])
}
