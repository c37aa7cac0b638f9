package pools

import (
	"math/big"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// Amounts near 2^128-1. Ledger supplies are capped at 2^128-1, so no
// reserve can overflow, and shares never exceed sqrt(X*Y) <= 2^128-1; the
// tests show the maths stays exact at the edge and that inputs the ledger
// could not hold are refused cleanly.
func TestNearMaxAmounts(t *testing.T) {
	maxm1000 := sub(maxAmt, b(MinimumLiquidity))

	t.Run("create at max reserves and remove", func(t *testing.T) {
		e := newEnv(t, 2, 2, nil)
		A, B := e.assets[0], e.assets[1]
		u := e.users[0]
		e.mint(A, u, maxAmt)
		e.mint(B, u, maxAmt)
		out, err := e.create(u, A, B, maxAmt, maxAmt, 30)
		wantErr(t, err, nil)
		if out["shares"] != maxm1000.String() {
			t.Fatalf("shares %s", out["shares"])
		}
		id := out["pool_id"]
		if got := e.supply(out["share_asset"]); got.Cmp(maxAmt) != 0 {
			t.Fatalf("share supply %s", got)
		}
		// Exact out of all but one unit needs more than 2^128-1 in.
		_, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecSwap(e.blk(), u, &MsgSwap{Path: []string{id}, AssetIn: A,
				AmountOut: ptr(mustAmt(t, sub(maxAmt, b(1)))), MaxIn: ptr(mustAmt(t, maxAmt))})
		})
		wantErr(t, err, ErrMaxInExceeded)
		_, err = e.keeper().QuotePathExactOut([]string{id}, A, mustAmt(t, sub(maxAmt, b(1))))
		wantErr(t, err, ledger.ErrOverflow)
		// Remove all but the locked shares.
		rm, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecRemove(e.blk(), u, &MsgRemove{Pool: id, Shares: mustAmt(t, maxm1000)})
		})
		wantErr(t, err, nil)
		if rm["amount_a"] != maxm1000.String() || rm["amount_b"] != maxm1000.String() {
			t.Fatalf("remove %v", rm)
		}
		info, _ := e.keeper().Pool(id)
		if info.ReserveA.String() != "1000" || info.ReserveB.String() != "1000" || info.TotalShares.String() != "1000" {
			t.Fatalf("after remove %+v", info)
		}
		if err := ledger.CheckInvariants(e.kv); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("swap the rest of the supply into a small pool", func(t *testing.T) {
		e := newEnv(t, 2, 2, nil)
		A, B := e.assets[0], e.assets[1]
		lp, trader := e.users[0], e.users[1]
		e.mint(A, lp, b(1_000_000))
		e.mint(B, lp, b(1_000_000))
		e.mint(A, trader, sub(maxAmt, b(1_000_000)))
		id := e.mustCreate(lp, A, B, 1_000_000, 1_000_000, 5)
		in := sub(maxAmt, b(1_000_000))
		q, err := e.keeper().QuotePath([]string{id}, A, mustAmt(t, in))
		wantErr(t, err, nil)
		want := refOut(in, b(1_000_000), b(1_000_000), 5)
		if q.AmountOut.Big().Cmp(want) != 0 || want.Cmp(b(999_999)) != 0 {
			t.Fatalf("quote %s, reference %s", q.AmountOut, want)
		}
		out, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: []string{id}, AssetIn: A, AmountIn: ptr(mustAmt(t, in)), MinOut: &q.AmountOut})
		})
		wantErr(t, err, nil)
		if out["amount_out"] != want.String() {
			t.Fatalf("swap %v", out)
		}
		info, _ := e.keeper().Pool(id)
		if info.ReserveA.Big().Cmp(maxAmt) != 0 || info.ReserveB.String() != "1" {
			t.Fatalf("pool %+v", info)
		}
		if mul(info.ReserveA.Big(), info.ReserveB.Big()).Cmp(b(1_000_000_000_000)) < 0 {
			t.Fatal("k fell")
		}
		// The last unit of B cannot be bought.
		_, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: []string{id}, AssetIn: A, AmountOut: amtp(1), MaxIn: ptr(mustAmt(t, maxAmt))})
		})
		wantErr(t, err, ErrInsufficientLiquidity)
		if err := ledger.CheckInvariants(e.kv); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("swap into near-max reserves", func(t *testing.T) {
		e := newEnv(t, 2, 2, nil)
		A, B := e.assets[0], e.assets[1]
		lp, trader := e.users[0], e.users[1]
		big10 := b(10)
		e.mint(A, lp, sub(maxAmt, big10))
		e.mint(B, lp, sub(maxAmt, big10))
		e.mint(A, trader, big10)
		out, err := e.create(lp, A, B, sub(maxAmt, big10), sub(maxAmt, big10), 30)
		wantErr(t, err, nil)
		id := out["pool_id"]
		r := sub(maxAmt, big10)
		want := refOut(big10, r, r, 30)
		sw, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: []string{id}, AssetIn: A, AmountIn: amtp(10), MinOut: amtp(0)})
		})
		wantErr(t, err, nil)
		if sw["amount_out"] != want.String() || want.Int64() != 9 {
			t.Fatalf("swap %v, reference %s", sw, want)
		}
		// One unit of a near-max reserve is worth less than a share.
		_, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecAdd(e.blk(), trader, &MsgAdd{Pool: id, AmountA: ledger.NewAmount(1), AmountB: ledger.NewAmount(9)})
		})
		wantErr(t, err, ErrZeroAmount)
		if err := ledger.CheckInvariants(e.kv); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("reference agrees at the edge", func(t *testing.T) {
		for _, tc := range []struct{ in, rIn, rOut *big.Int }{
			{maxAmt, maxAmt, maxAmt},
			{maxAmt, b(1), maxAmt},
			{b(1), maxAmt, maxAmt},
			{maxAmt, maxAmt, b(1)},
		} {
			for _, fee := range FeeTiers {
				if got, want := SwapOut(tc.in, tc.rIn, tc.rOut, fee), refOut(tc.in, tc.rIn, tc.rOut, fee); got.Cmp(want) != 0 || got.Cmp(tc.rOut) >= 0 {
					t.Fatalf("SwapOut(%s, %s, %s, %d) = %s, reference %s", tc.in, tc.rIn, tc.rOut, fee, got, want)
				}
			}
		}
	})
}

