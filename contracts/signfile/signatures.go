package signfile

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	cmted "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/riffchain/riffchain/ledger"
)

// Signature is what the mechanism reads of one signature entry of a file:
// the signer's ed25519 public key and the signature. Each kind's entry type
// implements it and may carry more (an agreement's signer and collective).
type Signature interface {
	Key() []byte
	Sig() []byte
}

// Verifier reports whether sig is pub's signature of msg.
type Verifier func(pub, msg, sig []byte) bool

// Ed25519 verifies with CometBFT's ed25519 (the rules consensus uses).
func Ed25519(pub, msg, sig []byte) bool { return cmted.PubKey(pub).VerifySignature(msg, sig) }

// Claim is what a flow says about one signature of its file, beyond its key
// and signature. Nothing in it is formatted unless the signature fails.
type Claim struct {
	// Signer names the signer in errors (an address).
	Signer fmt.Stringer
	// Approval identifies what the signature approves: two signatures with
	// equal Approvals are a duplicate. It must be comparable; nil means
	// Signer (one signature per signer). An agreement's member signs once
	// per collective.
	Approval any
	// Message returns the sign bytes the signature must cover; it is not
	// called when the signatures were verified before (a nil Verifier).
	Message func() []byte
	// For says, in the error of a signature that does not verify, what it
	// was checked for (`chain "c", id ...`).
	For string
	// Record, when set, runs once the signature verified: the flow counts
	// the approval (and may still refuse it, e.g. for naming another
	// version than the signatures before it).
	Record func() error
}

// Check checks the signatures of one file of kind k. It refuses more than
// k.MaxSignatures (Invalid), then for each signature in order: a key or
// signature of the wrong size (BadSignature); what claim refuses (the
// flow's own rules, e.g. that the signer is a party); an approval given
// twice (Duplicate); and a signature that verify rejects over the claim's
// Message (BadSignature); then the claim's Record. A nil verify means the
// caller verified these very signatures before (its verified-once record):
// every other check still runs. Work is one claim and one verification per
// signature, at most k.MaxSignatures of them.
func Check[S Signature](k *Kind, sigs []S, verify Verifier, claim func(i int, s S) (Claim, error)) error {
	if len(sigs) > k.MaxSignatures {
		return fmt.Errorf("%w: %d signatures, at most %d", k.Invalid, len(sigs), k.MaxSignatures)
	}
	seen := make(map[any]bool, len(sigs))
	for i, s := range sigs {
		pub, sig := s.Key(), s.Sig()
		if !keySizes(pub, sig) {
			return fmt.Errorf("signature %d: %w: key or signature length", i, k.BadSignature)
		}
		c, err := claim(i, s)
		if err != nil {
			return fmt.Errorf("signature %d: %w", i, err)
		}
		approval := c.Approval
		if approval == nil {
			approval = c.Signer
		}
		if seen[approval] {
			return fmt.Errorf("signature %d: %w: %s", i, k.Duplicate, approval)
		}
		seen[approval] = true
		if verify != nil && !verify(pub, c.Message(), sig) {
			return fmt.Errorf("signature %d: %w: by %s does not verify for %s", i, k.BadSignature, c.Signer, c.For)
		}
		if c.Record != nil {
			if err := c.Record(); err != nil {
				return fmt.Errorf("signature %d: %w", i, err)
			}
		}
	}
	return nil
}

// Sign signs msg with priv for a file of kind k that already carries sigs.
// It refuses a private key of the wrong size (BadSignature) and a key that
// already signed (Duplicate): same reports whether entry s is by the same
// signer for the same approval (nil: the same public key). It returns the
// public key and the signature for the kind to append in its entry type.
func Sign[S Signature](k *Kind, priv ed25519.PrivateKey, sigs []S, same func(s S, pub ed25519.PublicKey) bool, msg []byte) (ed25519.PublicKey, []byte, error) {
	pub, err := k.PublicKey(priv)
	if err != nil {
		return nil, nil, err
	}
	if same == nil {
		same = func(s S, pub ed25519.PublicKey) bool { return bytes.Equal(s.Key(), pub) }
	}
	for _, s := range sigs {
		if same(s, pub) {
			return nil, nil, fmt.Errorf("%w: %s already signed", k.Duplicate, ledger.AddressFromPubKey(pub))
		}
	}
	return append(ed25519.PublicKey(nil), pub...), ed25519.Sign(priv, msg), nil
}

// PublicKey returns priv's public key; a private key of the wrong size is
// refused (BadSignature) rather than left to panic.
func (k *Kind) PublicKey(priv ed25519.PrivateKey) (ed25519.PublicKey, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: private key has %d bytes", k.BadSignature, len(priv))
	}
	return priv.Public().(ed25519.PublicKey), nil
}
