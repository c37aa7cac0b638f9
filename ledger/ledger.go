package ledger

import (
	"crypto/ed25519"
	"fmt"
	"regexp"
	"strconv"

	"github.com/riffchain/riffchain/ledger/gas"
)

// Ledger is the typed view of accounts, assets and balances over a KV (a
// transaction's branch, the block's working state, or a committed
// snapshot). Methods that write require the KV to be writable.
type Ledger struct {
	kv     KV
	events *Events
}

// New returns a Ledger over kv that reports events to ev (which may be nil).
func New(kv KV, ev *Events) *Ledger { return &Ledger{kv: kv, events: ev} }

// KV returns the store the ledger reads and writes.
func (l *Ledger) KV() KV { return l.kv }

// Gas returns the meter the ledger's store charges (nil, which charges
// nothing, when it is not metered). Loops over state or input charge their
// steps to it (gas.LoopStep), see spec/gas.md.
func (l *Ledger) Gas() *gas.Meter { return gas.Of(l.kv) }

// Events returns the event collector.
func (l *Ledger) Events() *Events { return l.events }

// AssetKind says whether an asset is fungible or unique.
type AssetKind string

// Asset kinds.
const (
	Fungible AssetKind = "fungible"
	Unique   AssetKind = "unique"
)

var (
	assetIDRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.\-]{0,63}$`)
	symbolRe  = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,11}$`)
	itemIDRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-]{0,127}$`)
)

// ValidAssetID reports whether s has the form of an asset id.
func ValidAssetID(s string) bool { return assetIDRe.MatchString(s) }

// ValidSymbol reports whether s has the form of an asset symbol.
func ValidSymbol(s string) bool { return symbolRe.MatchString(s) }

// ValidItemID reports whether s has the form of a unique item id.
func ValidItemID(s string) bool { return itemIDRe.MatchString(s) }

// Account is a key account: its public key (once it has signed) and the
// nonce of the last transaction it signed.
type Account struct {
	Address Address `json:"address"`
	PubKey  []byte  `json:"pub_key,omitempty"`
	Nonce   uint64  `json:"nonce"`
}

// Asset is the definition and supply of a fungible asset or a unique class.
type Asset struct {
	ID        string    `json:"id"`
	Kind      AssetKind `json:"kind"`
	Symbol    string    `json:"symbol"`
	Name      string    `json:"name,omitempty"`
	Decimals  uint8     `json:"decimals"`
	Issuer    Address   `json:"issuer"`
	MaxSupply *Amount   `json:"max_supply,omitempty"`
	Supply    Amount    `json:"supply"`
	CID       string    `json:"cid,omitempty"`
}

// Item is one unique item of a unique asset class.
type Item struct {
	Asset string  `json:"asset"`
	ID    string  `json:"id"`
	Owner Address `json:"owner"`
	CID   string  `json:"cid,omitempty"`
}

func (l *Ledger) getJSON(key []byte, v any) (bool, error) { return GetJSON(l.kv, key, v) }

func (l *Ledger) setJSON(key []byte, v any) error {
	_, err := SetJSON(l.kv, key, v)
	return err
}

// Account returns the account at addr; a never-seen address has nonce 0 and
// no key.
func (l *Ledger) Account(addr Address) (Account, error) {
	acc := Account{Address: addr}
	if _, err := l.getJSON(AccountKey(addr), &acc); err != nil {
		return Account{}, fmt.Errorf("account %s: %w", addr, err)
	}
	return acc, nil
}

// SetAccount stores acc.
func (l *Ledger) SetAccount(acc Account) error {
	return l.setJSON(AccountKey(acc.Address), acc)
}

// UseNonce checks that nonce is the account's next nonce, records the public
// key on first use and advances the nonce. It returns the account's previous
// nonce in the error when nonce is wrong.
func (l *Ledger) UseNonce(addr Address, pub ed25519.PublicKey, nonce uint64) error {
	acc, err := l.Account(addr)
	if err != nil {
		return err
	}
	if acc.Nonce == ^uint64(0) {
		return fmt.Errorf("%w: nonce exhausted", ErrOverflow)
	}
	if nonce != acc.Nonce+1 {
		return fmt.Errorf("nonce %d, expected %d", nonce, acc.Nonce+1)
	}
	acc.Nonce = nonce
	if acc.PubKey == nil {
		acc.PubKey = append([]byte(nil), pub...)
	}
	return l.SetAccount(acc)
}

// Asset returns the asset with id, or ErrUnknownAsset.
func (l *Ledger) Asset(id string) (Asset, error) {
	var a Asset
	ok, err := l.getJSON(AssetKey(id), &a)
	if err != nil {
		return Asset{}, err
	}
	if !ok {
		return Asset{}, fmt.Errorf("%w: %q", ErrUnknownAsset, id)
	}
	return a, nil
}

func (l *Ledger) setAsset(a Asset) error { return l.setJSON(AssetKey(a.ID), a) }

// NextAssetID allocates the id SYMBOL-N for a new asset, N being a global
// sequence number.
func (l *Ledger) NextAssetID(symbol string) (string, error) {
	b, err := l.kv.Get([]byte(keyAssetSeq))
	if err != nil {
		return "", err
	}
	var n uint64
	if b != nil {
		n, err = strconv.ParseUint(string(b), 10, 64)
		if err != nil {
			return "", fmt.Errorf("%w: asset sequence: %v", ErrStore, err)
		}
	}
	n++
	if err := l.kv.Set([]byte(keyAssetSeq), []byte(strconv.FormatUint(n, 10))); err != nil {
		return "", err
	}
	return symbol + "-" + strconv.FormatUint(n, 10), nil
}

// CreateAsset stores a new asset definition under def.ID (which must be
// free) with zero supply.
func (l *Ledger) CreateAsset(def Asset) error {
	if !ValidAssetID(def.ID) {
		return fmt.Errorf("%w: id %q", ErrInvalidAsset, def.ID)
	}
	if def.Kind != Fungible && def.Kind != Unique {
		return fmt.Errorf("%w: kind %q", ErrInvalidAsset, def.Kind)
	}
	if def.Kind == Unique && def.Decimals != 0 {
		return fmt.Errorf("%w: unique assets have no decimals", ErrInvalidAsset)
	}
	if def.Decimals > 18 {
		return fmt.Errorf("%w: decimals %d above 18", ErrInvalidAsset, def.Decimals)
	}
	existing, err := l.kv.Get(AssetKey(def.ID))
	if err != nil {
		return err
	}
	if existing != nil {
		return fmt.Errorf("%w: %q", ErrAssetExists, def.ID)
	}
	def.Supply = Amount{}
	if err := l.setAsset(def); err != nil {
		return err
	}
	l.events.Emit("asset_created", "asset", def.ID, "issuer", def.Issuer.String(), "kind", string(def.Kind))
	return nil
}

// Balance returns addr's balance of asset (for a unique class, how many of
// its items addr owns).
func (l *Ledger) Balance(addr Address, asset string) (Amount, error) {
	b, err := l.kv.Get(BalanceKey(addr, asset))
	if err != nil {
		return Amount{}, err
	}
	if b == nil {
		return Amount{}, nil
	}
	a, err := ParseAmount(string(b))
	if err != nil {
		return Amount{}, fmt.Errorf("%w: balance: %v", ErrStore, err)
	}
	return a, nil
}

// BalanceValue is a balance as stored under BalanceKey (and HolderKey): its
// decimal string, or nil (the key is absent) when it is zero. Proofs of a
// balance prove this value.
func BalanceValue(amt Amount) []byte {
	if amt.IsZero() {
		return nil
	}
	return []byte(amt.String())
}

func (l *Ledger) setBalance(addr Address, asset string, amt Amount) error {
	v := BalanceValue(amt)
	if v == nil {
		if err := l.kv.Delete(BalanceKey(addr, asset)); err != nil {
			return err
		}
		return l.kv.Delete(HolderKey(asset, addr))
	}
	if err := l.kv.Set(BalanceKey(addr, asset), v); err != nil {
		return err
	}
	return l.kv.Set(HolderKey(asset, addr), v)
}

func (l *Ledger) addBalance(addr Address, asset string, amt Amount) error {
	bal, err := l.Balance(addr, asset)
	if err != nil {
		return err
	}
	nb, err := bal.Add(amt)
	if err != nil {
		return fmt.Errorf("credit %s %s to %s: %w", amt, asset, addr, err)
	}
	return l.setBalance(addr, asset, nb)
}

func (l *Ledger) subBalance(addr Address, asset string, amt Amount) error {
	bal, err := l.Balance(addr, asset)
	if err != nil {
		return err
	}
	nb, err := bal.Sub(amt)
	if err != nil {
		return fmt.Errorf("debit %s %s from %s: %w", amt, asset, addr, err)
	}
	return l.setBalance(addr, asset, nb)
}

func (l *Ledger) fungible(id string) (Asset, error) {
	a, err := l.Asset(id)
	if err != nil {
		return a, err
	}
	if a.Kind != Fungible {
		return a, fmt.Errorf("%w: %s is %s, not fungible", ErrWrongAssetKind, id, a.Kind)
	}
	return a, nil
}

func (l *Ledger) unique(id string) (Asset, error) {
	a, err := l.Asset(id)
	if err != nil {
		return a, err
	}
	if a.Kind != Unique {
		return a, fmt.Errorf("%w: %s is %s, not unique", ErrWrongAssetKind, id, a.Kind)
	}
	return a, nil
}

func positive(amt Amount) error {
	if amt.IsZero() {
		return fmt.Errorf("%w: must be positive", ErrInvalidAmount)
	}
	return nil
}

// Mint creates amt units of a fungible asset for to, raising its supply.
// Authorisation (issuer only) is the caller's job; see ExecMint.
func (l *Ledger) Mint(asset string, to Address, amt Amount) error {
	if err := positive(amt); err != nil {
		return err
	}
	a, err := l.fungible(asset)
	if err != nil {
		return err
	}
	supply, err := a.Supply.Add(amt)
	if err != nil {
		return fmt.Errorf("mint %s %s: %w", amt, asset, err)
	}
	if a.MaxSupply != nil && supply.Cmp(*a.MaxSupply) > 0 {
		return fmt.Errorf("%w: supply would be %s, max %s", ErrMaxSupply, supply, a.MaxSupply)
	}
	a.Supply = supply
	if err := l.setAsset(a); err != nil {
		return err
	}
	if err := l.addBalance(to, asset, amt); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "mint", "asset", asset, "from", "", "to", to.String(), "amount", amt.String())
	return nil
}

// Burn destroys amt units of a fungible asset held by from.
func (l *Ledger) Burn(asset string, from Address, amt Amount) error {
	if err := positive(amt); err != nil {
		return err
	}
	a, err := l.fungible(asset)
	if err != nil {
		return err
	}
	if err := l.subBalance(from, asset, amt); err != nil {
		return err
	}
	supply, err := a.Supply.Sub(amt)
	if err != nil {
		return fmt.Errorf("%w: burn below zero supply", ErrInvariant)
	}
	a.Supply = supply
	if err := l.setAsset(a); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "burn", "asset", asset, "from", from.String(), "to", "", "amount", amt.String())
	return nil
}

// Transfer moves amt units of a fungible asset from one account to another.
func (l *Ledger) Transfer(from, to Address, asset string, amt Amount) error {
	if err := positive(amt); err != nil {
		return err
	}
	if _, err := l.fungible(asset); err != nil {
		return err
	}
	if err := l.subBalance(from, asset, amt); err != nil {
		return err
	}
	if err := l.addBalance(to, asset, amt); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "transfer", "asset", asset, "from", from.String(), "to", to.String(), "amount", amt.String())
	return nil
}

// Item returns a unique item, or ErrUnknownItem.
func (l *Ledger) Item(asset, item string) (Item, error) {
	var it Item
	ok, err := l.getJSON(ItemKey(asset, item), &it)
	if err != nil {
		return Item{}, err
	}
	if !ok {
		return Item{}, fmt.Errorf("%w: %s/%s", ErrUnknownItem, asset, item)
	}
	return it, nil
}

func (l *Ledger) setOwner(it Item, prev *Address) error {
	if prev != nil {
		if err := l.kv.Delete(OwnedKey(*prev, it.Asset, it.ID)); err != nil {
			return err
		}
		if err := l.subBalance(*prev, it.Asset, NewAmount(1)); err != nil {
			return err
		}
	}
	if err := l.setJSON(ItemKey(it.Asset, it.ID), it); err != nil {
		return err
	}
	if err := l.kv.Set(OwnedKey(it.Owner, it.Asset, it.ID), []byte("1")); err != nil {
		return err
	}
	return l.addBalance(it.Owner, it.Asset, NewAmount(1))
}

// MintItem creates a new unique item owned by to.
func (l *Ledger) MintItem(asset, item string, to Address, cid string) error {
	if !ValidItemID(item) {
		return fmt.Errorf("%w: item id %q", ErrInvalidAsset, item)
	}
	a, err := l.unique(asset)
	if err != nil {
		return err
	}
	existing, err := l.kv.Get(ItemKey(asset, item))
	if err != nil {
		return err
	}
	if existing != nil {
		return fmt.Errorf("%w: %s/%s", ErrItemExists, asset, item)
	}
	supply, err := a.Supply.Add(NewAmount(1))
	if err != nil {
		return err
	}
	if a.MaxSupply != nil && supply.Cmp(*a.MaxSupply) > 0 {
		return fmt.Errorf("%w: supply would be %s, max %s", ErrMaxSupply, supply, a.MaxSupply)
	}
	a.Supply = supply
	if err := l.setAsset(a); err != nil {
		return err
	}
	if err := l.setOwner(Item{Asset: asset, ID: item, Owner: to, CID: cid}, nil); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "mint", "asset", asset, "from", "", "to", to.String(), "item", item)
	return nil
}

// BurnItem destroys a unique item owned by holder.
func (l *Ledger) BurnItem(asset, item string, holder Address) error {
	a, err := l.unique(asset)
	if err != nil {
		return err
	}
	it, err := l.Item(asset, item)
	if err != nil {
		return err
	}
	if it.Owner != holder {
		return fmt.Errorf("%w: %s/%s belongs to %s", ErrNotOwner, asset, item, it.Owner)
	}
	if err := l.kv.Delete(ItemKey(asset, item)); err != nil {
		return err
	}
	if err := l.kv.Delete(OwnedKey(holder, asset, item)); err != nil {
		return err
	}
	if err := l.subBalance(holder, asset, NewAmount(1)); err != nil {
		return err
	}
	supply, err := a.Supply.Sub(NewAmount(1))
	if err != nil {
		return fmt.Errorf("%w: burn below zero supply", ErrInvariant)
	}
	a.Supply = supply
	if err := l.setAsset(a); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "burn", "asset", asset, "from", holder.String(), "to", "", "item", item)
	return nil
}

// TransferItem moves a unique item from its owner to another account.
func (l *Ledger) TransferItem(from, to Address, asset, item string) error {
	if _, err := l.unique(asset); err != nil {
		return err
	}
	it, err := l.Item(asset, item)
	if err != nil {
		return err
	}
	if it.Owner != from {
		return fmt.Errorf("%w: %s/%s belongs to %s", ErrNotOwner, asset, item, it.Owner)
	}
	prev := it.Owner
	it.Owner = to
	if err := l.setOwner(it, &prev); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "transfer", "asset", asset, "from", from.String(), "to", to.String(), "item", item)
	return nil
}

// HandOver transfers an asset's issuer rights from the current issuer to
// another account and, with holdings, everything from holds of it too: the
// whole fungible balance, or every item of the class it owns.
func (l *Ledger) HandOver(asset string, from, to Address, holdings bool) error {
	a, err := l.Asset(asset)
	if err != nil {
		return err
	}
	if a.Issuer != from {
		return fmt.Errorf("%w: %s is issued by %s", ErrNotIssuer, asset, a.Issuer)
	}
	a.Issuer = to
	if err := l.setAsset(a); err != nil {
		return err
	}
	l.events.Emit("transfer", "action", "issuer", "asset", asset, "from", from.String(), "to", to.String())
	if !holdings {
		return nil
	}
	if a.Kind == Fungible {
		bal, err := l.Balance(from, asset)
		if err != nil {
			return err
		}
		if bal.IsZero() {
			return nil
		}
		return l.Transfer(from, to, asset, bal)
	}
	items, err := l.OwnedItems(from, asset, "", 0)
	if err != nil {
		return err
	}
	for _, id := range items {
		if err := l.TransferItem(from, to, asset, id); err != nil {
			return err
		}
	}
	return nil
}

// OwnedItems lists ids of asset's items that addr owns, in order, after the
// item id after (exclusive), at most limit (0 = all).
func (l *Ledger) OwnedItems(addr Address, asset, after string, limit int) ([]string, error) {
	prefix := OwnedPrefix(addr, asset)
	start := prefix
	if after != "" {
		start = append(append([]byte(nil), prefix...), after+"\x00"...)
	}
	var ids []string
	err := l.kv.Iterate(start, PrefixEnd(prefix), func(k, _ []byte) bool {
		ids = append(ids, string(k[len(prefix):]))
		return limit == 0 || len(ids) < limit
	})
	return ids, err
}

// Holding is one entry of an asset's holder index or an account's balances.
type Holding struct {
	Address Address `json:"address"`
	Asset   string  `json:"asset"`
	Amount  Amount  `json:"amount"`
}

// Holders lists asset's holders in address order after the address after
// (exclusive; zero = from the start), at most limit.
func (l *Ledger) Holders(asset string, after *Address, limit int) ([]Holding, error) {
	prefix := HoldersPrefix(asset)
	start := prefix
	if after != nil {
		start = append(HolderKey(asset, *after), 0)
	}
	var out []Holding
	var perr error
	err := l.kv.Iterate(start, PrefixEnd(prefix), func(k, v []byte) bool {
		var h Holding
		copy(h.Address[:], k[len(prefix):])
		h.Asset = asset
		h.Amount, perr = ParseAmount(string(v))
		if perr != nil {
			return false
		}
		out = append(out, h)
		return len(out) < limit
	})
	if perr != nil {
		return nil, fmt.Errorf("%w: holder amount: %v", ErrStore, perr)
	}
	return out, err
}

// Balances lists addr's non-zero balances in asset id order, of assets
// after the id after (exclusive; "" = from the first), at most limit (0 =
// all).
func (l *Ledger) Balances(addr Address, after string, limit int) ([]Holding, error) {
	prefix := BalancesPrefix(addr)
	start := prefix
	if after != "" {
		start = append(BalanceKey(addr, after), 0)
	}
	var out []Holding
	var perr error
	err := l.kv.Iterate(start, PrefixEnd(prefix), func(k, v []byte) bool {
		h := Holding{Address: addr, Asset: string(k[len(prefix):])}
		h.Amount, perr = ParseAmount(string(v))
		if perr != nil {
			return false
		}
		out = append(out, h)
		return limit == 0 || len(out) < limit
	})
	if perr != nil {
		return nil, fmt.Errorf("%w: balance: %v", ErrStore, perr)
	}
	return out, err
}