func ptr(a ledger.Amount) *ledger.Amount { return &a }

func TestDust(t *testing.T) {
	e := newEnv(t, 3, 2, big.NewInt(1_000_000_000))
	A, B := e.assets[0], e.assets[1]
	lp, trader := e.users[0], e.users[1]

	// The smallest pool: sqrt(1001*1001) = 1001, one share for the creator.
	out, err := e.create(lp, A, B, b(1001), b(1001), 30)
	wantErr(t, err, nil)
	if out["shares"] != "1" {
		t.Fatalf("shares %s", out["shares"])
	}
	small := out["pool_id"]
	rm, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecRemove(e.blk(), lp, &MsgRemove{Pool: small, Shares: ledger.NewAmount(1)})
	})
	wantErr(t, err, nil)
	if rm["amount_a"] != "1" || rm["amount_b"] != "1" {
		t.Fatalf("remove %v", rm)
	}

	id := e.mustCreate(lp, A, B, 1_000_000, 1_000_000, 5)
	swapIn := func(asset string, n int64) (ledger.Output, error) {
		o, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: []string{id}, AssetIn: asset, AmountIn: amtp(n), MinOut: amtp(0)})
		})
		return o, err
	}
	_, err = swapIn(A, 1)
	wantErr(t, err, ErrZeroAmount)
	o, err := swapIn(A, 2)
	wantErr(t, err, nil)
	if o["amount_out"] != "1" {
		t.Fatalf("2 in: %v", o)
	}
	// Buying one unit costs at least one unit plus the fee, rounded up.
	o, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), trader, &MsgSwap{Path: []string{id}, AssetIn: B, AmountOut: amtp(1), MaxIn: amtp(100)})
	})
	wantErr(t, err, nil)
	if o["amount_in"] != "2" {
		t.Fatalf("exact out 1: %v", o)
	}

	// Many dust round trips never make the trader richer or k smaller.
	before := add(e.bal(trader, A), e.bal(trader, B))
	info, _ := e.keeper().Pool(id)
	k0 := mul(info.ReserveA.Big(), info.ReserveB.Big())
	for i := 0; i < 200; i++ {
		if _, err := swapIn(A, 2+int64(i%3)); err != nil {
			t.Fatal(err)
		}
		if _, err := swapIn(B, 2+int64(i%2)); err != nil {
			t.Fatal(err)
		}
		info, _ = e.keeper().Pool(id)
		k1 := mul(info.ReserveA.Big(), info.ReserveB.Big())
		if k1.Cmp(k0) < 0 {
			t.Fatalf("k fell at %d", i)
		}
		k0 = k1
	}
	if after := add(e.bal(trader, A), e.bal(trader, B)); after.Cmp(before) > 0 {
		t.Fatalf("trader went from %s to %s units", before, after)
	}

	// Dust deposits: one unit of each mints what the reference says, and
	// never takes more than offered.
	info, _ = e.keeper().Pool(id)
	sh, px, py := refDeposit(b(1), b(1), info.ReserveA.Big(), info.ReserveB.Big(), info.TotalShares.Big())
	o, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecAdd(e.blk(), trader, &MsgAdd{Pool: id, AmountA: ledger.NewAmount(1), AmountB: ledger.NewAmount(1)})
	})
	if sh.Sign() == 0 {
		wantErr(t, err, ErrZeroAmount)
	} else if err != nil || o["shares"] != sh.String() || o["amount_a"] != px.String() || o["amount_b"] != py.String() {
		t.Fatalf("dust add %v, %v; reference %s %s %s", o, err, sh, px, py)
	}
	// Removing one share pays the floor of its worth; with about one unit
	// per share that is 0 or 1 of each side, and 0 fails.
	info, _ = e.keeper().Pool(id)
	ax, ay := refWithdraw(b(1), info.ReserveA.Big(), info.ReserveB.Big(), info.TotalShares.Big())
	o, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecRemove(e.blk(), lp, &MsgRemove{Pool: id, Shares: ledger.NewAmount(1)})
	})
	if ax.Sign() == 0 || ay.Sign() == 0 {
		wantErr(t, err, ErrZeroAmount)
	} else if err != nil || o["amount_a"] != ax.String() || o["amount_b"] != ay.String() {
		t.Fatalf("dust remove %v, %v; reference %s %s", o, err, ax, ay)
	}
	if err := ledger.CheckInvariants(e.kv); err != nil {
		t.Fatal(err)
	}
}
