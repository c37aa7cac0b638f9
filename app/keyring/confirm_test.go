package keyring

import (
	"errors"
	"os"
	"testing"
)

// A first passphrase must be typed twice the same when a confirmation is
// configured; once a key exists, new keys are checked against it instead
// and the confirmation is not asked again.
func TestConfirmFirstPassphrase(t *testing.T) {
	cases := []struct {
		name    string
		confirm string
		want    error
	}{
		{"same twice", "pw", nil},
		{"differs", "pW", ErrBadPassphrase},
		{"empty confirmation", "", ErrBadPassphrase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			pass := &counter{pw: "pw"}
			conf := &counter{pw: tc.confirm}
			k, err := Open(dir, BackendFile, pass.get, WithScryptN(testN), WithConfirm(conf.get))
			if err != nil {
				t.Fatal(err)
			}
			_, err = k.Add("first")
			if !errors.Is(err, tc.want) {
				t.Fatalf("add: %v, want %v", err, tc.want)
			}
			if conf.calls != 1 {
				t.Fatalf("confirmation asked %d times", conf.calls)
			}
			entries, _ := os.ReadDir(k.Dir())
			if tc.want != nil {
				if len(entries) != 0 {
					t.Fatalf("a key was written despite the mismatch: %v", entries)
				}
				return
			}
			// A second keyring instance: the stored key vouches for the
			// passphrase, no confirmation.
			conf2 := &counter{err: errors.New("must not be asked")}
			k2, err := Open(dir, BackendFile, (&counter{pw: "pw"}).get, WithScryptN(testN), WithConfirm(conf2.get))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k2.Add("second"); err != nil {
				t.Fatalf("second key: %v", err)
			}
			if conf2.calls != 0 {
				t.Fatal("confirmation asked although a key exists")
			}
		})
	}
}
