// Package verify checks what a riffchain node answers, with nothing but
// CometBFT's protobuf types, ICS-23 and ed25519, so that it builds for
// js/wasm as well as natively: the web explorer runs it in the browser
// (cmd/verifywasm, served as /static/verify.wasm) and its tests hold it to
// the same verdicts as cometbft/light. It checks that a signed header is
// committed by more than 2/3 of the power of a validator set (canonical
// vote sign bytes, ed25519 signatures), that the set is the one the header
// names, and that ICS-23 proofs of state keys and values verify against
// the header's app hash. CometBFT's types and light packages do not build
// for js/wasm, so the few hashes they compute are written here again, over
// the same protobuf encodings.
package verify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	gogotypes "github.com/cosmos/gogoproto/types"
	ics23 "github.com/cosmos/ics23/go"
)

// Sentinel errors: every failure wraps one.
var (
	// ErrHeader: the header or its commit does not hold up.
	ErrHeader = errors.New("header not verified")
	// ErrProof: a proof does not verify against the app hash.
	ErrProof = errors.New("proof not verified")
	// ErrAnswer: the answer is not what the proofs prove.
	ErrAnswer = errors.New("answer does not match its proof")
)

// HeaderHash is the hash of a header (CometBFT's Header.Hash): the merkle
// root of its fields' protobuf encodings. A header without a validators
// hash has none (nil).
func HeaderHash(h *cmtproto.Header) ([]byte, error) {
	if h == nil || len(h.ValidatorsHash) == 0 {
		return nil, fmt.Errorf("%w: header without validators hash", ErrHeader)
	}
	version, err := h.Version.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: version: %v", ErrHeader, err)
	}
	ts, err := gogotypes.StdTimeMarshal(h.Time)
	if err != nil {
		return nil, fmt.Errorf("%w: time: %v", ErrHeader, err)
	}
	lastID, err := h.LastBlockId.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: last block id: %v", ErrHeader, err)
	}
	return merkle.HashFromByteSlices([][]byte{
		version, encString(h.ChainID), encInt64(h.Height), ts, lastID,
		encBytes(h.LastCommitHash), encBytes(h.DataHash), encBytes(h.ValidatorsHash),
		encBytes(h.NextValidatorsHash), encBytes(h.ConsensusHash), encBytes(h.AppHash),
		encBytes(h.LastResultsHash), encBytes(h.EvidenceHash), encBytes(h.ProposerAddress),
	}), nil
}

// The wrappers CometBFT's cdcEncode puts around header fields; an empty
// field encodes to nothing.
func encString(s string) []byte {
	if s == "" {
		return nil
	}
	b, _ := (&gogotypes.StringValue{Value: s}).Marshal()
	return b
}

func encInt64(n int64) []byte {
	if n == 0 {
		return nil
	}
	b, _ := (&gogotypes.Int64Value{Value: n}).Marshal()
	return b
}

func encBytes(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	b, _ := (&gogotypes.BytesValue{Value: v}).Marshal()
	return b
}

// ValidatorSetHash is the hash a header names for vals (CometBFT's
// ValidatorSet.Hash): the merkle root of each validator's public key and
// power, in the set's order.
func ValidatorSetHash(vals *cmtproto.ValidatorSet) ([]byte, error) {
	if vals == nil || len(vals.Validators) == 0 {
		return nil, fmt.Errorf("%w: empty validator set", ErrHeader)
	}
	bzs := make([][]byte, len(vals.Validators))
	for i, v := range vals.Validators {
		b, err := (&cmtproto.SimpleValidator{PubKey: &v.PubKey, VotingPower: v.VotingPower}).Marshal()
		if err != nil {
			return nil, fmt.Errorf("%w: validator %d: %v", ErrHeader, i, err)
		}
		bzs[i] = b
	}
	return merkle.HashFromByteSlices(bzs), nil
}

// VoteSignBytes are the bytes validator i signed for commit c (CometBFT's
// VoteSignBytes of the precommit the commit records): the canonical vote,
// length-prefixed.
func VoteSignBytes(chainID string, c *cmtproto.Commit, i int) []byte {
	sig := c.Signatures[i]
	cv := cmtproto.CanonicalVote{Type: cmtproto.PrecommitType, Height: c.Height, Round: int64(c.Round),
		Timestamp: sig.Timestamp, ChainID: chainID}
	if sig.BlockIdFlag == cmtproto.BlockIDFlagCommit && !isZeroBlockID(c.BlockID) {
		cv.BlockID = &cmtproto.CanonicalBlockID{Hash: c.BlockID.Hash,
			PartSetHeader: cmtproto.CanonicalPartSetHeader(c.BlockID.PartSetHeader)}
	}
	b, _ := cv.Marshal()
	return append(binary.AppendUvarint(nil, uint64(len(b))), b...)
}

