package pools

// The pools module's query paths (spec/pools.md "Queries"): /pool/ID and
// /pools answer PoolViews with the state keys that prove every field of
// them; /quote answers a Quote computed at the queried height. The app's
// module list routes them (app/modules.go).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// PoolView is the value of the /pool/ID query and of each entry of /pools:
// the pool with its reserves, share supply and spot price, plus the exact
// stored bytes of the pool record and of the share asset's definition, so
// that a client can check every field against the Merkle proofs of
// PoolView.KVs.
type PoolView struct {
	PoolInfo
	// Reserves maps each of the pool's two asset ids to its reserve.
	Reserves map[string]ledger.Amount `json:"reserves"`
	// Record is the stored pool record (state key PoolKey(id)).
	Record json.RawMessage `json:"record"`
	// ShareAssetRecord is the stored share asset definition (state key
	// ledger.AssetKey(share_asset)); its supply is total_shares.
	ShareAssetRecord json.RawMessage `json:"share_asset_record"`
}

// KVs returns the state keys and values that back v, in the order the
// /pool query proves them: the pool record, the reserve of asset_a, the
// reserve of asset_b (ledger balances of the pool account; absent when 0)
// and the share asset definition. It fails when v's fields disagree with
// its own records, so that a verified proof of the KVs vouches for every
// field of v.
func (v *PoolView) KVs() ([]query.KV, error) {
	var rec Pool
	if err := json.Unmarshal(v.Record, &rec); err != nil {
		return nil, fmt.Errorf("%w: pool record: %v", query.ErrBadQuery, err)
	}
	if rec != v.Pool {
		return nil, fmt.Errorf("%w: pool %s fields differ from its record", query.ErrBadQuery, v.ID)
	}
	var sa ledger.Asset
	if err := json.Unmarshal(v.ShareAssetRecord, &sa); err != nil {
		return nil, fmt.Errorf("%w: share asset record: %v", query.ErrBadQuery, err)
	}
	if sa.ID != rec.ShareAsset || sa.Supply.Cmp(v.TotalShares) != 0 {
		return nil, fmt.Errorf("%w: pool %s total_shares differs from the share asset's supply", query.ErrBadQuery, v.ID)
	}
	if v.Reserves[rec.AssetA].Cmp(v.ReserveA) != 0 || v.Reserves[rec.AssetB].Cmp(v.ReserveB) != 0 || len(v.Reserves) != 2 {
		return nil, fmt.Errorf("%w: pool %s reserves map differs from reserve_a/reserve_b", query.ErrBadQuery, v.ID)
	}
	if v.PriceBA != Ratio(v.ReserveB.Big(), v.ReserveA.Big()) || v.PriceBAE18 != Scaled(v.ReserveB.Big(), v.ReserveA.Big()) {
		return nil, fmt.Errorf("%w: pool %s price differs from its reserves", query.ErrBadQuery, v.ID)
	}
	return []query.KV{
		{Key: PoolKey(rec.ID), Value: v.Record},
		{Key: ReserveKey(rec.ID, rec.AssetA), Value: ledger.BalanceValue(v.ReserveA)},
		{Key: ReserveKey(rec.ID, rec.AssetB), Value: ledger.BalanceValue(v.ReserveB)},
		{Key: ledger.AssetKey(rec.ShareAsset), Value: v.ShareAssetRecord},
	}, nil
}

// readOnly is a keeper over r that cannot write.
func readOnly(r ledger.Reader) *Keeper { return New(ledger.New(ledger.ReadOnly(r), nil)) }

// poolView reads pool id at r, or ErrUnknownPool.
func poolView(r ledger.Reader, id string) (*PoolView, error) {
	info, err := readOnly(r).Pool(id)
	if err != nil {
		return nil, err
	}
	rec, err := r.Get(PoolKey(id))
	if err != nil {
		return nil, err
	}
	sa, err := r.Get(ledger.AssetKey(info.ShareAsset))
	if err != nil {
		return nil, err
	}
	return &PoolView{
		PoolInfo:         info,
		Reserves:         map[string]ledger.Amount{info.AssetA: info.ReserveA, info.AssetB: info.ReserveB},
		Record:           bytes.Clone(rec),
		ShareAssetRecord: bytes.Clone(sa),
	}, nil
}

// QueryPool answers "/pool/ID": a PoolView; proven: the pool record, both
// reserve balances and the share asset definition (PoolView.KVs). An
// unknown pool is query.ErrNotFound with a proof that its record is absent.
func QueryPool(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/pool/ID"); err != nil {
		return nil, err
	}
	id := parts[0]
	rec, err := r.Get(PoolKey(id))
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return query.Single(r, PoolKey(id), "pool "+id)
	}
	v, err := poolView(r, id)
	if err != nil {
		return nil, err
	}
	return query.Proven(v, "pool")
}

// PoolsPage is the value of the /pools query: the one list envelope
// (query.List) of PoolViews; Next is the pool id to pass as after= for the
// next page ("" at the end).
type PoolsPage struct {
	query.List[PoolView]
}

