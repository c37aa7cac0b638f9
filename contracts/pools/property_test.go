package pools

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// model is the test's own account of every pool, advanced with the
// reference formulas; after every step it must agree with the ledger.
type model struct {
	ids   []string
	pools map[string]*refPool
	pairs map[string]string
}

type refPool struct {
	id, a, b, share string
	fee             uint32
	x, y, s         *big.Int
}

func (p *refPool) res(asset string) *big.Int {
	if asset == p.a {
		return p.x
	}
	return p.y
}

func (p *refPool) other(asset string) string {
	if asset == p.a {
		return p.b
	}
	return p.a
}

func (p *refPool) move(in, out string, din, dout *big.Int) {
	if in == p.a {
		p.x, p.y = add(p.x, din), sub(p.y, dout)
	} else {
		p.y, p.x = add(p.y, din), sub(p.x, dout)
	}
	_ = out
}

type snapshot struct{ x, y, s *big.Int }

// propRun drives random create/add/remove/swap (exact in and out, one to
// three hops), share transfers, donations and round trips from many
// accounts, predicting every result and error with the reference model,
// and checks after every step that:
//   - each pool's reserves equal its account's ledger balances and the
//     model's, its share supply equals the share asset's supply and the
//     model's, and MinimumLiquidity stays locked;
//   - k/S^2 never decreases; k never decreases when S is unchanged; per-share
//     reserves never decrease outside swaps;
//   - ledger.CheckInvariants passes and base asset supplies are unchanged;
//   - failed steps change nothing; round trips never return more than was
//     put in.
func propRun(t *testing.T, seed uint64, steps int) {
	fund := bigOf("1000000000000000000000000") // 10^24 per user per asset
	e := newEnv(t, 8, 4, fund)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	m := &model{pools: map[string]*refPool{}, pairs: map[string]string{}}
	baseSupply := map[string]*big.Int{}
	for _, a := range e.assets {
		baseSupply[a] = e.supply(a)
	}
	randAmt := func(maxExp int) *big.Int {
		exp := r.IntN(maxExp + 1)
		lim := new(big.Int).Exp(b(10), b(int64(exp)), nil)
		return add(randBelow(r, lim), b(1))
	}
	pickUser := func() ledger.Address { return e.users[r.IntN(len(e.users))] }
	pickPool := func() *refPool {
		if len(m.ids) == 0 {
			return nil
		}
		return m.pools[m.ids[r.IntN(len(m.ids))]]
	}
	prev := map[string]snapshot{}
	stats := map[string]int{}

	check := func(step int, op string, swapped bool) {
		t.Helper()
		for _, id := range m.ids {
			p := m.pools[id]
			acct := PoolAccount(id)
			bx, by, ss := e.bal(acct, p.a), e.bal(acct, p.b), e.supply(p.share)
			if bx.Cmp(p.x) != 0 || by.Cmp(p.y) != 0 || ss.Cmp(p.s) != 0 {
				t.Fatalf("step %d %s: %s ledger (%s, %s, S=%s), model (%s, %s, S=%s)", step, op, id, bx, by, ss, p.x, p.y, p.s)
			}
			info, err := e.keeper().Pool(id)
			if err != nil || info.ReserveA.Big().Cmp(bx) != 0 || info.ReserveB.Big().Cmp(by) != 0 || info.TotalShares.Big().Cmp(ss) != 0 {
				t.Fatalf("step %d %s: Pool(%s) = %+v, %v", step, op, id, info, err)
			}
			if locked := e.bal(acct, p.share); locked.Cmp(b(MinimumLiquidity)) != 0 {
				t.Fatalf("step %d %s: %s locked shares %s", step, op, id, locked)
			}
			if q, ok := prev[id]; ok {
				k0, k1 := mul(q.x, q.y), mul(p.x, p.y)
				// k1/s1^2 >= k0/s0^2
				if mul(k1, mul(q.s, q.s)).Cmp(mul(k0, mul(p.s, p.s))) < 0 {
					t.Fatalf("step %d %s: %s k/S^2 fell", step, op, id)
				}
				if q.s.Cmp(p.s) == 0 && k1.Cmp(k0) < 0 {
					t.Fatalf("step %d %s: %s k fell from %s to %s", step, op, id, k0, k1)
				}
				if !swapped && (mul(p.x, q.s).Cmp(mul(q.x, p.s)) < 0 || mul(p.y, q.s).Cmp(mul(q.y, p.s)) < 0) {
					t.Fatalf("step %d %s: %s reserves per share fell", step, op, id)
				}
			}
			prev[id] = snapshot{p.x, p.y, p.s}
		}
		for _, a := range e.assets {
			if e.supply(a).Cmp(baseSupply[a]) != 0 {
				t.Fatalf("step %d %s: supply of %s changed", step, op, a)
			}
		}
		if err := ledger.CheckInvariants(e.kv); err != nil {
			t.Fatalf("step %d %s: %v", step, op, err)
		}
	}

	// expect runs fn and checks its error against want; a failure must not
	// change state. It returns the output when it succeeded.
	expect := func(step int, op string, want error, fn func(k *Keeper) (ledger.Output, error)) ledger.Output {
		t.Helper()
		before := e.dump()
		out, _, err := e.run(fn)
		if want == nil && err != nil {
			t.Fatalf("step %d %s: unexpected error %v", step, op, err)
		}
		if want != nil {
			if !errors.Is(err, want) {
				t.Fatalf("step %d %s: error %v, want %v", step, op, err, want)
			}
			if !sameDump(before, e.dump()) {
				t.Fatalf("step %d %s: failed operation changed state", step, op)
			}
			stats[op+" fails"]++
			return nil
		}
		stats[op]++
		return out
	}
	wantOut := func(step int, op string, out ledger.Output, key string, v *big.Int) {
		t.Helper()
		if out[key] != v.String() {
			t.Fatalf("step %d %s: output %s = %q, reference %s (%v)", step, op, key, out[key], v, out)
		}
	}

	doCreate := func(step int) {
		i, j := r.IntN(len(e.assets)), r.IntN(len(e.assets))
		if i == j {
			return
		}
		a, bb := e.assets[i], e.assets[j]
		fee := FeeTiers[r.IntN(len(FeeTiers))]
		u := pickUser()
		da, db := randAmt(22), randAmt(22)
		if r.IntN(4) == 0 {
			da = randAmt(3)
		}
		sa, sb := a, bb
		xa, xb := da, db
		if sb < sa {
			sa, sb, xa, xb = sb, sa, xb, xa
		}
		pk := string(PairKey(a, bb, fee))
		var want error
		switch {
		case m.pairs[pk] != "":
			want = ErrPoolExists
		case e.bal(u, a).Cmp(da) < 0 || e.bal(u, bb).Cmp(db) < 0:
			want = ledger.ErrInsufficientFunds
		case refSqrt(mul(da, db)).Cmp(b(MinimumLiquidity)) <= 0:
			want = ErrInsufficientLiquidity
		}
		msg := &MsgCreate{AssetA: a, AssetB: bb, AmountA: mustAmt(t, da), AmountB: mustAmt(t, db), FeeBps: fee}
		out := expect(step, "create", want, func(k *Keeper) (ledger.Output, error) { return k.ExecCreate(e.blk(), u, msg) })
		if out == nil {
			return
		}
		total := refSqrt(mul(da, db))
		wantOut(step, "create", out, "shares", sub(total, b(MinimumLiquidity)))
		id := out["pool_id"]
		if id != fmt.Sprintf("POOL-%d", len(m.ids)+1) {
			t.Fatalf("step %d: pool id %s", step, id)
		}
		m.ids = append(m.ids, id)
		m.pairs[pk] = id
		m.pools[id] = &refPool{id: id, a: sa, b: sb, share: out["share_asset"], fee: fee, x: xa, y: xb, s: total}
	}

	// addLiquidity returns (shares, paidA, paidB) or nil on failure.
	addLiquidity := func(step int, op string, u ledger.Address, p *refPool, dx, dy *big.Int, slip bool) []*big.Int {
		sh, px, py := refDeposit(dx, dy, p.x, p.y, p.s)
		minSh := new(big.Int)
		if r.IntN(2) == 0 {
			minSh = new(big.Int).Set(sh)
		}
		if slip {
			minSh = add(sh, b(1))
		}
		var want error
		switch {
		case sh.Sign() == 0:
			want = ErrZeroAmount
		case sh.Cmp(minSh) < 0:
			want = ErrSlippage
		case e.bal(u, p.a).Cmp(px) < 0 || e.bal(u, p.b).Cmp(py) < 0:
			want = ledger.ErrInsufficientFunds
		}
		msg := &MsgAdd{Pool: p.id, AmountA: mustAmt(t, dx), AmountB: mustAmt(t, dy), MinShares: mustAmt(t, minSh)}
		out := expect(step, op, want, func(k *Keeper) (ledger.Output, error) { return k.ExecAdd(e.blk(), u, msg) })
		if out == nil {
			return nil
		}
		wantOut(step, op, out, "shares", sh)
		wantOut(step, op, out, "amount_a", px)
		wantOut(step, op, out, "amount_b", py)
		p.x, p.y, p.s = add(p.x, px), add(p.y, py), add(p.s, sh)
		return []*big.Int{sh, px, py}
	}

	removeLiquidity := func(step int, op string, u ledger.Address, p *refPool, sh *big.Int, slip bool) []*big.Int {
		ax, ay := refWithdraw(sh, p.x, p.y, p.s)
		minA, minB := new(big.Int), new(big.Int)
		if r.IntN(2) == 0 {
			minA, minB = ax, ay
		}
		if slip {
			minA = add(ax, b(1))
		}
		var want error
		switch {
		case e.bal(u, p.share).Cmp(sh) < 0:
			want = ErrInsufficientShares
		case ax.Sign() == 0 || ay.Sign() == 0:
			want = ErrZeroAmount
		case ax.Cmp(minA) < 0 || ay.Cmp(minB) < 0:
			want = ErrSlippage
		}
		msg := &MsgRemove{Pool: p.id, Shares: mustAmt(t, sh), MinAmountA: mustAmt(t, minA), MinAmountB: mustAmt(t, minB)}
		out := expect(step, op, want, func(k *Keeper) (ledger.Output, error) { return k.ExecRemove(e.blk(), u, msg) })
		if out == nil {
			return nil
		}
		wantOut(step, op, out, "amount_a", ax)
		wantOut(step, op, out, "amount_b", ay)
		p.x, p.y, p.s = sub(p.x, ax), sub(p.y, ay), sub(p.s, sh)
		return []*big.Int{ax, ay}
	}

	// randomPath returns 1 to 3 distinct connected pools from a random
	// start, the asset going in, or nil.
	randomPath := func() ([]*refPool, string) {
		p := pickPool()
		if p == nil {
			return nil, ""
		}
		in := p.a
		if r.IntN(2) == 0 {
			in = p.b
		}
		path := []*refPool{p}
		used := map[string]bool{p.id: true}
		cur := p.other(in)
		for n := r.IntN(3); n > 0; n-- {
			var next []*refPool
			for _, id := range m.ids {
				q := m.pools[id]
				if !used[id] && (q.a == cur || q.b == cur) && q.other(cur) != in {
					next = append(next, q)
				}
			}
			if len(next) == 0 {
				break
			}
			q := next[r.IntN(len(next))]
			path = append(path, q)
			used[q.id] = true
			cur = q.other(cur)
		}
		return path, in
	}
	ids := func(path []*refPool) []string {
		var s []string
		for _, p := range path {
			s = append(s, p.id)
		}
		return s
	}

	swapIn := func(step int, op string, u ledger.Address, path []*refPool, in string, amount *big.Int, slip bool) *big.Int {
		var want error
		outs := make([]*big.Int, len(path))
		a, cur := amount, in
		for i, p := range path {
			outs[i] = refOut(a, p.res(cur), p.res(p.other(cur)), p.fee)
			if outs[i].Sign() == 0 && want == nil {
				want = ErrZeroAmount
			}
			a, cur = outs[i], p.other(cur)
		}
		minOut := new(big.Int)
		if r.IntN(2) == 0 {
			minOut = new(big.Int).Set(a)
		}
		if slip {
			minOut = add(a, b(1))
		}
		if want == nil && a.Cmp(minOut) < 0 {
			want = ErrSlippage
		}
		if want == nil && e.bal(u, in).Cmp(amount) < 0 {
			want = ledger.ErrInsufficientFunds
		}
		ai, mo := mustAmt(t, amount), mustAmt(t, minOut)
		msg := &MsgSwap{Path: ids(path), AssetIn: in, AmountIn: &ai, MinOut: &mo}
		balOut := e.bal(u, cur)
		out := expect(step, op, want, func(k *Keeper) (ledger.Output, error) { return k.ExecSwap(e.blk(), u, msg) })
		if out == nil {
			return nil
		}
		wantOut(step, op, out, "amount_out", a)
		wantOut(step, op, out, "amount_in", amount)
		if len(path) > 1 {
			stats["multi-hop swap in"]++
		}
		if got := sub(e.bal(u, cur), balOut); got.Cmp(a) != 0 {
			t.Fatalf("step %d %s: trader received %s, want %s", step, op, got, a)
		}
		a, cur = amount, in
		for i, p := range path {
			p.move(cur, p.other(cur), a, outs[i])
			a, cur = outs[i], p.other(cur)
		}
		return a
	}

	swapOut := func(step int, op string, u ledger.Address, path []*refPool, in string, amount *big.Int) {
		var want error
		assets := []string{in}
		for _, p := range path {
			assets = append(assets, p.other(assets[len(assets)-1]))
		}
		ins := make([]*big.Int, len(path))
		a := amount
		for i := len(path) - 1; i >= 0; i-- {
			p := path[i]
			ins[i] = refIn(a, p.res(assets[i]), p.res(assets[i+1]), p.fee)
			if ins[i] == nil {
				want = ErrInsufficientLiquidity
				break
			}
			a = ins[i]
		}
		maxIn := new(big.Int).Set(maxAmt)
		if want == nil {
			switch r.IntN(3) {
			case 0:
				maxIn = capMax(new(big.Int).Set(a))
			case 1:
				maxIn = capMax(sub(a, b(1)))
			}
			if a.Cmp(maxIn) > 0 {
				want = ErrMaxInExceeded
			}
			if want == nil && e.bal(u, in).Cmp(a) < 0 {
				want = ledger.ErrInsufficientFunds
			}
		}
		ao, mi := mustAmt(t, amount), mustAmt(t, maxIn)
		msg := &MsgSwap{Path: ids(path), AssetIn: in, AmountOut: &ao, MaxIn: &mi}
		out := expect(step, op, want, func(k *Keeper) (ledger.Output, error) { return k.ExecSwap(e.blk(), u, msg) })
		if out == nil {
			return
		}
		wantOut(step, op, out, "amount_in", a)
		wantOut(step, op, out, "amount_out", amount)
		if len(path) > 1 {
			stats["multi-hop swap out"]++
		}
		for i, p := range path {
			out := amount
			if i+1 < len(path) {
				out = ins[i+1]
			}
			p.move(assets[i], assets[i+1], ins[i], out)
		}
	}

	for step := 0; step < steps; step++ {
		op := r.IntN(100)
		swapped := false
		name := ""
		switch {
		case op < 8 || len(m.ids) < 3:
			name = "create"
			doCreate(step)
		case op < 25:
			name = "add"
			p, u := pickPool(), pickUser()
			dx, dy := randAmt(21), randAmt(21)
			if r.IntN(2) == 0 { // roughly proportional
				dy = add(div(mul(dx, p.y), p.x), b(int64(r.IntN(3))))
			}
			addLiquidity(step, name, u, p, dx, dy, r.IntN(10) == 0)
		case op < 37:
			name = "remove"
			p, u := pickPool(), pickUser()
			held := e.bal(u, p.share)
			sh := randAmt(20)
			if held.Sign() > 0 && r.IntN(4) != 0 {
				sh = add(randBelow(r, held), b(1))
			}
			removeLiquidity(step, name, u, p, sh, r.IntN(10) == 0)
		case op < 62:
			name, swapped = "swap in", true
			path, in := randomPath()
			swapIn(step, name, pickUser(), path, in, randAmt(21), r.IntN(10) == 0)
		case op < 77:
			name, swapped = "swap out", true
			path, in := randomPath()
			last := path[len(path)-1]
			cur := in
			for _, p := range path {
				cur = p.other(cur)
			}
			amount := randAmt(20)
			if r.IntN(3) == 0 { // near the reserve
				amount = sub(last.res(cur), randBelow(r, b(3)))
			}
			if amount.Sign() <= 0 {
				amount = b(1)
			}
			swapOut(step, name, pickUser(), path, in, amount)
		case op < 82:
			name = "share transfer"
			p, from, to := pickPool(), pickUser(), pickUser()
			held := e.bal(from, p.share)
			if from == to || held.Sign() == 0 {
				continue
			}
			amount := add(randBelow(r, held), b(1))
			if err := e.ledger().Transfer(from, to, p.share, mustAmt(t, amount)); err != nil {
				t.Fatalf("step %d: share transfer: %v", step, err)
			}
			stats[name]++
		case op < 85:
			name = "donation"
			p, u := pickPool(), pickUser()
			asset := p.a
			if r.IntN(2) == 0 {
				asset = p.b
			}
			amount := randAmt(12)
			if err := e.ledger().Transfer(u, PoolAccount(p.id), asset, mustAmt(t, amount)); err != nil {
				t.Fatalf("step %d: donation: %v", step, err)
			}
			p.move(asset, "", amount, b(0))
			stats[name]++
		case op < 93:
			name = "round trip add/remove"
			p, u := pickPool(), pickUser()
			dx, dy := randAmt(20), randAmt(20)
			got := addLiquidity(step, name+" (add)", u, p, dx, dy, false)
			check(step, name+" (add)", false)
			if got == nil {
				continue
			}
			back := removeLiquidity(step, name+" (remove)", u, p, got[0], false)
			if back != nil && (back[0].Cmp(got[1]) > 0 || back[1].Cmp(got[2]) > 0) {
				t.Fatalf("step %d: add (%s, %s) then remove returned (%s, %s)", step, got[1], got[2], back[0], back[1])
			}
		default:
			name, swapped = "round trip swap", true
			path, in := randomPath()
			u := pickUser()
			amount := randAmt(21)
			out := swapIn(step, name+" (there)", u, path, in, amount, false)
			check(step, name+" (there)", true)
			if out == nil {
				continue
			}
			rev := make([]*refPool, len(path))
			for i, p := range path {
				rev[len(path)-1-i] = p
			}
			cur := in
			for _, p := range path {
				cur = p.other(cur)
			}
			back := swapIn(step, name+" (back)", u, rev, cur, out, false)
			if back != nil && back.Cmp(amount) > 0 {
				t.Fatalf("step %d: swapped %s %s and back for %s", step, amount, in, back)
			}
		}
		check(step, name, swapped)
	}
	t.Logf("seed %d: %v", seed, stats)
	for _, op := range []string{"create", "add", "remove", "swap in", "swap out", "round trip add/remove (remove)", "round trip swap (back)", "multi-hop swap in", "multi-hop swap out", "donation"} {
		if stats[op] == 0 {
			t.Errorf("no successful %q in %d steps", op, steps)
		}
	}
}

func TestPropertyRandomSequences(t *testing.T) {
	steps := 1000
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		steps, seeds = 300, seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { propRun(t, seed, steps) })
	}
}
