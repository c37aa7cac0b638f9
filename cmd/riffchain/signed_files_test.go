package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/contracts/validators"
)

// TestSignedFileReadWrite: the shared steps read a file strictly (errors
// name the file, and unknown fields or bad JSON are refused with the
// kind's error), write a signed file in place or to --out, and the file
// written reads back to the same file.
func TestSignedFileReadWrite(t *testing.T) {
	dir := t.TempDir()
	seed := sha256.Sum256([]byte("signed files test"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	f, err := validators.NewFile(validators.Proposal{ChainID: "c", ExpiresAtHeight: 5,
		Changes: []validators.Change{{PubKey: priv.Public().(ed25519.PublicKey), Power: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.json")
	if err := proposalFiles.create(path, f, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if err := validators.Sign(f, priv); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"", filepath.Join(dir, "out.json")} {
		written, err := proposalFiles.write(path, out, f)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: path, false: out}[out == ""]; written != want {
			t.Fatalf("written to %s, want %s", written, want)
		}
		back, err := proposalFiles.read(written)
		if err != nil {
			t.Fatal(err)
		}
		if back.ID != f.ID || len(back.Signatures) != 1 || back.Check() != nil {
			t.Fatalf("read back %+v", back)
		}
	}
	for name, body := range map[string]string{
		"unknown field": `{"proposal":{},"signatures":[],"extra":1}`,
		"trailing":      `{"proposal":{},"signatures":[]} {}`,
		"not json":      `proposal: {}`,
	} {
		bad := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := proposalFiles.read(bad)
		if !errors.Is(err, validators.ErrInvalidProposal) || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := proposalFiles.read(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "read proposal") {
		t.Errorf("missing file: %v", err)
	}
}
