package pools

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestQuoteBestPath(t *testing.T) {
	r := newRouteEnv(t)
	e, A, B, C, D, trader := r.env, r.A, r.B, r.C, r.D, r.trader
	abSlow, abFast, bc, acThin := r.abSlow, r.abFast, r.bc, r.acThin

	k := e.keeper()
	cases := []struct {
		name     string
		in       int64
		from, to string
		wantPath []string
	}{
		{"direct: cheaper fee tier wins", 10_000, A, B, []string{abFast}},
		{"two hops beat a thin direct pool", 10_000, A, C, []string{abFast, bc}},
		{"reverse two hops", 10_000, C, A, []string{bc, abFast}},
		{"tiny amount: the direct pool is better", 3, A, C, []string{acThin}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := k.Quote(ledger.NewAmount(uint64(tc.in)), tc.from, tc.to)
			wantErr(t, err, nil)
			if strings.Join(q.Path, ",") != strings.Join(tc.wantPath, ",") {
				t.Fatalf("path %v, want %v (out %s)", q.Path, tc.wantPath, q.AmountOut)
			}
			// It is the best of all candidate paths.
			for _, p := range [][]string{{abSlow}, {abFast}, {acThin}, {abSlow, bc}, {abFast, bc}, {bc, abSlow}, {bc, abFast}} {
				alt, err := k.QuotePath(p, tc.from, ledger.NewAmount(uint64(tc.in)))
				if err != nil || alt.AssetOut != tc.to {
					continue
				}
				if alt.AmountOut.Cmp(q.AmountOut) > 0 {
					t.Fatalf("path %v gives %s, better than the quote's %s", p, alt.AmountOut, q.AmountOut)
				}
			}
			if q.Price != Ratio(q.AmountOut.Big(), q.AmountIn.Big()) || len(q.Hops) != len(q.Path) {
				t.Fatalf("quote %+v", q)
			}
		})
	}

	// Executing the quoted path yields exactly the quote, and the hops'
	// reserves are those the pools had.
	q, err := k.Quote(ledger.NewAmount(25_000), A, C)
	wantErr(t, err, nil)
	info, _ := k.Pool(q.Path[0])
	if q.Hops[0].ReserveIn.Cmp(info.ReserveA) != 0 || q.Hops[0].AmountOut.Cmp(q.Hops[1].AmountIn) != 0 {
		t.Fatalf("hops %+v", q.Hops)
	}
	out, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: q.Path, AssetIn: A, AmountIn: &q.AmountIn, MinOut: &q.AmountOut})
	})
	wantErr(t, err, nil)
	if out["amount_out"] != q.AmountOut.String() {
		t.Fatalf("swap %v, quote %s", out, q.AmountOut)
	}

	// Exact-out quote matches execution too.
	qo, err := e.keeper().QuotePathExactOut([]string{abFast, bc}, A, ledger.NewAmount(12_345))
	wantErr(t, err, nil)
	out, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: []string{abFast, bc}, AssetIn: A, AmountOut: amtp(12_345), MaxIn: &qo.AmountIn})
	})
	wantErr(t, err, nil)
	if out["amount_in"] != qo.AmountIn.String() || out["amount_out"] != "12345" {
		t.Fatalf("exact out %v, quote %s", out, qo.AmountIn)
	}

	for _, tc := range []struct {
		name     string
		in       uint64
		from, to string
		want     error
	}{
		{"same asset", 10, A, A, ErrSameAsset},
		{"zero", 0, A, B, ErrZeroAmount},
		{"unknown asset", 10, A, "NOPE-1", ledger.ErrUnknownAsset},
		{"unique asset", 10, e.unique, A, ledger.ErrWrongAssetKind},
		{"no pool holds D", 10, A, D, ErrNoRoute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.keeper().Quote(ledger.NewAmount(tc.in), tc.from, tc.to)
			wantErr(t, err, tc.want)
		})
	}

	// One unit into 10^6:10^6 at 5 bps rounds to nothing: no route.
	e2 := newEnv(t, 1, 2, big.NewInt(1_000_000_000))
	e2.mustCreate(e2.users[0], e2.assets[0], e2.assets[1], 1_000_000, 1_000_000, 5)
	_, err = e2.keeper().Quote(ledger.NewAmount(1), e2.assets[0], e2.assets[1])
	wantErr(t, err, ErrNoRoute)
	if q, err := e2.keeper().Quote(ledger.NewAmount(2), e2.assets[0], e2.assets[1]); err != nil || q.AmountOut.String() != "1" {
		t.Fatalf("2 units: %+v %v", q, err)
	}
}

func TestMessagesDecodeStrictly(t *testing.T) {
	dec := func(s string, v any) error {
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.DisallowUnknownFields()
		return d.Decode(v)
	}
	var sw MsgSwap
	if err := dec(`{"path":["POOL-1","POOL-2"],"asset_in":"TKA-1","amount_in":"100","min_out":"0","expiry":7}`, &sw); err != nil {
		t.Fatal(err)
	}
	if err := sw.Check(); err != nil || sw.AmountIn.String() != "100" || sw.Expiry != 7 {
		t.Fatalf("%+v %v", sw, err)
	}
	for _, bad := range []string{
		`{"path":["POOL-1"],"asset_in":"TKA-1","amount_in":"100","min_out":"0","slippage":1}`,
		`{"path":["POOL-1"],"asset_in":"TKA-1","amount_in":100,"min_out":"0"}`,
		`{"path":["POOL-1"],"asset_in":"TKA-1","amount_in":"-1","min_out":"0"}`,
	} {
		var m MsgSwap
		if err := dec(bad, &m); err == nil {
			t.Errorf("decoded %s", bad)
		}
	}
	var c MsgCreate
	if err := dec(`{"asset_a":"TKA-1","asset_b":"TKB-2","amount_a":"1","amount_b":"2","fee_bps":30}`, &c); err != nil || c.Check() != nil {
		t.Fatalf("%+v %v", c, err)
	}
	var a MsgAdd
	if err := dec(`{"pool":"POOL-1","amount_a":"1","amount_b":"2","min_shares":"0"}`, &a); err != nil || a.Check() != nil {
		t.Fatalf("%+v %v", a, err)
	}
	var r MsgRemove
	if err := dec(`{"pool":"POOL-1","shares":"5","min_amount_a":"0","min_amount_b":"0"}`, &r); err != nil || r.Check() != nil {
		t.Fatalf("%+v %v", r, err)
	}
	// Pool records round-trip through JSON.
	p := Pool{ID: "POOL-1", AssetA: "A-1", AssetB: "B-2", FeeBps: 30, ShareAsset: "LP-3", Account: PoolAccount("POOL-1")}
	raw, _ := json.Marshal(p)
	var back Pool
	if err := json.Unmarshal(raw, &back); err != nil || back != p {
		t.Fatalf("%s -> %+v %v", raw, back, err)
	}
}
