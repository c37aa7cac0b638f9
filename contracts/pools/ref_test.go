package pools

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

// A straightforward reference implementation of the pool formulas, written
// after Uniswap v2's getAmountOut / getAmountIn / Math.sqrt and the router's
// add/remove maths, with big.Int. The differential tests compare the
// package against it, and against the inequalities that define each
// rounding, over random inputs from 1 to 2^128-1.

func b(n int64) *big.Int { return big.NewInt(n) }

func add(x, y *big.Int) *big.Int { return new(big.Int).Add(x, y) }
func sub(x, y *big.Int) *big.Int { return new(big.Int).Sub(x, y) }
func mul(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) }
func div(x, y *big.Int) *big.Int { return new(big.Int).Div(x, y) }

func refOut(in, rIn, rOut *big.Int, fee uint32) *big.Int {
	inWithFee := mul(in, b(int64(10000-fee)))
	numerator := mul(inWithFee, rOut)
	denominator := add(mul(rIn, b(10000)), inWithFee)
	return div(numerator, denominator)
}

// refIn returns nil when out cannot be bought (out >= rOut).
func refIn(out, rIn, rOut *big.Int, fee uint32) *big.Int {
	if out.Cmp(rOut) >= 0 {
		return nil
	}
	numerator := mul(mul(rIn, out), b(10000))
	denominator := mul(sub(rOut, out), b(int64(10000-fee)))
	return div(sub(add(numerator, denominator), b(1)), denominator)
}

// refSqrt is the Babylonian method of Uniswap's Math.sqrt.
func refSqrt(y *big.Int) *big.Int {
	if y.Cmp(b(3)) > 0 {
		z := new(big.Int).Set(y)
		x := add(div(y, b(2)), b(1))
		for x.Cmp(z) < 0 {
			z = x
			x = div(add(div(y, x), x), b(2))
		}
		return z
	}
	if y.Sign() != 0 {
		return b(1)
	}
	return b(0)
}

func refMin(x, y *big.Int) *big.Int {
	if x.Cmp(y) < 0 {
		return x
	}
	return y
}

func refDeposit(dx, dy, x, y, s *big.Int) (shares, px, py *big.Int) {
	shares = refMin(div(mul(dx, s), x), div(mul(dy, s), y))
	px = div(sub(add(mul(shares, x), s), b(1)), s)
	py = div(sub(add(mul(shares, y), s), b(1)), s)
	return
}

func refWithdraw(shares, x, y, s *big.Int) (ax, ay *big.Int) {
	return div(mul(shares, x), s), div(mul(shares, y), s)
}

// randBig returns a random integer in [1, 2^bits-1] with bits itself
// random in [1, maxBits], so that every magnitude is exercised.
func randBig(r *rand.Rand, maxBits int) *big.Int {
	bits := 1 + r.IntN(maxBits)
	n := new(big.Int)
	for i := 0; i < 4; i++ {
		n.Lsh(n, 32)
		n.Or(n, big.NewInt(int64(r.Uint32())))
	}
	n.Rsh(n, uint(128-bits))
	if n.Sign() == 0 {
		n.SetInt64(1)
	}
	return n
}

// randBelow returns a random integer in [0, lim) for lim > 0.
func randBelow(r *rand.Rand, lim *big.Int) *big.Int {
	n := new(big.Int)
	for n.BitLen() < lim.BitLen()+64 {
		n.Lsh(n, 64)
		n.Or(n, new(big.Int).SetUint64(r.Uint64()))
	}
	return n.Mod(n, lim)
}

func capMax(n *big.Int) *big.Int {
	if n.Cmp(maxAmt) > 0 {
		return new(big.Int).Set(maxAmt)
	}
	return n
}

