package pools

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// Hop is one pool step of a swap or quote: what goes in and out of which
// pool, and the pool's reserves before the step.
type Hop struct {
	Pool       string        `json:"pool"`
	FeeBps     uint32        `json:"fee_bps"`
	AssetIn    string        `json:"asset_in"`
	AssetOut   string        `json:"asset_out"`
	AmountIn   ledger.Amount `json:"amount_in"`
	AmountOut  ledger.Amount `json:"amount_out"`
	ReserveIn  ledger.Amount `json:"reserve_in"`
	ReserveOut ledger.Amount `json:"reserve_out"`
	// SpotPrice is reserve_out/reserve_in before the step, reduced "n/d".
	SpotPrice string `json:"spot_price"`
}

// step is a hop being planned, in big integers.
type step struct {
	st       *state
	in, out  string
	rIn      *big.Int
	rOut     *big.Int
	amtIn    *big.Int
	amtOut   *big.Int
	feeBps   uint32
	poolAddr ledger.Address
}

func checkPathShape(path []string) error {
	if len(path) == 0 || len(path) > MaxPathLen {
		return fmt.Errorf("%w: path has %d pools, want 1 to %d", ErrBadPath, len(path), MaxPathLen)
	}
	for i := range path {
		for j := 0; j < i; j++ {
			if path[i] == path[j] {
				return fmt.Errorf("%w: pool %q appears twice", ErrBadPath, path[i])
			}
		}
	}
	return nil
}

// route loads the pools of path and checks that they connect, starting with
// assetIn. The pools are distinct, so each step's reserves are independent
// of the others.
func (k *Keeper) route(path []string, assetIn string) ([]*step, error) {
	if err := checkPathShape(path); err != nil {
		return nil, err
	}
	if _, err := k.fungible(assetIn); err != nil {
		return nil, err
	}
	steps := make([]*step, 0, len(path))
	cur := assetIn
	for i, id := range path {
		st, err := k.load(id)
		if err != nil {
			return nil, fmt.Errorf("path[%d]: %w", i, err)
		}
		next, ok := st.Other(cur)
		if !ok {
			return nil, fmt.Errorf("%w: path[%d] %s holds %s and %s, not %s", ErrBadPath, i, id, st.AssetA, st.AssetB, cur)
		}
		rIn, rOut := st.reserve(cur), st.reserve(next)
		if rIn.Sign() == 0 || rOut.Sign() == 0 {
			return nil, fmt.Errorf("%w: %s is empty", ErrInsufficientLiquidity, id)
		}
		steps = append(steps, &step{st: st, in: cur, out: next, rIn: rIn, rOut: rOut, feeBps: st.FeeBps, poolAddr: st.Account})
		cur = next
	}
	if cur == assetIn {
		return nil, fmt.Errorf("%w: path ends in the asset it starts with", ErrBadPath)
	}
	return steps, nil
}

// planIn fills the steps' amounts for amountIn going in at the front.
func planIn(steps []*step, amountIn *big.Int) error {
	a := amountIn
	for i, s := range steps {
		out := SwapOut(a, s.rIn, s.rOut, s.feeBps)
		if out.Sign() == 0 {
			return fmt.Errorf("%w: %s %s into %s (hop %d) yields nothing", ErrZeroAmount, a, s.in, s.st.ID, i)
		}
		s.amtIn, s.amtOut = a, out
		a = out
	}
	return nil
}

// planOut fills the steps' amounts for amountOut coming out at the end.
func planOut(steps []*step, amountOut *big.Int) error {
	a := amountOut
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		in, err := SwapIn(a, s.rIn, s.rOut, s.feeBps)
		if err != nil {
			return fmt.Errorf("hop %d (%s): %w", i, s.st.ID, err)
		}
		s.amtIn, s.amtOut = in, a
		a = in
	}
	return nil
}

