package validators

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"

	"github.com/riffchain/riffchain/contracts/signfile"
	"github.com/riffchain/riffchain/ledger"
)

// SignDomain is the domain tag that starts every validator change
// signature's sign bytes.
const SignDomain = "riffchain/validator-change/v1\n"

// TypeChange is the message type of MsgChange.
const TypeChange = "validator/change"

// MaxTotalVotingPower is the largest total (and so single) voting power;
// it equals CometBFT's types.MaxTotalVotingPower.
const MaxTotalVotingPower = int64(math.MaxInt64) / 8

// Limits on a proposal.
const (
	MaxChanges    = 64
	MaxSignatures = 256
	MaxSaltLen    = 64
	MaxChainIDLen = 50
)

// fileKind makes the proposal file an instance of the signed-file
// mechanism (contracts/signfile), with this module's errors and codes.
var fileKind = &signfile.Kind{
	Name: "proposal file", Domain: SignDomain, MaxSignatures: MaxSignatures,
	Invalid: ErrInvalidProposal, BadSignature: ErrBadSignature, Duplicate: ErrDuplicateSigner,
}

// Change sets the voting power of one consensus key: a new key is added,
// an existing one gets the new power, power 0 removes it.
type Change struct {
	PubKey []byte `json:"pub_key"` // ed25519 consensus public key, 32 bytes (base64 in JSON)
	Power  int64  `json:"power"`
}

// Proposal is what the validators agree on. Its canonical bytes are its
// JSON encoding (fields in this order, salt omitted when empty, keys in
// standard base64); the id is the hex SHA-256 of those bytes. The order of
// the changes is part of the id.
type Proposal struct {
	ChainID         string   `json:"chain_id"`
	Changes         []Change `json:"changes"`
	ExpiresAtHeight int64    `json:"expires_at_height"`
	Salt            string   `json:"salt,omitempty"`
}

// Signature is one validator's approval of a proposal, made with its
// consensus key.
type Signature struct {
	PubKey    []byte `json:"pub_key"`   // 32 bytes, base64 in JSON
	Signature []byte `json:"signature"` // 64 bytes, base64 in JSON
}

// Key is the validator's consensus public key (signfile.Signature).
func (s Signature) Key() []byte { return s.PubKey }

// Sig is the signature (signfile.Signature).
func (s Signature) Sig() []byte { return s.Signature }

// MsgChange is the message "validator/change" and also the proposal file
// that validators sign offline: the proposal, its id (optional; checked
// when present) and the signatures collected so far. Anyone may submit it.
type MsgChange struct {
	ID         string      `json:"id,omitempty"`
	Proposal   Proposal    `json:"proposal"`
	Signatures []Signature `json:"signatures"`
}

// validText reports whether s is 1..max bytes of [A-Za-z0-9._:-] (empty
// allowed when allowEmpty).
func validText(s string, max int, allowEmpty bool) bool {
	if len(s) > max || (s == "" && !allowEmpty) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':') {
			return false
		}
	}
	return true
}

// Check applies the stateless rules of a proposal: shape, limits, distinct
// keys and powers in 0..MaxTotalVotingPower.
func (p *Proposal) Check() error {
	if !validText(p.ChainID, MaxChainIDLen, false) {
		return fmt.Errorf("%w: chain_id must be 1..%d characters of [A-Za-z0-9._:-]", ErrInvalidProposal, MaxChainIDLen)
	}
	if !validText(p.Salt, MaxSaltLen, true) {
		return fmt.Errorf("%w: salt must be at most %d characters of [A-Za-z0-9._:-]", ErrInvalidProposal, MaxSaltLen)
	}
	if p.ExpiresAtHeight < 1 {
		return fmt.Errorf("%w: expires_at_height must be at least 1", ErrInvalidProposal)
	}
	if len(p.Changes) == 0 || len(p.Changes) > MaxChanges {
		return fmt.Errorf("%w: %d changes, want 1..%d", ErrInvalidProposal, len(p.Changes), MaxChanges)
	}
	seen := make(map[string]bool, len(p.Changes))
	for i, c := range p.Changes {
		if len(c.PubKey) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: change %d: pub_key has %d bytes, want %d", ErrInvalidProposal, i, len(c.PubKey), ed25519.PublicKeySize)
		}
		if c.Power < 0 || c.Power > MaxTotalVotingPower {
			return fmt.Errorf("%w: change %d: power %d outside 0..%d", ErrInvalidPower, i, c.Power, MaxTotalVotingPower)
		}
		if seen[string(c.PubKey)] {
			return fmt.Errorf("%w: change %d: %s", ErrDuplicateValidator, i, AddressOf(c.PubKey))
		}
		seen[string(c.PubKey)] = true
	}
	return nil
}

