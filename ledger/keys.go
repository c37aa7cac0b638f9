package ledger

// State key layout (see spec/state.md). Asset and item ids never contain
// '/', so a '/' after a variable-length id is an unambiguous separator;
// addresses are 20 raw bytes.
const (
	prefixAccount = "acct/"  // acct/{addr} -> Account JSON
	prefixAsset   = "asset/" // asset/{id} -> Asset JSON
	prefixBalance = "bal/"   // bal/{addr}{asset} -> decimal amount (items: count)
	prefixHolder  = "hold/"  // hold/{asset}/{addr} -> decimal amount (mirror of bal/)
	prefixItem    = "item/"  // item/{asset}/{item} -> Item JSON
	prefixOwned   = "owned/" // owned/{addr}{asset}/{item} -> "1" (owner index)
	keyAssetSeq   = "seq/asset"
)

// AccountKey is the state key of an account.
func AccountKey(a Address) []byte { return append([]byte(prefixAccount), a[:]...) }

// AssetKey is the state key of an asset definition.
func AssetKey(id string) []byte { return []byte(prefixAsset + id) }

// BalanceKey is the state key of addr's balance of asset.
func BalanceKey(a Address, asset string) []byte {
	k := make([]byte, 0, len(prefixBalance)+AddressLen+len(asset))
	k = append(k, prefixBalance...)
	k = append(k, a[:]...)
	return append(k, asset...)
}

// BalancesPrefix is the key prefix of all of addr's balances.
func BalancesPrefix(a Address) []byte { return append([]byte(prefixBalance), a[:]...) }

// HolderKey is the state key of addr's entry in asset's holder index.
func HolderKey(asset string, a Address) []byte {
	return append([]byte(prefixHolder+asset+"/"), a[:]...)
}

// HoldersPrefix is the key prefix of asset's holder index.
func HoldersPrefix(asset string) []byte { return []byte(prefixHolder + asset + "/") }

// ItemKey is the state key of a unique item.
func ItemKey(asset, item string) []byte { return []byte(prefixItem + asset + "/" + item) }

// ItemsPrefix is the key prefix of every item of asset.
func ItemsPrefix(asset string) []byte { return []byte(prefixItem + asset + "/") }

// OwnedKey is the state key of the owner index entry for an item.
func OwnedKey(a Address, asset, item string) []byte {
	return append(append([]byte(prefixOwned), a[:]...), asset+"/"+item...)
}

// OwnedPrefix is the key prefix of addr's owned items of asset.
func OwnedPrefix(a Address, asset string) []byte {
	return append(append([]byte(prefixOwned), a[:]...), asset+"/"...)
}
