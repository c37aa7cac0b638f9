package keyring

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// plantCostly copies key src's file to name with scrypt parameters set to
// n, r, p (what an attacker who can write the keyring folder would plant).
func plantCostly(t *testing.T, k *Keyring, src, name string, n, r, p int) {
	t.Helper()
	raw, err := os.ReadFile(k.path(src))
	if err != nil {
		t.Fatal(err)
	}
	var kf map[string]any
	if err := json.Unmarshal(raw, &kf); err != nil {
		t.Fatal(err)
	}
	kdf := kf["crypto"].(map[string]any)["kdfparams"].(map[string]any)
	kdf["n"], kdf["r"], kdf["p"] = n, r, p
	out, _ := json.Marshal(kf)
	if err := os.WriteFile(k.path(name), out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestScryptCostCapped: a key file asking for more than N=2^18, r=8, p=1
// is refused before any derivation (the crafted file: N=2^20, r=16,
// p=4 cost 2 GiB and ~27 s).
func TestScryptCostCapped(t *testing.T) {
	k, _ := open(t, t.TempDir(), BackendFile, "pw")
	if _, err := k.Add("a"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ n, r, p int }{{1 << 20, 16, 4}, {1 << 19, 8, 1}, {1 << 10, 9, 1}, {1 << 10, 8, 2}} {
		plantCostly(t, k, "a", "evil", c.n, c.r, c.p)
		if _, err := k.Sign("evil", []byte("m")); !errors.Is(err, ErrCorruptKey) {
			t.Fatalf("n=%d r=%d p=%d: %v, want ErrCorruptKey", c.n, c.r, c.p, err)
		}
	}
	if _, err := Open(t.TempDir(), BackendFile, nil, WithScryptN(1<<19)); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("N=2^19 by option: %v", err)
	}
}

// TestAddOpensNoOtherKey: adding a key checks the passphrase against the
// keyring's check file only, so a costly or broken key file elsewhere in
// the keyring is never opened; a keyring from before the check file opens
// one key once and then has one.
func TestAddOpensNoOtherKey(t *testing.T) {
	dir := t.TempDir()
	k, _ := open(t, dir, BackendFile, "pw")
	if _, err := k.Add("a"); err != nil {
		t.Fatal(err)
	}
	// "0evil" sorts first; with the largest accepted cost, opening it would
	// take 256 MiB. Make it undecryptable too, so a test that opened it
	// would fail on the wrong passphrase rather than pass silently.
	plantCostly(t, k, "a", "0evil", MaxScryptN, 8, 1)
	raw, _ := os.ReadFile(k.path("0evil"))
	var kf map[string]any
	_ = json.Unmarshal(raw, &kf)
	kf["crypto"].(map[string]any)["kdfparams"].(map[string]any)["salt"] = "00112233445566778899aabbccddeeff"
	out, _ := json.Marshal(kf)
	_ = os.WriteFile(k.path("0evil"), out, 0o600)

	k2, _ := open(t, dir, BackendFile, "pw")
	if _, err := k2.Add("b"); err != nil {
		t.Fatalf("add with the keyring's passphrase: %v", err)
	}
	k3, _ := open(t, dir, BackendFile, "other")
	if _, err := k3.Add("c"); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("add with another passphrase: %v", err)
	}

	// A keyring without a check file (written before there was one).
	if err := os.Remove(filepath.Join(k.Dir(), checkFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(k.path("0evil")); err != nil {
		t.Fatal(err)
	}
	k4, _ := open(t, dir, BackendFile, "pw")
	if _, err := k4.Add("d"); err != nil {
		t.Fatalf("add to a keyring without a check file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(k.Dir(), checkFile)); err != nil {
		t.Fatalf("no check file written: %v", err)
	}
	k5, _ := open(t, dir, BackendFile, "wrong")
	if _, err := k5.Add("e"); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("wrong passphrase after the check file was written: %v", err)
	}
}
