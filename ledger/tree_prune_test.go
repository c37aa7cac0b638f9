package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// Pruning deletes old versions without changing any hash, keeps the latest
// and every version an export is reading, and old reads fail with
// ErrPruned.
func TestPrune(t *testing.T) {
	pruned, err := OpenTree(t.TempDir(), "pruned")
	if err != nil {
		t.Fatal(err)
	}
	defer pruned.Close()
	full, err := OpenTree("", "full")
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	commit := func(v int) {
		for _, tr := range []*Tree{pruned, full} {
			for i := 0; i < 50; i++ {
				if err := tr.Set([]byte(fmt.Sprintf("k/%03d", (v*7+i)%200)), []byte(fmt.Sprintf("v%d", v))); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := tr.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(pruned.CommittedHash(), full.CommittedHash()) {
			t.Fatalf("version %d: hashes differ after pruning", v)
		}
	}
	for v := 1; v <= 20; v++ {
		commit(v)
	}
	if got := pruned.OldestVersion(); got != 1 {
		t.Fatalf("oldest before pruning %d", got)
	}
	unpin := pruned.pin(8) // an export reading version 8
	oldest, err := pruned.Prune(15)
	if err != nil {
		t.Fatal(err)
	}
	if oldest != 8 {
		t.Fatalf("oldest kept %d, want 8 (pinned)", oldest)
	}
	unpin()
	if oldest, err = pruned.Prune(15); err != nil || oldest != 16 {
		t.Fatalf("after unpin: oldest %d, %v", oldest, err)
	}
	if _, err := pruned.At(15); !errors.Is(err, ErrPruned) {
		t.Fatalf("At(15) after pruning: %v", err)
	}
	for v := int64(16); v <= 20; v++ {
		s, err := pruned.At(v)
		if err != nil {
			t.Fatalf("At(%d): %v", v, err)
		}
		f, _ := full.At(v)
		if !bytes.Equal(s.Hash(), f.Hash()) {
			t.Fatalf("version %d hash differs", v)
		}
		got, err := s.Get([]byte("k/000"))
		want, _ := f.Get([]byte("k/000"))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("version %d read %q %v, want %q", v, got, err, want)
		}
	}
	if oldest, err = pruned.Prune(100); err != nil || oldest != 20 {
		t.Fatalf("pruning past the latest keeps the latest: oldest %d, %v", oldest, err)
	}
	for v := 21; v <= 25; v++ { // blocks go on after pruning
		commit(v)
	}
}
