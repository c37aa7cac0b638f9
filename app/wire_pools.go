package app

// Wiring of the exchange pools module (contracts/pools): message routes
// pool/create, pool/add, pool/remove, pool/swap; error codes 200–249; and
// the queries /pool/ID, /pools and /quote. The rules are in spec/pools.md.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

func registerPools(r *Router) {
	keeper := func(env *Env) *pools.Keeper { return pools.New(env.Ledger) }
	handleExec(r, pools.TypeCreate, keeper, (*pools.Keeper).ExecCreate)
	handleExec(r, pools.TypeAdd, keeper, (*pools.Keeper).ExecAdd)
	handleExec(r, pools.TypeRemove, keeper, (*pools.Keeper).ExecRemove)
	handleExec(r, pools.TypeSwap, keeper, (*pools.Keeper).ExecSwap)
}

// PoolView is the value of the /pool/ID query and of each entry of /pools:
// the pool with its reserves, share supply and spot price, plus the exact
// stored bytes of the pool record and of the share asset's definition, so
// that a client can check every field against the Merkle proofs of
// PoolView.KVs.
type PoolView struct {
	pools.PoolInfo
	// Reserves maps each of the pool's two asset ids to its reserve.
	Reserves map[string]ledger.Amount `json:"reserves"`
	// Record is the stored pool record (state key pools.PoolKey(id)).
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
func (v *PoolView) KVs() ([]KV, error) {
	var rec pools.Pool
	if err := json.Unmarshal(v.Record, &rec); err != nil {
		return nil, fmt.Errorf("%w: pool record: %v", ErrBadQuery, err)
	}
	if rec != v.Pool {
		return nil, fmt.Errorf("%w: pool %s fields differ from its record", ErrBadQuery, v.ID)
	}
	var sa ledger.Asset
	if err := json.Unmarshal(v.ShareAssetRecord, &sa); err != nil {
		return nil, fmt.Errorf("%w: share asset record: %v", ErrBadQuery, err)
	}
	if sa.ID != rec.ShareAsset || sa.Supply.Cmp(v.TotalShares) != 0 {
		return nil, fmt.Errorf("%w: pool %s total_shares differs from the share asset's supply", ErrBadQuery, v.ID)
	}
	if v.Reserves[rec.AssetA].Cmp(v.ReserveA) != 0 || v.Reserves[rec.AssetB].Cmp(v.ReserveB) != 0 || len(v.Reserves) != 2 {
		return nil, fmt.Errorf("%w: pool %s reserves map differs from reserve_a/reserve_b", ErrBadQuery, v.ID)
	}
	if v.PriceBA != pools.Ratio(v.ReserveB.Big(), v.ReserveA.Big()) || v.PriceBAE18 != pools.Scaled(v.ReserveB.Big(), v.ReserveA.Big()) {
		return nil, fmt.Errorf("%w: pool %s price differs from its reserves", ErrBadQuery, v.ID)
	}
	return []KV{
		{Key: pools.PoolKey(rec.ID), Value: v.Record},
		{Key: pools.ReserveKey(rec.ID, rec.AssetA), Value: balanceBytes(v.ReserveA)},
		{Key: pools.ReserveKey(rec.ID, rec.AssetB), Value: balanceBytes(v.ReserveB)},
		{Key: ledger.AssetKey(rec.ShareAsset), Value: v.ShareAssetRecord},
	}, nil
}

// balanceBytes is a balance as the ledger stores it (absent when zero).
func balanceBytes(a ledger.Amount) []byte {
	if a.IsZero() {
		return nil
	}
	return []byte(a.String())
}

// poolView reads pool id at r, or ErrUnknownPool.
func poolView(r ledger.Reader, id string) (*PoolView, error) {
	info, err := pools.New(ledger.New(ledger.ReadOnly(r), nil)).Pool(id)
	if err != nil {
		return nil, err
	}
	rec, err := r.Get(pools.PoolKey(id))
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

// queryPool answers "/pool/ID": a PoolView; Proven: the pool record, both
// reserve balances and the share asset definition. An unknown pool is
// ErrNotFound with a proof that its record is absent.
func queryPool(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/pool/ID"); err != nil {
		return nil, err
	}
	id := parts[0]
	rec, err := r.Get(pools.PoolKey(id))
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return single(r, pools.PoolKey(id), "pool "+id)
	}
	v, err := poolView(r, id)
	if err != nil {
		return nil, err
	}
	return provenResult(v, "pool")
}

