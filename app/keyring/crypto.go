package keyring

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

// Scrypt parameters for newly written keys. The parameters actually used are
// stored in each key file, so keys written with a lighter cost (tests) still
// open under the default and vice versa.
const (
	// DefaultScryptN is the scrypt CPU/memory cost for new keys (2^15:
	// about 32 MiB and ~0.1 s per derivation).
	DefaultScryptN = 1 << 15
	scryptR        = 8
	scryptP        = 1
	// MaxScryptN, maxScryptR and maxScryptP bound the cost accepted from a
	// key file or option to what this keyring can write (N ≤ 2^18 by
	// option, r = 8, p = 1): at most 128·N·r = 256 MiB and about a second
	// per derivation, so a crafted key file cannot make us allocate
	// gigabytes.
	MaxScryptN = 1 << 18
	maxScryptR = scryptR
	maxScryptP = scryptP

	saltLen  = 16
	nonceLen = 24
	keyLen   = 32

	kdfScrypt    = "scrypt"
	cipherSecret = "xsalsa20-poly1305"
)

// EnvScryptN names the environment variable that overrides the scrypt cost N
// for newly written keys (a power of two, 2..2^18). Meant for tests and
// scripts; WithScryptN takes precedence over it.
const EnvScryptN = "RIFFCHAIN_KEYRING_SCRYPT_N"

// cryptoParams is the "crypto" section of an encrypted ("file" backend) key.
type cryptoParams struct {
	KDF        string    `json:"kdf"`
	KDFParams  kdfParams `json:"kdfparams"`
	Cipher     string    `json:"cipher"`
	Nonce      string    `json:"nonce"`
	Ciphertext string    `json:"ciphertext"`
}

type kdfParams struct {
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt string `json:"salt"`
}

func validScryptN(n int) bool {
	return n >= 2 && n <= MaxScryptN && n&(n-1) == 0
}

// seal encrypts seed under passphrase with a fresh salt and nonce.
func seal(seed, passphrase []byte, n int) (cryptoParams, error) {
	var salt [saltLen]byte
	var nonce [nonceLen]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return cryptoParams{}, fmt.Errorf("random salt: %w", err)
	}
	if _, err := rand.Read(nonce[:]); err != nil {
		return cryptoParams{}, fmt.Errorf("random nonce: %w", err)
	}
	key, err := scrypt.Key(passphrase, salt[:], n, scryptR, scryptP, keyLen)
	if err != nil {
		return cryptoParams{}, fmt.Errorf("scrypt: %w", err)
	}
	var k [keyLen]byte
	copy(k[:], key)
	wipe(key)
	ct := secretbox.Seal(nil, seed, &nonce, &k)
	wipe(k[:])
	return cryptoParams{
		KDF:        kdfScrypt,
		KDFParams:  kdfParams{N: n, R: scryptR, P: scryptP, Salt: hex.EncodeToString(salt[:])},
		Cipher:     cipherSecret,
		Nonce:      hex.EncodeToString(nonce[:]),
		Ciphertext: hex.EncodeToString(ct),
	}, nil
}

// open decrypts the seed. A malformed section is ErrCorruptKey; an
// authentication failure is ErrBadPassphrase (a wrong passphrase and a
// flipped ciphertext bit are indistinguishable by design).
func (c *cryptoParams) open(passphrase []byte) ([]byte, error) {
	if c.KDF != kdfScrypt {
		return nil, fmt.Errorf("%w: kdf %q, want %q", ErrCorruptKey, c.KDF, kdfScrypt)
	}
	if c.Cipher != cipherSecret {
		return nil, fmt.Errorf("%w: cipher %q, want %q", ErrCorruptKey, c.Cipher, cipherSecret)
	}
	p := c.KDFParams
	if !validScryptN(p.N) || p.R < 1 || p.R > maxScryptR || p.P < 1 || p.P > maxScryptP {
		return nil, fmt.Errorf("%w: scrypt parameters n=%d r=%d p=%d out of range", ErrCorruptKey, p.N, p.R, p.P)
	}
	salt, err := hex.DecodeString(p.Salt)
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return nil, fmt.Errorf("%w: bad salt", ErrCorruptKey)
	}
	nonceB, err := hex.DecodeString(c.Nonce)
	if err != nil || len(nonceB) != nonceLen {
		return nil, fmt.Errorf("%w: bad nonce", ErrCorruptKey)
	}
	ct, err := hex.DecodeString(c.Ciphertext)
	if err != nil || len(ct) != seedLen+secretbox.Overhead {
		return nil, fmt.Errorf("%w: bad ciphertext", ErrCorruptKey)
	}
	key, err := scrypt.Key(passphrase, salt, p.N, p.R, p.P, keyLen)
	if err != nil {
		return nil, fmt.Errorf("%w: scrypt: %v", ErrCorruptKey, err)
	}
	var k [keyLen]byte
	var nonce [nonceLen]byte
	copy(k[:], key)
	copy(nonce[:], nonceB)
	wipe(key)
	seed, ok := secretbox.Open(nil, ct, &nonce, &k)
	wipe(k[:])
	if !ok {
		return nil, ErrBadPassphrase
	}
	return seed, nil
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