// Canonical returns the canonical bytes of the proposal.
func (p *Proposal) Canonical() ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrInvalidProposal, err)
	}
	return b, nil
}

// ID returns the proposal id: the hex SHA-256 of its canonical bytes.
func (p *Proposal) ID() (string, error) {
	b, err := p.Canonical()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// SignBytes are the exact bytes a validator signs to approve proposal id:
//
//	"riffchain/validator-change/v1\n" chain_id "\n" id
func SignBytes(chainID, id string) []byte { return fileKind.SignBytes(chainID, id) }

// Check applies every stateless rule of the message: the proposal's rules,
// the id (when present), and each signature's shape, uniqueness and
// validity over the proposal's chain id and id. Whether the signers are
// validators with enough power is checked against state in ExecChange.
func (m *MsgChange) Check() error {
	_, err := m.verify()
	return err
}

// verify is Check returning the proposal id.
func (m *MsgChange) verify() (string, error) {
	id, err := m.checkID()
	if err != nil {
		return "", err
	}
	sb := SignBytes(m.Proposal.ChainID, id)
	what := fmt.Sprintf("chain %q, id %s", m.Proposal.ChainID, id)
	err = signfile.Check(fileKind, m.Signatures, signfile.Ed25519, func(_ int, s Signature) (signfile.Claim, error) {
		return signfile.Claim{Signer: consensusAddress(AddressOf(s.PubKey)), Message: func() []byte { return sb }, For: what}, nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// consensusAddress prints an address as CometBFT does (HexAddress).
type consensusAddress ledger.Address

func (a consensusAddress) String() string { return HexAddress(ledger.Address(a)) }

// checkID checks the proposal and returns its id, comparing it with m.ID
// when present.
func (m *MsgChange) checkID() (string, error) {
	if err := m.Proposal.Check(); err != nil {
		return "", err
	}
	id, err := m.Proposal.ID()
	if err != nil {
		return "", err
	}
	if m.ID != "" && m.ID != id {
		return "", fmt.Errorf("%w: file says %s, proposal hashes to %s", ErrIDMismatch, m.ID, id)
	}
	return id, nil
}

// NewFile returns an unsigned proposal file for p, with its id filled in.
func NewFile(p Proposal) (*MsgChange, error) {
	m := &MsgChange{Proposal: p, Signatures: []Signature{}}
	id, err := m.checkID()
	if err != nil {
		return nil, err
	}
	m.ID = id
	return m, nil
}

// Sign appends priv's signature to the file. It fails when the proposal is
// malformed or priv has signed already; whether priv's key is a validator
// is for the chain to decide.
func Sign(m *MsgChange, priv ed25519.PrivateKey) error {
	if _, err := fileKind.PublicKey(priv); err != nil {
		return err
	}
	id, err := m.checkID()
	if err != nil {
		return err
	}
	pub, sig, err := signfile.Sign(fileKind, priv, m.Signatures, nil, SignBytes(m.Proposal.ChainID, id))
	if err != nil {
		return err
	}
	m.ID = id
	m.Signatures = append(m.Signatures, Signature{PubKey: pub, Signature: sig})
	return nil
}

// ParseFile decodes a proposal file strictly (unknown fields and trailing
// data rejected).
func ParseFile(data []byte) (*MsgChange, error) {
	var m MsgChange
	if err := fileKind.Decode(data, &m); err != nil {
		return nil, err
	}
	if m.Signatures == nil {
		m.Signatures = []Signature{}
	}
	return &m, nil
}

// Encode returns the file as indented JSON (the on-disk form).
func (m *MsgChange) Encode() ([]byte, error) { return fileKind.Encode(m) }

// SignatureCount is how many validator signatures the message carries (each
// charged as a signature check, spec/gas.md).
func (m *MsgChange) SignatureCount() int { return len(m.Signatures) }
