package pools

import (
	"errors"
	"math/big"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestCreateAddRemoveSwapHappyPath(t *testing.T) {
	e := newEnv(t, 3, 3, big.NewInt(1_000_000_000_000))
	A, B, C := e.assets[0], e.assets[1], e.assets[2]
	alice, bob := e.users[0], e.users[1]

	// Assets given in reverse order are sorted; amounts follow their asset.
	out, err := e.create(alice, B, A, big.NewInt(2_000_000), big.NewInt(1_000_000), 30)
	wantErr(t, err, nil)
	id := out["pool_id"]
	if id != "POOL-1" {
		t.Fatalf("pool id %q", id)
	}
	// floor(sqrt(1e6*2e6)) = 1414213, minus 1000 locked.
	if out["shares"] != "1413213" {
		t.Fatalf("shares %s", out["shares"])
	}
	k := e.keeper()
	info, err := k.Pool(id)
	wantErr(t, err, nil)
	if info.AssetA != A || info.AssetB != B || info.ReserveA.String() != "1000000" || info.ReserveB.String() != "2000000" {
		t.Fatalf("pool %+v", info)
	}
	if info.ShareAsset != out["share_asset"] || info.TotalShares.String() != "1414213" || info.PriceBA != "2/1" {
		t.Fatalf("pool %+v", info)
	}
	if got := e.bal(PoolAccount(id), info.ShareAsset); got.Int64() != MinimumLiquidity {
		t.Fatalf("locked shares %s", got)
	}
	sa, _ := e.ledger().Asset(info.ShareAsset)
	if sa.Issuer != PoolAccount(id) || sa.Kind != ledger.Fungible {
		t.Fatalf("share asset %+v", sa)
	}
	if got, err := k.PoolID(B, A, 30); err != nil || got != id {
		t.Fatalf("PoolID = %q, %v", got, err)
	}

	// Add: desired 100 A, 1000 B -> shares = min(100*S/X, 1000*S/Y) = 141;
	// pays ceil(141*X/S) = 100 A, ceil(141*Y/S) = 200 B.
	addOut, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecAdd(e.blk(), bob, &MsgAdd{Pool: id, AmountA: ledger.NewAmount(100), AmountB: ledger.NewAmount(1000), MinShares: ledger.NewAmount(141)})
	})
	wantErr(t, err, nil)
	if addOut["shares"] != "141" || addOut["amount_a"] != "100" || addOut["amount_b"] != "200" {
		t.Fatalf("add %v", addOut)
	}
	if e.bal(bob, info.ShareAsset).Int64() != 141 {
		t.Fatal("bob's shares")
	}

	// Swap exact in 10000 A: out = floor(10000*9970*2000200 / (1000100*10000 + 10000*9970)).
	swOut, events, err := e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), bob, &MsgSwap{Path: []string{id}, AssetIn: A, AmountIn: amtp(10000), MinOut: amtp(0)})
	})
	wantErr(t, err, nil)
	want := new(big.Int).Quo(big.NewInt(10000*9970*2000200), big.NewInt(1000100*10000+10000*9970))
	if swOut["amount_out"] != want.String() || swOut["amount_in"] != "10000" || swOut["asset_out"] != B {
		t.Fatalf("swap %v, want out %s", swOut, want)
	}
	var swapEv *ledger.Event
	for i := range events {
		if events[i].Type == "pool_swap" {
			swapEv = &events[i]
		}
	}
	if swapEv == nil {
		t.Fatal("no pool_swap event")
	}
	attrs := map[string]string{}
	for _, a := range swapEv.Attrs {
		attrs[a.Key] = a.Value
	}
	if attrs["pool"] != id || attrs["asset_in"] != A || attrs["amount_in"] != "10000" || attrs["asset_out"] != B ||
		attrs["amount_out"] != want.String() || attrs["trader"] != bob.String() {
		t.Fatalf("event %v", attrs)
	}

	// Exact out: buy 5000 A with B; in = ceil(Rb*5000*10000 / ((Ra-5000)*9970)).
	info, _ = e.keeper().Pool(id)
	ra, rb := info.ReserveA.Big(), info.ReserveB.Big()
	num := new(big.Int).Mul(rb, big.NewInt(5000*10000))
	den := new(big.Int).Mul(new(big.Int).Sub(ra, big.NewInt(5000)), big.NewInt(9970))
	wantIn := new(big.Int).Quo(new(big.Int).Add(num, new(big.Int).Sub(den, big.NewInt(1))), den)
	bobA := e.bal(bob, A)
	swOut, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), bob, &MsgSwap{Path: []string{id}, AssetIn: B, AmountOut: amtp(5000), MaxIn: amtp(1 << 40)})
	})
	wantErr(t, err, nil)
	if swOut["amount_in"] != wantIn.String() || swOut["amount_out"] != "5000" || swOut["asset_out"] != A {
		t.Fatalf("exact out %v, want in %s", swOut, wantIn)
	}
	if got := new(big.Int).Sub(e.bal(bob, A), bobA); got.Int64() != 5000 {
		t.Fatalf("bob got %s A", got)
	}

	// Remove bob's 141 shares.
	info, _ = e.keeper().Pool(id)
	wa := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(141), info.ReserveA.Big()), info.TotalShares.Big())
	wb := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(141), info.ReserveB.Big()), info.TotalShares.Big())
	rmOut, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecRemove(e.blk(), bob, &MsgRemove{Pool: id, Shares: ledger.NewAmount(141), MinAmountA: mustAmt(t, wa), MinAmountB: mustAmt(t, wb)})
	})
	wantErr(t, err, nil)
	if rmOut["amount_a"] != wa.String() || rmOut["amount_b"] != wb.String() || rmOut["shares"] != "141" {
		t.Fatalf("remove %v", rmOut)
	}
	if !e.bal(bob, info.ShareAsset).IsInt64() || e.bal(bob, info.ShareAsset).Sign() != 0 {
		t.Fatal("bob still holds shares")
	}

	// Multi-hop A -> B -> C through a second pool.
	id2 := e.mustCreate(alice, C, B, 3_000_000, 3_000_000, 100)
	q, err := e.keeper().QuotePath([]string{id, id2}, A, ledger.NewAmount(7777))
	wantErr(t, err, nil)
	bobC := e.bal(bob, C)
	swOut, _, err = e.run(func(k *Keeper) (ledger.Output, error) {
		return k.ExecSwap(e.blk(), bob, &MsgSwap{Path: []string{id, id2}, AssetIn: A, AmountIn: amtp(7777), MinOut: &q.AmountOut})
	})
	wantErr(t, err, nil)
	if swOut["amount_out"] != q.AmountOut.String() || swOut["asset_out"] != C {
		t.Fatalf("multi-hop %v, quote %s", swOut, q.AmountOut)
	}
	if got := new(big.Int).Sub(e.bal(bob, C), bobC); got.Cmp(q.AmountOut.Big()) != 0 {
		t.Fatalf("bob got %s C, quote %s", got, q.AmountOut)
	}
	if err := ledger.CheckInvariants(e.kv); err != nil {
		t.Fatal(err)
	}
}

