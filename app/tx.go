package app

import (
	"github.com/riffchain/riffchain/ledger/codes"

	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	cmted "github.com/cometbft/cometbft/crypto/ed25519"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/riffchain/riffchain/ledger"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Wire format (spec/tx.md):
//
//	tx        = version(1 byte = 0x01) body_len(uvarint) body sig_count(uvarint = 1) sig
//	sig       = pub_key(32 bytes, ed25519) signature(64 bytes)
//	signature = ed25519(priv, SignDomain || body)
//
// body is compact JSON (Body). Nothing may follow the last signature.
const (
	TxVersion  = 0x01
	MaxTxBytes = 64 * 1024
	SignDomain = "riffchain/tx/v1\n"
	maxMsgs    = 64
)

// Sentinel errors of the transaction codec and authentication.
var (
	ErrTxDecode       = errs.New(2, "malformed transaction")
	ErrTxTooLarge     = errs.New(3, "transaction too large")
	ErrUnknownField   = errs.New(4, "unknown field")
	ErrDuplicateKey   = errs.New(5, "duplicate JSON key")
	ErrInvalidField   = errs.New(6, "invalid field")
	ErrWrongChainID   = errs.New(7, "wrong chain id")
	ErrBadSignature   = errs.New(8, "bad signature")
	ErrSignerMismatch = errs.New(9, "signature key is not the signer's")
	ErrBadNonce       = errs.New(10, "bad nonce")
	ErrUnknownMsg     = errs.New(11, "unknown message type")
	ErrInternal       = errs.New(1, "internal error")
)

// Body is what a transaction's signer signs.
type Body struct {
	ChainID string         `json:"chain_id" validate:"required,maxbytes=64"`
	Signer  ledger.Address `json:"signer"`
	Nonce   uint64         `json:"nonce" validate:"required"`
	Msgs    []Msg          `json:"msgs" validate:"required,min=1,max=64,dive"`
	Memo    string         `json:"memo,omitempty" validate:"maxbytes=256"`
	Fee     *Fee           `json:"fee,omitempty"`
	// Gas is the most gas the tx may use (spec/gas.md); the tx fails with
	// code 33 when execution needs more.
	Gas uint64 `json:"gas" validate:"required"`
}

// Fee is an optional payment to the proposer of the block that executes
// the tx. Nodes may require a minimum to admit a tx to their mempool.
type Fee struct {
	Asset  string        `json:"asset" validate:"required,assetid"`
	Amount ledger.Amount `json:"amount"`
}

// Msg is one message of a body: a registered type name and its JSON value.
type Msg struct {
	Type  string          `json:"type" validate:"required,maxbytes=64"`
	Value json.RawMessage `json:"value"`
}

// Tx is a decoded transaction.
type Tx struct {
	BodyBytes []byte
	Body      Body
	PubKey    ed25519.PublicKey
	Signature []byte
}

// SignBytes returns the bytes an ed25519 signature covers for body.
func SignBytes(body []byte) []byte {
	out := make([]byte, 0, len(SignDomain)+len(body))
	out = append(out, SignDomain...)
	return append(out, body...)
}

// EncodeTx serialises a body with one signature into wire bytes.
func EncodeTx(body []byte, pub ed25519.PublicKey, sig []byte) []byte {
	out := make([]byte, 0, 1+binary.MaxVarintLen64+len(body)+1+ed25519.PublicKeySize+ed25519.SignatureSize)
	out = append(out, TxVersion)
	out = binary.AppendUvarint(out, uint64(len(body)))
	out = append(out, body...)
	out = binary.AppendUvarint(out, 1)
	out = append(out, pub...)
	return append(out, sig...)
}

// SignTx signs body bytes with priv and returns the wire transaction.
func SignTx(body []byte, priv ed25519.PrivateKey) []byte {
	sig := ed25519.Sign(priv, SignBytes(body))
	return EncodeTx(body, priv.Public().(ed25519.PublicKey), sig)
}

// MarshalBody returns the canonical (compact JSON) encoding of a body.
func MarshalBody(b Body) ([]byte, error) {
	out, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return out, nil
}

// DecodeTx parses wire bytes: framing, then the body's JSON strictly
// (unknown fields, duplicate keys and trailing data are errors). It does not
// verify the signature or decode message values.
func DecodeTx(raw []byte) (*Tx, error) {
	if len(raw) > MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTxTooLarge, len(raw), MaxTxBytes)
	}
	if len(raw) == 0 || raw[0] != TxVersion {
		return nil, fmt.Errorf("%w: unknown version byte", ErrTxDecode)
	}
	rest := raw[1:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > uint64(len(rest)-k) {
		return nil, fmt.Errorf("%w: bad body length", ErrTxDecode)
	}
	rest = rest[k:]
	body := rest[:n]
	rest = rest[n:]
	count, k := binary.Uvarint(rest)
	if k <= 0 {
		return nil, fmt.Errorf("%w: bad signature count", ErrTxDecode)
	}
	if count != 1 {
		return nil, fmt.Errorf("%w: %d signatures, want 1", ErrTxDecode, count)
	}
	rest = rest[k:]
	if len(rest) < ed25519.PublicKeySize+ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: truncated signature", ErrTxDecode)
	}
	if len(rest) > ed25519.PublicKeySize+ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrTxDecode, len(rest)-ed25519.PublicKeySize-ed25519.SignatureSize)
	}
	tx := &Tx{
		BodyBytes: body,
		PubKey:    ed25519.PublicKey(rest[:ed25519.PublicKeySize]),
		Signature: rest[ed25519.PublicKeySize:],
	}
	if err := StrictUnmarshal(body, &tx.Body); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	if len(tx.Body.Msgs) > maxMsgs {
		return nil, fmt.Errorf("%w: %d messages, limit %d", ErrInvalidField, len(tx.Body.Msgs), maxMsgs)
	}
	return tx, nil
}