func isZeroBlockID(id cmtproto.BlockID) bool {
	return len(id.Hash) == 0 && id.PartSetHeader.Total == 0 && len(id.PartSetHeader.Hash) == 0
}

// MaxValidators bounds the validator set a check accepts.
const MaxValidators = 10_000

// Commit checks sh against vals: the header is for chainID; vals is the
// set the header names; the commit is for this header and height; and the
// validators whose signatures verify hold more than 2/3 of vals' power.
func Commit(chainID string, sh *cmtproto.SignedHeader, vals *cmtproto.ValidatorSet) error {
	if sh == nil || sh.Header == nil || sh.Commit == nil {
		return fmt.Errorf("%w: incomplete signed header", ErrHeader)
	}
	h, c := sh.Header, sh.Commit
	if h.ChainID != chainID {
		return fmt.Errorf("%w: header is for chain %q, want %q", ErrHeader, h.ChainID, chainID)
	}
	if vals == nil || len(vals.Validators) == 0 || len(vals.Validators) > MaxValidators {
		return fmt.Errorf("%w: validator set of %d", ErrHeader, len(vals.GetValidators()))
	}
	vh, err := ValidatorSetHash(vals)
	if err != nil {
		return err
	}
	if !bytes.Equal(vh, h.ValidatorsHash) {
		return fmt.Errorf("%w: the validator set is not the one the header names", ErrHeader)
	}
	hh, err := HeaderHash(h)
	if err != nil {
		return err
	}
	if c.Height != h.Height || !bytes.Equal(c.BlockID.Hash, hh) {
		return fmt.Errorf("%w: the commit is for another block", ErrHeader)
	}
	if len(c.Signatures) != len(vals.Validators) {
		return fmt.Errorf("%w: %d signatures for %d validators", ErrHeader, len(c.Signatures), len(vals.Validators))
	}
	var total, signed int64
	for _, v := range vals.Validators {
		if v.VotingPower <= 0 || total > (1<<62)-v.VotingPower {
			return fmt.Errorf("%w: bad voting power %d", ErrHeader, v.VotingPower)
		}
		total += v.VotingPower
	}
	for i, sig := range c.Signatures {
		if sig.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue // absent or nil votes count for nothing
		}
		v := vals.Validators[i]
		pk, ok := v.PubKey.Sum.(*cmtcrypto.PublicKey_Ed25519)
		if !ok || len(pk.Ed25519) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: validator %d has no ed25519 key", ErrHeader, i)
		}
		if !ed25519.Verify(pk.Ed25519, VoteSignBytes(chainID, c, i), sig.Signature) {
			return fmt.Errorf("%w: wrong signature of validator %d", ErrHeader, i)
		}
		signed += v.VotingPower
	}
	if signed*3 <= total*2 {
		return fmt.Errorf("%w: signed by %d of %d power, want more than 2/3", ErrHeader, signed, total)
	}
	return nil
}

// ProofOp is one ICS-23 proof of a state key, as the explorer's API gives
// it (decoded).
type ProofOp struct {
	Key  []byte
	Data []byte // a marshalled ics23.CommitmentProof
}

// KV is a state key and the value an answer claims for it (nil: absent).
type KV struct {
	Key, Value []byte
}

// Proofs checks that op proves claim under root: same key, and the value
// is in the tree (or, for a nil value, absent).
func Proofs(root []byte, ops []ProofOp, claims []KV) error {
	if len(ops) != len(claims) {
		return fmt.Errorf("%w: %d proofs for %d claims", ErrAnswer, len(ops), len(claims))
	}
	for i, kv := range claims {
		op := ops[i]
		if !bytes.Equal(op.Key, kv.Key) {
			return fmt.Errorf("%w: proof %d is for key %x, the question needs %x", ErrAnswer, i, op.Key, kv.Key)
		}
		var p ics23.CommitmentProof
		if err := p.Unmarshal(op.Data); err != nil {
			return fmt.Errorf("%w: decode proof %d: %v", ErrProof, i, err)
		}
		if kv.Value == nil {
			if !ics23.VerifyNonMembership(ics23.IavlSpec, root, &p, kv.Key) {
				return fmt.Errorf("%w: key %x is not proven absent", ErrProof, kv.Key)
			}
			continue
		}
		if !ics23.VerifyMembership(ics23.IavlSpec, root, &p, kv.Key, kv.Value) {
			return fmt.Errorf("%w: key %x does not hold the claimed value", ErrProof, kv.Key)
		}
	}
	return nil
}