// TestBadCasesLeaveStateUnchanged runs every failing case in a branch, as the
// app does, and checks the error and that not one key of state changed.
func TestBadCasesLeaveStateUnchanged(t *testing.T) {
	e := newEnv(t, 3, 4, big.NewInt(1_000_000_000_000))
	A, B, C, D := e.assets[0], e.assets[1], e.assets[2], e.assets[3]
	alice, bob := e.users[0], e.users[1]
	poor := user(99)
	p1 := e.mustCreate(alice, A, B, 1_000_000, 2_000_000, 30)
	p2 := e.mustCreate(alice, B, C, 1_000_000, 1_000_000, 30)
	share1 := e.keeper()
	info1, _ := share1.Pool(p1)
	// bob gets a few shares to remove.
	if err := e.ledger().Transfer(alice, bob, info1.ShareAsset, ledger.NewAmount(5000)); err != nil {
		t.Fatal(err)
	}
	e.height = 100
	zero := ledger.Amount{}
	big1 := ledger.NewAmount(1_000_000_000)

	create := func(signer ledger.Address, m *MsgCreate) func(k *Keeper) (ledger.Output, error) {
		return func(k *Keeper) (ledger.Output, error) { return k.ExecCreate(e.blk(), signer, m) }
	}
	add := func(signer ledger.Address, m *MsgAdd) func(k *Keeper) (ledger.Output, error) {
		return func(k *Keeper) (ledger.Output, error) { return k.ExecAdd(e.blk(), signer, m) }
	}
	remove := func(signer ledger.Address, m *MsgRemove) func(k *Keeper) (ledger.Output, error) {
		return func(k *Keeper) (ledger.Output, error) { return k.ExecRemove(e.blk(), signer, m) }
	}
	swap := func(signer ledger.Address, m *MsgSwap) func(k *Keeper) (ledger.Output, error) {
		return func(k *Keeper) (ledger.Output, error) { return k.ExecSwap(e.blk(), signer, m) }
	}
	n := func(v int64) ledger.Amount { return ledger.NewAmount(uint64(v)) }

	cases := []struct {
		name string
		fn   func(k *Keeper) (ledger.Output, error)
		want error
	}{
		{"create same asset", create(alice, &MsgCreate{AssetA: A, AssetB: A, AmountA: big1, AmountB: big1, FeeBps: 30}), ErrSameAsset},
		{"create unknown asset", create(alice, &MsgCreate{AssetA: A, AssetB: "NOPE-9", AmountA: big1, AmountB: big1, FeeBps: 30}), ledger.ErrUnknownAsset},
		{"create unique asset", create(alice, &MsgCreate{AssetA: A, AssetB: e.unique, AmountA: big1, AmountB: n(1), FeeBps: 30}), ledger.ErrWrongAssetKind},
		{"create zero amount", create(alice, &MsgCreate{AssetA: A, AssetB: D, AmountA: big1, AmountB: zero, FeeBps: 30}), ErrZeroAmount},
		{"create fee not in set", create(alice, &MsgCreate{AssetA: A, AssetB: D, AmountA: big1, AmountB: big1, FeeBps: 31}), ErrFeeNotAllowed},
		{"create fee zero", create(alice, &MsgCreate{AssetA: A, AssetB: D, AmountA: big1, AmountB: big1, FeeBps: 0}), ErrFeeNotAllowed},
		{"create pool exists", create(alice, &MsgCreate{AssetA: A, AssetB: B, AmountA: big1, AmountB: big1, FeeBps: 30}), ErrPoolExists},
		{"create pool exists reversed", create(alice, &MsgCreate{AssetA: B, AssetB: A, AmountA: big1, AmountB: big1, FeeBps: 30}), ErrPoolExists},
		{"create sqrt = 1000", create(alice, &MsgCreate{AssetA: A, AssetB: D, AmountA: n(1000), AmountB: n(1000), FeeBps: 30}), ErrInsufficientLiquidity},
		{"create sqrt < 1000", create(alice, &MsgCreate{AssetA: A, AssetB: D, AmountA: n(1), AmountB: n(1_000_000), FeeBps: 30}), ErrInsufficientLiquidity},
		{"create insufficient funds", create(poor, &MsgCreate{AssetA: A, AssetB: D, AmountA: big1, AmountB: big1, FeeBps: 30}), ledger.ErrInsufficientFunds},

		{"add unknown pool", add(bob, &MsgAdd{Pool: "POOL-77", AmountA: n(100), AmountB: n(100)}), ErrUnknownPool},
		{"add zero amount", add(bob, &MsgAdd{Pool: p1, AmountA: n(100), AmountB: zero}), ErrZeroAmount},
		{"add min shares not met", add(bob, &MsgAdd{Pool: p1, AmountA: n(1000), AmountB: n(2000), MinShares: n(1415)}), ErrSlippage},
		{"add dust mints nothing", add(bob, &MsgAdd{Pool: p1, AmountA: n(1), AmountB: n(1)}), ErrZeroAmount},
		{"add expired", add(bob, &MsgAdd{Pool: p1, AmountA: n(1000), AmountB: n(2000), Expiry: 99}), ErrExpired},
		{"add insufficient funds", add(poor, &MsgAdd{Pool: p1, AmountA: n(1000), AmountB: n(2000)}), ledger.ErrInsufficientFunds},

		{"remove unknown pool", remove(bob, &MsgRemove{Pool: "POOL-77", Shares: n(10)}), ErrUnknownPool},
		{"remove zero shares", remove(bob, &MsgRemove{Pool: p1, Shares: zero}), ErrZeroAmount},
		{"remove more than held", remove(bob, &MsgRemove{Pool: p1, Shares: n(5001)}), ErrInsufficientShares},
		{"remove with none held", remove(poor, &MsgRemove{Pool: p1, Shares: n(1)}), ErrInsufficientShares},
		{"remove min out a", remove(bob, &MsgRemove{Pool: p1, Shares: n(5000), MinAmountA: n(3536)}), ErrSlippage},
		{"remove min out b", remove(bob, &MsgRemove{Pool: p1, Shares: n(5000), MinAmountB: n(7072)}), ErrSlippage},
		{"remove dust", remove(bob, &MsgRemove{Pool: p1, Shares: n(1)}), ErrZeroAmount},
		{"remove expired", remove(bob, &MsgRemove{Pool: p1, Shares: n(10), Expiry: 50}), ErrExpired},
		{"remove locked shares as pool account", remove(PoolAccount(p1), &MsgRemove{Pool: p1, Shares: n(1000)}), ErrInsufficientShares},

		{"swap unknown pool", swap(bob, &MsgSwap{Path: []string{"POOL-77"}, AssetIn: A, AmountIn: amtp(100), MinOut: amtp(0)}), ErrUnknownPool},
		{"swap unknown asset", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: "NOPE-9", AmountIn: amtp(100), MinOut: amtp(0)}), ledger.ErrUnknownAsset},
		{"swap unique asset", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: e.unique, AmountIn: amtp(1), MinOut: amtp(0)}), ledger.ErrWrongAssetKind},
		{"keeper swap unknown asset", func(k *Keeper) (ledger.Output, error) {
			_, err := k.Swap(e.blk(), bob, []string{p1}, "NOPE-9", n(10), zero)
			return nil, err
		}, ledger.ErrUnknownAsset},
		{"keeper exact out max in", func(k *Keeper) (ledger.Output, error) {
			_, err := k.SwapExactOut(e.blk(), bob, []string{p1, p2}, A, n(1000), n(10))
			return nil, err
		}, ErrMaxInExceeded},
		{"swap path does not connect", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: C, AmountIn: amtp(100), MinOut: amtp(0)}), ErrBadPath},
		{"swap path second hop wrong", swap(bob, &MsgSwap{Path: []string{p1, p1}, AssetIn: A, AmountIn: amtp(1000), MinOut: amtp(0)}), ErrBadPath},
		{"swap path cycles to start", swap(bob, &MsgSwap{Path: []string{p1, p2}, AssetIn: B, AmountIn: amtp(1000), MinOut: amtp(0)}), ErrBadPath},
		{"swap empty path", swap(bob, &MsgSwap{Path: nil, AssetIn: A, AmountIn: amtp(100), MinOut: amtp(0)}), ErrBadPath},
		{"swap path too long", swap(bob, &MsgSwap{Path: []string{"P1", "P2", "P3", "P4", "P5"}, AssetIn: A, AmountIn: amtp(100), MinOut: amtp(0)}), ErrBadPath},
		{"swap zero in", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountIn: amtp(0), MinOut: amtp(0)}), ErrZeroAmount},
		{"swap zero out", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountOut: amtp(0), MaxIn: amtp(10)}), ErrZeroAmount},
		{"swap both modes", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountIn: amtp(100), MinOut: amtp(0), AmountOut: amtp(1)}), ErrSwapMode},
		{"swap no min_out", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountIn: amtp(100)}), ErrSwapMode},
		{"swap no max_in", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountOut: amtp(100)}), ErrSwapMode},
		{"swap dust rounds to zero", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: B, AmountIn: amtp(1), MinOut: amtp(0)}), ErrZeroAmount},
		{"swap min out not met", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountIn: amtp(1000), MinOut: amtp(1993)}), ErrSlippage},
		{"swap multi-hop min out not met", swap(bob, &MsgSwap{Path: []string{p1, p2}, AssetIn: A, AmountIn: amtp(1000), MinOut: amtp(1_000_000)}), ErrSlippage},
		{"swap max in exceeded", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountOut: amtp(1990), MaxIn: amtp(998)}), ErrMaxInExceeded},
		{"swap multi-hop max in exceeded", swap(bob, &MsgSwap{Path: []string{p1, p2}, AssetIn: A, AmountOut: amtp(1000), MaxIn: amtp(10)}), ErrMaxInExceeded},
		{"swap exact out whole reserve", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountOut: amtp(2_000_000), MaxIn: &big1}), ErrInsufficientLiquidity},
		{"swap exact out above reserve", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountOut: amtp(5_000_000), MaxIn: &big1}), ErrInsufficientLiquidity},
		{"swap expired", swap(bob, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountIn: amtp(1000), MinOut: amtp(0), Expiry: 99}), ErrExpired},
		{"swap insufficient funds", swap(poor, &MsgSwap{Path: []string{p1}, AssetIn: A, AmountIn: amtp(1000), MinOut: amtp(0)}), ledger.ErrInsufficientFunds},
		{"swap as pool account", func(k *Keeper) (ledger.Output, error) {
			_, err := k.Swap(e.blk(), PoolAccount(p1), []string{p1}, A, n(1000), n(0))
			return nil, err
		}, ledger.ErrSelfTransfer},
		{"keeper swap zero", func(k *Keeper) (ledger.Output, error) {
			_, err := k.Swap(e.blk(), bob, []string{p1}, A, zero, zero)
			return nil, err
		}, ErrZeroAmount},
		// Control, last because it moves reserves: C -> B -> A connects.
		{"control multi-hop succeeds", swap(bob, &MsgSwap{Path: []string{p2, p1}, AssetIn: C, AmountIn: amtp(1000), MinOut: amtp(0)}), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.dump()
			_, _, err := e.run(tc.fn)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("control case failed: %v", err)
				}
				if sameDump(before, e.dump()) {
					t.Fatal("successful swap changed nothing")
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !sameDump(before, e.dump()) {
				t.Fatal("state changed")
			}
		})
	}
	if err := ledger.CheckInvariants(e.kv); err != nil {
		t.Fatal(err)
	}
}

