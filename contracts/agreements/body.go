package agreements

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/riffchain/riffchain/ledger"
)

// Version is the only agreement body version this package accepts.
const Version = 1

// Limits on an agreement body.
const (
	MinParties     = 2
	MaxParties     = 32
	MaxActions     = 64
	MaxObligations = 64
	MaxTitleLen    = 256
	MaxWhatLen     = 512
	MaxSaltLen     = 64
	MaxChainIDLen  = 50
	MaxCIDLen      = 128
	MaxPoolIDLen   = 64
	MaxLensIDLen   = 128
)

// Body is what the parties agree on. Its canonical bytes are the JSON
// encoding of this struct (fields in this order, optional fields omitted
// when empty, addresses bech32, amounts decimal strings); the agreement id
// is the hex SHA-256 of those bytes. Order of parties, actions and
// obligations is significant and part of the id.
type Body struct {
	Version         uint64           `json:"version"`
	ChainID         string           `json:"chain_id"`
	Parties         []ledger.Address `json:"parties"`
	Title           string           `json:"title" validate:"maxbytes=256"`
	TermsCID        string           `json:"terms_cid,omitempty" validate:"omitempty,cid"`
	Actions         []Action         `json:"actions" validate:"dive"`
	Obligations     []Obligation     `json:"obligations,omitempty" validate:"dive"`
	ExpiresAtHeight int64            `json:"expires_at_height,omitempty" validate:"min=0"`
	ExpiresAtTime   int64            `json:"expires_at_time,omitempty" validate:"min=0"`
	Salt            string           `json:"salt,omitempty" validate:"maxbytes=64"`
}

// Action is one step executed at settlement. Exactly one field is set.
//
// EXTENSION POINT: PoolSwap and LensTransfer are executed by other modules
// through Keeper.Hooks; while the matching hook is nil, agreements holding
// such an action are refused with ErrUnsupportedAction. A new action kind
// needs: a field here, a case in Action.kinds/Source/Check, a case in
// Keeper.execAction, and a line in spec/agreements.md.
type Action struct {
	Transfer     *TransferAction     `json:"transfer,omitempty"`
	HandOver     *HandOverAction     `json:"hand_over,omitempty"`
	PoolSwap     *PoolSwapAction     `json:"pool_swap,omitempty"`
	LensTransfer *LensTransferAction `json:"lens_transfer,omitempty"`
}

// TransferAction moves an amount of a fungible asset, or one unique item,
// from a party to anyone.
type TransferAction struct {
	From   ledger.Address `json:"from"`
	To     ledger.Address `json:"to"`
	Asset  string         `json:"asset" validate:"required,assetid"`
	Amount *ledger.Amount `json:"amount,omitempty"`
	Item   string         `json:"item,omitempty" validate:"omitempty,itemid"`
}

// HandOverAction hands an asset's issuer rights from a party (its issuer)
// to anyone, with Holdings also all of From's holdings of it.
type HandOverAction struct {
	Asset    string         `json:"asset" validate:"required,assetid"`
	From     ledger.Address `json:"from"`
	To       ledger.Address `json:"to"`
	Holdings bool           `json:"holdings,omitempty"`
}

// PoolSwapAction swaps AmountIn of AssetIn from Trader (a party) against a
// constant-product pool, requiring at least MinOut of the other asset,
// which goes to Trader. Executed by Hooks.PoolSwap.
type PoolSwapAction struct {
	Trader   ledger.Address `json:"trader"`
	Pool     string         `json:"pool" validate:"required,maxbytes=64"`
	AssetIn  string         `json:"asset_in" validate:"required,assetid"`
	AmountIn ledger.Amount  `json:"amount_in"`
	MinOut   ledger.Amount  `json:"min_out"`
}

// LensTransferAction transfers a Lens from a party to anyone. Executed by
// Hooks.LensTransfer.
type LensTransferAction struct {
	From ledger.Address `json:"from"`
	To   ledger.Address `json:"to"`
	Lens string         `json:"lens" validate:"required,maxbytes=128"`
}

// Obligation is an off-ledger promise owed by a party (By) to a
// beneficiary (To), who attests it after settlement.
type Obligation struct {
	By   ledger.Address `json:"by"`
	To   ledger.Address `json:"to"`
	What string         `json:"what" validate:"required,maxbytes=512"`
}

func (a *Action) kinds() int {
	n := 0
	if a.Transfer != nil {
		n++
	}
	if a.HandOver != nil {
		n++
	}
	if a.PoolSwap != nil {
		n++
	}
	if a.LensTransfer != nil {
		n++
	}
	return n
}

// Source is the party the action takes from.
func (a *Action) Source() ledger.Address {
	switch {
	case a.Transfer != nil:
		return a.Transfer.From
	case a.HandOver != nil:
		return a.HandOver.From
	case a.PoolSwap != nil:
		return a.PoolSwap.Trader
	case a.LensTransfer != nil:
		return a.LensTransfer.From
	}
	return ledger.Address{}
}

