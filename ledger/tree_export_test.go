package ledger

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// An export of a committed version, taken while blocks keep writing and
// committing newer versions, rebuilds exactly that version (same root
// hash, same entries). Run with -race: the export shares no node with the
// tree being written.
func TestExportWhileWriting(t *testing.T) {
	for _, disk := range []bool{false, true} {
		t.Run(fmt.Sprintf("disk=%v", disk), func(t *testing.T) {
			dir := ""
			if disk {
				dir = t.TempDir()
			}
			src, err := OpenTree(dir, "src")
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			key := func(i int) []byte { return []byte(fmt.Sprintf("k/%05d", i)) }
			for i := 0; i < 3000; i++ {
				if err := src.Set(key(i), []byte(fmt.Sprintf("v1-%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := src.Commit(); err != nil {
				t.Fatal(err)
			}
			snap, err := src.At(0)
			if err != nil {
				t.Fatal(err)
			}

			var wg sync.WaitGroup
			wg.Add(1)
			writeErr := make(chan error, 1)
			go func() { // blocks: rewrite, insert and delete keys, commit
				defer wg.Done()
				for v := 2; v < 40; v++ {
					for i := v; i < 3000; i += 7 {
						if err := src.Set(key(i), []byte(fmt.Sprintf("v%d-%d", v, i))); err != nil {
							writeErr <- err
							return
						}
					}
					if err := src.Set(key(3000+v), []byte("new")); err != nil {
						writeErr <- err
						return
					}
					if err := src.Delete(key(v * 11)); err != nil {
						writeErr <- err
						return
					}
					if _, _, err := src.Commit(); err != nil {
						writeErr <- err
						return
					}
				}
			}()

			dst, err := OpenTree("", "dst")
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			imp, err := dst.Import(snap.Version)
			if err != nil {
				t.Fatal(err)
			}
			if err := snap.Export(imp.Add); err != nil {
				t.Fatal(err)
			}
			hash, err := imp.Commit()
			if err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			select {
			case err := <-writeErr:
				t.Fatal(err)
			default:
			}
			if !bytes.Equal(hash, snap.Hash()) {
				t.Fatalf("imported hash %X, exported version %X", hash, snap.Hash())
			}
			if src.Version() < 39 {
				t.Fatalf("writer stopped at version %d", src.Version())
			}
			for i := 0; i < 3000; i += 97 {
				got, err := dst.Get(key(i))
				if err != nil || string(got) != fmt.Sprintf("v1-%d", i) {
					t.Fatalf("key %d: %q %v", i, got, err)
				}
			}
		})
	}
}
