package keyring

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
)

const pemPrivateKey = "PRIVATE KEY"

// ExportArmored returns the key as an unencrypted PEM "PRIVATE KEY" block
// (PKCS#8, RFC 8410), readable by OpenSSL and by Import. Treat it as the key
// itself.
func (k *Keyring) ExportArmored(name string) (string, error) {
	priv, err := k.PrivKey(name)
	if err != nil {
		return "", fmt.Errorf("export key: %w", err)
	}
	defer wipe(priv)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("export key %q: %w", name, err)
	}
	defer wipe(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der})), nil
}

// parsePrivKey decodes the encodings Import accepts into a 32-byte seed.
// Errors never echo the input (it is secret).
func parsePrivKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		block, rest := pem.Decode([]byte(s))
		if block == nil {
			return nil, fmt.Errorf("%w: malformed PEM", ErrInvalidKey)
		}
		if len(strings.TrimSpace(string(rest))) != 0 {
			return nil, fmt.Errorf("%w: data after the PEM block", ErrInvalidKey)
		}
		if block.Type != pemPrivateKey {
			return nil, fmt.Errorf("%w: PEM type %q, want %q (PKCS#8)", ErrInvalidKey, block.Type, pemPrivateKey)
		}
		if len(block.Headers) != 0 {
			return nil, fmt.Errorf("%w: encrypted or annotated PEM not supported", ErrInvalidKey)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#8: %v", ErrInvalidKey, err)
		}
		ed, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PKCS#8 key is %T, want ed25519", ErrInvalidKey, k)
		}
		return append([]byte(nil), ed.Seed()...), nil
	}
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: neither hex nor PEM", ErrInvalidKey)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return b, nil
	case ed25519.PrivateKeySize:
		seed := b[:ed25519.SeedSize]
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		if !pub.Equal(ed25519.PublicKey(b[ed25519.SeedSize:])) {
			wipe(b)
			return nil, fmt.Errorf("%w: 64-byte key's public half does not match its seed", ErrInvalidKey)
		}
		out := append([]byte(nil), seed...)
		wipe(b)
		return out, nil
	default:
		wipe(b)
		return nil, fmt.Errorf("%w: %d bytes, want 32 (seed) or 64 (seed||pubkey)", ErrInvalidKey, len(b))
	}
}
