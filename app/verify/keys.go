package verify

import (
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// State keys (spec/state.md), derived here without the modules that write
// them (they do not build for js/wasm); TestKeysMatchState holds them to
// the ledger's, agreements', pools' and Lenses' own key functions.

// AccountKey is the state key of an account record.
func AccountKey(address string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append([]byte("acct/"), raw...), nil
}

// BalanceKey is the state key of address's balance of asset.
func BalanceKey(address, asset string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append(append([]byte("bal/"), raw...), asset...), nil
}

// HolderKey is the state key of asset's holder address (the mirror of
// its balance).
func HolderKey(asset, address string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append([]byte("hold/"+asset+"/"), raw...), nil
}

// OwnedKey is the state key of address's owner index entry for an item.
func OwnedKey(address, asset, item string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append(append([]byte("owned/"), raw...), asset+"/"+item...), nil
}

// RoleKey is the state key of address's role grant in the Lens handle.
func RoleKey(handle, address string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append([]byte("lens/r/"+handle+"/"), raw...), nil
}

// CollectiveKey is the state key of a collective's current state.
func CollectiveKey(address string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append([]byte("agr/c/"), raw...), nil
}

// AgreementKey is the state key of an agreement record.
func AgreementKey(id string) []byte { return []byte("agr/a/" + id) }

// AssetKey is the state key of an asset definition.
func AssetKey(id string) []byte { return []byte("asset/" + id) }

// PoolKey is the state key of a pool record.
func PoolKey(id string) []byte { return []byte("pool/id/" + id) }

// ItemKey is the state key of a unique item.
func ItemKey(asset, item string) []byte { return []byte("item/" + asset + "/" + item) }

// LensAsset is the unique asset whose items are Lenses (item id = handle).
const LensAsset = "LENS"

// LensKey is the state key of a Lens record.
func LensKey(handle string) []byte { return []byte("lens/l/" + handle) }

// FollowKey is the state key of the follow from handle to target.
func FollowKey(handle, target string) []byte { return []byte("lens/f/" + handle + "/" + target) }

// EntryKey is the state key of entry seq of a Lens (the sequence number
// inverted, so that the newest entry sorts first).
func EntryKey(handle string, seq uint64) []byte {
	k := append([]byte("lens/e/"+handle), '/')
	return binary.BigEndian.AppendUint64(k, ^seq)
}

func addressBytes(address string) ([]byte, error) {
	hrp, data, err := bech32.Decode(address)
	if err != nil || hrp != "riff" {
		return nil, fmt.Errorf("%w: address %q", ErrAnswer, address)
	}
	raw, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil || len(raw) != 20 {
		return nil, fmt.Errorf("%w: address %q", ErrAnswer, address)
	}
	return raw, nil
}
