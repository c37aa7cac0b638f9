package pools

import (
	"github.com/riffchain/riffchain/ledger/codes"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }

// Sentinel errors of the pools module. Errors about assets reuse the
// ledger's sentinels by wrapping: an unknown asset is ledger.ErrUnknownAsset,
// a unique asset is ledger.ErrWrongAssetKind, a missing balance is
// ledger.ErrInsufficientFunds, a sum above 2^128-1 is ledger.ErrOverflow.
var (
	ErrSameAsset             = errs.New(200, "pool assets must differ")
	ErrZeroAmount            = errs.New(201, "amount is zero or rounds to zero")
	ErrFeeNotAllowed         = errs.New(202, "fee tier not allowed")
	ErrSlippage              = errs.New(203, "minimum not met")
	ErrMaxInExceeded         = errs.New(204, "maximum input exceeded")
	ErrExpired               = errs.New(205, "expired")
	ErrInsufficientShares    = errs.New(206, "insufficient shares")
	ErrBadPath               = errs.New(207, "path does not connect")
	ErrPoolExists            = errs.New(208, "pool already exists")
	ErrUnknownPool           = errs.New(209, "unknown pool")
	ErrInsufficientLiquidity = errs.New(210, "insufficient liquidity")
	ErrSwapMode              = errs.New(211, "give exactly one of amount_in with min_out, or amount_out with max_in")
	ErrNoRoute               = errs.New(212, "no route between the assets")
)
