package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// AddressPrefix is the bech32 human-readable part of every riffchain address.
const AddressPrefix = "riff"

// AddressLen is the length of an address in bytes.
const AddressLen = 20

// Address identifies an account: the first 20 bytes of SHA-256 of an ed25519
// public key for a key account, or of a domain-tagged hash for derived
// accounts (pools, escrow, collectives). Its text form is bech32 with prefix
// "riff".
type Address [AddressLen]byte

// AddressFromPubKey derives the address of an ed25519 public key.
func AddressFromPubKey(pk ed25519.PublicKey) Address {
	h := sha256.Sum256(pk)
	var a Address
	copy(a[:], h[:AddressLen])
	return a
}

// DeriveAddress derives a module or contract account address from a domain
// tag and a key; nobody holds a private key for it.
func DeriveAddress(domain string, key []byte) Address {
	h := sha256.New()
	h.Write([]byte("riffchain/derived/"))
	h.Write([]byte(domain))
	h.Write([]byte{0})
	h.Write(key)
	var a Address
	copy(a[:], h.Sum(nil)[:AddressLen])
	return a
}

// IsZero reports whether a is the all-zero address.
func (a Address) IsZero() bool { return a == Address{} }

// addrCache remembers recent bech32 encodings (events and logs encode the
// same few addresses over and over). Direct-mapped and lock-free; a miss
// just encodes again.
var addrCache [4096]atomic.Pointer[addrString]

type addrString struct {
	a Address
	s string
}

// String returns the bech32 form.
func (a Address) String() string {
	slot := &addrCache[binary.LittleEndian.Uint16(a[:2])&4095]
	if e := slot.Load(); e != nil && e.a == a {
		return e.s
	}
	s := a.encode()
	slot.Store(&addrString{a: a, s: s})
	return s
}

func (a Address) encode() string {
	conv, err := bech32.ConvertBits(a[:], 8, 5, true)
	if err != nil {
		return ""
	}
	s, err := bech32.Encode(AddressPrefix, conv)
	if err != nil {
		return ""
	}
	return s
}

// parseCache remembers recently parsed addresses by their exact text, so
// state records and bodies that name the same accounts skip bech32
// decoding. Only successful parses are cached.
var parseCache [4096]atomic.Pointer[addrString]

func parseSlot(s string) *atomic.Pointer[addrString] {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return &parseCache[h&4095]
}

// ParseAddress parses a bech32 "riff1..." address.
func ParseAddress(s string) (Address, error) {
	slot := parseSlot(s)
	if e := slot.Load(); e != nil && e.s == s {
		return e.a, nil
	}
	a, err := parseAddress(s)
	if err == nil {
		slot.Store(&addrString{a: a, s: s})
	}
	return a, err
}

func parseAddress(s string) (Address, error) {
	var a Address
	if len(s) > 90 {
		return a, fmt.Errorf("%w: too long", ErrInvalidAddress)
	}
	hrp, data, err := bech32.Decode(s)
	if err != nil {
		return a, fmt.Errorf("%w: %q: %v", ErrInvalidAddress, s, err)
	}
	if hrp != AddressPrefix {
		return a, fmt.Errorf("%w: %q: prefix %q, want %q", ErrInvalidAddress, s, hrp, AddressPrefix)
	}
	raw, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return a, fmt.Errorf("%w: %q: %v", ErrInvalidAddress, s, err)
	}
	if len(raw) != AddressLen {
		return a, fmt.Errorf("%w: %q: %d bytes, want %d", ErrInvalidAddress, s, len(raw), AddressLen)
	}
	copy(a[:], raw)
	return a, nil
}

// MarshalJSON encodes the bech32 form (lowercase letters and digits, so a
// JSON string needs no escapes).
func (a Address) MarshalJSON() ([]byte, error) { return quotePlain(a.String()), nil }

// UnmarshalJSON decodes the bech32 form.
func (a *Address) UnmarshalJSON(b []byte) error {
	s, ok := jsonString(b)
	if !ok {
		return fmt.Errorf("%w: address must be a string", ErrInvalidAddress)
	}
	v, err := ParseAddress(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