// Hash is the transaction hash CometBFT reports (SHA-256 of the wire bytes).
func Hash(raw []byte) [32]byte { return sha256.Sum256(raw) }

// VerifySignature checks the signature and that the key is the signer's.
func (tx *Tx) VerifySignature() error {
	if ledger.AddressFromPubKey(tx.PubKey) != tx.Body.Signer {
		return fmt.Errorf("%w: key %x belongs to %s, body signer is %s", ErrSignerMismatch,
			[]byte(tx.PubKey), ledger.AddressFromPubKey(tx.PubKey), tx.Body.Signer)
	}
	// CometBFT's ed25519 (curve25519-voi, ZIP-215 rules) is both faster than
	// the standard library's and the same verifier every node runs.
	if !cmted.PubKey(tx.PubKey).VerifySignature(SignBytes(tx.BodyBytes), tx.Signature) {
		return fmt.Errorf("%w: does not verify for signer %s", ErrBadSignature, tx.Body.Signer)
	}
	return nil
}

// strictOptions are the decoding rules of every tx body, message and
// signed file (spec/tx.md): a member name must match its field exactly
// (case-sensitive), and unknown members, duplicate names anywhere in the
// value (raw message values included), invalid UTF-8 and anything after the
// value are errors.
var strictOptions = jsonv2.JoinOptions(
	jsonv2.RejectUnknownMembers(true),
	jsonv2.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// StrictUnmarshal decodes one JSON value into v under strictOptions.
func StrictUnmarshal(data []byte, v any) error {
	if err := jsonv2.Unmarshal(data, v, strictOptions); err != nil {
		return classifyJSONError(err)
	}
	return nil
}

// classifyJSONError maps a decoding error to the sentinel (and so the
// ABCI code) it stands for, keeping where in the value it happened.
func classifyJSONError(err error) error {
	var (
		sem *jsonv2.SemanticError
		syn *jsontext.SyntacticError
	)
	switch {
	case errors.Is(err, ledger.ErrInvalidAddress), errors.Is(err, ledger.ErrInvalidAmount),
		errors.Is(err, ledger.ErrOverflow):
		return err
	case errors.As(err, &syn) && syn.Err == jsontext.ErrDuplicateName:
		return fmt.Errorf("%w: %q at %q", ErrDuplicateKey, syn.JSONPointer.LastToken(), string(syn.JSONPointer))
	case errors.As(err, &sem) && sem.Err == jsonv2.ErrUnknownName:
		return fmt.Errorf("%w: %q at %q", ErrUnknownField, sem.JSONPointer.LastToken(), string(sem.JSONPointer))
	case errors.As(err, &sem):
		return fmt.Errorf("%w: %v", ErrInvalidField, sem)
	default:
		return fmt.Errorf("%w: %v", ErrTxDecode, err)
	}
}
