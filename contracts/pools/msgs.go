package pools

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Message type names, for the app's router.
const (
	TypeCreate = "pool/create"
	TypeAdd    = "pool/add"
	TypeRemove = "pool/remove"
	TypeSwap   = "pool/swap"
)

// MaxPathLen is the most pools one swap may pass through.
const MaxPathLen = 4

// MsgCreate creates the pool for the unordered pair (AssetA, AssetB) and
// FeeBps, depositing AmountA of AssetA and AmountB of AssetB from the signer.
// The signer receives floor(sqrt(x*y)) - MinimumLiquidity shares.
type MsgCreate struct {
	AssetA  string        `json:"asset_a" validate:"required,assetid"`
	AssetB  string        `json:"asset_b" validate:"required,assetid"`
	AmountA ledger.Amount `json:"amount_a"`
	AmountB ledger.Amount `json:"amount_b"`
	FeeBps  uint32        `json:"fee_bps"`
}

// MsgAdd deposits up to AmountA of the pool's asset_a and AmountB of its
// asset_b, in the pool's ratio, for at least MinShares shares.
type MsgAdd struct {
	Pool      string        `json:"pool" validate:"required,maxbytes=32"`
	AmountA   ledger.Amount `json:"amount_a"`
	AmountB   ledger.Amount `json:"amount_b"`
	MinShares ledger.Amount `json:"min_shares"`
	Expiry    int64         `json:"expiry,omitempty" validate:"min=0"`
}

// MsgRemove burns Shares of the pool's share asset for at least MinAmountA
// of asset_a and MinAmountB of asset_b.
type MsgRemove struct {
	Pool       string        `json:"pool" validate:"required,maxbytes=32"`
	Shares     ledger.Amount `json:"shares"`
	MinAmountA ledger.Amount `json:"min_amount_a"`
	MinAmountB ledger.Amount `json:"min_amount_b"`
	Expiry     int64         `json:"expiry,omitempty" validate:"min=0"`
}

// MsgSwap swaps along Path (pool ids), starting with AssetIn. Exactly one
// mode: AmountIn with MinOut (exact in) or AmountOut with MaxIn (exact out).
type MsgSwap struct {
	Path      []string       `json:"path" validate:"required,min=1,max=4,dive,required,maxbytes=32"`
	AssetIn   string         `json:"asset_in" validate:"required,assetid"`
	AmountIn  *ledger.Amount `json:"amount_in,omitempty"`
	MinOut    *ledger.Amount `json:"min_out,omitempty"`
	AmountOut *ledger.Amount `json:"amount_out,omitempty"`
	MaxIn     *ledger.Amount `json:"max_in,omitempty"`
	Expiry    int64          `json:"expiry,omitempty" validate:"min=0"`
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgCreate) Check() error {
	if m.AssetA == m.AssetB {
		return fmt.Errorf("%w: %s", ErrSameAsset, m.AssetA)
	}
	if !FeeAllowed(m.FeeBps) {
		return fmt.Errorf("%w: %d bps (allowed %v)", ErrFeeNotAllowed, m.FeeBps, FeeTiers)
	}
	if m.AmountA.IsZero() || m.AmountB.IsZero() {
		return fmt.Errorf("%w: both deposits must be positive", ErrZeroAmount)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgAdd) Check() error {
	if m.AmountA.IsZero() || m.AmountB.IsZero() {
		return fmt.Errorf("%w: both deposits must be positive", ErrZeroAmount)
	}
	if m.Expiry < 0 {
		return fmt.Errorf("%w: negative expiry", ErrExpired)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgRemove) Check() error {
	if m.Shares.IsZero() {
		return fmt.Errorf("%w: shares must be positive", ErrZeroAmount)
	}
	if m.Expiry < 0 {
		return fmt.Errorf("%w: negative expiry", ErrExpired)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgSwap) Check() error {
	if len(m.Path) == 0 || len(m.Path) > MaxPathLen {
		return fmt.Errorf("%w: path has %d pools, want 1 to %d", ErrBadPath, len(m.Path), MaxPathLen)
	}
	seen := make(map[string]bool, len(m.Path))
	for _, id := range m.Path {
		if seen[id] {
			return fmt.Errorf("%w: pool %q appears twice", ErrBadPath, id)
		}
		seen[id] = true
	}
	exactIn := m.AmountIn != nil && m.MinOut != nil && m.AmountOut == nil && m.MaxIn == nil
	exactOut := m.AmountOut != nil && m.MaxIn != nil && m.AmountIn == nil && m.MinOut == nil
	if !exactIn && !exactOut {
		return ErrSwapMode
	}
	if exactIn && m.AmountIn.IsZero() {
		return fmt.Errorf("%w: amount_in", ErrZeroAmount)
	}
	if exactOut && m.AmountOut.IsZero() {
		return fmt.Errorf("%w: amount_out", ErrZeroAmount)
	}
	if m.Expiry < 0 {
		return fmt.Errorf("%w: negative expiry", ErrExpired)
	}
	return nil
}

// checkExpiry fails when the block is past a non-zero expiry height.
func checkExpiry(blk ledger.Block, expiry int64) error {
	if expiry != 0 && blk.Height > expiry {
		return fmt.Errorf("%w: at height %d, expiry %d", ErrExpired, blk.Height, expiry)
	}
	return nil
}
