package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// Admission policy errors (CheckTx only; see spec/tx.md "Admission policy").
var (
	ErrMempoolFull = errors.New("too many pending transactions for this account")
	ErrFeeTooLow   = errors.New("fee below this node's minimum")
)

func init() {
	registerCodes(codeEntry{ErrMempoolFull, CodeMempoolFull}, codeEntry{ErrFeeTooLow, CodeFeeTooLow})
}

// admit applies this node's admission policy (app.toml) to a tx that has
// already decoded and verified: size limit and minimum fee, and that the
// signer can pay the fee from committed state.
func (a *App) admit(size int, b *Body, snap *ledger.Snapshot) error {
	if max := a.Config.MaxTxBytes; max > 0 && size > max {
		return fmt.Errorf("%w: %d bytes, this node admits %d", ErrTxTooLarge, size, max)
	}
	if len(a.Config.MinFees) > 0 {
		if err := a.feeMeetsMinimum(b.Fee); err != nil {
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

func (a *App) feeMeetsMinimum(fee *Fee) error {
	var wants []string
	for _, m := range a.Config.MinFees {
		min, err := ledger.ParseAmount(m.Amount)
		if err != nil {
			return fmt.Errorf("%w: app.toml min_fees %s: %v", ErrInternal, m.Asset, err)
		}
		if fee != nil && fee.Asset == m.Asset && fee.Amount.Cmp(min) >= 0 {
			return nil
		}
		wants = append(wants, m.Amount+" "+m.Asset)
	}
	got := "none"
	if fee != nil {
		got = fee.Amount.String() + " " + fee.Asset
	}
	return fmt.Errorf("%w: fee %s, this node wants at least one of: %s", ErrFeeTooLow, got, strings.Join(wants, ", "))
}
