package lens

import (
	"encoding/binary"

	"github.com/riffchain/riffchain/ledger"
)

// State key layout (see spec/lenses.md). Everything this package stores lives
// under "lens/". Handles, CIDs and tags never contain '/', so a '/' after one
// of them is an unambiguous separator; addresses are 20 raw bytes; entry
// sequence numbers are stored inverted (2^64-1-seq, 8 bytes big-endian) so
// that ascending key order is newest entry first.
const (
	prefixLens    = "lens/l/" // lens/l/{handle} -> Lens JSON
	prefixRole    = "lens/r/" // lens/r/{handle}/{addr} -> RoleGrant JSON
	prefixEntry   = "lens/e/" // lens/e/{handle}/{^seq} -> Entry JSON
	prefixCIDIdx  = "lens/c/" // lens/c/{handle}/{cid} -> decimal seq
	prefixFollow  = "lens/f/" // lens/f/{handle}/{target} -> Follow JSON
	prefixBlock   = "lens/b/" // lens/b/{handle}/c/{cid} | lens/b/{handle}/l/{target} -> Block JSON
	prefixHost    = "lens/s/h/"
	prefixHostCnt = "lens/s/n/"
	prefixHosted  = "lens/s/a/"
)

// AssetID is the unique asset class whose items are Lenses: item id =
// handle, item owner = Lens owner.
const AssetID = "LENS"

// RegistryAddress is the issuer of the LENS class: a derived address nobody
// holds a key to, so no one can mint Lens items outside this package.
var RegistryAddress = ledger.DeriveAddress("lens", nil)

// OwnerKey is the ledger state key recording who owns a Lens (the LENS item).
func OwnerKey(handle string) []byte { return ledger.ItemKey(AssetID, handle) }

// LensKey is the state key of a Lens record.
func LensKey(handle string) []byte { return []byte(prefixLens + handle) }

// LensesPrefix is the key prefix of every Lens record.
func LensesPrefix() []byte { return []byte(prefixLens) }

// RoleKey is the state key of addr's role in a Lens.
func RoleKey(handle string, addr ledger.Address) []byte {
	return append([]byte(prefixRole+handle+"/"), addr[:]...)
}

// RolesPrefix is the key prefix of a Lens's roles.
func RolesPrefix(handle string) []byte { return []byte(prefixRole + handle + "/") }

// EntryKey is the state key of entry seq of a Lens.
func EntryKey(handle string, seq uint64) []byte {
	k := make([]byte, 0, len(prefixEntry)+len(handle)+9)
	k = append(k, prefixEntry...)
	k = append(k, handle...)
	k = append(k, '/')
	return binary.BigEndian.AppendUint64(k, ^seq)
}

// EntriesPrefix is the key prefix of a Lens's entries (newest first).
func EntriesPrefix(handle string) []byte { return []byte(prefixEntry + handle + "/") }

// CIDIndexKey is the state key mapping a CID anchored by a Lens to its
// entry's sequence number.
func CIDIndexKey(handle, cid string) []byte { return []byte(prefixCIDIdx + handle + "/" + cid) }

// CIDIndexPrefix is the key prefix of a Lens's CID index.
func CIDIndexPrefix(handle string) []byte { return []byte(prefixCIDIdx + handle + "/") }

// FollowKey is the state key of the follow from handle to target.
func FollowKey(handle, target string) []byte { return []byte(prefixFollow + handle + "/" + target) }

// FollowsPrefix is the key prefix of a Lens's follows, in target order.
func FollowsPrefix(handle string) []byte { return []byte(prefixFollow + handle + "/") }

// BlockCIDKey is the state key of a Lens's block of a CID.
func BlockCIDKey(handle, cid string) []byte { return []byte(prefixBlock + handle + "/c/" + cid) }

// BlockLensKey is the state key of a Lens's block of another Lens.
func BlockLensKey(handle, target string) []byte {
	return []byte(prefixBlock + handle + "/l/" + target)
}

// BlocksPrefix is the key prefix of all of a Lens's blocks.
func BlocksPrefix(handle string) []byte { return []byte(prefixBlock + handle + "/") }

// BlockedLensesPrefix is the key prefix of a Lens's blocks of other Lenses.
func BlockedLensesPrefix(handle string) []byte { return []byte(prefixBlock + handle + "/l/") }

// HostKey is the state key recording that addr announced hosting cid.
func HostKey(cid string, addr ledger.Address) []byte {
	return append([]byte(prefixHost+cid+"/"), addr[:]...)
}

// HostsPrefix is the key prefix of cid's hosts.
func HostsPrefix(cid string) []byte { return []byte(prefixHost + cid + "/") }

// HostCountKey is the state key of the number of hosts of cid.
func HostCountKey(cid string) []byte { return []byte(prefixHostCnt + cid) }

// HostedKey is the state key of addr's index entry for a CID it hosts.
func HostedKey(addr ledger.Address, cid string) []byte {
	return append(append([]byte(prefixHosted), addr[:]...), cid...)
}

// HostedPrefix is the key prefix of the CIDs addr hosts.
func HostedPrefix(addr ledger.Address) []byte {
	return append([]byte(prefixHosted), addr[:]...)
}
