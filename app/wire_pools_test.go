package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

func TestPoolCodesDistinct(t *testing.T) {
	sentinels := []struct {
		err  error
		code uint32
	}{
		{pools.ErrSameAsset, 200}, {pools.ErrZeroAmount, 201}, {pools.ErrFeeNotAllowed, 202},
		{pools.ErrSlippage, 203}, {pools.ErrMaxInExceeded, 204}, {pools.ErrExpired, 205},
		{pools.ErrInsufficientShares, 206}, {pools.ErrBadPath, 207}, {pools.ErrPoolExists, 208},
		{pools.ErrUnknownPool, 209}, {pools.ErrInsufficientLiquidity, 210}, {pools.ErrSwapMode, 211},
		{pools.ErrNoRoute, 212},
	}
	for _, s := range sentinels {
		if got := CodeOf(fmt.Errorf("msg 0 (pool/swap): swap: %w", s.err)); got != s.code {
			t.Errorf("%v: code %d, want %d", s.err, got, s.code)
		}
	}
}

// poolChain is a chain with two funded fungible assets and a unique class.
type poolChain struct {
	*chain
	alice, bob testKey
	acme, buck string
	art        string
	pool       string
}

func (c *poolChain) run(k testKey, typ string, v any) (map[string]string, *abci.ExecTxResult) {
	c.t.Helper()
	tx := c.tx(k, mustMsg(c.t, typ, v))
	if chk := c.check(tx); chk.Code != 0 {
		c.nonces[k.addr]-- // never reached a block
		return nil, &abci.ExecTxResult{Code: chk.Code, Log: chk.Log}
	}
	res := c.block(tx).TxResults[0]
	var out map[string]string
	if len(res.Data) > 0 {
		if err := json.Unmarshal(res.Data, &out); err != nil {
			c.t.Fatal(err)
		}
	}
	return out, res
}

func (c *poolChain) ok(k testKey, typ string, v any) map[string]string {
	c.t.Helper()
	out, res := c.run(k, typ, v)
	if res.Code != 0 {
		c.t.Fatalf("%s: code %d: %s", typ, res.Code, res.Log)
	}
	return out
}

func (c *poolChain) query(path string) *abci.ResponseQuery {
	c.t.Helper()
	r, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: path, Prove: true})
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

func newPoolChain(t *testing.T) *poolChain {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := &poolChain{chain: newChain(t, fundedGenesis(alice, bob)), alice: alice, bob: bob}
	c.acme = c.ok(alice, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "ACME"})["asset_id"]
	c.buck = c.ok(alice, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "BUCK"})["asset_id"]
	c.art = c.ok(alice, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Unique, Symbol: "ART"})["asset_id"]
	for _, a := range []string{c.acme, c.buck} {
		amt := ledger.NewAmount(1_000_000_000_000)
		c.ok(alice, "asset/mint", ledger.MsgMint{Asset: a, Amount: &amt})
		half := ledger.NewAmount(1_000_000_000)
		c.ok(alice, "transfer", ledger.Move{To: bob.addr, Asset: a, Amount: &half})
	}
	c.ok(alice, "asset/mint", ledger.MsgMint{Asset: c.art, Item: "mona"})
	return c
}

func amtp(n uint64) *ledger.Amount { a := ledger.NewAmount(n); return &a }

