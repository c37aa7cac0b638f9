package validators

import (
	"encoding/binary"

	"github.com/riffchain/riffchain/ledger"
)

// State key layout, all under "val/". Addresses are the 20 raw bytes of
// the consensus address (SHA-256 of the ed25519 public key, truncated),
// heights 8-byte and indexes 4-byte big-endian, ids 64 hex characters.
const (
	prefixValidator = "val/v/" // val/v/{addr} -> Validator JSON (the recorded set)
	prefixPending   = "val/p/" // val/p/{addr} -> Update JSON (emitted at the end of this block)
	prefixApplied   = "val/a/" // val/a/{id} -> Applied JSON (replay protection)
	prefixEvidence  = "val/e/" // val/e/{height}{index} -> Evidence JSON
	prefixEvCount   = "val/n/" // val/n/{addr} -> evidence records stored for addr (decimal)
	keyEvTotal      = "val/N"  // evidence records stored in all (decimal)
)

// EvidenceCountKey is the state key of how many evidence records were
// stored for the validator with consensus address addr.
func EvidenceCountKey(addr []byte) []byte {
	return append([]byte(prefixEvCount), addr...)
}

// EvidenceTotalKey is the state key of how many evidence records were
// stored in all.
func EvidenceTotalKey() []byte { return []byte(keyEvTotal) }

// ValidatorKey is the state key of the recorded validator with address addr.
func ValidatorKey(addr ledger.Address) []byte {
	return append([]byte(prefixValidator), addr[:]...)
}

// ValidatorsPrefix is the key prefix of the recorded validator set.
func ValidatorsPrefix() []byte { return []byte(prefixValidator) }

// PendingKey is the state key of a validator update waiting for the end of
// the current block.
func PendingKey(addr ledger.Address) []byte {
	return append([]byte(prefixPending), addr[:]...)
}

// AppliedKey is the state key of the record of an applied proposal.
func AppliedKey(id string) []byte { return []byte(prefixApplied + id) }

// EvidenceKey is the state key of the index-th misbehaviour reported in the
// block at height.
func EvidenceKey(height int64, index uint32) []byte {
	k := make([]byte, 0, len(prefixEvidence)+12)
	k = append(k, prefixEvidence...)
	k = binary.BigEndian.AppendUint64(k, uint64(height))
	return binary.BigEndian.AppendUint32(k, index)
}

// EvidencePrefix is the key prefix of every evidence record.
func EvidencePrefix() []byte { return []byte(prefixEvidence) }
