package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
)

// A node that prunes (state_keep_recent) commits the same app hashes as an
// archive node; queries at heights it dropped fail with CodePruned, recent
// ones still prove.
func TestStatePruning(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	gs := fundedGenesis(alice, bob)
	archive, pruned := newChain(t, gs), newChain(t, gs)
	pruned.app.Config.StateKeepRecent = 3
	gen := newChain(t, gs)
	for h := 1; h <= 12; h++ {
		tx := gen.tx(alice, transferMsg(t, bob.addr, uint64(h), NativeAsset))
		r1, r2 := archive.block(tx), pruned.block(tx)
		if !bytes.Equal(r1.AppHash, r2.AppHash) || r2.TxResults[0].Code != CodeOK {
			t.Fatalf("height %d: app hash %X vs %X (code %d)", h, r1.AppHash, r2.AppHash, r2.TxResults[0].Code)
		}
	}
	pruned.app.waitPruned()
	if got := pruned.app.tree.OldestVersion(); got != 10 {
		t.Fatalf("oldest kept height %d, want 10 (12 - 3 + 1)", got)
	}
	query := func(c *chain, height int64) *abci.ResponseQuery {
		r, err := c.app.Query(context.Background(), &abci.RequestQuery{
			Path: "/balance/" + bob.addr.String() + "/" + NativeAsset, Height: height, Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := query(pruned, 5); r.Code != CodePruned || !strings.Contains(r.Log, "no longer kept") {
		t.Fatalf("pruned height: code %d log %q", r.Code, r.Log)
	}
	if r := query(archive, 5); r.Code != CodeOK {
		t.Fatalf("archive node at height 5: code %d log %q", r.Code, r.Log)
	}
	for _, h := range []int64{10, 12} {
		r1, r2 := query(archive, h), query(pruned, h)
		if r2.Code != CodeOK || !bytes.Equal(r1.Value, r2.Value) || r2.ProofOps == nil {
			t.Fatalf("height %d: pruned node code %d value %s, archive %s", h, r2.Code, r2.Value, r1.Value)
		}
	}
}

// min_retain_blocks: Commit tells CometBFT to keep the newest N blocks, but
// never past the oldest snapshot kept (joiners verify headers there).
func TestRetainHeight(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	store := NewSnapshotStore(t.TempDir(), 0, 2)
	c.app.Snapshots = store
	for h := 1; h <= 30; h++ {
		c.block(c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset)))
		if h == 12 {
			if err := store.Take(c.app, 12); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name    string
		keep    int64
		version int64
		want    int64
	}{
		{"off", 0, 30, 0},
		{"chain shorter than N", 40, 30, 0},
		{"capped by the snapshot at 12", 5, 30, 12},
		{"below the snapshot", 25, 30, 6},
	}
	for _, tc := range cases {
		c.app.Config.MinRetainBlocks = tc.keep
		if got := c.app.retainHeight(tc.version); got != tc.want {
			t.Errorf("%s: retain height %d, want %d", tc.name, got, tc.want)
		}
	}
	// Without snapshots the newest N blocks, through Commit itself.
	c.app.Snapshots = NewSnapshotStore("", 0, 0)
	c.app.Config.MinRetainBlocks = 5
	if _, err := c.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 31, Time: time.Unix(1_700_000_031, 0)}); err != nil {
		t.Fatal(err)
	}
	res, err := c.app.Commit(context.Background(), &abci.RequestCommit{})
	if err != nil || res.RetainHeight != 27 {
		t.Fatalf("Commit retain height %d (%v), want 27", res.GetRetainHeight(), err)
	}
}

// A snapshot height that waits for another snapshot to finish is pinned:
// state pruning keeps it (and the newer due height replaces the older).
func TestQueuedSnapshotPinned(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	store := NewSnapshotStore(t.TempDir(), 5, 2)
	c.app.Snapshots = store
	c.app.Config.StateKeepRecent = 2
	store.mu.Lock()
	store.taking = true // another snapshot is being written
	store.mu.Unlock()
	for h := 1; h <= 14; h++ {
		c.block(c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset)))
	}
	c.app.waitPruned()
	if _, err := c.app.tree.At(10); err != nil {
		t.Fatalf("queued snapshot height 10 was pruned: %v", err)
	}
	// IAVL deletes a prefix of versions: everything below the pin goes.
	for _, h := range []int64{5, 9} {
		if _, err := c.app.tree.At(h); err == nil {
			t.Fatalf("height %d kept below the queued 10", h)
		}
	}
	if got := store.OldestHeight(); got != 10 {
		t.Fatalf("oldest snapshot height for block retention %d, want 10", got)
	}
}
