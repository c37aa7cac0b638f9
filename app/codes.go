package app

import (
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/codes"
	"github.com/riffchain/riffchain/ledger/gas"
	"github.com/riffchain/riffchain/ledger/query"
)

// Stable ABCI result codes (spec/errors.md). Each is declared next to its
// error (package codes): these names are for Go clients and tests.
const (
	CodeOK uint32 = 0
)

// Result codes of the tx codec, authentication, admission and gas, and of
// the ledger, pools and queries, by name.
var (
	CodeInternal       = ErrInternal.Code()
	CodeTxDecode       = ErrTxDecode.Code()
	CodeTxTooLarge     = ErrTxTooLarge.Code()
	CodeUnknownField   = ErrUnknownField.Code()
	CodeDuplicateKey   = ErrDuplicateKey.Code()
	CodeInvalidField   = ErrInvalidField.Code()
	CodeWrongChainID   = ErrWrongChainID.Code()
	CodeBadSignature   = ErrBadSignature.Code()
	CodeSignerMismatch = ErrSignerMismatch.Code()
	CodeBadNonce       = ErrBadNonce.Code()
	CodeUnknownMsg     = ErrUnknownMsg.Code()
	CodeMempoolFull    = ErrMempoolFull.Code()
	CodeFeeTooLow      = ErrFeeTooLow.Code()
	CodeOutOfGas       = gas.ErrOutOfGas.Code()
	CodeGasLimit       = ErrGasLimit.Code()
	CodeQueryBudget    = ErrQueryBudget.Code()

	CodeInvalidAddress = ledger.ErrInvalidAddress.Code()
	CodeInvalidAmount  = ledger.ErrInvalidAmount.Code()
	CodeOverflow       = ledger.ErrOverflow.Code()
	CodeUnknownAsset   = ledger.ErrUnknownAsset.Code()
	CodeInsufficient   = ledger.ErrInsufficientFunds.Code()
	CodeNotOwner       = ledger.ErrNotOwner.Code()
	CodeNotIssuer      = ledger.ErrNotIssuer.Code()
	CodeAssetExists    = ledger.ErrAssetExists.Code()
	CodeWrongAssetKind = ledger.ErrWrongAssetKind.Code()
	CodeMaxSupply      = ledger.ErrMaxSupply.Code()
	CodeUnknownItem    = ledger.ErrUnknownItem.Code()
	CodeItemExists     = ledger.ErrItemExists.Code()
	CodeInvalidAsset   = ledger.ErrInvalidAsset.Code()
	CodeAmountOrItem   = ledger.ErrAmountOrItem.Code()
	CodeStore          = ledger.ErrStore.Code()
	CodeInvariant      = ledger.ErrInvariant.Code()
	CodePruned         = ledger.ErrPruned.Code()

	CodeNotFound = query.ErrNotFound.Code()
	CodeBadQuery = query.ErrBadQuery.Code()

	CodePoolSameAsset             = pools.ErrSameAsset.Code()
	CodePoolZeroAmount            = pools.ErrZeroAmount.Code()
	CodePoolFeeNotAllowed         = pools.ErrFeeNotAllowed.Code()
	CodePoolSlippage              = pools.ErrSlippage.Code()
	CodePoolMaxInExceeded         = pools.ErrMaxInExceeded.Code()
	CodePoolExpired               = pools.ErrExpired.Code()
	CodePoolInsufficientShares    = pools.ErrInsufficientShares.Code()
	CodePoolBadPath               = pools.ErrBadPath.Code()
	CodePoolExists                = pools.ErrPoolExists.Code()
	CodePoolUnknown               = pools.ErrUnknownPool.Code()
	CodePoolInsufficientLiquidity = pools.ErrInsufficientLiquidity.Code()
	CodePoolSwapMode              = pools.ErrSwapMode.Code()
	CodePoolNoRoute               = pools.ErrNoRoute.Code()
)

// Query errors (package query): nothing at the asked key; a malformed path
// or parameter.
var (
	ErrNotFound = query.ErrNotFound
	ErrBadQuery = query.ErrBadQuery
)

// CodeOf returns the stable code for err: that of the outermost coded error
// in its chain (package codes), CodeInternal when it carries none.
func CodeOf(err error) uint32 {
	if err == nil {
		return CodeOK
	}
	if c, ok := codes.Of(err); ok {
		return c
	}
	return CodeInternal
}
