package keyring

import "errors"

// Sentinel errors. Every error returned by this package wraps one of these
// (or an I/O error from the operating system, or the error returned by the
// passphrase callback), so callers can test with errors.Is.
var (
	// ErrKeyExists: Add/Import of a name that is already stored.
	ErrKeyExists = errors.New("key already exists")
	// ErrKeyNotFound: no key stored under that name (or address).
	ErrKeyNotFound = errors.New("key not found")
	// ErrBadPassphrase: the passphrase does not decrypt the key (or does not
	// match the keyring's existing keys), is empty, or no passphrase source
	// was given to a "file" keyring.
	ErrBadPassphrase = errors.New("bad passphrase")
	// ErrInvalidName: the name does not match ^[A-Za-z0-9_.-]{1,64}$ or is
	// itself a valid riff1... address.
	ErrInvalidName = errors.New("invalid key name")
	// ErrUnknownBackend: Open was given a backend other than "file" or "test".
	ErrUnknownBackend = errors.New("unknown keyring backend")
	// ErrCorruptKey: a key file exists but cannot be parsed, has bad
	// lengths/parameters, or its stored public key/address/name do not match
	// its private key.
	ErrCorruptKey = errors.New("corrupt key file")
	// ErrInvalidKey: Import was given text that is not an accepted private
	// key encoding.
	ErrInvalidKey = errors.New("invalid private key")
	// ErrInvalidOption: a bad scrypt cost via option or
	// RIFFCHAIN_KEYRING_SCRYPT_N.
	ErrInvalidOption = errors.New("invalid keyring option")
)
