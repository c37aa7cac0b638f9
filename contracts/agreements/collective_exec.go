package agreements

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/contracts/signfile"
	"github.com/riffchain/riffchain/ledger"
)

// Collective execution: k current members of a collective sign a list of
// ordinary messages offline; anyone submits them as "collective/exec" and
// they run in order, all or nothing, with the collective as their signer.
// This file owns the sign bytes, the per-collective exec nonce and the
// verification; the app routes the inner messages.

// TypeCollectiveExec is the message type of a collective's signed batch.
const TypeCollectiveExec = "collective/exec"

// ExecSignDomain is the domain tag that starts a collective exec's sign bytes.
const ExecSignDomain = "riffchain/collective-exec/v1\n"

// MaxExecMsgs bounds the inner messages of one collective exec.
const MaxExecMsgs = 32

// execKind makes the collective exec file an instance of the signed-file
// mechanism (contracts/signfile), with codes 140 (bad signature) and 141
// (duplicate signer).
var execKind = &signfile.Kind{
	Name: "collective exec file", Domain: ExecSignDomain, MaxSignatures: MaxMembers,
	Invalid: ErrInvalidBody, BadSignature: ErrExecSignature, Duplicate: ErrExecDuplicate,
}

// prefixExecNonce keys each collective's exec nonce:
// agr/cexec/{addr} -> decimal nonce of the last executed batch.
const prefixExecNonce = "agr/cexec/"

// Sentinel errors of collective execution (codes 137–141).
var (
	ErrExecNonce     = errs.New(137, "wrong collective exec nonce")
	ErrExecNested    = errs.New(138, "collective/exec cannot contain collective/exec")
	ErrExecThreshold = errs.New(139, "fewer member signatures than the collective's threshold")
	ErrExecSignature = errs.New(140, "bad collective exec signature")
	ErrExecDuplicate = errs.New(141, "duplicate collective exec signer")
)

// ExecMsg is one inner message of a collective exec: a registered message
// type and its JSON value (decoded and validated by the app's router).
type ExecMsg struct {
	Type  string          `json:"type" validate:"required,maxbytes=64"`
	Value json.RawMessage `json:"value"`
}

// ExecSignature is one member's approval of a collective exec; the member
// is the address of PubKey.
type ExecSignature struct {
	PubKey    []byte `json:"pub_key" validate:"len=32"`
	Signature []byte `json:"signature" validate:"len=64"`
}

// Key is the member's public key (signfile.Signature).
func (s ExecSignature) Key() []byte { return s.PubKey }

// Sig is the signature (signfile.Signature).
func (s ExecSignature) Sig() []byte { return s.Signature }

// MsgCollectiveExec runs Msgs with the collective as signer once enough
// current members have signed them. With its chain id it is the exec file
// members sign offline (ExecFile). Anyone may submit it.
type MsgCollectiveExec struct {
	Collective ledger.Address  `json:"collective"`
	Version    uint64          `json:"version" validate:"required"`
	Nonce      uint64          `json:"nonce" validate:"required"`
	Msgs       []ExecMsg       `json:"msgs" validate:"required,min=1,max=32,dive"`
	Signatures []ExecSignature `json:"signatures" validate:"max=32,dive"`
}

// Check enforces the stateless rules: a collective, 1..MaxExecMsgs inner
// messages none of which is itself a collective exec, at most MaxMembers
// signatures.
func (m *MsgCollectiveExec) Check() error {
	if m.Collective.IsZero() {
		return fmt.Errorf("%w: collective missing", ErrUnknownCollective)
	}
	if m.Version == 0 {
		return fmt.Errorf("%w: version must be at least 1", ErrCollectiveVersion)
	}
	if m.Nonce == 0 {
		return fmt.Errorf("%w: nonce must be at least 1", ErrExecNonce)
	}
	if len(m.Msgs) == 0 || len(m.Msgs) > MaxExecMsgs {
		return fmt.Errorf("%w: %d inner messages, want 1 to %d", ErrInvalidBody, len(m.Msgs), MaxExecMsgs)
	}
	for i, im := range m.Msgs {
		if im.Type == TypeCollectiveExec {
			return fmt.Errorf("%w: inner message %d", ErrExecNested, i)
		}
	}
	if len(m.Signatures) > MaxMembers {
		return fmt.Errorf("%w: %d signatures, at most %d", ErrInvalidBody, len(m.Signatures), MaxMembers)
	}
	return nil
}

// ExecNonceKey is the state key of a collective's exec nonce (absent = 0).
func ExecNonceKey(addr ledger.Address) []byte {
	return append([]byte(prefixExecNonce), addr[:]...)
}

// ExecNonce returns the nonce of the last collective exec of addr (0 when
// it never executed one).
func ExecNonce(r ledger.Reader, addr ledger.Address) (uint64, error) {
	b, err := r.Get(ExecNonceKey(addr))
	if err != nil || b == nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: exec nonce of %s: %v", ledger.ErrStore, addr, err)
	}
	return n, nil
}

