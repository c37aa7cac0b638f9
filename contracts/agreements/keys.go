package agreements

import (
	"encoding/binary"

	"github.com/riffchain/riffchain/ledger"
)

// State key layout, all under "agr/". Addresses are 20 raw bytes, numbers
// 8-byte big-endian (so keys sort numerically), ids 64 hex characters and
// statuses never contain '/'.
const (
	prefixAgreement     = "agr/a/"  // agr/a/{id} -> Record JSON
	prefixParty         = "agr/p/"  // agr/p/{addr}{status}/{created height}{id} -> "" (party index)
	prefixExpiryHeight  = "agr/xh/" // agr/xh/{height}{id} -> "" (open proposals by expiry height)
	prefixExpiryTime    = "agr/xt/" // agr/xt/{time}{id} -> "" (open proposals by expiry time)
	prefixCollective    = "agr/c/"  // agr/c/{addr} -> Collective JSON (current)
	prefixCollectiveVer = "agr/cv/" // agr/cv/{addr}{version} -> Collective JSON (every version)
	prefixMember        = "agr/m/"  // agr/m/{member}{collective} -> "" (collectives of a member)
	keyCollectiveSeq    = "agr/seq/collective"
)

func be8(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// AgreementKey is the state key of an agreement record.
func AgreementKey(id string) []byte { return []byte(prefixAgreement + id) }

// AgreementsPrefix is the key prefix of every agreement record.
func AgreementsPrefix() []byte { return []byte(prefixAgreement) }

// PartyIndexKey is the state key of the party index entry of agreement id
// (created at height created) for party addr in status s. Within a party
// and status, entries sort by creation height, then id: listings are
// chronological.
func PartyIndexKey(addr ledger.Address, s Status, created int64, id string) []byte {
	k := make([]byte, 0, len(prefixParty)+ledger.AddressLen+len(s)+1+8+len(id))
	k = append(k, prefixParty...)
	k = append(k, addr[:]...)
	k = append(k, s...)
	k = append(k, '/')
	k = append(k, be8(uint64(created))...)
	return append(k, id...)
}

// PartyIndexPrefix is the key prefix of addr's party index (every status).
func PartyIndexPrefix(addr ledger.Address) []byte {
	return append([]byte(prefixParty), addr[:]...)
}

// PartyStatusPrefix is the key prefix of addr's agreements in status s.
func PartyStatusPrefix(addr ledger.Address, s Status) []byte {
	return append(append(PartyIndexPrefix(addr), s...), '/')
}

// ExpiryHeightKey is the index entry of an open proposal expiring at height h.
func ExpiryHeightKey(h int64, id string) []byte {
	return append(append([]byte(prefixExpiryHeight), be8(uint64(h))...), id...)
}

// ExpiryTimeKey is the index entry of an open proposal expiring at time t.
func ExpiryTimeKey(t int64, id string) []byte {
	return append(append([]byte(prefixExpiryTime), be8(uint64(t))...), id...)
}

// CollectiveKey is the state key of a collective's current state.
func CollectiveKey(addr ledger.Address) []byte {
	return append([]byte(prefixCollective), addr[:]...)
}

// CollectiveVersionKey is the state key of a collective at version v.
func CollectiveVersionKey(addr ledger.Address, v uint64) []byte {
	return append(append([]byte(prefixCollectiveVer), addr[:]...), be8(v)...)
}

// MemberIndexKey is the index entry saying member belongs to collective.
func MemberIndexKey(member, collective ledger.Address) []byte {
	return append(append([]byte(prefixMember), member[:]...), collective[:]...)
}

// MemberIndexPrefix is the key prefix of member's collectives.
func MemberIndexPrefix(member ledger.Address) []byte {
	return append([]byte(prefixMember), member[:]...)
}

// EscrowAddress is the derived account holding an agreement's escrow.
func EscrowAddress(id string) ledger.Address {
	return ledger.DeriveAddress("agreement/escrow", []byte(id))
}

// CollectiveAddress is the derived address of the n-th collective created.
func CollectiveAddress(seq uint64) ledger.Address {
	return ledger.DeriveAddress("collective", be8(seq))
}
