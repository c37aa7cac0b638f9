package pools

import "errors"

// Sentinel errors of the pools module. Errors about assets reuse the
// ledger's sentinels by wrapping: an unknown asset is ledger.ErrUnknownAsset,
// a unique asset is ledger.ErrWrongAssetKind, a missing balance is
// ledger.ErrInsufficientFunds, a sum above 2^128-1 is ledger.ErrOverflow.
var (
	ErrSameAsset             = errors.New("pool assets must differ")
	ErrZeroAmount            = errors.New("amount is zero or rounds to zero")
	ErrFeeNotAllowed         = errors.New("fee tier not allowed")
	ErrSlippage              = errors.New("minimum not met")
	ErrMaxInExceeded         = errors.New("maximum input exceeded")
	ErrExpired               = errors.New("expired")
	ErrInsufficientShares    = errors.New("insufficient shares")
	ErrBadPath               = errors.New("path does not connect")
	ErrPoolExists            = errors.New("pool already exists")
	ErrUnknownPool           = errors.New("unknown pool")
	ErrInsufficientLiquidity = errors.New("insufficient liquidity")
	ErrSwapMode              = errors.New("give exactly one of amount_in with min_out, or amount_out with max_in")
	ErrNoRoute               = errors.New("no route between the assets")
)
