// Package keyring owns the riffchain CLI's local key store: named ed25519
// keys kept on disk, one JSON file per key, with the operations the CLI needs
// (add, import, export, list, show, delete, sign, resolve a name or address).
//
// Layout: <dir>/keyring-<backend>/<name>.json, files 0600, directory 0700.
//
// Backends:
//
//   - "file" (the default, also selected by ""): the 32-byte ed25519 seed is
//     encrypted with a key derived from a passphrase by scrypt (N=2^15, r=8,
//     p=1 by default; the parameters are stored per key) and sealed with
//     NaCl secretbox (XSalsa20-Poly1305). The name, address and public key
//     are stored in clear so List, Show and Resolve never need the
//     passphrase. The passphrase callback is called only when a secret is
//     needed (Add, Import, Export, ExportArmored, Sign, PrivKey), at most
//     once per Keyring after it succeeds: the passphrase is cached in memory
//     for the Keyring's lifetime. A new passphrase is checked against the
//     keyring's passphrase check file (passphrase.check, a known value
//     sealed like a key), so one keyring keeps one passphrase and adding a
//     key never opens another key's file (a keyring without a check file
//     opens its first key once, then writes one). A key file is decrypted
//     only when that key is used. Scrypt costs in files are capped at
//     N=2^18, r=8, p=1 (256 MiB), the most this keyring writes.
//   - "test": the seed is stored unencrypted as hex in plain JSON. Only for
//     scripts, tests and local devnets.
//
// Key names match ^[A-Za-z0-9_.-]{1,64}$ and must not themselves be a valid
// riff1... address, so Resolve can accept either without ambiguity.
//
// Addresses are ledger.AddressFromPubKey(pub): bech32 "riff1..." of
// sha256(pub)[:20].
package keyring

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/riffchain/riffchain/ledger"
)

// Backend names accepted by Open.
const (
	BackendFile = "file"
	BackendTest = "test"
)

const (
	fileVersion = 1
	keyTypeEd   = "ed25519"
	seedLen     = ed25519.SeedSize
	fileExt     = ".json"
	dirPerm     = 0o700
	filePerm    = 0o600
	maxKeyFile  = 64 << 10
)

var nameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Info is the public description of a stored key. From Resolve of an address
// that is not in the keyring, only Address is set.
type Info struct {
	Name    string
	Address ledger.Address
	PubKey  ed25519.PublicKey
}

// MarshalJSON renders {"name", "address" (bech32), "pubkey" (hex)}; empty
// name and pubkey are omitted.
func (i Info) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name    string         `json:"name,omitempty"`
		Address ledger.Address `json:"address"`
		PubKey  string         `json:"pubkey,omitempty"`
	}{i.Name, i.Address, hex.EncodeToString(i.PubKey)})
}

// Option adjusts Open.
type Option func(*options)

type options struct {
	scryptN int // 0 = not set
	confirm func() ([]byte, error)
}

// WithConfirm sets how a first passphrase is confirmed: when a key is
// written to a keyring holding no key the passphrase could be checked
// against, confirm is called once and must return the same passphrase
// (ErrBadPassphrase otherwise, and nothing is written). A CLI passes a
// second terminal prompt; without it a first passphrase is taken as given.
func WithConfirm(confirm func() ([]byte, error)) Option {
	return func(o *options) { o.confirm = confirm }
}

// WithScryptN sets the scrypt cost N used for newly written keys ("file"
// backend): a power of two in 2..2^20. Use a small value (e.g. 16) in tests.
// It overrides RIFFCHAIN_KEYRING_SCRYPT_N.
func WithScryptN(n int) Option { return func(o *options) { o.scryptN = n } }

// Keyring is an open key store. It is safe for concurrent use.
type Keyring struct {
	mu         sync.Mutex
	dir        string // <dir>/keyring-<backend>
	backend    string
	passphrase func() ([]byte, error)
	confirm    func() ([]byte, error) // nil: a first passphrase is not confirmed
	cached     []byte                 // passphrase that proved good, nil until then
	scryptN    int
}