// PoolsPage is the value of the /pools query.
type PoolsPage struct {
	Pools []PoolView `json:"pools"`
	// Next is the pool id to pass as after= for the next page ("" at the end).
	Next string `json:"next,omitempty"`
}

// KVs returns the keys and values that back every pool of the page, in
// order (PoolView.KVs of each).
func (p *PoolsPage) KVs() ([]KV, error) {
	var out []KV
	for i := range p.Pools {
		kvs, err := p.Pools[i].KVs()
		if err != nil {
			return nil, err
		}
		out = append(out, kvs...)
	}
	return out, nil
}

// queryPools answers "/pools[?asset=A][&after=POOL-N][&limit=L]": the pools
// (holding asset A, when given) in creation order, paged; Proven: each
// pool's PoolView.KVs. The list's completeness is not proven.
func queryPools(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 0, "/pools?asset=A"); err != nil {
		return nil, err
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	l := ledger.New(ledger.ReadOnly(r), nil)
	asset := params.Get("asset")
	if asset != "" {
		if _, err := l.Asset(asset); err != nil {
			return nil, err
		}
	}
	ids, err := pools.New(l).PoolIDs(asset)
	if err != nil {
		return nil, err
	}
	if after := params.Get("after"); after != "" {
		i := 0
		for i < len(ids) && ids[i] != after {
			i++
		}
		if i == len(ids) {
			return nil, fmt.Errorf("%w: after=%q is not a listed pool", ErrBadQuery, after)
		}
		ids = ids[i+1:]
	}
	page := PoolsPage{Pools: []PoolView{}}
	if len(ids) > limit {
		ids = ids[:limit]
		page.Next = ids[limit-1]
	}
	for _, id := range ids {
		v, err := poolView(r, id)
		if err != nil {
			return nil, err
		}
		page.Pools = append(page.Pools, *v)
	}
	return provenResult(&page, "pools")
}

// queryQuote answers "/quote?...": a pools.Quote computed from the state at
// the queried height (no proven keys). Forms:
//
//	in=AMOUNT&asset_in=A&asset_out=B          best direct or two-hop path, exact in
//	out=AMOUNT&asset_in=A&asset_out=B         best path, exact out (least input)
//	in=AMOUNT&asset_in=A&path=P1,P2           a given path, exact in (asset_out optional, checked)
//	out=AMOUNT&asset_out=B&path=P1,P2         a given path, exact out (asset_in optional, checked)
func queryQuote(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 0, "/quote?in=AMOUNT&asset_in=A&asset_out=B"); err != nil {
		return nil, err
	}
	in, out := params.Get("in"), params.Get("out")
	if (in == "") == (out == "") {
		return nil, fmt.Errorf("%w: give exactly one of in=AMOUNT or out=AMOUNT", ErrBadQuery)
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
	k := pools.New(ledger.New(ledger.ReadOnly(r), nil))
	var path []string
	if p := params.Get("path"); p != "" {
		path = strings.Split(p, ",")
	}
	var q pools.Quote
	switch {
	case path == nil && (assetIn == "" || assetOut == ""):
		return nil, fmt.Errorf("%w: give asset_in and asset_out (or a path)", ErrBadQuery)
	case path == nil && in != "":
		q, err = k.Quote(amount, assetIn, assetOut)
	case path == nil:
		q, err = k.QuoteExactOut(amount, assetIn, assetOut)
	case in != "":
		if assetIn == "" {
			return nil, fmt.Errorf("%w: give asset_in with in=AMOUNT", ErrBadQuery)
		}
		q, err = k.QuotePath(path, assetIn, amount)
	default:
		if assetOut == "" {
			return nil, fmt.Errorf("%w: give asset_out with out=AMOUNT", ErrBadQuery)
		}
		var start string
		if start, err = k.PathIn(path, assetOut); err == nil {
			if assetIn != "" && assetIn != start {
				return nil, fmt.Errorf("%w: path %s starts with %s, not %s", pools.ErrBadPath, strings.Join(path, ","), start, assetIn)
			}
			q, err = k.QuotePathExactOut(path, start, amount)
		}
	}
	if err != nil {
		return nil, err
	}
	if assetOut != "" && q.AssetOut != assetOut {
		return nil, fmt.Errorf("%w: path %s ends in %s, not %s", pools.ErrBadPath, strings.Join(q.Path, ","), q.AssetOut, assetOut)
	}
	b, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("%w: encode quote: %v", ErrInternal, err)
	}
	return &QueryResult{Value: b}, nil
}