func (s *step) hop() (Hop, error) {
	in, err := amt("amount_in", s.amtIn)
	if err != nil {
		return Hop{}, err
	}
	out, err := amt("amount_out", s.amtOut)
	if err != nil {
		return Hop{}, err
	}
	rIn, _ := ledger.AmountFromBig(s.rIn)
	rOut, _ := ledger.AmountFromBig(s.rOut)
	return Hop{Pool: s.st.ID, FeeBps: s.feeBps, AssetIn: s.in, AssetOut: s.out, AmountIn: in,
		AmountOut: out, ReserveIn: rIn, ReserveOut: rOut, SpotPrice: Ratio(s.rOut, s.rIn)}, nil
}

// execute moves the planned amounts: trader → first pool, each pool → the
// next, last pool → trader; it checks that no pool's k decreases.
func (k *Keeper) execute(trader ledger.Address, steps []*step) ([]Hop, error) {
	hops := make([]Hop, len(steps))
	for i, s := range steps {
		if trader == s.poolAddr {
			return nil, fmt.Errorf("%w: trader is the account of %s", ledger.ErrSelfTransfer, s.st.ID)
		}
		h, err := s.hop()
		if err != nil {
			return nil, err
		}
		// k' = (rIn+in)*(rOut-out) >= rIn*rOut, and out < rOut.
		if s.amtOut.Cmp(s.rOut) >= 0 {
			return nil, fmt.Errorf("%w: %s would pay out its whole reserve", ErrInsufficientLiquidity, s.st.ID)
		}
		k0 := new(big.Int).Mul(s.rIn, s.rOut)
		k1 := new(big.Int).Mul(new(big.Int).Add(s.rIn, s.amtIn), new(big.Int).Sub(s.rOut, s.amtOut))
		if k1.Cmp(k0) < 0 {
			return nil, fmt.Errorf("%w: %s k would fall from %s to %s", ledger.ErrInvariant, s.st.ID, k0, k1)
		}
		hops[i] = h
	}
	if err := k.l.Transfer(trader, steps[0].poolAddr, hops[0].AssetIn, hops[0].AmountIn); err != nil {
		return nil, fmt.Errorf("pay %s: %w", hops[0].AssetIn, err)
	}
	for i, s := range steps {
		to := trader
		if i+1 < len(steps) {
			to = steps[i+1].poolAddr
		}
		if err := k.l.Transfer(s.poolAddr, to, hops[i].AssetOut, hops[i].AmountOut); err != nil {
			return nil, fmt.Errorf("hop %d (%s) pay out %s: %w", i, s.st.ID, hops[i].AssetOut, err)
		}
	}
	for i, s := range steps {
		err := k.emitReserves("pool_swap", s.st, "pool", s.st.ID, "trader", trader.String(),
			"asset_in", hops[i].AssetIn, "amount_in", hops[i].AmountIn.String(),
			"asset_out", hops[i].AssetOut, "amount_out", hops[i].AmountOut.String(),
			"hop", strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
	}
	return hops, nil
}

// Swap sells exactly amountIn of assetIn along path (pool ids) for at least
// minOut of the path's last asset, paid by and to trader, and returns the
// amount out. It is all or nothing: on error it has written nothing. It is
// the entry point for agreements ("a pool swap as an action").
func (k *Keeper) Swap(blk ledger.Block, trader ledger.Address, path []string, assetIn string, amountIn ledger.Amount, minOut ledger.Amount) (ledger.Amount, error) {
	if amountIn.IsZero() {
		return ledger.Amount{}, fmt.Errorf("swap: %w: amount_in", ErrZeroAmount)
	}
	hops, err := k.swapAlong(trader, path, assetIn, func(steps []*step) error {
		if err := planIn(steps, amountIn.Big()); err != nil {
			return err
		}
		last := steps[len(steps)-1]
		if last.amtOut.Cmp(minOut.Big()) < 0 {
			return fmt.Errorf("%w: %s %s out, min_out %s", ErrSlippage, last.amtOut, last.out, minOut)
		}
		return nil
	})
	if err != nil {
		return ledger.Amount{}, fmt.Errorf("swap %s along %v: %w", assetIn, path, err)
	}
	return hops[len(hops)-1].AmountOut, nil
}

// SwapExactOut buys exactly amountOut of the path's last asset for at most
// maxIn of assetIn, paid by and to trader, and returns the amount paid in.
// All or nothing.
func (k *Keeper) SwapExactOut(blk ledger.Block, trader ledger.Address, path []string, assetIn string, amountOut ledger.Amount, maxIn ledger.Amount) (ledger.Amount, error) {
	if amountOut.IsZero() {
		return ledger.Amount{}, fmt.Errorf("swap: %w: amount_out", ErrZeroAmount)
	}
	hops, err := k.swapAlong(trader, path, assetIn, func(steps []*step) error {
		if err := planOut(steps, amountOut.Big()); err != nil {
			return err
		}
		if need := steps[0].amtIn; need.Cmp(maxIn.Big()) > 0 {
			return fmt.Errorf("%w: needs %s %s, max_in %s", ErrMaxInExceeded, need, assetIn, maxIn)
		}
		return nil
	})
	if err != nil {
		return ledger.Amount{}, fmt.Errorf("swap %s along %v for exact out: %w", assetIn, path, err)
	}
	return hops[0].AmountIn, nil
}

// swapAlong routes assetIn along path, lets plan size the steps (and refuse
// them), and executes them for trader, all or nothing (see atomic).
func (k *Keeper) swapAlong(trader ledger.Address, path []string, assetIn string, plan func(steps []*step) error) ([]Hop, error) {
	var hops []Hop
	err := k.atomic(func(t *Keeper) error {
		steps, err := t.route(path, assetIn)
		if err != nil {
			return err
		}
		if err := plan(steps); err != nil {
			return err
		}
		hops, err = t.execute(trader, steps)
		return err
	})
	if err != nil {
		return nil, err
	}
	return hops, nil
}

// ExecSwap executes MsgSwap. Output: "amount_in", "amount_out", "asset_in",
// "asset_out", "path" (pool ids joined by ",").
func (k *Keeper) ExecSwap(blk ledger.Block, signer ledger.Address, m *MsgSwap) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	if err := checkExpiry(blk, m.Expiry); err != nil {
		return nil, err
	}
	if _, err := k.fungible(m.AssetIn); err != nil {
		return nil, fmt.Errorf("swap %s: %w", m.AssetIn, err)
	}
	assetOut, err := k.pathOut(m.Path, m.AssetIn)
	if err != nil {
		return nil, fmt.Errorf("swap %s along %v: %w", m.AssetIn, m.Path, err)
	}
	var in, out ledger.Amount
	if m.AmountIn != nil {
		in = *m.AmountIn
		out, err = k.Swap(blk, signer, m.Path, m.AssetIn, in, *m.MinOut)
	} else {
		out = *m.AmountOut
		in, err = k.SwapExactOut(blk, signer, m.Path, m.AssetIn, out, *m.MaxIn)
	}
	if err != nil {
		return nil, err
	}
	return ledger.Output{"amount_in": in.String(), "amount_out": out.String(),
		"asset_in": m.AssetIn, "asset_out": assetOut, "path": strings.Join(m.Path, ",")}, nil
}

// pathOut returns the asset a valid path ends in.
func (k *Keeper) pathOut(path []string, assetIn string) (string, error) {
	cur := assetIn
	for _, id := range path {
		p, err := k.getPool(id)
		if err != nil {
			return "", err
		}
		next, ok := p.Other(cur)
		if !ok {
			return "", fmt.Errorf("%w: %s does not hold %s", ErrBadPath, id, cur)
		}
		cur = next
	}
	return cur, nil
}
