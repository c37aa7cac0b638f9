package app

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// Admission policy errors (CheckTx only; see spec/tx.md "Admission policy").
var (
	ErrMempoolFull = errs.New(30, "too many pending transactions for this account")
	ErrFeeTooLow   = errs.New(31, "fee below this node's minimum")
)

// admit applies this node's admission policy (app.toml) to a tx that has
// already decoded and verified: size limit and minimum fee, and that the
// signer can pay the fee from committed state.
func (a *App) admit(size int, b *Body, snap *ledger.Snapshot) error {
	if max := a.Config.MaxTxBytes; max > 0 && size > max {
		return fmt.Errorf("%w: %d bytes, this node admits %d", ErrTxTooLarge, size, max)
	}
	if len(a.Config.MinFees) > 0 {
		if err := a.feeMeetsMinimum(b.Fee, b.Gas); err != nil {
			return err
		}
	}
	if b.Fee != nil && !b.Fee.Amount.IsZero() && snap != nil {
		bal, err := ledger.New(ledger.ReadOnly(snap), nil).Balance(b.Signer, b.Fee.Asset)
		if err != nil {
			return err
		}
		if bal.Cmp(b.Fee.Amount) < 0 {
			return fmt.Errorf("pay fee: %w: have %s %s, fee %s", ledger.ErrInsufficientFunds, bal, b.Fee.Asset, b.Fee.Amount)
		}
	}
	return nil
}

func (a *App) feeMeetsMinimum(fee *Fee, gasLimit uint64) error {
	var wants []string
	for _, m := range a.Config.MinFees {
		min, err := ledger.ParseAmount(m.Amount)
		if err != nil {
			return fmt.Errorf("%w: app.toml min_fees %s: %v", ErrInternal, m.Asset, err)
		}
		if m.PerGas > 0 {
			// Per gas: what this tx's declared limit comes to (above
			// 2^128-1 no fee can pay it).
			min, err = perGas(min, uint64(m.PerGas), gasLimit)
			if err != nil {
				wants = append(wants, fmt.Sprintf("%s %s per %d gas (more than any amount for gas %d)", m.Amount, m.Asset, m.PerGas, gasLimit))
				continue
			}
		}
		if fee != nil && fee.Asset == m.Asset && fee.Amount.Cmp(min) >= 0 {
			return nil
		}
		if m.PerGas > 0 {
			wants = append(wants, fmt.Sprintf("%s %s (%s per %d gas, for gas %d)", min, m.Asset, m.Amount, m.PerGas, gasLimit))
			continue
		}
		wants = append(wants, m.Amount+" "+m.Asset)
	}
	got := "none"
	if fee != nil {
		got = fee.Amount.String() + " " + fee.Asset
	}
	return fmt.Errorf("%w: fee %s, this node wants at least one of: %s", ErrFeeTooLow, got, strings.Join(wants, ", "))
}

// perGas is the minimum fee for a tx declaring gasLimit when amount is
// asked per `per` units of gas: ceil(amount × gasLimit / per).
func perGas(amount ledger.Amount, per, gasLimit uint64) (ledger.Amount, error) {
	n := new(big.Int).Mul(amount.Big(), new(big.Int).SetUint64(gasLimit))
	d := new(big.Int).SetUint64(per)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return ledger.AmountFromBig(q)
}
