package pools

import (
	"errors"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Quote is a read-only answer to "what would this swap do now": the path,
// the exact amounts (what executing the same swap in the same state
// yields), every hop with its reserves, and the execution price.
type Quote struct {
	Path      []string      `json:"path"`
	AssetIn   string        `json:"asset_in"`
	AssetOut  string        `json:"asset_out"`
	AmountIn  ledger.Amount `json:"amount_in"`
	AmountOut ledger.Amount `json:"amount_out"`
	// Price is amount_out/amount_in as a reduced fraction "n/d"; PriceE18
	// is floor(amount_out*10^18/amount_in).
	Price    string `json:"price"`
	PriceE18 string `json:"price_e18"`
	Hops     []Hop  `json:"hops"`
}

func quoteOf(steps []*step) (Quote, error) {
	q := Quote{AssetIn: steps[0].in, AssetOut: steps[len(steps)-1].out}
	for _, s := range steps {
		h, err := s.hop()
		if err != nil {
			return Quote{}, err
		}
		q.Path = append(q.Path, s.st.ID)
		q.Hops = append(q.Hops, h)
	}
	q.AmountIn = q.Hops[0].AmountIn
	q.AmountOut = q.Hops[len(q.Hops)-1].AmountOut
	q.Price = Ratio(q.AmountOut.Big(), q.AmountIn.Big())
	q.PriceE18 = Scaled(q.AmountOut.Big(), q.AmountIn.Big())
	return q, nil
}

// QuotePath quotes selling exactly amountIn of assetIn along path.
func (k *Keeper) QuotePath(path []string, assetIn string, amountIn ledger.Amount) (Quote, error) {
	if amountIn.IsZero() {
		return Quote{}, fmt.Errorf("%w: amount_in", ErrZeroAmount)
	}
	steps, err := k.route(path, assetIn)
	if err != nil {
		return Quote{}, err
	}
	if err := planIn(steps, amountIn.Big()); err != nil {
		return Quote{}, err
	}
	return quoteOf(steps)
}

// QuotePathExactOut quotes buying exactly amountOut of the path's last asset
// with assetIn along path.
func (k *Keeper) QuotePathExactOut(path []string, assetIn string, amountOut ledger.Amount) (Quote, error) {
	if amountOut.IsZero() {
		return Quote{}, fmt.Errorf("%w: amount_out", ErrZeroAmount)
	}
	steps, err := k.route(path, assetIn)
	if err != nil {
		return Quote{}, err
	}
	if err := planOut(steps, amountOut.Big()); err != nil {
		return Quote{}, err
	}
	return quoteOf(steps)
}

// candidatePaths lists every direct path (one pool holding both assets) and
// every two-hop path (assetIn → M → assetOut) in creation order of the
// first pool, then of the second.
func (k *Keeper) candidatePaths(assetIn, assetOut string) ([][]string, error) {
	first, err := k.poolIDs(assetIn)
	if err != nil {
		return nil, err
	}
	var direct, twoHop [][]string
	for _, id1 := range first {
		p1, err := k.getPool(id1)
		if err != nil {
			return nil, err
		}
		mid, _ := p1.Other(assetIn)
		if mid == assetOut {
			direct = append(direct, []string{id1})
			continue
		}
		second, err := k.poolIDs(mid)
		if err != nil {
			return nil, err
		}
		for _, id2 := range second {
			p2, err := k.getPool(id2)
			if err != nil {
				return nil, err
			}
			if p2.Has(assetOut) {
				twoHop = append(twoHop, []string{id1, id2})
			}
		}
	}
	return append(direct, twoHop...), nil
}

// Quote finds the best way to sell exactly amountIn of assetIn for assetOut
// among the direct pools and the two-hop paths through one intermediate
// asset: the largest amount out; on a tie the shorter path, then the
// earlier-created pools. It fails with ErrNoRoute when no path yields a
// positive amount.
func (k *Keeper) Quote(amountIn ledger.Amount, assetIn, assetOut string) (Quote, error) {
	best, err := k.bestQuote(assetIn, assetOut, amountIn, "amount_in",
		func(path []string) (Quote, error) { return k.QuotePath(path, assetIn, amountIn) },
		func(q, best *Quote) bool { return q.AmountOut.Big().Cmp(best.AmountOut.Big()) > 0 })
	if err != nil {
		return Quote{}, err
	}
	if best == nil {
		return Quote{}, fmt.Errorf("%w: %s to %s", ErrNoRoute, assetIn, assetOut)
	}
	return *best, nil
}

// QuoteExactOut finds the cheapest way to buy exactly amountOut of assetOut
// with assetIn among the direct pools and the two-hop paths through one
// intermediate asset: the smallest amount in; on a tie the shorter path,
// then the earlier-created pools. It fails with ErrNoRoute when no path can
// deliver amountOut.
func (k *Keeper) QuoteExactOut(amountOut ledger.Amount, assetIn, assetOut string) (Quote, error) {
	best, err := k.bestQuote(assetIn, assetOut, amountOut, "amount_out",
		func(path []string) (Quote, error) { return k.QuotePathExactOut(path, assetIn, amountOut) },
		func(q, best *Quote) bool { return q.AmountIn.Big().Cmp(best.AmountIn.Big()) < 0 })
	if err != nil {
		return Quote{}, err
	}
	if best == nil {
		return Quote{}, fmt.Errorf("%w: %s %s from %s", ErrNoRoute, amountOut, assetOut, assetIn)
	}
	return *best, nil
}

// bestQuote is the search shared by Quote and QuoteExactOut: it checks the
// assets and the amount (named field in errors), prices every candidate path
// with price and keeps the first quote no later one is better than
// (candidatePaths lists shorter paths and earlier pools first, which breaks
// ties). Paths that cannot be priced (zero amounts, too little liquidity,
// overflow) are skipped; nil means none could be.
func (k *Keeper) bestQuote(assetIn, assetOut string, amount ledger.Amount, field string,
	price func(path []string) (Quote, error), better func(q, best *Quote) bool) (*Quote, error) {
	if assetIn == assetOut {
		return nil, fmt.Errorf("%w: %s", ErrSameAsset, assetIn)
	}
	if amount.IsZero() {
		return nil, fmt.Errorf("%w: %s", ErrZeroAmount, field)
	}
	for _, a := range []string{assetIn, assetOut} {
		if _, err := k.fungible(a); err != nil {
			return nil, err
		}
	}
	paths, err := k.candidatePaths(assetIn, assetOut)
	if err != nil {
		return nil, err
	}
	var best *Quote
	for _, path := range paths {
		q, err := price(path)
		if err != nil {
			if errors.Is(err, ErrZeroAmount) || errors.Is(err, ErrInsufficientLiquidity) || errors.Is(err, ledger.ErrOverflow) {
				continue
			}
			return nil, err
		}
		if best == nil || better(&q, best) {
			best = &q
		}
	}
	return best, nil
}

// PathIn returns the asset a path must start with to end in assetOut,
// walking the pools back to front, or ErrBadPath when it does not connect
// (ErrUnknownPool for a missing pool).
func (k *Keeper) PathIn(path []string, assetOut string) (string, error) {
	if err := checkPathShape(path); err != nil {
		return "", err
	}
	cur := assetOut
	for i := len(path) - 1; i >= 0; i-- {
		p, err := k.getPool(path[i])
		if err != nil {
			return "", fmt.Errorf("path[%d]: %w", i, err)
		}
		prev, ok := p.Other(cur)
		if !ok {
			return "", fmt.Errorf("%w: path[%d] %s holds %s and %s, not %s", ErrBadPath, i, p.ID, p.AssetA, p.AssetB, cur)
		}
		cur = prev
	}
	if cur == assetOut {
		return "", fmt.Errorf("%w: path starts with the asset it ends in", ErrBadPath)
	}
	return cur, nil
}
