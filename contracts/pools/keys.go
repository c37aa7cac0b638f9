package pools

import (
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// State key layout. The module owns every key under "pool/". Asset ids never
// contain '/', so '/' separates variable-length parts unambiguously.
const (
	prefixPool  = "pool/id/"    // pool/id/{id} -> Pool JSON
	prefixPair  = "pool/pair/"  // pool/pair/{assetA}/{assetB}/{fee} -> pool id (assetA < assetB)
	prefixAsset = "pool/asset/" // pool/asset/{asset}/{id} -> "" (index of pools holding asset)
	keySeq      = "pool/seq"    // last pool number N (decimal)
)

// AccountDomain is the ledger.DeriveAddress domain of pool accounts.
const AccountDomain = "pool"

// PoolAccount is the derived account that holds pool id's reserves (and its
// locked MinimumLiquidity shares). Nobody holds a key to it.
func PoolAccount(id string) ledger.Address { return ledger.DeriveAddress(AccountDomain, []byte(id)) }

// PoolKey is the state key of a pool's record.
func PoolKey(id string) []byte { return []byte(prefixPool + id) }

// PoolsPrefix is the key prefix of every pool record.
func PoolsPrefix() []byte { return []byte(prefixPool) }

// PairKey is the state key mapping an unordered pair and fee to its pool id.
// The assets may be given in either order.
func PairKey(a, b string, fee uint32) []byte {
	if b < a {
		a, b = b, a
	}
	return []byte(prefixPair + a + "/" + b + "/" + strconv.FormatUint(uint64(fee), 10))
}

// AssetPoolKey is the state key of pool id's entry in asset's pool index.
func AssetPoolKey(asset, id string) []byte { return []byte(prefixAsset + asset + "/" + id) }

// AssetPoolsPrefix is the key prefix of asset's pool index.
func AssetPoolsPrefix(asset string) []byte { return []byte(prefixAsset + asset + "/") }

// SeqKey is the state key of the pool sequence number.
func SeqKey() []byte { return []byte(keySeq) }

// ReserveKey is the ledger key of a pool's reserve of asset (its account's
// balance), for proofs.
func ReserveKey(id, asset string) []byte { return ledger.BalanceKey(PoolAccount(id), asset) }
