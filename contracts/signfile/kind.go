// Package signfile is the one mechanism behind riffchain's offline-signed
// files: a document that several keys sign offline, one after the other,
// and that anyone then submits as a message. Three flows are instances of
// it, each a Kind value next to its own rules:
//
//	agreement files        agreements.File      contracts/agreements/sign.go            "riffchain/agreement/v1\n"
//	collective exec files  agreements.ExecFile  contracts/agreements/collective_exec.go "riffchain/collective-exec/v1\n"
//	validator changes      validators.MsgChange contracts/validators/proposal.go        "riffchain/validator-change/v1\n"
//
// and the CLI drives all three through one set of steps
// (cmd/riffchain/signed_files.go).
//
// What they share lives here:
//
//   - shape: the file is strict JSON (unknown fields and trailing data
//     refused) written indented with a final newline (Kind.Decode,
//     Kind.Encode);
//   - sign bytes: the kind's domain tag, then the signed fields joined by
//     "\n", the chain id first (Kind.SignBytes);
//   - sign: an ed25519 signature over the sign bytes, refused for a
//     malformed key or a signer that already signed (Sign);
//   - check: at most MaxSignatures, each with a 32-byte key and a 64-byte
//     signature, no signer twice, each verifying over its own sign bytes
//     (Check); who the signers must be (parties, members, validators) and
//     how many are enough stays with each flow.
//
// Every failure wraps the kind's own sentinel errors, so each flow keeps its
// ABCI codes. The package is pure: no I/O, no state.
package signfile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
)

// Kind is one kind of offline-signed file: its name in messages, the
// domain tag that starts its sign bytes, its signature limit and the
// sentinel errors its failures wrap (and so the codes they get).
type Kind struct {
	// Name names the file in errors ("agreement file").
	Name string
	// Domain starts every sign bytes of this kind; it ends in "\n".
	Domain string
	// MaxSignatures bounds the signatures one file may carry.
	MaxSignatures int
	// Invalid is wrapped by a file that does not decode or encode, or
	// carries more than MaxSignatures signatures.
	Invalid error
	// BadSignature is wrapped by a malformed key or signature, a key that
	// cannot sign, and a signature that does not verify.
	BadSignature error
	// Duplicate is wrapped by a signer that signs twice.
	Duplicate error
}

// SignBytes are the exact bytes a signature of this kind covers: the
// domain tag, then fields joined by "\n" (no trailing newline). Each kind
// documents its fields; the chain id is the first of each.
func (k *Kind) SignBytes(fields ...string) []byte {
	n := len(k.Domain) + len(fields)
	for _, f := range fields {
		n += len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, k.Domain...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, f...)
	}
	return b
}

// Decode decodes a file of this kind strictly into v: unknown fields and
// anything after the JSON value are refused (Invalid).
func (k *Kind) Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %s: %v", k.Invalid, k.Name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: %s: trailing data after JSON value", k.Invalid, k.Name)
	}
	return nil
}

// Encode returns v as a file of this kind: JSON indented by two spaces
// with a final newline (the on-disk form).
func (k *Kind) Encode(v any) ([]byte, error) {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%w: encode %s: %v", k.Invalid, k.Name, err)
	}
	return append(out, '\n'), nil
}

// File is what each kind's file type offers beyond its own rules: its
// on-disk form and how many signatures it carries.
type File interface {
	Encode() ([]byte, error)
	SignatureCount() int
}

// keySizes reports whether pub and sig have ed25519's sizes.
func keySizes(pub, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize
}
