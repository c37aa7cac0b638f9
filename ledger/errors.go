package ledger

import "errors"

// Sentinel errors. The app maps each one to a stable ABCI code; wrap them
// with context using fmt.Errorf("...: %w", err).
var (
	ErrInvalidAddress    = errors.New("invalid address")
	ErrInvalidAmount     = errors.New("invalid amount")
	ErrOverflow          = errors.New("arithmetic overflow")
	ErrUnknownAsset      = errors.New("unknown asset")
	ErrAssetExists       = errors.New("asset already exists")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrNotOwner          = errors.New("not the owner of the item")
	ErrNotIssuer         = errors.New("not the issuer of the asset")
	ErrWrongAssetKind    = errors.New("wrong asset kind")
	ErrMaxSupply         = errors.New("max supply exceeded")
	ErrUnknownItem       = errors.New("unknown item")
	ErrItemExists        = errors.New("item already exists")
	ErrInvalidAsset      = errors.New("invalid asset definition")
	ErrSelfTransfer      = errors.New("sender and recipient are the same")
	ErrStore             = errors.New("state store failure")
	ErrPruned            = errors.New("state version pruned")
	ErrInvariant         = errors.New("invariant violated")
	ErrUnknownAccount    = errors.New("unknown account")
	ErrReservedAsset     = errors.New("reserved asset id")
)
