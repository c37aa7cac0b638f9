package ledger

import (
	"errors"
	"fmt"
	"testing"
)

func localKeys(t *testing.T, s *LocalStore, start, end []byte) string {
	t.Helper()
	out := ""
	if err := s.Iterate(start, end, func(k, v []byte) bool {
		out += fmt.Sprintf("%s=%s;", k, v)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLocalStoreCommitIsAtomicWithVersion(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		s, err := OpenLocalStore(dir, "local")
		if err != nil {
			t.Fatal(err)
		}
		if v, err := s.Version(); err != nil || v != 0 {
			t.Fatalf("new store version %d %v", v, err)
		}
		for _, k := range []string{"b", "a", "c"} {
			if err := s.Set([]byte(k), []byte("v"+k)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Set([]byte("e"), []byte{}); err != nil { // an empty value is a value
			t.Fatal(err)
		}
		if got := localKeys(t, s, nil, nil); got != "" {
			t.Fatalf("uncommitted writes visible: %q", got)
		}
		if err := s.Commit(7); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Version(); v != 7 {
			t.Fatalf("version %d, want 7", v)
		}
		if got := localKeys(t, s, nil, nil); got != "a=va;b=vb;c=vc;e=;" {
			t.Fatalf("after commit: %q", got)
		}
		if got := localKeys(t, s, []byte("b"), []byte("c")); got != "b=vb;" {
			t.Fatalf("range: %q", got)
		}
		if err := s.Delete([]byte("b")); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete([]byte("e")); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(8); err != nil {
			t.Fatal(err)
		}
		if got := localKeys(t, s, nil, nil); got != "a=va;c=vc;" {
			t.Fatalf("after delete: %q", got)
		}
		if v, _ := s.Get([]byte("c")); string(v) != "vc" {
			t.Fatalf("get c = %q", v)
		}
		// Branches over the store see their own writes (as blocks do).
		br := NewBranch(s)
		if err := br.Set([]byte("d"), []byte("vd")); err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := br.Iterate(nil, nil, func(_, _ []byte) bool { n++; return true }); err != nil || n != 3 {
			t.Fatalf("branch sees %d keys (%v), want 3", n, err)
		}
		if err := s.Set([]byte{0, 'v'}, []byte("1")); !errors.Is(err, ErrLocalKey) {
			t.Fatalf("reserved key: %v", err)
		}
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Version(); v != 0 || localKeys(t, s, nil, nil) != "" {
			t.Fatalf("after reset: version %d, keys %q", v, localKeys(t, s, nil, nil))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(9); err == nil {
			t.Fatal("commit after close succeeded")
		}
	}
}

func TestLocalStoreSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenLocalStore(dir, "local")
	if err != nil {
		t.Fatal(err)
	}
	s.Set([]byte("k"), []byte("v"))
	if err := s.Commit(3); err != nil {
		t.Fatal(err)
	}
	s.Set([]byte("lost"), []byte("v")) // never committed
	s.Close()
	s, err = OpenLocalStore(dir, "local")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Version(); v != 3 {
		t.Fatalf("version after reopen %d", v)
	}
	if got := localKeys(t, s, nil, nil); got != "k=v;" {
		t.Fatalf("after reopen: %q", got)
	}
}

// TestLocalRebuildStreams: a rebuild of any size holds at most its batch in
// memory, lands every entry, and reads as not matching any version until
// Commit; Reset deletes in batches and leaves nothing.
func TestLocalRebuildStreams(t *testing.T) {
	s, err := OpenLocalStore(t.TempDir(), "local")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n, batch = 3*LocalBatch + 7, 1000
	w := s.RebuildWriter(batch)
	for i := 0; i < n; i++ {
		if err := w.Set([]byte(fmt.Sprintf("k%08d", i)), []byte{1}); err != nil {
			t.Fatal(err)
		}
		if len(w.pending) >= batch {
			t.Fatalf("%d entries pending, batch %d", len(w.pending), batch)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Version(); v != 0 {
		t.Fatalf("version %d before Commit", v)
	}
	if err := s.Commit(9); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		c := 0
		if err := s.Iterate(nil, nil, func(_, _ []byte) bool { c++; return true }); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := count(); got != n {
		t.Fatalf("%d entries, want %d", got, n)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Version(); v != 0 || count() != 0 {
		t.Fatalf("after Reset: version %d, %d entries", v, count())
	}
}