func TestPoolsWired(t *testing.T) {
	c := newPoolChain(t)
	out := c.ok(c.alice, pools.TypeCreate, pools.MsgCreate{AssetA: c.buck, AssetB: c.acme,
		AmountA: ledger.NewAmount(4_000_000), AmountB: ledger.NewAmount(1_000_000), FeeBps: 30})
	c.pool = out["pool_id"]
	if c.pool != "POOL-1" || out["shares"] != "1999000" { // sqrt(4e12) - 1000
		t.Fatalf("create output %v", out)
	}

	// Exact in: out = floor(in·F·R_out / (R_in·10000 + in·F)).
	in := big.NewInt(10_000)
	f := big.NewInt(10000 - 30)
	num := new(big.Int).Mul(new(big.Int).Mul(in, f), big.NewInt(4_000_000))
	den := new(big.Int).Add(new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(10000)), new(big.Int).Mul(in, f))
	want := new(big.Int).Quo(num, den).String()

	// The quote at this height is what the swap gives in the next block.
	r := c.query("/quote?in=10000&asset_in=" + c.acme + "&asset_out=" + c.buck)
	var q pools.Quote
	if r.Code != 0 || json.Unmarshal(r.Value, &q) != nil || q.AmountOut.String() != want || len(q.Path) != 1 || q.Path[0] != c.pool {
		t.Fatalf("quote: code %d %s %s, want out %s", r.Code, r.Log, r.Value, want)
	}
	sw := c.ok(c.bob, pools.TypeSwap, pools.MsgSwap{Path: []string{c.pool}, AssetIn: c.acme, AmountIn: amtp(10_000), MinOut: amtp(1)})
	if sw["amount_out"] != want || sw["asset_out"] != c.buck {
		t.Fatalf("swap output %v, want amount_out %s", sw, want)
	}

	// Exact out, with asset_in derived from the path by the quote.
	r = c.query("/quote?out=5000&asset_out=" + c.acme + "&path=" + c.pool)
	if r.Code != 0 || json.Unmarshal(r.Value, &q) != nil || q.AssetIn != c.buck {
		t.Fatalf("exact-out quote: %d %s %s", r.Code, r.Log, r.Value)
	}
	sw = c.ok(c.bob, pools.TypeSwap, pools.MsgSwap{Path: []string{c.pool}, AssetIn: c.buck, AmountOut: amtp(5000), MaxIn: &q.AmountIn})
	if sw["amount_in"] != q.AmountIn.String() || sw["amount_out"] != "5000" {
		t.Fatalf("exact-out swap %v, quote %+v", sw, q)
	}

	// /pool/ID is proven: record, both reserves, share asset.
	root := c.app.tree.CommittedHash()
	r = c.query("/pool/" + c.pool)
	var v pools.PoolView
	if r.Code != 0 || json.Unmarshal(r.Value, &v) != nil {
		t.Fatalf("pool query: %d %s", r.Code, r.Log)
	}
	l := ledger.New(c.app.tree, nil)
	resA, _ := l.Balance(pools.PoolAccount(c.pool), v.AssetA)
	if v.ReserveA.Cmp(resA) != 0 || v.Reserves[v.AssetA].Cmp(resA) != 0 || v.FeeBps != 30 || v.TotalShares.String() != "2000000" {
		t.Fatalf("pool view %+v, reserve_a in state %s", v, resA)
	}
	kvs, err := v.KVs()
	if err != nil || len(kvs) != 4 || len(r.ProofOps.Ops) != 4 {
		t.Fatalf("kvs %v (%v), %d proofs", kvs, err, len(r.ProofOps.Ops))
	}
	for i, kv := range kvs {
		if err := verifyOp(root, r.ProofOps.Ops[i].Data, kv.Key, kv.Value); err != nil {
			t.Fatalf("proof %d (%q): %v", i, kv.Key, err)
		}
	}
	// A view whose reserve was changed no longer matches its proofs.
	bad := v
	bad.Reserves = map[string]ledger.Amount{v.AssetA: ledger.NewAmount(1), v.AssetB: v.ReserveB}
	bad.ReserveA = ledger.NewAmount(1)
	bad.PriceBA, bad.PriceBAE18 = pools.Ratio(v.ReserveB.Big(), big.NewInt(1)), pools.Scaled(v.ReserveB.Big(), big.NewInt(1))
	if kvs, err := bad.KVs(); err != nil {
		t.Fatal(err)
	} else if verifyOp(root, r.ProofOps.Ops[1].Data, kvs[1].Key, kvs[1].Value) == nil {
		t.Fatal("tampered reserve verified")
	}
	bad = v
	bad.TotalShares = ledger.NewAmount(7)
	if _, err := bad.KVs(); err == nil {
		t.Fatal("total_shares differing from the share asset record accepted")
	}

	// Unknown pool: not found, proven absent.
	r = c.query("/pool/POOL-99")
	if r.Code != CodeNotFound || verifyOp(root, r.ProofOps.Ops[0].Data, pools.PoolKey("POOL-99"), nil) != nil {
		t.Fatalf("missing pool: %d %s", r.Code, r.Log)
	}

	// A second pool (other fee tier) for /pools and two-hop paths.
	p2 := c.ok(c.alice, pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: c.buck,
		AmountA: ledger.NewAmount(1_000_000), AmountB: ledger.NewAmount(1_000_000), FeeBps: 100})["pool_id"]
	for _, tc := range []struct {
		query string
		want  []string
		next  string
		code  uint32
	}{
		{"/pools", []string{c.pool, p2}, "", 0},
		{"/pools?asset=" + c.acme, []string{c.pool, p2}, "", 0},
		{"/pools?limit=1", []string{c.pool}, c.pool, 0},
		{"/pools?limit=1&after=" + c.pool, []string{p2}, "", 0},
		{"/pools?asset=" + url.QueryEscape("RIFF"), nil, "", 0},
		{"/pools?asset=NOPE-9", nil, "", CodeUnknownAsset},
		{"/pools?after=POOL-77", nil, "", CodeBadQuery},
	} {
		r := c.query(tc.query)
		if r.Code != tc.code {
			t.Fatalf("%s: code %d (%s), want %d", tc.query, r.Code, r.Log, tc.code)
		}
		if tc.code != 0 {
			continue
		}
		var page pools.PoolsPage
		if err := json.Unmarshal(r.Value, &page); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range page.Entries {
			ids = append(ids, p.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) || page.Next != tc.next {
			t.Fatalf("%s: pools %v next %q, want %v %q", tc.query, ids, page.Next, tc.want, tc.next)
		}
		kvs, err := page.KVs()
		if err != nil || len(kvs) != len(r.ProofOps.Ops) {
			t.Fatalf("%s: %d kvs (%v), %d proofs", tc.query, len(kvs), err, len(r.ProofOps.Ops))
		}
		for i, kv := range kvs {
			if err := verifyOp(root2(c), r.ProofOps.Ops[i].Data, kv.Key, kv.Value); err != nil {
				t.Fatalf("%s: proof %d: %v", tc.query, i, err)
			}
		}
	}

	for _, tc := range []struct {
		query string
		code  uint32
	}{
		{"/quote?in=10&asset_in=" + c.acme + "&asset_out=" + c.acme, CodePoolSameAsset},
		{"/quote?in=10&out=10&asset_in=" + c.acme + "&asset_out=" + c.buck, CodeBadQuery},
		{"/quote?in=x&asset_in=" + c.acme + "&asset_out=" + c.buck, CodeInvalidAmount},
		{"/quote?in=10&asset_in=NOPE-1&asset_out=" + c.buck, CodeUnknownAsset},
		{"/quote?in=10&asset_in=" + c.acme + "&asset_out=RIFF", CodePoolNoRoute},
		{"/quote?in=10&asset_in=" + c.acme + "&asset_out=RIFF&path=" + c.pool, CodePoolBadPath},
		{"/quote?out=10&asset_out=RIFF&path=" + c.pool, CodePoolBadPath},
		{"/quote?out=10&asset_in=" + c.acme + "&asset_out=" + c.acme + "&path=" + c.pool, CodePoolBadPath},
		{"/quote?out=99999999999&asset_in=" + c.acme + "&asset_out=" + c.buck, CodePoolNoRoute},
		{"/quote?in=10&asset_in=" + c.acme + "&path=POOL-9", CodePoolUnknown},
	} {
		if r := c.query(tc.query); r.Code != tc.code {
			t.Errorf("%s: code %d (%s), want %d", tc.query, r.Code, r.Log, tc.code)
		}
	}
}