// Check runs the action's stateless rules.
func (a *Action) Check() error {
	if a.kinds() != 1 {
		return fmt.Errorf("%w: an action must have exactly one of transfer, hand_over, pool_swap, lens_transfer", ErrInvalidBody)
	}
	switch {
	case a.Transfer != nil:
		t := a.Transfer
		if t.From.IsZero() || t.To.IsZero() {
			return fmt.Errorf("%w: transfer needs from and to", ErrInvalidBody)
		}
		if t.From == t.To {
			return fmt.Errorf("%w: transfer from %s to itself", ErrInvalidBody, t.From)
		}
		if !ledger.ValidAssetID(t.Asset) {
			return fmt.Errorf("%w: asset id %q", ErrInvalidBody, t.Asset)
		}
		if (t.Amount == nil) == (t.Item == "") {
			return fmt.Errorf("%w: transfer needs exactly one of amount and item", ErrInvalidBody)
		}
		if t.Amount != nil && t.Amount.IsZero() {
			return fmt.Errorf("%w: transfer amount must be positive", ErrInvalidBody)
		}
		if t.Item != "" && !ledger.ValidItemID(t.Item) {
			return fmt.Errorf("%w: item id %q", ErrInvalidBody, t.Item)
		}
	case a.HandOver != nil:
		h := a.HandOver
		if h.From.IsZero() || h.To.IsZero() || h.From == h.To {
			return fmt.Errorf("%w: hand_over needs distinct from and to", ErrInvalidBody)
		}
		if !ledger.ValidAssetID(h.Asset) {
			return fmt.Errorf("%w: asset id %q", ErrInvalidBody, h.Asset)
		}
	case a.PoolSwap != nil:
		p := a.PoolSwap
		if p.Trader.IsZero() || p.Pool == "" || len(p.Pool) > MaxPoolIDLen {
			return fmt.Errorf("%w: pool_swap needs trader and pool", ErrInvalidBody)
		}
		if !ledger.ValidAssetID(p.AssetIn) {
			return fmt.Errorf("%w: asset id %q", ErrInvalidBody, p.AssetIn)
		}
		if p.AmountIn.IsZero() {
			return fmt.Errorf("%w: pool_swap amount_in must be positive", ErrInvalidBody)
		}
	case a.LensTransfer != nil:
		t := a.LensTransfer
		if t.From.IsZero() || t.To.IsZero() || t.From == t.To {
			return fmt.Errorf("%w: lens_transfer needs distinct from and to", ErrInvalidBody)
		}
		if t.Lens == "" || len(t.Lens) > MaxLensIDLen {
			return fmt.Errorf("%w: lens id %q", ErrInvalidBody, t.Lens)
		}
	}
	return nil
}

// Normalize fills the fields a user may leave out: version (to Version)
// and chain_id (to chainID); it turns a missing action list into an empty
// one so that the canonical bytes are unique. A chain_id or version that is
// present and different is an error.
func (b *Body) Normalize(chainID string) error {
	if b.Version == 0 {
		b.Version = Version
	}
	if b.Version != Version {
		return fmt.Errorf("%w: %d (want %d)", ErrUnsupportedVersion, b.Version, Version)
	}
	if b.ChainID == "" {
		b.ChainID = chainID
	}
	if b.ChainID != chainID {
		return fmt.Errorf("%w: body names %q, this is %q", ErrWrongChain, b.ChainID, chainID)
	}
	if b.Actions == nil {
		b.Actions = []Action{}
	}
	return nil
}

func validText(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s)
}

