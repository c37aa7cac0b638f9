package app

import (
	"errors"

	"github.com/riffchain/riffchain/ledger"
)

// Stable ABCI result codes (spec/errors.md). Never renumber; only add.
const (
	CodeOK             uint32 = 0
	CodeInternal       uint32 = 1
	CodeTxDecode       uint32 = 2
	CodeTxTooLarge     uint32 = 3
	CodeUnknownField   uint32 = 4
	CodeDuplicateKey   uint32 = 5
	CodeInvalidField   uint32 = 6
	CodeWrongChainID   uint32 = 7
	CodeBadSignature   uint32 = 8
	CodeSignerMismatch uint32 = 9
	CodeBadNonce       uint32 = 10
	CodeUnknownMsg     uint32 = 11
	CodeInvalidAddress uint32 = 12
	CodeInvalidAmount  uint32 = 13
	CodeOverflow       uint32 = 14
	CodeUnknownAsset   uint32 = 15
	CodeInsufficient   uint32 = 16
	CodeNotOwner       uint32 = 17
	CodeNotIssuer      uint32 = 18
	CodeAssetExists    uint32 = 19
	CodeWrongAssetKind uint32 = 20
	CodeMaxSupply      uint32 = 21
	CodeUnknownItem    uint32 = 22
	CodeItemExists     uint32 = 23
	CodeInvalidAsset   uint32 = 24
	CodeAmountOrItem   uint32 = 25
	CodeNotFound       uint32 = 26
	CodeBadQuery       uint32 = 27
	CodeStore          uint32 = 28
	CodeInvariant      uint32 = 29
	CodeMempoolFull    uint32 = 30
	CodeFeeTooLow      uint32 = 31
	CodePruned         uint32 = 32
)

// ErrNotFound and ErrBadQuery are query errors.
var (
	ErrNotFound = errors.New("not found")
	ErrBadQuery = errors.New("bad query")
)

type codeEntry struct {
	err  error
	code uint32
}

// codeTable maps sentinel errors to codes; the first match wins, so more
// specific errors come first. Domain packages' errors are appended by
// registerCodes in their wiring files.
var codeTable = []codeEntry{
	{ErrTxTooLarge, CodeTxTooLarge},
	{ErrUnknownField, CodeUnknownField},
	{ErrDuplicateKey, CodeDuplicateKey},
	{ErrWrongChainID, CodeWrongChainID},
	{ErrSignerMismatch, CodeSignerMismatch},
	{ErrBadSignature, CodeBadSignature},
	{ErrBadNonce, CodeBadNonce},
	{ErrUnknownMsg, CodeUnknownMsg},
	{ledger.ErrInvalidAddress, CodeInvalidAddress},
	{ledger.ErrOverflow, CodeOverflow},
	{ledger.ErrInvalidAmount, CodeInvalidAmount},
	{ledger.ErrUnknownAsset, CodeUnknownAsset},
	{ledger.ErrInsufficientFunds, CodeInsufficient},
	{ledger.ErrNotOwner, CodeNotOwner},
	{ledger.ErrNotIssuer, CodeNotIssuer},
	{ledger.ErrAssetExists, CodeAssetExists},
	{ledger.ErrWrongAssetKind, CodeWrongAssetKind},
	{ledger.ErrMaxSupply, CodeMaxSupply},
	{ledger.ErrUnknownItem, CodeUnknownItem},
	{ledger.ErrItemExists, CodeItemExists},
	{ledger.ErrInvalidAsset, CodeInvalidAsset},
	{ledger.ErrAmountOrItem, CodeAmountOrItem},
	{ledger.ErrInvariant, CodeInvariant},
	{ledger.ErrPruned, CodePruned},
	{ledger.ErrStore, CodeStore},
	{ErrInvalidField, CodeInvalidField},
	{ErrTxDecode, CodeTxDecode},
	{ErrNotFound, CodeNotFound},
	{ErrBadQuery, CodeBadQuery},
}

// registerCodes appends domain error codes; called from init in wiring files.
func registerCodes(entries ...codeEntry) { codeTable = append(codeTable, entries...) }

// CodeOf returns the stable code for err (CodeInternal when unmapped).
func CodeOf(err error) uint32 {
	if err == nil {
		return CodeOK
	}
	for _, e := range codeTable {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return CodeInternal
}