func root2(c *poolChain) []byte { return c.app.tree.CommittedHash() }

// TestPoolBadCasesWired: every bad case gets its code through the app, and
// the reserves and the signer's balances are unchanged.
func TestPoolBadCasesWired(t *testing.T) {
	c := newPoolChain(t)
	c.pool = c.ok(c.alice, pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: c.buck,
		AmountA: ledger.NewAmount(1_000_000), AmountB: ledger.NewAmount(1_000_000), FeeBps: 30})["pool_id"]
	p := c.pool
	cases := []struct {
		name string
		typ  string
		msg  any
		code uint32
	}{
		{"same asset", pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: c.acme, AmountA: ledger.NewAmount(5000), AmountB: ledger.NewAmount(5000), FeeBps: 30}, CodePoolSameAsset},
		{"unknown asset", pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: "NOPE-1", AmountA: ledger.NewAmount(5000), AmountB: ledger.NewAmount(5000), FeeBps: 30}, CodeUnknownAsset},
		{"unique asset", pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: c.art, AmountA: ledger.NewAmount(5000), AmountB: ledger.NewAmount(1), FeeBps: 30}, CodeWrongAssetKind},
		{"zero amount", pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: c.buck, AmountA: ledger.NewAmount(0), AmountB: ledger.NewAmount(5000), FeeBps: 5}, CodePoolZeroAmount},
		{"fee outside the set", pools.TypeCreate, pools.MsgCreate{AssetA: c.acme, AssetB: c.buck, AmountA: ledger.NewAmount(5000), AmountB: ledger.NewAmount(5000), FeeBps: 31}, CodePoolFeeNotAllowed},
		{"pool exists", pools.TypeCreate, pools.MsgCreate{AssetA: c.buck, AssetB: c.acme, AmountA: ledger.NewAmount(5000), AmountB: ledger.NewAmount(5000), FeeBps: 30}, CodePoolExists},
		{"too little liquidity", pools.TypeCreate, pools.MsgCreate{AssetA: c.buck, AssetB: c.acme, AmountA: ledger.NewAmount(1000), AmountB: ledger.NewAmount(1000), FeeBps: 5}, CodePoolInsufficientLiquidity},
		{"min out not met", pools.TypeSwap, pools.MsgSwap{Path: []string{p}, AssetIn: c.acme, AmountIn: amtp(1000), MinOut: amtp(1000)}, CodePoolSlippage},
		{"max in exceeded", pools.TypeSwap, pools.MsgSwap{Path: []string{p}, AssetIn: c.acme, AmountOut: amtp(1000), MaxIn: amtp(1000)}, CodePoolMaxInExceeded},
		{"expired", pools.TypeSwap, pools.MsgSwap{Path: []string{p}, AssetIn: c.acme, AmountIn: amtp(1000), MinOut: amtp(0), Expiry: 1}, CodePoolExpired},
		{"both modes", pools.TypeSwap, pools.MsgSwap{Path: []string{p}, AssetIn: c.acme, AmountIn: amtp(1000), MinOut: amtp(0), MaxIn: amtp(5)}, CodePoolSwapMode},
		{"path does not connect", pools.TypeSwap, pools.MsgSwap{Path: []string{p}, AssetIn: "RIFF", AmountIn: amtp(1000), MinOut: amtp(0)}, CodePoolBadPath},
		{"unknown pool", pools.TypeSwap, pools.MsgSwap{Path: []string{"POOL-9"}, AssetIn: c.acme, AmountIn: amtp(1000), MinOut: amtp(0)}, CodePoolUnknown},
		{"whole reserve", pools.TypeSwap, pools.MsgSwap{Path: []string{p}, AssetIn: c.acme, AmountOut: amtp(1_000_000), MaxIn: amtp(1_000_000_000)}, CodePoolInsufficientLiquidity},
		{"more shares than owned", pools.TypeRemove, pools.MsgRemove{Pool: p, Shares: ledger.NewAmount(1000)}, CodePoolInsufficientShares},
		{"min shares not met", pools.TypeAdd, pools.MsgAdd{Pool: p, AmountA: ledger.NewAmount(1000), AmountB: ledger.NewAmount(1000), MinShares: ledger.NewAmount(1001)}, CodePoolSlippage},
		{"add expired", pools.TypeAdd, pools.MsgAdd{Pool: p, AmountA: ledger.NewAmount(1000), AmountB: ledger.NewAmount(1000), Expiry: 2}, CodePoolExpired},
		{"unknown field", pools.TypeSwap, map[string]any{"path": []string{p}, "asset_in": c.acme, "amount_in": "1", "min_out": "0", "deadline": 5}, CodeUnknownField},
	}
	before := func() [4]string {
		return [4]string{c.balance(pools.PoolAccount(p), c.acme), c.balance(pools.PoolAccount(p), c.buck),
			c.balance(c.bob.addr, c.acme), c.balance(c.bob.addr, c.buck)}
	}
	start := before()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, res := c.run(c.bob, tc.typ, tc.msg)
			if res.Code != tc.code {
				t.Fatalf("code %d (%s), want %d", res.Code, res.Log, tc.code)
			}
			if now := before(); now != start {
				t.Fatalf("balances moved: %v → %v", start, now)
			}
		})
	}
}
