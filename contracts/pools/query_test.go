package pools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
	"github.com/riffchain/riffchain/ledger/query/querytest"
)

// TestQueryPoolProvesEveryField: /pool/ID answers a PoolView whose KVs are
// the proven keys of the answer, byte for byte what the state holds; an
// unknown pool is not found with its record proven absent.
func TestQueryPoolProvesEveryField(t *testing.T) {
	e := newEnv(t, 2, 2, big.NewInt(1_000_000_000))
	id := e.mustCreate(e.users[0], e.assets[1], e.assets[0], 4_000_000, 1_000_000, 30)

	res, err := QueryPool(e.kv, []string{id}, nil)
	wantErr(t, err, nil)
	var v PoolView
	if err := json.Unmarshal(res.Value, &v); err != nil {
		t.Fatal(err)
	}
	kvs, err := v.KVs()
	wantErr(t, err, nil)
	if fmt.Sprint(kvs) != fmt.Sprint(res.Proven) || len(kvs) != 4 {
		t.Fatalf("answer proves %v, its KVs are %v", res.Proven, kvs)
	}
	querytest.Proves(t, e.kv, res.Proven)
	if !bytes.Equal(kvs[1].Key, ReserveKey(id, v.AssetA)) || string(kvs[1].Value) != v.ReserveA.String() {
		t.Fatalf("reserve a kv %q=%q, reserve %s", kvs[1].Key, kvs[1].Value, v.ReserveA)
	}

	res, err = QueryPool(e.kv, []string{"POOL-9"}, nil)
	if !errors.Is(err, query.ErrNotFound) || res == nil || len(res.Proven) != 1 ||
		!bytes.Equal(res.Proven[0].Key, PoolKey("POOL-9")) || res.Proven[0].Value != nil {
		t.Fatalf("unknown pool: %+v, %v", res, err)
	}
	for _, parts := range [][]string{nil, {id, "x"}} {
		if _, err := QueryPool(e.kv, parts, nil); !errors.Is(err, query.ErrBadQuery) {
			t.Errorf("/pool/%v: %v, want bad query", parts, err)
		}
	}
}

// TestPoolViewKVsRefusesDisagreement: a view whose shown fields do not
// follow from its records gives no KVs, so a verified proof of the KVs
// vouches for every field.
func TestPoolViewKVsRefusesDisagreement(t *testing.T) {
	e := newEnv(t, 2, 2, big.NewInt(1_000_000_000))
	id := e.mustCreate(e.users[0], e.assets[0], e.assets[1], 1_000_000, 2_000_000, 30)
	good, err := poolView(e.kv, id)
	wantErr(t, err, nil)
	tests := []struct {
		name string
		edit func(v *PoolView)
	}{
		{"record not JSON", func(v *PoolView) { v.Record = json.RawMessage(`{`) }},
		{"fee differs from the record", func(v *PoolView) { v.FeeBps = 5 }},
		{"creator differs from the record", func(v *PoolView) { v.Creator = e.users[1] }},
		{"share asset record not JSON", func(v *PoolView) { v.ShareAssetRecord = json.RawMessage(`[]`) }},
		{"total shares differ from the supply", func(v *PoolView) { v.TotalShares = ledger.NewAmount(7) }},
		{"reserves map differs", func(v *PoolView) {
			v.Reserves = map[string]ledger.Amount{v.AssetA: ledger.NewAmount(1), v.AssetB: v.ReserveB}
		}},
		{"reserves map has a third asset", func(v *PoolView) { v.Reserves["X-1"] = ledger.NewAmount(1) }},
		{"price differs from the reserves", func(v *PoolView) { v.PriceBA = "1/1" }},
		{"scaled price differs from the reserves", func(v *PoolView) { v.PriceBAE18 = "1" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := *good
			v.Reserves = map[string]ledger.Amount{}
			for k, a := range good.Reserves {
				v.Reserves[k] = a
			}
			tc.edit(&v)
			if _, err := v.KVs(); !errors.Is(err, query.ErrBadQuery) {
				t.Fatalf("KVs of an edited view: %v, want bad query", err)
			}
		})
	}
	// A consistent lie (reserve, map and prices changed together) gives KVs
	// whose reserve value the state does not hold: its proof fails.
	v := *good
	v.ReserveA = ledger.NewAmount(1)
	v.Reserves = map[string]ledger.Amount{v.AssetA: v.ReserveA, v.AssetB: v.ReserveB}
	v.PriceBA, v.PriceBAE18 = Ratio(v.ReserveB.Big(), big.NewInt(1)), Scaled(v.ReserveB.Big(), big.NewInt(1))
	kvs, err := v.KVs()
	wantErr(t, err, nil)
	if held, _ := e.kv.Get(kvs[1].Key); bytes.Equal(held, kvs[1].Value) {
		t.Fatal("a changed reserve claims the value the state holds")
	}
}

