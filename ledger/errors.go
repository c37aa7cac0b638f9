package ledger

import (
	"errors"

	"github.com/riffchain/riffchain/ledger/codes"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }

// Sentinel errors. The app maps each one to a stable ABCI code; wrap them
// with context using fmt.Errorf("...: %w", err).
var (
	ErrInvalidAddress    = errs.New(12, "invalid address")
	ErrInvalidAmount     = errs.New(13, "invalid amount")
	ErrOverflow          = errs.New(14, "arithmetic overflow")
	ErrUnknownAsset      = errs.New(15, "unknown asset")
	ErrAssetExists       = errs.New(19, "asset already exists")
	ErrInsufficientFunds = errs.New(16, "insufficient funds")
	ErrNotOwner          = errs.New(17, "not the owner of the item")
	ErrNotIssuer         = errs.New(18, "not the issuer of the asset")
	ErrWrongAssetKind    = errs.New(20, "wrong asset kind")
	ErrMaxSupply         = errs.New(21, "max supply exceeded")
	ErrUnknownItem       = errs.New(22, "unknown item")
	ErrItemExists        = errs.New(23, "item already exists")
	ErrInvalidAsset      = errs.New(24, "invalid asset definition")
	ErrSelfTransfer      = errs.New(36, "sender and recipient are the same")
	ErrStore             = errs.New(28, "state store failure")
	ErrPruned            = errs.New(32, "state version pruned")
	ErrInvariant         = errs.New(29, "invariant violated")
	ErrUnknownAccount    = errors.New("unknown account")
	ErrReservedAsset     = errors.New("reserved asset id")
)
