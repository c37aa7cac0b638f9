package app

import (
	"fmt"
	"testing"
)

// TestSnapshotPinningBounded: a peer that keeps fetching a chunk of every
// snapshot cannot make the node keep more than KeepRecent+MaxServedExtra
// snapshots, and block pruning follows the operator's KeepRecent only.
func TestSnapshotPinningBounded(t *testing.T) {
	c, _ := snapChain(t, 0)
	store := NewSnapshotStore(t.TempDir(), 0, 2)
	c.app.Snapshots = store
	for c.height < 10 {
		c.block()
	}
	for h := int64(2); h <= 9; h++ {
		if err := store.Take(c.app, h); err != nil {
			t.Fatal(err)
		}
		// The pinning peer: one chunk of every snapshot still on disk.
		hs, _ := store.heights()
		for _, old := range hs {
			_, _ = store.LoadChunk(uint64(old), SnapshotFormat, 0)
		}
	}
	hs, _ := store.heights()
	if len(hs) != 2+MaxServedExtra {
		t.Fatalf("kept %v, want the newest 2 and at most %d more", hs, MaxServedExtra)
	}
	if fmt.Sprint(hs[:2]) != "[9 8]" {
		t.Fatalf("kept %v, want 9 and 8 first", hs)
	}
	if o := store.OldestHeight(); o != 8 {
		t.Fatalf("OldestHeight %d, want 8: a snapshot kept for a peer must not hold back block pruning", o)
	}
	c.app.Config.MinRetainBlocks = 3
	if r := c.app.retainHeight(20); r != 8 {
		t.Fatalf("retain height %d, want 8 (the oldest snapshot the operator keeps)", r)
	}
}