// Open opens (creating if needed) the keyring of the given backend ("file"
// when empty, or "test") under dir. passphrase supplies the passphrase for
// the "file" backend when a secret is needed; it may be nil for "test" (and
// for a "file" keyring used only to list/show/resolve/delete).
func Open(dir, backend string, passphrase func() ([]byte, error), opts ...Option) (*Keyring, error) {
	if backend == "" {
		backend = BackendFile
	}
	if backend != BackendFile && backend != BackendTest {
		return nil, fmt.Errorf("%w: %q (want %q or %q)", ErrUnknownBackend, backend, BackendFile, BackendTest)
	}
	if dir == "" {
		return nil, fmt.Errorf("open keyring: empty directory")
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	n := DefaultScryptN
	if backend == BackendFile {
		if o.scryptN != 0 {
			n = o.scryptN
		} else if s := os.Getenv(EnvScryptN); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("%w: %s=%q: not an integer", ErrInvalidOption, EnvScryptN, s)
			}
			n = v
		}
		if !validScryptN(n) {
			return nil, fmt.Errorf("%w: scrypt N=%d: want a power of two in 2..%d", ErrInvalidOption, n, MaxScryptN)
		}
	}
	kdir := filepath.Join(dir, "keyring-"+backend)
	if err := os.MkdirAll(kdir, dirPerm); err != nil {
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	if err := os.Chmod(kdir, dirPerm); err != nil {
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	return &Keyring{dir: kdir, backend: backend, passphrase: passphrase, confirm: o.confirm, scryptN: n}, nil
}

// Backend returns the backend name ("file" or "test").
func (k *Keyring) Backend() string { return k.backend }

// Dir returns the directory holding the key files (<dir>/keyring-<backend>).
func (k *Keyring) Dir() string { return k.dir }

// ValidateName reports whether name is acceptable as a key name
// (^[A-Za-z0-9_.-]{1,64}$ and not a valid riff1... address).
func ValidateName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("%w: %q: want 1-64 of A-Z a-z 0-9 _ . -", ErrInvalidName, name)
	}
	if _, err := ledger.ParseAddress(name); err == nil {
		return fmt.Errorf("%w: %q is an address", ErrInvalidName, name)
	}
	return nil
}

// Add generates a new ed25519 key under name. ErrKeyExists if the name is
// taken. On the "file" backend it needs the passphrase.
func (k *Keyring) Add(name string) (Info, error) {
	var seed [seedLen]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return Info{}, fmt.Errorf("add key %q: random: %w", name, err)
	}
	defer wipe(seed[:])
	info, err := k.store(name, seed[:])
	if err != nil {
		return Info{}, fmt.Errorf("add key %q: %w", name, err)
	}
	return info, nil
}

// Import stores an existing private key under name. Accepted encodings
// (surrounding whitespace ignored):
//   - hex (optionally "0x"-prefixed) of the 32-byte ed25519 seed — the
//     format Export returns;
//   - hex of the 64-byte ed25519 private key (seed || public key), whose
//     public half must match the seed;
//   - a PEM "PRIVATE KEY" block holding a PKCS#8 ed25519 key — the format
//     ExportArmored returns, and what `openssl genpkey -algorithm ed25519`
//     writes.
//
// ErrInvalidKey for anything else; ErrKeyExists if the name is taken.
func (k *Keyring) Import(name, privKeyHexOrArmored string) (Info, error) {
	seed, err := parsePrivKey(privKeyHexOrArmored)
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: %w", name, err)
	}
	defer wipe(seed)
	info, err := k.store(name, seed)
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: %w", name, err)
	}
	return info, nil
}

// Export returns the key's secret as lowercase hex of its 32-byte ed25519
// seed (64 hex characters, unencrypted: treat it as the key itself). Import
// accepts it back.
func (k *Keyring) Export(name string) (string, error) {
	priv, err := k.PrivKey(name)
	if err != nil {
		return "", fmt.Errorf("export key: %w", err)
	}
	defer wipe(priv)
	return hex.EncodeToString(priv.Seed()), nil
}

// List returns every stored key sorted by name. A corrupt key file makes it
// fail with ErrCorruptKey naming the file.
func (k *Keyring) List() ([]Info, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	names, err := k.names()
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	out := make([]Info, 0, len(names))
	for _, n := range names {
		_, info, err := k.load(n)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		out = append(out, info)
	}
	return out, nil
}