// TestQueryPoolsPages: /pools answers the list envelope of PoolViews in
// creation order, filtered by asset, paged with after/next, each pool
// proven.
func TestQueryPoolsPages(t *testing.T) {
	e := newEnv(t, 2, 3, big.NewInt(1_000_000_000))
	A, B, C := e.assets[0], e.assets[1], e.assets[2]
	p1 := e.mustCreate(e.users[0], A, B, 1_000_000, 1_000_000, 30)
	p2 := e.mustCreate(e.users[0], B, C, 1_000_000, 1_000_000, 30)
	p3 := e.mustCreate(e.users[0], A, B, 1_000_000, 1_000_000, 100)
	tests := []struct {
		params string
		want   []string
		next   string
		err    error
	}{
		{"", []string{p1, p2, p3}, "", nil},
		{"asset=" + A, []string{p1, p3}, "", nil},
		{"asset=" + C, []string{p2}, "", nil},
		{"limit=2", []string{p1, p2}, p2, nil},
		{"limit=2&after=" + p2, []string{p3}, "", nil},
		{"limit=1&after=" + p1 + "&asset=" + A, []string{p3}, "", nil},
		{"limit=3", []string{p1, p2, p3}, "", nil},
		{"asset=" + e.unique, []string{}, "", nil},
		{"asset=NOPE-9", nil, "", ledger.ErrUnknownAsset},
		{"after=POOL-77", nil, "", query.ErrBadQuery},
		{"after=" + p2 + "&asset=" + A, nil, "", query.ErrBadQuery},
		{"limit=0", nil, "", query.ErrBadQuery},
		{"limit=1001", nil, "", query.ErrBadQuery},
	}
	for _, tc := range tests {
		t.Run(tc.params, func(t *testing.T) {
			params, _ := url.ParseQuery(tc.params)
			res, err := QueryPools(e.kv, nil, params)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			wantErr(t, err, nil)
			querytest.Envelope(t, res.Value)
			var page PoolsPage
			if err := json.Unmarshal(res.Value, &page); err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, p := range page.Entries {
				ids = append(ids, p.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) || page.Next != tc.next {
				t.Fatalf("pools %v next %q, want %v %q", ids, page.Next, tc.want, tc.next)
			}
			kvs, err := page.KVs()
			wantErr(t, err, nil)
			if fmt.Sprint(kvs) != fmt.Sprint(res.Proven) || len(kvs) != 4*len(ids) {
				t.Fatalf("answer proves %d keys, the page's KVs are %d", len(res.Proven), len(kvs))
			}
			querytest.Proves(t, e.kv, res.Proven)
		})
	}
	if _, err := QueryPools(e.kv, []string{"x"}, nil); !errors.Is(err, query.ErrBadQuery) {
		t.Fatalf("/pools/x: %v", err)
	}
}

// TestQueryQuoteForms: each form of /quote answers the keeper's quote for
// it, and every malformed or impossible request its sentinel error.
func TestQueryQuoteForms(t *testing.T) {
	e := newEnv(t, 2, 4, big.NewInt(1_000_000_000))
	A, B, C, D := e.assets[0], e.assets[1], e.assets[2], e.assets[3] // no pool holds D
	p1 := e.mustCreate(e.users[0], A, B, 1_000_000, 4_000_000, 30)
	p2 := e.mustCreate(e.users[0], B, C, 2_000_000, 1_000_000, 30)
	k := e.keeper()
	exactIn, err := k.Quote(ledger.NewAmount(1000), A, C)
	wantErr(t, err, nil)
	exactOut, err := k.QuoteExactOut(ledger.NewAmount(1000), A, C)
	wantErr(t, err, nil)
	onPath, err := k.QuotePath([]string{p1}, B, ledger.NewAmount(1000))
	wantErr(t, err, nil)
	outOnPath, err := k.QuotePathExactOut([]string{p1, p2}, A, ledger.NewAmount(1000))
	wantErr(t, err, nil)
	tests := []struct {
		params string
		want   *Quote
		err    error
	}{
		{"in=1000&asset_in=" + A + "&asset_out=" + C, &exactIn, nil},
		{"out=1000&asset_in=" + A + "&asset_out=" + C, &exactOut, nil},
		{"in=1000&asset_in=" + B + "&path=" + p1, &onPath, nil},
		{"in=1000&asset_in=" + B + "&asset_out=" + A + "&path=" + p1, &onPath, nil},
		{"out=1000&asset_out=" + C + "&path=" + p1 + "," + p2, &outOnPath, nil},
		{"out=1000&asset_in=" + A + "&asset_out=" + C + "&path=" + p1 + "," + p2, &outOnPath, nil},
		{"in=10&out=10&asset_in=" + A + "&asset_out=" + B, nil, query.ErrBadQuery},
		{"asset_in=" + A + "&asset_out=" + B, nil, query.ErrBadQuery},
		{"in=10&asset_in=" + A, nil, query.ErrBadQuery},
		{"in=10&path=" + p1, nil, query.ErrBadQuery},
		{"out=10&path=" + p1, nil, query.ErrBadQuery},
		{"in=x&asset_in=" + A + "&asset_out=" + B, nil, ledger.ErrInvalidAmount},
		{"in=10&asset_in=" + A + "&asset_out=" + A, nil, ErrSameAsset},
		{"in=10&asset_in=NOPE-1&asset_out=" + B, nil, ledger.ErrUnknownAsset},
		{"in=10&asset_in=" + A + "&asset_out=" + D, nil, ErrNoRoute},
		{"in=10&asset_in=" + A + "&asset_out=" + e.unique, nil, ledger.ErrWrongAssetKind},
		{"in=10&asset_in=" + A + "&asset_out=" + C + "&path=" + p1, nil, ErrBadPath},
		{"out=10&asset_in=" + B + "&asset_out=" + C + "&path=" + p1 + "," + p2, nil, ErrBadPath},
		{"out=10&asset_out=" + C + "&path=" + p1, nil, ErrBadPath},
		{"in=10&asset_in=" + A + "&path=POOL-9", nil, ErrUnknownPool},
	}
	for _, tc := range tests {
		t.Run(tc.params, func(t *testing.T) {
			params, _ := url.ParseQuery(tc.params)
			res, err := QueryQuote(e.kv, nil, params)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			wantErr(t, err, nil)
			want, _ := json.Marshal(tc.want)
			if !bytes.Equal(res.Value, want) || len(res.Proven) != 0 {
				t.Fatalf("quote %s (%d proven), want %s", res.Value, len(res.Proven), want)
			}
		})
	}
}
