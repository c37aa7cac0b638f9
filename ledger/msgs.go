package ledger

import "fmt"

// Messages of the ledger. Each is decoded strictly from JSON, validated by
// its struct tags (see app's codec) and then executed by the matching Exec
// method with the transaction's signer. Field rules are in spec/messages.md.

// MsgCreateAsset creates a fungible asset or a unique class; the signer
// becomes its issuer and the new id (SYMBOL-N) is returned as "asset_id".
type MsgCreateAsset struct {
	Kind      AssetKind `json:"kind" validate:"required,oneof=fungible unique"`
	Symbol    string    `json:"symbol" validate:"required,symbol"`
	Name      string    `json:"name,omitempty" validate:"maxbytes=64"`
	Decimals  uint8     `json:"decimals,omitempty" validate:"max=18"`
	MaxSupply *Amount   `json:"max_supply,omitempty"`
	CID       string    `json:"cid,omitempty" validate:"omitempty,cid"`
}

// MsgMint mints an amount of a fungible asset, or one new item of a unique
// class, to To (default: the signer). Issuer only.
type MsgMint struct {
	Asset  string   `json:"asset" validate:"required,assetid"`
	To     *Address `json:"to,omitempty"`
	Amount *Amount  `json:"amount,omitempty"`
	Item   string   `json:"item,omitempty" validate:"omitempty,itemid"`
	CID    string   `json:"cid,omitempty" validate:"omitempty,cid"`
}

// MsgBurn burns an amount, or an item, that the signer holds.
type MsgBurn struct {
	Asset  string  `json:"asset" validate:"required,assetid"`
	Amount *Amount `json:"amount,omitempty"`
	Item   string  `json:"item,omitempty" validate:"omitempty,itemid"`
}

// Move is one movement from the signer: an amount of a fungible asset or one
// unique item.
type Move struct {
	To     Address `json:"to"`
	Asset  string  `json:"asset" validate:"required,assetid"`
	Amount *Amount `json:"amount,omitempty"`
	Item   string  `json:"item,omitempty" validate:"omitempty,itemid"`
}

// MsgTransfer moves an amount or an item from the signer to To.
type MsgTransfer = Move

// MsgMultiTransfer makes several moves from the signer, all or none.
type MsgMultiTransfer struct {
	Moves []Move `json:"moves" validate:"required,min=1,max=64,dive"`
}

// MsgTransferIssuer hands an asset's issuer rights to To and, with
// Holdings, all of the signer's holdings of it: "hand over the company".
type MsgTransferIssuer struct {
	Asset    string  `json:"asset" validate:"required,assetid"`
	To       Address `json:"to"`
	Holdings bool    `json:"holdings,omitempty"`
}

// ErrAmountOrItem is returned when a message names both or neither of an
// amount and an item.
var ErrAmountOrItem = errs.New(25, "exactly one of amount and item must be given")

func amountXorItem(amt *Amount, item string) error {
	if (amt == nil) == (item == "") {
		return ErrAmountOrItem
	}
	if amt != nil && amt.IsZero() {
		return fmt.Errorf("%w: must be positive", ErrInvalidAmount)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgMint) Check() error { return amountXorItem(m.Amount, m.Item) }

// Check runs the message's stateless rules beyond its tags.
func (m *MsgBurn) Check() error { return amountXorItem(m.Amount, m.Item) }

// Check runs the message's stateless rules beyond its tags.
func (m *Move) Check() error {
	if m.To.IsZero() {
		return fmt.Errorf("%w: recipient missing", ErrInvalidAddress)
	}
	return amountXorItem(m.Amount, m.Item)
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgMultiTransfer) Check() error {
	for i := range m.Moves {
		if err := m.Moves[i].Check(); err != nil {
			return fmt.Errorf("move %d: %w", i, err)
		}
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgTransferIssuer) Check() error {
	if m.To.IsZero() {
		return fmt.Errorf("%w: recipient missing", ErrInvalidAddress)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgCreateAsset) Check() error {
	if m.Kind == Unique && m.Decimals != 0 {
		return fmt.Errorf("%w: unique assets have no decimals", ErrInvalidAsset)
	}
	if m.MaxSupply != nil && m.MaxSupply.IsZero() {
		return fmt.Errorf("%w: max_supply must be positive when given", ErrInvalidAmount)
	}
	return nil
}

// Output is what a message reports back to the client (ids it created,
// amounts it moved), merged into the tx result.
type Output map[string]string

// ExecCreateAsset executes MsgCreateAsset.
func (l *Ledger) ExecCreateAsset(signer Address, m *MsgCreateAsset) (Output, error) {
	id, err := l.NextAssetID(m.Symbol)
	if err != nil {
		return nil, err
	}
	def := Asset{ID: id, Kind: m.Kind, Symbol: m.Symbol, Name: m.Name, Decimals: m.Decimals,
		Issuer: signer, MaxSupply: m.MaxSupply, CID: m.CID}
	if err := l.CreateAsset(def); err != nil {
		return nil, err
	}
	return Output{"asset_id": id}, nil
}

// ExecMint executes MsgMint.
func (l *Ledger) ExecMint(signer Address, m *MsgMint) (Output, error) {
	a, err := l.Asset(m.Asset)
	if err != nil {
		return nil, err
	}
	if a.Issuer != signer {
		return nil, fmt.Errorf("%w: %s is issued by %s", ErrNotIssuer, m.Asset, a.Issuer)
	}
	to := signer
	if m.To != nil {
		to = *m.To
	}
	if m.Item != "" {
		return Output{"item": m.Item}, l.MintItem(m.Asset, m.Item, to, m.CID)
	}
	if m.CID != "" {
		return nil, fmt.Errorf("%w: cid is for unique items", ErrWrongAssetKind)
	}
	return Output{"amount": m.Amount.String()}, l.Mint(m.Asset, to, *m.Amount)
}

// ExecBurn executes MsgBurn.
func (l *Ledger) ExecBurn(signer Address, m *MsgBurn) (Output, error) {
	if m.Item != "" {
		return nil, l.BurnItem(m.Asset, m.Item, signer)
	}
	return nil, l.Burn(m.Asset, signer, *m.Amount)
}

// Move executes one movement from a sender.
func (l *Ledger) Move(from Address, m *Move) error {
	if m.Item != "" {
		return l.TransferItem(from, m.To, m.Asset, m.Item)
	}
	return l.Transfer(from, m.To, m.Asset, *m.Amount)
}

// ExecTransfer executes MsgTransfer.
func (l *Ledger) ExecTransfer(signer Address, m *MsgTransfer) (Output, error) {
	return nil, l.Move(signer, m)
}

// ExecMultiTransfer executes MsgMultiTransfer.
func (l *Ledger) ExecMultiTransfer(signer Address, m *MsgMultiTransfer) (Output, error) {
	for i := range m.Moves {
		if err := l.Move(signer, &m.Moves[i]); err != nil {
			return nil, fmt.Errorf("move %d: %w", i, err)
		}
	}
	return nil, nil
}

// ExecTransferIssuer executes MsgTransferIssuer.
func (l *Ledger) ExecTransferIssuer(signer Address, m *MsgTransferIssuer) (Output, error) {
	return nil, l.HandOver(m.Asset, signer, m.To, m.Holdings)
}