// ExecMsgsHash is the lowercase hex SHA-256 of the canonical JSON of msgs:
// the compact encoding encoding/json produces for the array of
// {"type","value"} objects (values compacted as given, key order kept).
func ExecMsgsHash(msgs []ExecMsg) (string, error) {
	b, err := json.Marshal(msgs)
	if err != nil {
		return "", fmt.Errorf("%w: encode inner messages: %v", ErrInvalidBody, err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// ExecSignBytes are the exact bytes a member's exec signature covers:
//
//	"riffchain/collective-exec/v1\n" chain_id "\n" collective "\n" version "\n" nonce "\n" msgs_hash
//
// with collective in bech32, version and nonce in decimal and msgs_hash
// from ExecMsgsHash.
func ExecSignBytes(chainID string, m *MsgCollectiveExec) ([]byte, error) {
	h, err := ExecMsgsHash(m.Msgs)
	if err != nil {
		return nil, err
	}
	return execKind.SignBytes(chainID, m.Collective.String(), strconv.FormatUint(m.Version, 10), strconv.FormatUint(m.Nonce, 10), h), nil
}

// SignExec appends priv's member signature to m for chainID. It refuses a
// key that already signed; membership is checked by the chain.
func SignExec(m *MsgCollectiveExec, chainID string, priv ed25519.PrivateKey) error {
	if _, err := execKind.PublicKey(priv); err != nil {
		return err
	}
	if err := m.Check(); err != nil {
		return err
	}
	sb, err := ExecSignBytes(chainID, m)
	if err != nil {
		return err
	}
	pub, sig, err := signfile.Sign(execKind, priv, m.Signatures, nil, sb)
	if err != nil {
		return err
	}
	m.Signatures = append(m.Signatures, ExecSignature{PubKey: pub, Signature: sig})
	return nil
}

// ExecSigners verifies every signature of m for chainID and returns the
// signers' addresses in signature order. It fails on a malformed or
// non-verifying signature and on a signer appearing twice; it does not
// look at membership.
func ExecSigners(m *MsgCollectiveExec, chainID string) ([]ledger.Address, error) {
	sb, err := ExecSignBytes(chainID, m)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("chain %q, %s version %d nonce %d", chainID, m.Collective, m.Version, m.Nonce)
	out := make([]ledger.Address, 0, len(m.Signatures))
	err = signfile.Check(execKind, m.Signatures, signfile.Ed25519, func(_ int, s ExecSignature) (signfile.Claim, error) {
		a := ledger.AddressFromPubKey(s.PubKey)
		return signfile.Claim{Signer: a, Message: func() []byte { return sb }, For: what,
			Record: func() error { out = append(out, a); return nil }}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ExecRunner executes inner message i of a collective exec against l with
// signer as its signer (the app passes its router).
type ExecRunner func(l *ledger.Ledger, signer ledger.Address, i int, msg ExecMsg) (ledger.Output, error)

// ExecCollectiveExec executes "collective/exec": it checks that the
// collective exists at version m.Version (its current one), that m.Nonce is
// its exec nonce + 1 and that at least threshold distinct current members
// signed; then it stores the new nonce and runs every inner message through
// run, in order, with the collective as signer, in a branch written only
// if all succeed. Outputs of the inner messages are merged (later ones win)
// with "collective", "exec_nonce" and "signers".
func (k *Keeper) ExecCollectiveExec(_ ledger.Block, _ ledger.Address, m *MsgCollectiveExec, run ExecRunner) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	c, err := k.existingCollective(m.Collective)
	if err != nil {
		return nil, err
	}
	if c.Version != m.Version {
		return nil, fmt.Errorf("%w: %s is at version %d, exec names %d", ErrCollectiveVersion, c.Address, c.Version, m.Version)
	}
	last, err := ExecNonce(k.kv, c.Address)
	if err != nil {
		return nil, err
	}
	if m.Nonce != last+1 {
		return nil, fmt.Errorf("%w: nonce %d, expected %d", ErrExecNonce, m.Nonce, last+1)
	}
	signers, err := ExecSigners(m, k.chainID)
	if err != nil {
		return nil, err
	}
	for _, a := range signers {
		if !c.HasMember(a) {
			return nil, fmt.Errorf("%w: %s is not a member of %s at version %d", ErrNotMember, a, c.Address, c.Version)
		}
	}
	if uint32(len(signers)) < c.Threshold {
		return nil, fmt.Errorf("%w: %d of %d", ErrExecThreshold, len(signers), c.Threshold)
	}
	if run == nil {
		return nil, fmt.Errorf("%w: no message runner", ErrUnsupportedAction)
	}
	if err := k.kv.Set(ExecNonceKey(c.Address), []byte(strconv.FormatUint(m.Nonce, 10))); err != nil {
		return nil, err
	}
	br := ledger.NewBranch(k.kv)
	l := ledger.New(br, k.events)
	out := ledger.Output{}
	for i, im := range m.Msgs {
		o, err := run(l, c.Address, i, im)
		if err != nil {
			return nil, fmt.Errorf("collective exec msg %d (%s): %w", i, im.Type, err)
		}
		for key, v := range o {
			out[key] = v
		}
	}
	if err := br.Write(); err != nil {
		return nil, err
	}
	names := make([]string, len(signers))
	for i, a := range signers {
		names[i] = a.String()
	}
	k.events.Emit("collective_exec", "address", c.Address.String(), "version", strconv.FormatUint(c.Version, 10),
		"nonce", strconv.FormatUint(m.Nonce, 10), "msgs", strconv.Itoa(len(m.Msgs)), "signers", strings.Join(names, ","))
	out["collective"] = c.Address.String()
	out["exec_nonce"] = strconv.FormatUint(m.Nonce, 10)
	out["signers"] = strings.Join(names, ",")
	return out, nil
}

// SignatureCount is how many member signatures the message carries (each
// charged as a signature check, spec/gas.md).
func (m *MsgCollectiveExec) SignatureCount() int { return len(m.Signatures) }