// Show returns the public description of the key called name. It never
// needs the passphrase.
func (k *Keyring) Show(name string) (Info, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, info, err := k.load(name)
	if err != nil {
		return Info{}, fmt.Errorf("show key: %w", err)
	}
	return info, nil
}

// Resolve accepts a key name or a riff1... address. An address matching a
// stored key returns that key's Info; an address not in the keyring returns
// Info{Address: addr} with empty Name and nil PubKey (and no error), for
// commands where an address is enough. Anything else is looked up as a
// name (ErrInvalidName / ErrKeyNotFound).
func (k *Keyring) Resolve(nameOrAddress string) (Info, error) {
	addr, err := ledger.ParseAddress(nameOrAddress)
	if err != nil {
		info, err := k.Show(nameOrAddress)
		if err != nil {
			return Info{}, fmt.Errorf("resolve %q: not an address, and %w", nameOrAddress, err)
		}
		return info, nil
	}
	infos, err := k.List()
	if err != nil {
		return Info{}, fmt.Errorf("resolve %q: %w", nameOrAddress, err)
	}
	for _, i := range infos {
		if i.Address == addr {
			return i, nil
		}
	}
	return Info{Address: addr}, nil
}

// Delete removes the key called name. It does not ask for the passphrase;
// confirmation is the caller's business.
func (k *Keyring) Delete(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := ValidateName(name); err != nil {
		return fmt.Errorf("delete key: %w", err)
	}
	if err := os.Remove(k.path(name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete key: %w: %q", ErrKeyNotFound, name)
		}
		return fmt.Errorf("delete key %q: %w", name, err)
	}
	return nil
}

// Sign signs msg (the exact bytes, no hashing or prefixing) with the key
// called name and returns the 64-byte ed25519 signature.
func (k *Keyring) Sign(name string, msg []byte) ([]byte, error) {
	priv, err := k.PrivKey(name)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	defer wipe(priv)
	return ed25519.Sign(priv, msg), nil
}

// PrivKey returns the private key called name (decrypting it on the "file"
// backend), for offline signing helpers. The caller owns the returned slice.
func (k *Keyring) PrivKey(name string) (ed25519.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	kf, info, err := k.load(name)
	if err != nil {
		return nil, err
	}
	seed, err := k.secret(kf)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	defer wipe(seed)
	priv := ed25519.NewKeyFromSeed(seed)
	if !priv.Public().(ed25519.PublicKey).Equal(info.PubKey) {
		wipe(priv)
		return nil, fmt.Errorf("%w: %q: private key does not match stored public key", ErrCorruptKey, name)
	}
	return priv, nil
}

// keyFile is the on-disk JSON of one key. Exactly one of PrivKey ("test")
// and Crypto ("file") is set.
type keyFile struct {
	Version int           `json:"version"`
	Type    string        `json:"type"`
	Name    string        `json:"name"`
	Address string        `json:"address"`
	PubKey  string        `json:"pubkey"`
	PrivKey string        `json:"privkey,omitempty"`
	Crypto  *cryptoParams `json:"crypto,omitempty"`
}

func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name+fileExt) }

