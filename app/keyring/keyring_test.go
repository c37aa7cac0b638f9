package keyring

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

const testN = 16 // scrypt cost for tests

// counter is a passphrase source that records how often it was asked.
type counter struct {
	pw    string
	calls int
	err   error
}

func (c *counter) get() ([]byte, error) {
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	return []byte(c.pw), nil
}

func open(t *testing.T, dir, backend, pw string) (*Keyring, *counter) {
	t.Helper()
	c := &counter{pw: pw}
	k, err := Open(dir, backend, c.get, WithScryptN(testN))
	if err != nil {
		t.Fatalf("Open(%q): %v", backend, err)
	}
	return k, c
}

func TestRoundTrip(t *testing.T) {
	for _, backend := range []string{"", BackendFile, BackendTest} {
		t.Run("backend="+backend, func(t *testing.T) {
			k, _ := open(t, t.TempDir(), backend, "correct horse")
			bob, err := k.Add("bob")
			if err != nil {
				t.Fatal(err)
			}
			alice, err := k.Add("alice")
			if err != nil {
				t.Fatal(err)
			}
			if bob.Address == alice.Address {
				t.Fatal("two generated keys share an address")
			}
			if got := ledger.AddressFromPubKey(alice.PubKey); got != alice.Address {
				t.Fatalf("address %s, want AddressFromPubKey = %s", alice.Address, got)
			}
			if !strings.HasPrefix(alice.Address.String(), "riff1") {
				t.Fatalf("address %q lacks riff1 prefix", alice.Address)
			}

			list, err := k.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" {
				t.Fatalf("List = %+v, want [alice bob]", list)
			}
			shown, err := k.Show("alice")
			if err != nil {
				t.Fatal(err)
			}
			if shown.Address != alice.Address || !shown.PubKey.Equal(alice.PubKey) {
				t.Fatalf("Show = %+v, want %+v", shown, alice)
			}

			// Sign / PrivKey agree with the stored public key.
			msg := []byte("exact bytes")
			sig, err := k.Sign("alice", msg)
			if err != nil {
				t.Fatal(err)
			}
			if !ed25519.Verify(alice.PubKey, msg, sig) {
				t.Fatal("signature does not verify")
			}
			if ed25519.Verify(bob.PubKey, msg, sig) {
				t.Fatal("alice's signature verifies under bob's key")
			}
			priv, err := k.PrivKey("alice")
			if err != nil {
				t.Fatal(err)
			}
			if !priv.Public().(ed25519.PublicKey).Equal(alice.PubKey) {
				t.Fatal("PrivKey does not match PubKey")
			}

			seedHex, err := k.Export("alice")
			if err != nil {
				t.Fatal(err)
			}
			if len(seedHex) != 64 {
				t.Fatalf("Export length %d, want 64 hex chars", len(seedHex))
			}
			armored, err := k.ExportArmored("alice")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(armored, "-----BEGIN PRIVATE KEY-----") {
				t.Fatalf("armored = %q", armored)
			}

			// Import every accepted encoding into a fresh keyring.
			k2, _ := open(t, t.TempDir(), backend, "other pass")
			imports := []struct{ name, text string }{
				{"seedhex", seedHex},
				{"seedhex0x", "  0x" + strings.ToUpper(seedHex) + "\n"},
				{"fullhex", hex.EncodeToString(priv)},
				{"pem", armored},
			}
			for _, im := range imports {
				info, err := k2.Import(im.name, im.text)
				if err != nil {
					t.Fatalf("Import %s: %v", im.name, err)
				}
				if info.Address != alice.Address {
					t.Fatalf("Import %s: address %s, want %s", im.name, info.Address, alice.Address)
				}
				again, err := k2.Export(im.name)
				if err != nil || again != seedHex {
					t.Fatalf("Export after Import %s = %q, %v", im.name, again, err)
				}
			}

			// Resolve by name, known address, unknown address; bad input.
			r, err := k.Resolve("bob")
			if err != nil || r.Name != "bob" || r.Address != bob.Address {
				t.Fatalf("Resolve(name) = %+v, %v", r, err)
			}
			r, err = k.Resolve(alice.Address.String())
			if err != nil || r.Name != "alice" || !r.PubKey.Equal(alice.PubKey) {
				t.Fatalf("Resolve(addr) = %+v, %v", r, err)
			}
			stranger := ledger.DeriveAddress("test", []byte("x"))
			r, err = k.Resolve(stranger.String())
			if err != nil || r.Name != "" || r.PubKey != nil || r.Address != stranger {
				t.Fatalf("Resolve(unknown addr) = %+v, %v", r, err)
			}
			if _, err := k.Resolve("carol"); !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("Resolve(carol) err = %v, want ErrKeyNotFound", err)
			}
			if _, err := k.Resolve("riff1 bad"); !errors.Is(err, ErrInvalidName) {
				t.Fatalf("Resolve(bad) err = %v, want ErrInvalidName", err)
			}

			// Reopening finds the same keys.
			k3, _ := open(t, filepath.Dir(k.Dir()), backend, "correct horse")
			if got, err := k3.Export("alice"); err != nil || got != seedHex {
				t.Fatalf("Export after reopen = %q, %v", got, err)
			}
		})
	}
}