func TestDifferentialFormulas(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	n := 10000
	if testing.Short() {
		n = 2000
	}
	bps := b(BPS)
	for i := 0; i < n; i++ {
		fee := FeeTiers[r.IntN(len(FeeTiers))]
		f := b(int64(BPS - fee))
		rIn, rOut, in := randBig(r, 128), randBig(r, 128), randBig(r, 128)

		// Exact in.
		got := SwapOut(in, rIn, rOut, fee)
		want := refOut(in, rIn, rOut, fee)
		if got.Cmp(want) != 0 {
			t.Fatalf("SwapOut(%s, %s, %s, %d) = %s, reference %s", in, rIn, rOut, fee, got, want)
		}
		// out is the largest o with o*(rIn*B + in*f) <= in*f*rOut: the
		// fee-adjusted k = (rIn*B + in*f)*(rOut-o) never falls.
		d := add(mul(rIn, bps), mul(in, f))
		lim := mul(mul(in, f), rOut)
		if mul(got, d).Cmp(lim) > 0 || mul(add(got, b(1)), d).Cmp(lim) <= 0 {
			t.Fatalf("SwapOut(%s, %s, %s, %d) = %s is not the floor", in, rIn, rOut, fee, got)
		}
		if got.Cmp(rOut) >= 0 {
			t.Fatalf("SwapOut drains the reserve")
		}
		if mul(add(rIn, in), sub(rOut, got)).Cmp(mul(rIn, rOut)) < 0 {
			t.Fatalf("k fell on exact in")
		}

		// Exact out, for an out below the reserve.
		out := new(big.Int).Rem(randBig(r, 128), rOut)
		if out.Sign() == 0 {
			out.SetInt64(1)
		}
		gin, err := SwapIn(out, rIn, rOut, fee)
		win := refIn(out, rIn, rOut, fee)
		if out.Cmp(rOut) >= 0 { // only when rOut == 1
			if !errors.Is(err, ErrInsufficientLiquidity) || win != nil {
				t.Fatalf("SwapIn of the whole reserve accepted")
			}
			continue
		}
		if err != nil || gin.Cmp(win) != 0 {
			t.Fatalf("SwapIn(%s, %s, %s, %d) = %v, %v, reference %s", out, rIn, rOut, fee, gin, err, win)
		}
		// in is the smallest i with i*f*(rOut-out) >= rIn*out*B.
		lhs := func(i *big.Int) *big.Int { return mul(mul(i, f), sub(rOut, out)) }
		need := mul(mul(rIn, out), bps)
		if lhs(gin).Cmp(need) < 0 || lhs(sub(gin, b(1))).Cmp(need) >= 0 {
			t.Fatalf("SwapIn(%s, %s, %s, %d) = %s is not the ceiling", out, rIn, rOut, fee, gin)
		}
		// Paying gin must buy at least out when sold exact in.
		if SwapOut(gin, rIn, rOut, fee).Cmp(out) < 0 {
			t.Fatalf("exact-in of SwapIn(%s) yields less than %s", gin, out)
		}
		if _, err := SwapIn(rOut, rIn, rOut, fee); err == nil {
			t.Fatal("SwapIn of the whole reserve accepted")
		}

		// Liquidity: reserves and a supply, a deposit, a withdrawal.
		x, y := randBig(r, 128), randBig(r, 128)
		s := capMax(refSqrt(mul(x, y)))
		if s.Sign() == 0 {
			continue
		}
		if InitialShares(x, y).Cmp(refSqrt(mul(x, y))) != 0 {
			t.Fatalf("InitialShares(%s, %s) = %s, reference %s", x, y, InitialShares(x, y), refSqrt(mul(x, y)))
		}
		dx, dy := randBig(r, 128), randBig(r, 128)
		sh, px, py := DepositShares(dx, dy, x, y, s)
		wsh, wpx, wpy := refDeposit(dx, dy, x, y, s)
		if sh.Cmp(wsh) != 0 || px.Cmp(wpx) != 0 || py.Cmp(wpy) != 0 {
			t.Fatalf("DepositShares(%s, %s, %s, %s, %s) = %s %s %s, reference %s %s %s", dx, dy, x, y, s, sh, px, py, wsh, wpx, wpy)
		}
		if px.Cmp(dx) > 0 || py.Cmp(dy) > 0 {
			t.Fatalf("deposit takes more than offered")
		}
		// Rounded in the pool's favour: pays at least shares' worth, and
		// per-share reserves do not fall.
		if mul(px, s).Cmp(mul(sh, x)) < 0 || mul(py, s).Cmp(mul(sh, y)) < 0 {
			t.Fatalf("deposit pays less than its shares are worth")
		}
		if mul(add(x, px), s).Cmp(mul(x, add(s, sh))) < 0 || mul(add(y, py), s).Cmp(mul(y, add(s, sh))) < 0 {
			t.Fatalf("deposit dilutes the pool")
		}
		burn := new(big.Int).Rem(randBig(r, 128), s)
		ax, ay := WithdrawAmounts(burn, x, y, s)
		wax, way := refWithdraw(burn, x, y, s)
		if ax.Cmp(wax) != 0 || ay.Cmp(way) != 0 {
			t.Fatalf("WithdrawAmounts(%s, %s, %s, %s) = %s %s, reference %s %s", burn, x, y, s, ax, ay, wax, way)
		}
		if mul(ax, s).Cmp(mul(burn, x)) > 0 || mul(add(ax, b(1)), s).Cmp(mul(burn, x)) <= 0 {
			t.Fatalf("withdrawal of A is not the floor")
		}
		if mul(sub(x, ax), s).Cmp(mul(x, sub(s, burn))) < 0 || mul(sub(y, ay), s).Cmp(mul(y, sub(s, burn))) < 0 {
			t.Fatalf("withdrawal takes more than its share")
		}
	}
}

func TestSqrtEdges(t *testing.T) {
	for _, tc := range []struct{ x, y, want string }{
		{"1000", "1000", "1000"},
		{"1001", "1000", "1000"},
		{"1001", "1001", "1001"},
		{"1000000", "2000000", "1414213"},
		{maxAmt.String(), maxAmt.String(), maxAmt.String()},
		{maxAmt.String(), "1", "18446744073709551615"},
	} {
		if got := InitialShares(bigOf(tc.x), bigOf(tc.y)).String(); got != tc.want {
			t.Errorf("InitialShares(%s, %s) = %s, want %s", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestRatioAndScaled(t *testing.T) {
	for _, tc := range []struct {
		n, d       int64
		ratio, e18 string
	}{
		{2000000, 1000000, "2/1", "2000000000000000000"},
		{1, 3, "1/3", "333333333333333333"},
		{0, 5, "0/1", "0"},
		{6, 4, "3/2", "1500000000000000000"},
		{5, 0, "", ""},
	} {
		if got := Ratio(b(tc.n), b(tc.d)); got != tc.ratio {
			t.Errorf("Ratio(%d, %d) = %q, want %q", tc.n, tc.d, got, tc.ratio)
		}
		if got := Scaled(b(tc.n), b(tc.d)); got != tc.e18 {
			t.Errorf("Scaled(%d, %d) = %q, want %q", tc.n, tc.d, got, tc.e18)
		}
	}
}