// names lists the key names present on disk, sorted.
func (k *Keyring) names() ([]string, error) {
	ents, err := os.ReadDir(k.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		fn := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(fn, fileExt) {
			continue
		}
		n := strings.TrimSuffix(fn, fileExt)
		if ValidateName(n) != nil {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// load reads and checks the public part of a key file. Caller holds mu.
func (k *Keyring) load(name string) (*keyFile, Info, error) {
	if err := ValidateName(name); err != nil {
		return nil, Info{}, err
	}
	b, err := os.ReadFile(k.path(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, Info{}, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
		}
		return nil, Info{}, fmt.Errorf("read key %q: %w", name, err)
	}
	bad := func(why string) (*keyFile, Info, error) {
		return nil, Info{}, fmt.Errorf("%w: %s: %s", ErrCorruptKey, k.path(name), why)
	}
	if len(b) > maxKeyFile {
		return bad(fmt.Sprintf("%d bytes, too large", len(b)))
	}
	var kf keyFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return bad("not valid key JSON: " + err.Error())
	}
	if dec.More() {
		return bad("trailing data after JSON")
	}
	if kf.Version != fileVersion {
		return bad(fmt.Sprintf("version %d, want %d", kf.Version, fileVersion))
	}
	if kf.Type != keyTypeEd {
		return bad(fmt.Sprintf("key type %q, want %q", kf.Type, keyTypeEd))
	}
	if kf.Name != name {
		if strings.EqualFold(kf.Name, name) {
			// Case-insensitive file system: a differently-cased name.
			return nil, Info{}, fmt.Errorf("%w: %q (a key named %q exists)", ErrKeyNotFound, name, kf.Name)
		}
		return bad(fmt.Sprintf("holds key %q", kf.Name))
	}
	pub, err := hex.DecodeString(kf.PubKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return bad("bad public key")
	}
	addr := ledger.AddressFromPubKey(pub)
	if kf.Address != addr.String() {
		return bad("address does not match public key")
	}
	switch k.backend {
	case BackendTest:
		if kf.Crypto != nil || kf.PrivKey == "" {
			return bad(`"test" backend key must have "privkey" and no "crypto"`)
		}
	case BackendFile:
		if kf.Crypto == nil || kf.PrivKey != "" {
			return bad(`"file" backend key must have "crypto" and no "privkey"`)
		}
	}
	return &kf, Info{Name: name, Address: addr, PubKey: ed25519.PublicKey(pub)}, nil
}

// secret returns the seed of a loaded key file. Caller holds mu.
func (k *Keyring) secret(kf *keyFile) ([]byte, error) {
	if k.backend == BackendTest {
		seed, err := hex.DecodeString(kf.PrivKey)
		if err != nil || len(seed) != seedLen {
			return nil, fmt.Errorf("%w: bad privkey", ErrCorruptKey)
		}
		return seed, nil
	}
	pp, fresh, err := k.getPassphrase()
	if err != nil {
		return nil, err
	}
	seed, err := kf.Crypto.open(pp)
	if err != nil {
		if fresh {
			wipe(pp)
		}
		return nil, err
	}
	if fresh {
		k.cached = pp
	}
	return seed, nil
}

// getPassphrase returns the cached passphrase, or asks for one (fresh=true;
// the caller caches it once it has proved good). Caller holds mu.
func (k *Keyring) getPassphrase() (pp []byte, fresh bool, err error) {
	if k.cached != nil {
		return k.cached, false, nil
	}
	if k.passphrase == nil {
		return nil, false, fmt.Errorf("%w: no passphrase source for the %q keyring", ErrBadPassphrase, k.backend)
	}
	p, err := k.passphrase()
	if err != nil {
		return nil, false, fmt.Errorf("read passphrase: %w", err)
	}
	return append([]byte(nil), p...), true, nil
}

// writePassphrase returns the passphrase to encrypt a new key with. A fresh
// one must be non-empty and must open a key already stored (when any
// non-corrupt key exists), so one keyring keeps one passphrase. Caller
// holds mu.
func (k *Keyring) writePassphrase() ([]byte, error) {
	pp, fresh, err := k.getPassphrase()
	if err != nil || !fresh {
		return pp, err
	}
	if len(pp) == 0 {
		return nil, fmt.Errorf("%w: empty passphrase", ErrBadPassphrase)
	}
	mismatch, matched, err := k.checkPassphrase(pp)
	if err != nil {
		wipe(pp)
		return nil, err
	}
	if mismatch {
		wipe(pp)
		return nil, fmt.Errorf("%w: does not match the keyring's existing keys", ErrBadPassphrase)
	}
	if !matched && k.confirm != nil { // a first passphrase: have it typed again
		again, err := k.confirm()
		if err != nil {
			wipe(pp)
			return nil, fmt.Errorf("read passphrase confirmation: %w", err)
		}
		same := subtle.ConstantTimeCompare(pp, again) == 1
		wipe(again)
		if !same {
			wipe(pp)
			return nil, fmt.Errorf("%w: the two passphrases differ", ErrBadPassphrase)
		}
	}
	if !matched {
		if err := k.writeCheck(pp); err != nil {
			wipe(pp)
			return nil, err
		}
	}
	k.cached = pp
	return pp, nil
}

// checkFile is the name of the passphrase check file in the keyring
// directory (not a key: its extension is not fileExt).
const checkFile = "passphrase.check"

// checkPassphrase tells whether pp is the keyring's passphrase: against
// the check file when there is one, else against the first stored key that
// loads (one decryption at most, whatever the number of keys). matched:
// it opened something; mismatch: something failed to authenticate.
// Caller holds mu.
func (k *Keyring) checkPassphrase(pp []byte) (mismatch, matched bool, err error) {
	if b, err := os.ReadFile(filepath.Join(k.dir, checkFile)); err == nil {
		var c cryptoParams
		if json.Unmarshal(b, &c) == nil {
			seed, err := c.open(pp)
			if err == nil {
				wipe(seed)
				return false, true, nil
			}
			if errors.Is(err, ErrBadPassphrase) {
				return true, false, nil
			}
		}
		// A corrupt check file: judge by a key instead.
	}
	names, err := k.names()
	if err != nil {
		return false, false, err
	}
	for _, n := range names {
		kf, _, err := k.load(n)
		if err != nil {
			continue // corrupt or vanished: try the next one
		}
		seed, err := kf.Crypto.open(pp)
		if err == nil {
			wipe(seed)
			return false, true, k.writeCheck(pp)
		}
		if errors.Is(err, ErrBadPassphrase) {
			return true, false, nil
		}
		// Corrupt crypto section: try the next key.
	}
	return false, false, nil
}

// writeCheck (re)writes the passphrase check file: a zero seed sealed
// under pp with the keyring's scrypt cost. Caller holds mu.
func (k *Keyring) writeCheck(pp []byte) error {
	c, err := seal(make([]byte, seedLen), pp, k.scryptN)
	if err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode passphrase check: %w", err)
	}
	path := filepath.Join(k.dir, checkFile)
	_ = os.Remove(path) // a corrupt one is replaced
	if err := writeNew(k.dir, path, b); err != nil {
		return fmt.Errorf("write passphrase check: %w", err)
	}
	return nil
}

// store writes a new key file for seed under name, never overwriting.
func (k *Keyring) store(name string, seed []byte) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := os.Lstat(k.path(name)); err == nil {
		return Info{}, fmt.Errorf("%w: %q", ErrKeyExists, name)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	defer wipe(priv)
	pub := priv.Public().(ed25519.PublicKey)
	addr := ledger.AddressFromPubKey(pub)
	kf := keyFile{
		Version: fileVersion,
		Type:    keyTypeEd,
		Name:    name,
		Address: addr.String(),
		PubKey:  hex.EncodeToString(pub),
	}
	if k.backend == BackendTest {
		kf.PrivKey = hex.EncodeToString(seed)
	} else {
		pp, err := k.writePassphrase()
		if err != nil {
			return Info{}, err
		}
		c, err := seal(seed, pp, k.scryptN)
		if err != nil {
			return Info{}, err
		}
		kf.Crypto = &c
	}
	b, err := json.MarshalIndent(&kf, "", "  ")
	if err != nil {
		return Info{}, err
	}
	b = append(b, '\n')
	if err := writeNew(k.dir, k.path(name), b); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Info{}, fmt.Errorf("%w: %q", ErrKeyExists, name)
		}
		return Info{}, err
	}
	return Info{Name: name, Address: addr, PubKey: append(ed25519.PublicKey(nil), pub...)}, nil
}

// writeNew writes data to path with mode 0600 without ever replacing an
// existing file: it writes a temp file, fsyncs it and hard-links it into
// place (falling back to O_EXCL where links are unsupported).
func writeNew(dir, path string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	werr := tmp.Chmod(filePerm)
	if werr == nil {
		_, werr = tmp.Write(data)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	lerr := os.Link(tmpName, path)
	if lerr == nil || errors.Is(lerr, fs.ErrExist) {
		return lerr
	}
	// No hard links here: create exclusively and write in place.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return err
	}
	_, werr = f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
	}
	return werr
}