// KVs returns the keys and values that back every pool of the page, in
// order (PoolView.KVs of each).
func (p *PoolsPage) KVs() ([]query.KV, error) {
	var out []query.KV
	for i := range p.Entries {
		kvs, err := p.Entries[i].KVs()
		if err != nil {
			return nil, err
		}
		out = append(out, kvs...)
	}
	return out, nil
}

// QueryPools answers "/pools[?asset=A][&after=POOL-N][&limit=L]": a
// PoolsPage of the pools (holding asset A, when given) in creation order;
// proven: each pool's PoolView.KVs. The list's completeness is not proven.
func QueryPools(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 0, "/pools?asset=A"); err != nil {
		return nil, err
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	k := readOnly(r)
	asset := params.Get("asset")
	if asset != "" {
		if _, err := k.l.Asset(asset); err != nil {
			return nil, err
		}
	}
	after := params.Get("after")
	var ids []string
	if asset == "" {
		// Every pool: a page reads limit+1 pools by number.
		if ids, err = k.PoolIDsAfter(after, limit+1); errors.Is(err, ErrUnknownPool) {
			return nil, fmt.Errorf("%w: after=%q is not a listed pool", query.ErrBadQuery, after)
		}
		if err != nil {
			return nil, err
		}
	} else {
		// The pools of one asset: its index, read whole (bounded by the
		// query's work budget: spec/pools.md "Queries").
		if ids, err = k.PoolIDs(asset); err != nil {
			return nil, err
		}
		if after != "" {
			i := 0
			for i < len(ids) && ids[i] != after {
				i++
			}
			if i == len(ids) {
				return nil, fmt.Errorf("%w: after=%q is not a listed pool", query.ErrBadQuery, after)
			}
			ids = ids[i+1:]
		}
	}
	page := PoolsPage{List: query.NewList[PoolView]()}
	if len(ids) > limit {
		ids = ids[:limit]
		page.Next = ids[limit-1]
	}
	for _, id := range ids {
		v, err := poolView(r, id)
		if err != nil {
			return nil, err
		}
		page.Entries = append(page.Entries, *v)
	}
	return query.Proven(&page, "pools")
}

// QueryQuote answers "/quote?...": a Quote computed from the state at the
// queried height (no proven keys). Forms:
//
//	in=AMOUNT&asset_in=A&asset_out=B          best direct or two-hop path, exact in
//	out=AMOUNT&asset_in=A&asset_out=B         best path, exact out (least input)
//	in=AMOUNT&asset_in=A&path=P1,P2           a given path, exact in (asset_out optional, checked)
//	out=AMOUNT&asset_out=B&path=P1,P2         a given path, exact out (asset_in optional, checked)
func QueryQuote(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 0, "/quote?in=AMOUNT&asset_in=A&asset_out=B"); err != nil {
		return nil, err
	}
	in, out := params.Get("in"), params.Get("out")
	if (in == "") == (out == "") {
		return nil, fmt.Errorf("%w: give exactly one of in=AMOUNT or out=AMOUNT", query.ErrBadQuery)
	}
	amtStr := in
	if out != "" {
		amtStr = out
	}
	amount, err := ledger.ParseAmount(amtStr)
	if err != nil {
		return nil, err
	}
	assetIn, assetOut := params.Get("asset_in"), params.Get("asset_out")
	k := readOnly(r)
	var path []string
	if p := params.Get("path"); p != "" {
		path = strings.Split(p, ",")
	}
	var q Quote
	switch {
	case path == nil && (assetIn == "" || assetOut == ""):
		return nil, fmt.Errorf("%w: give asset_in and asset_out (or a path)", query.ErrBadQuery)
	case path == nil && in != "":
		q, err = k.Quote(amount, assetIn, assetOut)
	case path == nil:
		q, err = k.QuoteExactOut(amount, assetIn, assetOut)
	case in != "":
		if assetIn == "" {
			return nil, fmt.Errorf("%w: give asset_in with in=AMOUNT", query.ErrBadQuery)
		}
		q, err = k.QuotePath(path, assetIn, amount)
	default:
		if assetOut == "" {
			return nil, fmt.Errorf("%w: give asset_out with out=AMOUNT", query.ErrBadQuery)
		}
		var start string
		if start, err = k.PathIn(path, assetOut); err == nil {
			if assetIn != "" && assetIn != start {
				return nil, fmt.Errorf("%w: path %s starts with %s, not %s", ErrBadPath, strings.Join(path, ","), start, assetIn)
			}
			q, err = k.QuotePathExactOut(path, start, amount)
		}
	}
	if err != nil {
		return nil, err
	}
	if assetOut != "" && q.AssetOut != assetOut {
		return nil, fmt.Errorf("%w: path %s ends in %s, not %s", ErrBadPath, strings.Join(q.Path, ","), q.AssetOut, assetOut)
	}
	b, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("encode quote: %w", err)
	}
	return &query.Result{Value: b}, nil
}
