package ledger

// The ledger's query paths (spec/queries.md): accounts, assets, balances,
// item owners, holders and raw state keys, each answered with the state
// keys that prove it. The app's module list routes them (app/modules.go).

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/riffchain/riffchain/ledger/query"
)

// QueryAccount answers "/account/ADDR": the account record, proven (absent:
// not found, with a proof of absence).
func QueryAccount(r Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/account/ADDR"); err != nil {
		return nil, err
	}
	addr, err := ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	return query.Single(r, AccountKey(addr), "account "+parts[0])
}

// QueryAsset answers "/asset/ID": the asset definition, proven.
func QueryAsset(r Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/asset/ID"); err != nil {
		return nil, err
	}
	return query.Single(r, AssetKey(parts[0]), "asset "+parts[0])
}

// QueryBalance answers "/balance/ADDR/ASSET": the decimal amount; an absent
// key means zero (and is proven absent).
func QueryBalance(r Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 2, "/balance/ADDR/ASSET"); err != nil {
		return nil, err
	}
	addr, err := ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	if _, err := New(ReadOnly(r), nil).Asset(parts[1]); err != nil {
		return nil, err
	}
	key := BalanceKey(addr, parts[1])
	v, err := r.Get(key)
	if err != nil {
		return nil, err
	}
	return &query.Result{Value: v, Proven: []query.KV{{Key: key, Value: v}}}, nil
}

// QueryOwner answers "/owner/ASSET/ITEM" (or "/owner/ASSET:ITEM"): the
// item's owner record, proven.
func QueryOwner(r Reader, parts []string, _ url.Values) (*query.Result, error) {
	if len(parts) == 1 {
		if i := strings.IndexByte(parts[0], ':'); i > 0 {
			parts = []string{parts[0][:i], parts[0][i+1:]}
		}
	}
	if err := query.NeedArgs(parts, 2, "/owner/ASSET/ITEM"); err != nil {
		return nil, err
	}
	return query.Single(r, ItemKey(parts[0], parts[1]), "item "+parts[0]+"/"+parts[1])
}

// QueryBalances answers "/balances/ADDR?after=ASSET&limit=N": a page of the
// account's balances in asset id order (query.List), each proven.
func QueryBalances(r Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/balances/ADDR?after=ASSET&limit=N"); err != nil {
		return nil, err
	}
	addr, err := ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	hs, err := New(ReadOnly(r), nil).Balances(addr, params.Get("after"), limit+1)
	if err != nil {
		return nil, err
	}
	return query.Page(hs, limit, func(h Holding) string { return h.Asset },
		func(h Holding) query.KV {
			return query.KV{Key: BalanceKey(addr, h.Asset), Value: BalanceValue(h.Amount)}
		})
}

// QueryHolders answers "/holders/ASSET?after=ADDR&limit=N": a page of the
// asset's holders in address order (query.List), each holder key proven.
func QueryHolders(r Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/holders/ASSET"); err != nil {
		return nil, err
	}
	l := New(ReadOnly(r), nil)
	if _, err := l.Asset(parts[0]); err != nil {
		return nil, err
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	var after *Address
	if s := params.Get("after"); s != "" {
		a, err := ParseAddress(s)
		if err != nil {
			return nil, err
		}
		after = &a
	}
	hs, err := l.Holders(parts[0], after, limit+1)
	if err != nil {
		return nil, err
	}
	return query.Page(hs, limit, func(h Holding) string { return h.Address.String() },
		func(h Holding) query.KV {
			return query.KV{Key: HolderKey(parts[0], h.Address), Value: BalanceValue(h.Amount)}
		})
}

// QueryItems answers "/items/ADDR/ASSET?after=ITEM&limit=N": a page of the
// unique items of ASSET that ADDR owns (query.List), each owned key proven.
func QueryItems(r Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 2, "/items/ADDR/ASSET"); err != nil {
		return nil, err
	}
	addr, err := ParseAddress(parts[0])
	if err != nil {
		return nil, err
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	ids, err := New(ReadOnly(r), nil).OwnedItems(addr, parts[1], params.Get("after"), limit+1)
	if err != nil {
		return nil, err
	}
	return query.Page(ids, limit, func(id string) string { return id },
		func(id string) query.KV { return query.KV{Key: OwnedKey(addr, parts[1], id), Value: []byte("1")} })
}

// QueryStore answers "/store/HEXKEY": any raw state key, for tools.
func QueryStore(r Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/store/HEXKEY"); err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(parts[0])
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: key must be non-empty hex", query.ErrBadQuery)
	}
	return query.Single(r, key, "key "+parts[0])
}