func TestInfoJSON(t *testing.T) {
	k, _ := open(t, t.TempDir(), BackendTest, "")
	info, err := k.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"a","address":"` + info.Address.String() + `","pubkey":"` + hex.EncodeToString(info.PubKey) + `"}`
	if string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	b, _ = json.Marshal(Info{Address: info.Address})
	if string(b) != `{"address":"`+info.Address.String()+`"}` {
		t.Fatalf("address-only JSON %s", b)
	}
}

func TestPassphrase(t *testing.T) {
	dir := t.TempDir()
	k, c := open(t, dir, BackendFile, "pw-one")
	if _, err := k.List(); err != nil || c.calls != 0 {
		t.Fatalf("List on empty keyring: err %v, passphrase calls %d", err, c.calls)
	}
	info, err := k.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Add("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign("a", []byte("m")); err != nil {
		t.Fatal(err)
	}
	if c.calls != 1 {
		t.Fatalf("passphrase asked %d times, want 1 (cached)", c.calls)
	}

	cases := []struct {
		name string
		op   func(k *Keyring) error
	}{
		{"export", func(k *Keyring) error { _, err := k.Export("a"); return err }},
		{"armored", func(k *Keyring) error { _, err := k.ExportArmored("a"); return err }},
		{"sign", func(k *Keyring) error { _, err := k.Sign("a", []byte("m")); return err }},
		{"privkey", func(k *Keyring) error { _, err := k.PrivKey("b"); return err }},
		{"add", func(k *Keyring) error { _, err := k.Add("c"); return err }},
		{"import", func(k *Keyring) error { _, err := k.Import("c", strings.Repeat("11", 32)); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wrong, wc := open(t, dir, BackendFile, "pw-two")
			if err := tc.op(wrong); !errors.Is(err, ErrBadPassphrase) {
				t.Fatalf("wrong passphrase: err = %v, want ErrBadPassphrase", err)
			}
			if wc.calls != 1 {
				t.Fatalf("passphrase asked %d times, want 1", wc.calls)
			}
			// Not cached after failure: asked again.
			if err := tc.op(wrong); !errors.Is(err, ErrBadPassphrase) || wc.calls != 2 {
				t.Fatalf("retry: err %v, calls %d", err, wc.calls)
			}
			empty, _ := open(t, dir, BackendFile, "")
			if err := tc.op(empty); !errors.Is(err, ErrBadPassphrase) {
				t.Fatalf("empty passphrase: err = %v, want ErrBadPassphrase", err)
			}
			none, err := Open(dir, BackendFile, nil, WithScryptN(testN))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.op(none); !errors.Is(err, ErrBadPassphrase) {
				t.Fatalf("nil passphrase func: err = %v, want ErrBadPassphrase", err)
			}
			boom := errors.New("terminal closed")
			failing := &counter{err: boom}
			fk, err := Open(dir, BackendFile, failing.get, WithScryptN(testN))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.op(fk); !errors.Is(err, boom) {
				t.Fatalf("failing passphrase func: err = %v, want it wrapped", err)
			}
		})
	}

	// A good passphrase learnt by decrypting is cached too.
	reader, rc := open(t, dir, BackendFile, "pw-one")
	for i := 0; i < 3; i++ {
		if _, err := reader.Sign("a", []byte("m")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reader.Add("d"); err != nil {
		t.Fatal(err)
	}
	if rc.calls != 1 {
		t.Fatalf("passphrase asked %d times after decrypting, want 1", rc.calls)
	}
	if err := reader.Delete("d"); err != nil {
		t.Fatal(err)
	}

	// An empty passphrase never encrypts a first key.
	fresh, _ := open(t, t.TempDir(), BackendFile, "")
	if _, err := fresh.Add("first"); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("Add with empty passphrase: %v, want ErrBadPassphrase", err)
	}
	if l, err := fresh.List(); err != nil || len(l) != 0 {
		t.Fatalf("empty-passphrase Add left keys: %v, %v", l, err)
	}

	// Public operations never ask, even with a wrong or missing passphrase.
	pub, pc := open(t, dir, BackendFile, "wrong")
	if l, err := pub.List(); err != nil || len(l) != 2 {
		t.Fatalf("List = %v, %v", l, err)
	}
	if s, err := pub.Show("a"); err != nil || s.Address != info.Address {
		t.Fatalf("Show = %+v, %v", s, err)
	}
	if r, err := pub.Resolve(info.Address.String()); err != nil || r.Name != "a" {
		t.Fatalf("Resolve = %+v, %v", r, err)
	}
	if err := pub.Delete("b"); err != nil {
		t.Fatal(err)
	}
	if pc.calls != 0 {
		t.Fatalf("public operations asked for the passphrase %d times", pc.calls)
	}
	// The key files are untouched by all the failures.
	k2, _ := open(t, dir, BackendFile, "pw-one")
	if _, err := k2.Sign("a", []byte("m")); err != nil {
		t.Fatal(err)
	}
}

func TestDuplicateAndDelete(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			k, c := open(t, t.TempDir(), backend, "pw")
			first, err := k.Add("dup")
			if err != nil {
				t.Fatal(err)
			}
			calls := c.calls
			k2, c2 := open(t, filepath.Dir(k.Dir()), backend, "pw")
			if _, err := k2.Add("dup"); !errors.Is(err, ErrKeyExists) {
				t.Fatalf("Add dup: %v, want ErrKeyExists", err)
			}
			if _, err := k2.Import("dup", strings.Repeat("22", 32)); !errors.Is(err, ErrKeyExists) {
				t.Fatalf("Import dup: %v, want ErrKeyExists", err)
			}
			if c2.calls != 0 || c.calls != calls {
				t.Fatal("duplicate check asked for a passphrase")
			}
			if s, err := k.Show("dup"); err != nil || s.Address != first.Address {
				t.Fatalf("original key changed: %+v, %v", s, err)
			}

			if err := k.Delete("dup"); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Show("dup"); !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("Show after delete: %v", err)
			}
			if _, err := k.Sign("dup", nil); !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("Sign after delete: %v", err)
			}
			if err := k.Delete("dup"); !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("second Delete: %v", err)
			}
			if l, err := k.List(); err != nil || len(l) != 0 {
				t.Fatalf("List after delete = %v, %v", l, err)
			}
			// The name is free again.
			if again, err := k.Add("dup"); err != nil || again.Address == first.Address {
				t.Fatalf("re-Add = %+v, %v", again, err)
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permissions")
	}
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			k, _ := open(t, filepath.Join(t.TempDir(), "home", "nested"), backend, "pw")
			if _, err := k.Add("k"); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Import("m", strings.Repeat("33", 32)); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(k.Dir())
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o700 {
				t.Fatalf("dir mode %v, want 0700", st.Mode().Perm())
			}
			if filepath.Base(k.Dir()) != "keyring-"+backend {
				t.Fatalf("dir %q", k.Dir())
			}
			ents, err := os.ReadDir(k.Dir())
			if err != nil {
				t.Fatal(err)
			}
			files := []string{"k.json", "m.json"}
			if backend == BackendFile {
				files = append(files, checkFile)
			}
			if len(ents) != len(files) {
				t.Fatalf("dir holds %d entries, want %d (no temp files left)", len(ents), len(files))
			}
			for _, name := range files {
				st, err := os.Stat(filepath.Join(k.Dir(), name))
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o600 {
					t.Fatalf("%s mode %v, want 0600", name, st.Mode().Perm())
				}
			}
			// An existing, too-open keyring dir is tightened on Open.
			if err := os.Chmod(k.Dir(), 0o755); err != nil {
				t.Fatal(err)
			}
			open(t, filepath.Dir(k.Dir()), backend, "pw")
			if st, _ := os.Stat(k.Dir()); st.Mode().Perm() != 0o700 {
				t.Fatalf("reopen left dir mode %v", st.Mode().Perm())
			}
		})
	}
}

func TestTestBackendPlainJSON(t *testing.T) {
	k, c := open(t, t.TempDir(), BackendTest, "unused")
	info, err := k.Add("plain")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := k.Export("plain")
	if err != nil {
		t.Fatal(err)
	}
	if c.calls != 0 {
		t.Fatal("test backend asked for a passphrase")
	}
	raw, err := os.ReadFile(filepath.Join(k.Dir(), "plain.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not plain JSON: %v", err)
	}
	want := map[string]any{
		"name":    "plain",
		"type":    "ed25519",
		"address": info.Address.String(),
		"pubkey":  hex.EncodeToString(info.PubKey),
		"privkey": seed,
	}
	for f, v := range want {
		if m[f] != v {
			t.Errorf("field %q = %v, want %v", f, m[f], v)
		}
	}
	if _, ok := m["crypto"]; ok {
		t.Error("test backend file has a crypto section")
	}
}

func TestEncryptedFileHidesSeed(t *testing.T) {
	k, _ := open(t, t.TempDir(), BackendFile, "pw")
	// A seed with recognisable structure, imported so we know it.
	seed := bytes.Repeat([]byte{0xab, 0xcd}, 16)
	info, err := k.Import("secret", hex.EncodeToString(seed))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(k.Dir(), "secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	forbidden := map[string][]byte{
		"raw seed":      seed,
		"hex seed":      []byte(hex.EncodeToString(seed)),
		"HEX seed":      []byte(strings.ToUpper(hex.EncodeToString(seed))),
		"base64 seed":   []byte(base64.StdEncoding.EncodeToString(seed)),
		"hex priv half": []byte(hex.EncodeToString(seed[:8])),
		"hex privkey":   []byte(hex.EncodeToString(priv)),
	}
	for what, b := range forbidden {
		if bytes.Contains(bytes.ToLower(raw), bytes.ToLower(b)) {
			t.Errorf("encrypted file contains the %s", what)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["address"] != info.Address.String() || m["crypto"] == nil || m["privkey"] != nil {
		t.Fatalf("unexpected file layout: %s", raw)
	}
	if got, err := k.Export("secret"); err != nil || got != hex.EncodeToString(seed) {
		t.Fatalf("Export = %q, %v", got, err)
	}
}

func TestScryptCostStoredPerKey(t *testing.T) {
	dir := t.TempDir()
	k, _ := open(t, dir, BackendFile, "pw")
	if _, err := k.Add("light"); err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		t.Skip("default scrypt cost is slow-ish")
	}
	t.Setenv(EnvScryptN, "")
	heavy, err := Open(dir, BackendFile, func() ([]byte, error) { return []byte("pw"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := heavy.Add("heavy"); err != nil {
		t.Fatal(err)
	}
	var kf keyFile
	raw, _ := os.ReadFile(filepath.Join(heavy.Dir(), "heavy.json"))
	if err := json.Unmarshal(raw, &kf); err != nil || kf.Crypto.KDFParams.N != DefaultScryptN {
		t.Fatalf("default N not used: %+v, %v", kf.Crypto, err)
	}
	// A light keyring opens a heavy key and vice versa.
	if _, err := heavy.Sign("light", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign("heavy", nil); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct {
		name    string
		backend string
		env     string
		opts    []Option
		want    error
	}{
		{"unknown backend", "os", "", nil, ErrUnknownBackend},
		{"kwallet", "kwallet", "", nil, ErrUnknownBackend},
		{"env not int", BackendFile, "lots", nil, ErrInvalidOption},
		{"env not power of two", BackendFile, "1000", nil, ErrInvalidOption},
		{"env too big", BackendFile, "2097152", nil, ErrInvalidOption},
		{"option one", BackendFile, "", []Option{WithScryptN(1)}, ErrInvalidOption},
		{"option negative", BackendFile, "", []Option{WithScryptN(-16)}, ErrInvalidOption},
		{"env ok", BackendFile, "64", nil, nil},
		{"option overrides env", BackendFile, "lots", []Option{WithScryptN(32)}, nil},
		{"test backend ignores env", BackendTest, "lots", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvScryptN, tc.env)
			k, err := Open(t.TempDir(), tc.backend, nil, tc.opts...)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (k != nil) {
				t.Fatalf("Open err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Setenv(EnvScryptN, "64")
	k, err := Open(t.TempDir(), "", nil)
	if err != nil || k.scryptN != 64 || k.Backend() != BackendFile {
		t.Fatalf("env N not applied: %v", err)
	}
}

func TestNames(t *testing.T) {
	addr := ledger.AddressFromPubKey(make([]byte, 32)).String()
	cases := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"Alice_1.backup-2", true},
		{strings.Repeat("x", 64), true},
		{"", false},
		{strings.Repeat("x", 65), false},
		{"a/b", false},
		{"../evil", false},
		{"a b", false},
		{"ключ", false},
		{"a\x00", false},
		{addr, false},
	}
	k, _ := open(t, t.TempDir(), BackendTest, "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.Add(tc.name)
			if tc.ok != (err == nil) {
				t.Fatalf("Add(%q) err = %v, want ok=%v", tc.name, err, tc.ok)
			}
			if !tc.ok {
				if !errors.Is(err, ErrInvalidName) {
					t.Fatalf("Add(%q) err = %v, want ErrInvalidName", tc.name, err)
				}
				for _, op := range []error{
					func() error { _, err := k.Show(tc.name); return err }(),
					func() error { _, err := k.Import(tc.name, strings.Repeat("44", 32)); return err }(),
					k.Delete(tc.name),
				} {
					if !errors.Is(op, ErrInvalidName) {
						t.Fatalf("op on %q: %v, want ErrInvalidName", tc.name, op)
					}
				}
			}
		})
	}
}

func TestImportInvalid(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, 32)
	priv := ed25519.NewKeyFromSeed(seed)
	mismatched := append(append([]byte(nil), seed...), bytes.Repeat([]byte{1}, 32)...)
	_, ecPriv, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKCS8PrivateKey(ecPriv)
	cases := []struct{ name, text string }{
		{"empty", ""},
		{"not hex", "zz"},
		{"odd hex", strings.Repeat("a", 63)},
		{"short", strings.Repeat("ab", 31)},
		{"long", strings.Repeat("ab", 33)},
		{"64 bytes mismatched", hex.EncodeToString(mismatched)},
		{"pem wrong type", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}))},
		{"pem garbage", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")}))},
		{"pem broken", "-----BEGIN PRIVATE KEY-----\nAAAA"},
		{"pem trailing", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})) + "extra"},
	}
	k, _ := open(t, t.TempDir(), BackendTest, "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.Import("x", tc.text)
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("err = %v, want ErrInvalidKey", err)
			}
			if tc.text != "" && len(tc.text) > 8 && strings.Contains(err.Error(), tc.text) {
				t.Fatal("error message echoes the secret input")
			}
		})
	}
	if l, _ := k.List(); len(l) != 0 {
		t.Fatalf("failed imports left keys: %v", l)
	}
	// Sanity: the 64-byte form of a real key is accepted.
	if _, err := k.Import("ok", hex.EncodeToString(priv)); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptFiles(t *testing.T) {
	type mutate func(m map[string]any)
	crypto := func(m map[string]any) map[string]any { return m["crypto"].(map[string]any) }
	cases := []struct {
		name    string
		backend string
		raw     string // replaces the file outright when set
		mut     mutate
		want    error
		public  bool // Show already fails (else only the secret ops)
	}{
		{name: "garbage", backend: BackendFile, raw: "not json", want: ErrCorruptKey, public: true},
		{name: "empty", backend: BackendTest, raw: "", want: ErrCorruptKey, public: true},
		{name: "truncated", backend: BackendFile, raw: `{"version":1,"type":"ed25519"`, want: ErrCorruptKey, public: true},
		{name: "trailing", backend: BackendTest, raw: "\x00", want: ErrCorruptKey, public: true},
		{name: "unknown field", backend: BackendTest, mut: func(m map[string]any) { m["extra"] = 1 }, want: ErrCorruptKey, public: true},
		{name: "version", backend: BackendFile, mut: func(m map[string]any) { m["version"] = 2 }, want: ErrCorruptKey, public: true},
		{name: "type", backend: BackendFile, mut: func(m map[string]any) { m["type"] = "secp256k1" }, want: ErrCorruptKey, public: true},
		{name: "name mismatch", backend: BackendTest, mut: func(m map[string]any) { m["name"] = "other" }, want: ErrCorruptKey, public: true},
		{name: "pubkey short", backend: BackendFile, mut: func(m map[string]any) { m["pubkey"] = "abcd" }, want: ErrCorruptKey, public: true},
		{name: "address mismatch", backend: BackendFile, mut: func(m map[string]any) {
			m["address"] = ledger.DeriveAddress("x", nil).String()
		}, want: ErrCorruptKey, public: true},
		{name: "pubkey swapped", backend: BackendTest, mut: func(m map[string]any) {
			pub := make([]byte, 32)
			pub[0] = 9
			m["pubkey"] = hex.EncodeToString(pub)
			m["address"] = ledger.AddressFromPubKey(pub).String()
		}, want: ErrCorruptKey},
		{name: "pubkey swapped encrypted", backend: BackendFile, mut: func(m map[string]any) {
			pub := make([]byte, 32)
			pub[0] = 9
			m["pubkey"] = hex.EncodeToString(pub)
			m["address"] = ledger.AddressFromPubKey(pub).String()
		}, want: ErrCorruptKey},
		{name: "test privkey bad", backend: BackendTest, mut: func(m map[string]any) { m["privkey"] = "xyz" }, want: ErrCorruptKey},
		{name: "test missing privkey", backend: BackendTest, mut: func(m map[string]any) { delete(m, "privkey") }, want: ErrCorruptKey, public: true},
		{name: "file missing crypto", backend: BackendFile, mut: func(m map[string]any) { delete(m, "crypto") }, want: ErrCorruptKey, public: true},
		{name: "kdf", backend: BackendFile, mut: func(m map[string]any) { crypto(m)["kdf"] = "pbkdf2" }, want: ErrCorruptKey},
		{name: "cipher", backend: BackendFile, mut: func(m map[string]any) { crypto(m)["cipher"] = "aes" }, want: ErrCorruptKey},
		{name: "scrypt N huge", backend: BackendFile, mut: func(m map[string]any) {
			crypto(m)["kdfparams"].(map[string]any)["n"] = 1 << 30
		}, want: ErrCorruptKey},
		{name: "scrypt N not pow2", backend: BackendFile, mut: func(m map[string]any) {
			crypto(m)["kdfparams"].(map[string]any)["n"] = 17
		}, want: ErrCorruptKey},
		{name: "salt", backend: BackendFile, mut: func(m map[string]any) {
			crypto(m)["kdfparams"].(map[string]any)["salt"] = "zz"
		}, want: ErrCorruptKey},
		{name: "nonce", backend: BackendFile, mut: func(m map[string]any) { crypto(m)["nonce"] = "00" }, want: ErrCorruptKey},
		{name: "ciphertext length", backend: BackendFile, mut: func(m map[string]any) { crypto(m)["ciphertext"] = "00ff" }, want: ErrCorruptKey},
		// An authentic-looking but flipped ciphertext cannot be told apart
		// from a wrong passphrase: secretbox authentication fails.
		{name: "ciphertext flipped", backend: BackendFile, mut: func(m map[string]any) {
			ct := []byte(crypto(m)["ciphertext"].(string))
			if ct[0] == '0' {
				ct[0] = '1'
			} else {
				ct[0] = '0'
			}
			crypto(m)["ciphertext"] = string(ct)
		}, want: ErrBadPassphrase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, _ := open(t, t.TempDir(), tc.backend, "pw")
			if _, err := k.Add("a-victim"); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Add("healthy"); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(k.Dir(), "a-victim.json")
			data := []byte(tc.raw)
			if tc.mut != nil {
				orig, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				if err := json.Unmarshal(orig, &m); err != nil {
					t.Fatal(err)
				}
				tc.mut(m)
				if data, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			} else if tc.name == "trailing" {
				orig, _ := os.ReadFile(path)
				data = append(orig, []byte(`{"x":1}`)...)
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			k2, _ := open(t, filepath.Dir(k.Dir()), tc.backend, "pw")
			_, showErr := k2.Show("a-victim")
			_, listErr := k2.List()
			if tc.public {
				if !errors.Is(showErr, ErrCorruptKey) || !errors.Is(listErr, ErrCorruptKey) {
					t.Fatalf("Show err %v, List err %v, want ErrCorruptKey", showErr, listErr)
				}
				if !strings.Contains(showErr.Error(), "a-victim.json") {
					t.Fatalf("error %q does not name the file", showErr)
				}
			} else if showErr != nil || listErr != nil {
				t.Fatalf("public part should still load: %v, %v", showErr, listErr)
			}
			if _, err := k2.Sign("a-victim", []byte("m")); !errors.Is(err, tc.want) {
				t.Fatalf("Sign err = %v, want %v", err, tc.want)
			}
			if _, err := k2.Export("a-victim"); !errors.Is(err, tc.want) {
				t.Fatalf("Export err = %v, want %v", err, tc.want)
			}
			// The healthy key is unaffected, and (file backend) a new key can
			// still be added: passphrase verification skips corrupt files.
			if _, err := k2.Sign("healthy", []byte("m")); err != nil {
				t.Fatalf("healthy key: %v", err)
			}
			k3, _ := open(t, filepath.Dir(k.Dir()), tc.backend, "pw")
			if _, err := k3.Add("newcomer"); err != nil {
				t.Fatalf("Add beside corrupt key: %v", err)
			}
		})
	}
}

func TestConcurrentAddSameName(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		// Separate Keyrings (separate processes, in effect) racing on one name.
		k, _ := open(t, dir, BackendTest, "")
		go func() { _, err := k.Add("race"); errs <- err }()
	}
	ok := 0
	for i := 0; i < n; i++ {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrKeyExists):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d Adds succeeded, want exactly 1", ok)
	}
	k, _ := open(t, dir, BackendTest, "")
	if _, err := k.Sign("race", []byte("m")); err != nil {
		t.Fatal(err)
	}
}