// validCIDShape is a light, dependency-free check of a CID's text form;
// the app's `cid` validator tag checks it fully.
func validCIDShape(s string) bool {
	if len(s) < 8 || len(s) > MaxCIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Validate checks every stateless rule of a normalized body for chainID.
func (b *Body) Validate(chainID string) error {
	if b.Version != Version {
		return fmt.Errorf("%w: %d (want %d)", ErrUnsupportedVersion, b.Version, Version)
	}
	if chainID == "" || b.ChainID != chainID {
		return fmt.Errorf("%w: body names %q, this is %q", ErrWrongChain, b.ChainID, chainID)
	}
	if len(b.Parties) < MinParties || len(b.Parties) > MaxParties {
		return fmt.Errorf("%w: got %d", ErrPartyCount, len(b.Parties))
	}
	seen, err := distinctSet(b.Parties, "party", ErrDuplicateParty)
	if err != nil {
		return err
	}
	if !validText(b.Title, MaxTitleLen) {
		return fmt.Errorf("%w: title longer than %d bytes or not UTF-8", ErrInvalidBody, MaxTitleLen)
	}
	if b.TermsCID != "" && !validCIDShape(b.TermsCID) {
		return fmt.Errorf("%w: terms_cid %q", ErrInvalidBody, b.TermsCID)
	}
	if b.Actions == nil {
		return fmt.Errorf("%w: actions missing (normalize the body)", ErrInvalidBody)
	}
	if len(b.Actions) > MaxActions {
		return fmt.Errorf("%w: %d actions, at most %d", ErrInvalidBody, len(b.Actions), MaxActions)
	}
	for i := range b.Actions {
		a := &b.Actions[i]
		if err := a.Check(); err != nil {
			return fmt.Errorf("action %d: %w", i, err)
		}
		if src := a.Source(); !seen[src] {
			return fmt.Errorf("action %d: %w: %s", i, ErrSourceNotParty, src)
		}
	}
	if len(b.Obligations) > MaxObligations {
		return fmt.Errorf("%w: %d obligations, at most %d", ErrInvalidBody, len(b.Obligations), MaxObligations)
	}
	if len(b.Actions) == 0 && len(b.Obligations) == 0 {
		return fmt.Errorf("%w: no actions and no obligations", ErrInvalidBody)
	}
	for i, o := range b.Obligations {
		if !seen[o.By] {
			return fmt.Errorf("obligation %d: %w: %s", i, ErrObligorNotParty, o.By)
		}
		if o.To.IsZero() || o.To == o.By {
			return fmt.Errorf("obligation %d: %w: beneficiary must be set and differ from the obligor", i, ErrInvalidBody)
		}
		if o.What == "" || !validText(o.What, MaxWhatLen) {
			return fmt.Errorf("obligation %d: %w: what must be 1 to %d bytes of UTF-8", i, ErrInvalidBody, MaxWhatLen)
		}
	}
	if b.ExpiresAtHeight < 0 || b.ExpiresAtTime < 0 {
		return fmt.Errorf("%w: negative expiry", ErrInvalidBody)
	}
	if b.ExpiresAtHeight == 0 && b.ExpiresAtTime == 0 {
		return ErrNoExpiry
	}
	if !validText(b.Salt, MaxSaltLen) {
		return fmt.Errorf("%w: salt longer than %d bytes", ErrInvalidBody, MaxSaltLen)
	}
	return nil
}

// validChainID reports whether a chain id can appear in sign bytes.
func validChainID(s string) bool {
	if s == "" || len(s) > MaxChainIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Canonical returns the canonical bytes of the body.
func (b *Body) Canonical() ([]byte, error) {
	out, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrInvalidBody, err)
	}
	return out, nil
}

// ID returns the agreement id: hex SHA-256 of the canonical body bytes.
func (b *Body) ID() (string, error) {
	c, err := b.Canonical()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(c)
	return hex.EncodeToString(h[:]), nil
}

// Expired reports whether the agreement can no longer settle in blk: past
// its expiry height (blk.Height > expires_at_height) or time
// (blk.Time > expires_at_time).
func (b *Body) Expired(blk ledger.Block) bool {
	return (b.ExpiresAtHeight > 0 && blk.Height > b.ExpiresAtHeight) ||
		(b.ExpiresAtTime > 0 && blk.Time > b.ExpiresAtTime)
}

// isParty reports whether a is one of the body's parties.
func (b *Body) isParty(a ledger.Address) bool {
	for _, p := range b.Parties {
		if p == a {
			return true
		}
	}
	return false
}

// decodeStrict decodes exactly one JSON value into v, rejecting unknown
// fields and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// ParseBody decodes a body (or the user's spec of one) strictly.
func ParseBody(data []byte) (*Body, error) {
	var b Body
	if err := decodeStrict(data, &b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidBody, err)
	}
	return &b, nil
}

// Build turns a user's agreement spec (the JSON shape of Body; version and
// chain_id may be left out) into a normalized, validated, unsigned agreement
// file for chainID. This is what `riffchain agreement new` runs.
func Build(spec []byte, chainID string) (*File, error) {
	b, err := ParseBody(spec)
	if err != nil {
		return nil, err
	}
	return NewFile(*b, chainID)
}

// NewFile normalizes and validates body for chainID and returns an unsigned
// agreement file carrying its id.
func NewFile(body Body, chainID string) (*File, error) {
	if !validChainID(chainID) {
		return nil, fmt.Errorf("%w: chain id %q", ErrWrongChain, chainID)
	}
	if err := body.Normalize(chainID); err != nil {
		return nil, err
	}
	if err := body.Validate(chainID); err != nil {
		return nil, err
	}
	id, err := body.ID()
	if err != nil {
		return nil, err
	}
	return &File{ID: id, Body: body, Signatures: []Signature{}}, nil
}

// distinctSet checks a list of parties or members (what): no zero address
// (ErrInvalidBody), none twice (dup). It returns the set of them.
func distinctSet(addrs []ledger.Address, what string, dup error) (map[ledger.Address]bool, error) {
	seen := make(map[ledger.Address]bool, len(addrs))
	for _, a := range addrs {
		if a.IsZero() {
			return nil, fmt.Errorf("%w: zero address as %s", ErrInvalidBody, what)
		}
		if seen[a] {
			return nil, fmt.Errorf("%w: %s", dup, a)
		}
		seen[a] = true
	}
	return seen, nil
}