func TestExpiryBoundary(t *testing.T) {
	e := newEnv(t, 2, 2, big.NewInt(1_000_000_000))
	p := e.mustCreate(e.users[0], e.assets[0], e.assets[1], 1_000_000, 1_000_000, 5)
	for _, tc := range []struct {
		height, expiry int64
		want           error
	}{{10, 10, nil}, {10, 11, nil}, {10, 0, nil}, {11, 10, ErrExpired}} {
		e.height = tc.height - 1 // run() increments
		_, _, err := e.run(func(k *Keeper) (ledger.Output, error) {
			return k.ExecSwap(e.blk(), e.users[1], &MsgSwap{Path: []string{p}, AssetIn: e.assets[0], AmountIn: amtp(1000), MinOut: amtp(0), Expiry: tc.expiry})
		})
		wantErr(t, err, tc.want)
	}
}

func TestOnePoolPerPairAndFee(t *testing.T) {
	e := newEnv(t, 1, 2, big.NewInt(1_000_000_000))
	A, B := e.assets[0], e.assets[1]
	ids := map[string]bool{}
	for _, fee := range FeeTiers {
		id := e.mustCreate(e.users[0], A, B, 1_000_000, 1_000_000, fee)
		if ids[id] {
			t.Fatalf("duplicate id %s", id)
		}
		ids[id] = true
		_, err := e.create(e.users[0], B, A, big.NewInt(1_000_000), big.NewInt(1_000_000), fee)
		wantErr(t, err, ErrPoolExists)
	}
	all, err := e.keeper().Pools("")
	wantErr(t, err, nil)
	if len(all) != len(FeeTiers) || all[0].ID != "POOL-1" || all[2].ID != "POOL-3" {
		t.Fatalf("pools %+v", all)
	}
	withA, _ := e.keeper().Pools(A)
	none, _ := e.keeper().Pools("TKZ-1")
	if len(withA) != 3 || len(none) != 0 {
		t.Fatalf("filtered pools %d %d", len(withA), len(none))
	}
}

// TestDonationBeforeCreation: tokens sent to the next pool's address before
// it exists count towards the first deposit; they neither block creation
// nor break reserves == balances.
func TestDonationBeforeCreation(t *testing.T) {
	e := newEnv(t, 2, 2, big.NewInt(1_000_000_000))
	A, B := e.assets[0], e.assets[1]
	if err := e.ledger().Transfer(e.users[1], PoolAccount("POOL-1"), A, ledger.NewAmount(3_000_000)); err != nil {
		t.Fatal(err)
	}
	id := e.mustCreate(e.users[0], A, B, 1_000_000, 4_000_000, 30)
	info, _ := e.keeper().Pool(id)
	if info.ReserveA.String() != "4000000" || info.TotalShares.String() != "4000000" {
		t.Fatalf("pool %+v", info)
	}
}
