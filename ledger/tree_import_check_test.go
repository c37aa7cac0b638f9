package ledger

import (
	"bytes"
	"fmt"
	"testing"
)

// TestImportCheckHonestChurn: every version of a tree churned by sets,
// rewrites and deletes over many versions (rotations, inner keys moved by
// deletes) passes the import check and restores to the same hash.
func TestImportCheckHonestChurn(t *testing.T) {
	src, err := OpenTree("", "src")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	key := func(i int) []byte { return []byte(fmt.Sprintf("k/%05d", (i*7919)%4000)) }
	for v := 1; v <= 25; v++ {
		for i := v * 100; i < v*100+300; i++ {
			if err := src.Set(key(i), []byte(fmt.Sprintf("v%d", v))); err != nil {
				t.Fatal(err)
			}
		}
		for i := v * 37; i < v*37+40; i++ {
			if err := src.Delete(key(i)); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := src.Commit(); err != nil {
			t.Fatal(err)
		}
		if v%6 != 0 && v != 25 {
			continue
		}
		snap, err := src.At(0)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := OpenTree("", "dst")
		if err != nil {
			t.Fatal(err)
		}
		imp, err := dst.Import(snap.Version)
		if err != nil {
			t.Fatal(err)
		}
		if err := snap.Export(imp.Add); err != nil {
			t.Fatalf("version %d: honest export refused: %v", v, err)
		}
		hash, err := imp.Commit()
		if err != nil || !bytes.Equal(hash, snap.Hash()) {
			t.Fatalf("version %d: %X %v, want %X", v, hash, err, snap.Hash())
		}
		dst.Close()
	}
}

// TestImportCheckRefuses: node streams no IAVL tree could export are
// refused at the node that shows it.
func TestImportCheckRefuses(t *testing.T) {
	leaf := func(k string) *ExportNode {
		return &ExportNode{Height: 0, Version: 1, Key: []byte(k), Value: []byte("v")}
	}
	inner := func(h int8, k string) *ExportNode { return &ExportNode{Height: h, Version: 1, Key: []byte(k)} }
	tests := []struct {
		name  string
		nodes []*ExportNode
	}{
		{"split key not the right subtree's first", []*ExportNode{leaf("a"), leaf("b"), inner(1, "b\x00")}},
		{"keys out of order", []*ExportNode{leaf("b"), leaf("a")}},
		{"equal keys", []*ExportNode{leaf("a"), leaf("a")}},
		{"wrong height", []*ExportNode{leaf("a"), leaf("b"), inner(2, "b")}},
		{"inner node without children", []*ExportNode{inner(1, "a")}},
		{"version newer than imported", []*ExportNode{{Height: 0, Version: 9, Key: []byte("a"), Value: []byte("v")}}},
		{"leaf without value", []*ExportNode{{Height: 0, Version: 1, Key: []byte("a")}}},
		{"parent older than child", []*ExportNode{{Height: 0, Version: 2, Key: []byte("a"), Value: []byte("v")}, leaf("b"), inner(1, "b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := importCheck{version: 2}
			var err error
			for _, n := range tt.nodes {
				if err = c.add(n); err != nil {
					break
				}
			}
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
	t.Run("leaves that never close stop at the stack bound", func(t *testing.T) {
		c := importCheck{version: 1}
		for i := 0; ; i++ {
			if err := c.add(leaf(fmt.Sprintf("k%04d", i))); err != nil {
				if i != MaxImportHeight+1 {
					t.Fatalf("refused at leaf %d, want %d", i, MaxImportHeight+1)
				}
				return
			}
			if i > 10*MaxImportHeight {
				t.Fatal("stack never bounded")
			}
		}
	})
	t.Run("two subtrees without a root", func(t *testing.T) {
		c := importCheck{version: 1}
		_ = c.add(leaf("a"))
		_ = c.add(leaf("b"))
		if c.done() == nil {
			t.Fatal("accepted")
		}
	})
}

// TestResetLargeTree: Reset empties a tree with more keys than one delete
// batch.
func TestResetLargeTree(t *testing.T) {
	tr, err := OpenTree(t.TempDir(), "big")
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for i := 0; i < resetBatch; i++ {
		if err := tr.Set([]byte(fmt.Sprintf("k%06d", i)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := tr.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Reset(); err != nil {
		t.Fatal(err)
	}
	if tr.Version() != 0 {
		t.Fatalf("version %d after reset", tr.Version())
	}
	if v, err := tr.Get([]byte("k000001")); err != nil || v != nil {
		t.Fatalf("key after reset: %q %v", v, err)
	}
	n, err := tr.deleteSome(1)
	if err != nil || n != 0 {
		t.Fatalf("database not empty after reset: %d %v", n, err)
	}
}
