package pools

import (
	"math/big"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestQuoteExactOutBestPath(t *testing.T) {
	r := newRouteEnv(t)
	e, A, B, C, D, trader := r.env, r.A, r.B, r.C, r.D, r.trader
	abSlow, abFast, bc, acThin := r.abSlow, r.abFast, r.bc, r.acThin

	k := e.keeper()
	for _, tc := range []struct {
		name     string
		out      uint64
		from, to string
		wantPath []string
	}{
		{"direct: cheaper fee tier", 10_000, A, B, []string{abFast}},
		{"two hops beat a thin direct pool", 30_000, A, C, []string{abFast, bc}},
		{"thin pool cannot deliver, two hops can", 20_000, A, C, []string{abFast, bc}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := k.QuoteExactOut(ledger.NewAmount(tc.out), tc.from, tc.to)
			wantErr(t, err, nil)
			if strings.Join(q.Path, ",") != strings.Join(tc.wantPath, ",") || q.AmountOut.String() != ledger.NewAmount(tc.out).String() {
				t.Fatalf("path %v out %s, want %v", q.Path, q.AmountOut, tc.wantPath)
			}
			for _, p := range [][]string{{abSlow}, {abFast}, {acThin}, {abSlow, bc}, {abFast, bc}} {
				alt, err := k.QuotePathExactOut(p, tc.from, ledger.NewAmount(tc.out))
				if err != nil || alt.AssetOut != tc.to {
					continue
				}
				if alt.AmountIn.Cmp(q.AmountIn) < 0 {
					t.Fatalf("path %v needs %s, less than the quote's %s", p, alt.AmountIn, q.AmountIn)
				}
			}
		})
	}

	// The quoted input is exactly what the swap takes.
	q, err := k.QuoteExactOut(ledger.NewAmount(30_000), A, C)
	wantErr(t, err, nil)
	out, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: q.Path, AssetIn: A, AmountOut: amtp(30_000), MaxIn: &q.AmountIn})
	})
	wantErr(t, err, nil)
	if out["amount_in"] != q.AmountIn.String() || out["asset_in"] != A || out["asset_out"] != C || out["path"] != strings.Join(q.Path, ",") {
		t.Fatalf("swap %v, quote in %s", out, q.AmountIn)
	}

	for _, tc := range []struct {
		name     string
		out      uint64
		from, to string
		want     error
	}{
		{"same asset", 10, A, A, ErrSameAsset},
		{"zero", 0, A, B, ErrZeroAmount},
		{"unknown asset", 10, "NOPE-1", A, ledger.ErrUnknownAsset},
		{"unique asset", 10, A, e.unique, ledger.ErrWrongAssetKind},
		{"no pool holds D", 10, A, D, ErrNoRoute},
		{"more than any pool holds", 5_000_000, A, B, ErrNoRoute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.keeper().QuoteExactOut(ledger.NewAmount(tc.out), tc.from, tc.to)
			wantErr(t, err, tc.want)
		})
	}
}

func TestPathIn(t *testing.T) {
	e := newEnv(t, 1, 3, big.NewInt(1_000_000_000))
	A, B, C := e.assets[0], e.assets[1], e.assets[2]
	ab := e.mustCreate(e.users[0], A, B, 1_000_000, 1_000_000, 30)
	bc := e.mustCreate(e.users[0], B, C, 1_000_000, 1_000_000, 30)
	k := e.keeper()
	for _, tc := range []struct {
		name string
		path []string
		out  string
		want string
		err  error
	}{
		{"one pool", []string{ab}, B, A, nil},
		{"one pool, other side", []string{ab}, A, B, nil},
		{"two pools", []string{ab, bc}, C, A, nil},
		{"two pools reversed", []string{bc, ab}, A, C, nil},
		{"does not connect", []string{ab}, C, "", ErrBadPath},
		{"round trip", []string{ab, bc, "POOL-9"}, A, "", ErrUnknownPool},
		{"repeats a pool", []string{ab, ab}, A, "", ErrBadPath},
		{"empty", nil, A, "", ErrBadPath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := k.PathIn(tc.path, tc.out)
			wantErr(t, err, tc.err)
			if got != tc.want {
				t.Fatalf("PathIn = %q, want %q", got, tc.want)
			}
		})
	}
	ids, err := k.PoolIDs(B)
	wantErr(t, err, nil)
	if strings.Join(ids, ",") != ab+","+bc {
		t.Fatalf("PoolIDs(B) = %v", ids)
	}
}
