package pools

import (
	"fmt"
	"math/big"

	"github.com/riffchain/riffchain/ledger"
)

// BPS is the fee denominator: fees are in basis points of the input.
const BPS = 10000

// MinimumLiquidity is the number of shares minted on creation to the pool's
// own account, where no one can ever spend them.
const MinimumLiquidity = 1000

// FeeTiers is the set of allowed fees, in basis points, in ascending order.
var FeeTiers = []uint32{5, 30, 100}

// FeeAllowed reports whether fee is one of FeeTiers.
func FeeAllowed(fee uint32) bool {
	for _, f := range FeeTiers {
		if f == fee {
			return true
		}
	}
	return false
}

var (
	bigBPS  = big.NewInt(BPS)
	bigMinL = big.NewInt(MinimumLiquidity)
)

// ceilDiv returns ceil(n/d) for n >= 0, d > 0.
func ceilDiv(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// InitialShares returns floor(sqrt(x*y)), the shares a pool's first deposit
// mints in total (MinimumLiquidity of them locked).
func InitialShares(x, y *big.Int) *big.Int {
	return new(big.Int).Sqrt(new(big.Int).Mul(x, y))
}

// SwapOut returns the output of an exact-in swap:
// floor(in*(10000-fee)*rOut / (rIn*10000 + in*(10000-fee))).
func SwapOut(in, rIn, rOut *big.Int, fee uint32) *big.Int {
	inFee := new(big.Int).Mul(in, big.NewInt(int64(BPS-fee)))
	num := new(big.Int).Mul(inFee, rOut)
	den := new(big.Int).Add(new(big.Int).Mul(rIn, bigBPS), inFee)
	if den.Sign() == 0 {
		return new(big.Int)
	}
	return num.Quo(num, den)
}

// SwapIn returns the input an exact-out swap needs:
// ceil(rIn*out*10000 / ((rOut-out)*(10000-fee))). It returns
// ErrInsufficientLiquidity when out >= rOut.
func SwapIn(out, rIn, rOut *big.Int, fee uint32) (*big.Int, error) {
	if out.Cmp(rOut) >= 0 {
		return nil, fmt.Errorf("%w: want %s out of a reserve of %s", ErrInsufficientLiquidity, out, rOut)
	}
	num := new(big.Int).Mul(rIn, out)
	num.Mul(num, bigBPS)
	den := new(big.Int).Sub(rOut, out)
	den.Mul(den, big.NewInt(int64(BPS-fee)))
	return ceilDiv(num, den), nil
}

// DepositShares returns the shares a deposit of up to (dx, dy) mints into a
// pool with reserves (x, y) and share supply s, and the amounts actually
// taken: shares = min(floor(dx*s/x), floor(dy*s/y)), taken =
// (ceil(shares*x/s), ceil(shares*y/s)), never more than (dx, dy).
func DepositShares(dx, dy, x, y, s *big.Int) (shares, ax, ay *big.Int) {
	sa := new(big.Int).Quo(new(big.Int).Mul(dx, s), x)
	sb := new(big.Int).Quo(new(big.Int).Mul(dy, s), y)
	shares = sa
	if sb.Cmp(sa) < 0 {
		shares = sb
	}
	ax = ceilDiv(new(big.Int).Mul(shares, x), s)
	ay = ceilDiv(new(big.Int).Mul(shares, y), s)
	return shares, ax, ay
}

// WithdrawAmounts returns what burning shares of a pool with reserves (x,
// y) and share supply s pays: (floor(shares*x/s), floor(shares*y/s)).
func WithdrawAmounts(shares, x, y, s *big.Int) (ax, ay *big.Int) {
	ax = new(big.Int).Quo(new(big.Int).Mul(shares, x), s)
	ay = new(big.Int).Quo(new(big.Int).Mul(shares, y), s)
	return ax, ay
}

// amt converts a non-negative big.Int to a ledger.Amount, wrapping
// ledger.ErrOverflow with what for context.
func amt(what string, b *big.Int) (ledger.Amount, error) {
	a, err := ledger.AmountFromBig(b)
	if err != nil {
		return ledger.Amount{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

// Ratio returns num/den reduced to lowest terms as "n/d" (integers only);
// "0/1" when num is zero and "" when den is zero.
func Ratio(num, den *big.Int) string {
	if den.Sign() == 0 {
		return ""
	}
	if num.Sign() == 0 {
		return "0/1"
	}
	g := new(big.Int).GCD(nil, nil, num, den)
	return new(big.Int).Quo(num, g).String() + "/" + new(big.Int).Quo(den, g).String()
}

// PriceScale is the scale of the *_e18 price fields: floor(num*10^18/den).
var PriceScale = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

// Scaled returns floor(num*10^18/den) as a decimal string, "" when den is
// zero.
func Scaled(num, den *big.Int) string {
	if den.Sign() == 0 {
		return ""
	}
	return new(big.Int).Quo(new(big.Int).Mul(num, PriceScale), den).String()
}
