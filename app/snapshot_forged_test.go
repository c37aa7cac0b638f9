package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// chunkNodes decodes every node of chunks, keeping each chunk's nodes apart.
func chunkNodes(t testing.TB, chunks [][]byte) [][]*ledger.ExportNode {
	t.Helper()
	out := make([][]*ledger.ExportNode, len(chunks))
	for i, c := range chunks {
		if _, err := decodeChunk(c, func(n *ledger.ExportNode) error {
			out[i] = append(out[i], n)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// encodeChunks encodes nodes chunk by chunk in the snapshot wire form.
func encodeChunks(nodes [][]*ledger.ExportNode) [][]byte {
	out := make([][]byte, len(nodes))
	for i, ns := range nodes {
		w := &chunkWriter{size: 1 << 30}
		for _, n := range ns {
			_ = w.node(n)
		}
		out[i] = append([]byte(nil), w.buf.Bytes()...)
	}
	return out
}

// restoreForged offers chunks (with metadata a consistent liar would
// list) to a fresh app as coming from peer "liar" and returns the last
// response, the index of the chunk it answered and the app.
func restoreForged(t *testing.T, orig *abci.Snapshot, chunks [][]byte, appHash []byte) (*abci.ResponseApplySnapshotChunk, int, *App) {
	t.Helper()
	forged := forgeSnapshot(t, orig, chunks)
	b := freshApp(t)
	if r := offer(t, b, forged, appHash); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	var last *abci.ResponseApplySnapshotChunk
	at := 0
	for i, ch := range chunks {
		at = i
		res, err := b.ApplySnapshotChunk(t.Context(), &abci.RequestApplySnapshotChunk{Index: uint32(i), Chunk: ch, Sender: "liar"})
		if err != nil {
			t.Fatal(err)
		}
		last = res
		if res.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			break
		}
	}
	return last, at, b
}

// TestSnapshotForgedRefused: snapshots a consistent liar can build (every
// chunk hashes to the listed hash) that are not the honest tree are
// refused, their sender rejected, and the state left empty.
func TestSnapshotForgedRefused(t *testing.T) {
	c, store := snapChain(t, 300)
	snap, chunks := latestSnapshot(t, c, store)
	want := c.app.tree.CommittedHash()
	nodes := chunkNodes(t, chunks)

	// An inner node's split key K becomes K+0x00: IAVL does not hash inner
	// keys, so the root still matches the trusted app hash.
	innerKey := func() [][]byte {
		ns := chunkNodes(t, chunks)
		for _, cn := range ns {
			for _, n := range cn {
				if n.Height > 0 {
					n.Key = append(append([]byte(nil), n.Key...), 0)
					return encodeChunks(ns)
				}
			}
		}
		t.Fatal("no inner node")
		return nil
	}
	// One chunk of leaves only, in key order, that never closes into a tree.
	leavesOnly := func() [][]byte {
		var leaves []*ledger.ExportNode
		for i := 0; i < 5000; i++ {
			leaves = append(leaves, &ledger.ExportNode{Height: 0, Version: 1, Key: []byte(fmt.Sprintf("k%06d", i)), Value: []byte("v")})
		}
		return encodeChunks([][]*ledger.ExportNode{leaves})
	}
	// A well-formed tree of another state (another chain's snapshot).
	garbageTree := func() [][]byte {
		o, ostore := snapChain(t, 150)
		_, ochunks := latestSnapshot(t, o, ostore)
		return ochunks
	}
	// Two leaves out of order within the honest stream.
	swappedLeaves := func() [][]byte {
		ns := chunkNodes(t, chunks)
		cn := ns[0]
		for i := 0; i+1 < len(cn); i++ {
			if cn[i].Height == 0 && cn[i+1].Height == 0 {
				cn[i], cn[i+1] = cn[i+1], cn[i]
				return encodeChunks(ns)
			}
		}
		t.Fatal("no adjacent leaves")
		return nil
	}
	// A node claiming a height its children do not give it.
	wrongHeight := func() [][]byte {
		ns := chunkNodes(t, chunks)
		for _, cn := range ns {
			for _, n := range cn {
				if n.Height == 1 {
					n.Height = 2
					return encodeChunks(ns)
				}
			}
		}
		t.Fatal("no height-1 node")
		return nil
	}
	if len(nodes) < 3 {
		t.Fatalf("want several chunks, got %d", len(nodes))
	}
	tests := []struct {
		name   string
		chunks func() [][]byte
		// firstChunk: refused at the first chunk (not after the whole stream)
		firstChunk bool
	}{
		{"inner key K to K+0x00", innerKey, false},
		{"leaves only", leavesOnly, true},
		{"well-formed tree of another state", garbageTree, false},
		{"leaves out of order", swappedLeaves, true},
		{"height that children do not give", wrongHeight, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := tt.chunks()
			last, at, b := restoreForged(t, snap, cs, want)
			if last.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
				t.Fatalf("forged snapshot: %v, want REJECT_SNAPSHOT", last.Result)
			}
			if len(last.RejectSenders) != 1 || last.RejectSenders[0] != "liar" {
				t.Fatalf("sender not rejected: %v", last.RejectSenders)
			}
			if tt.firstChunk && at != 0 {
				t.Fatalf("refused at chunk %d, want at the first", at)
			}
			if b.tree.Version() != 0 {
				t.Fatalf("state not empty after a refused snapshot: version %d", b.tree.Version())
			}
			// The honest snapshot still restores on the same app.
			if r := offer(t, b, snap, want); r != abci.ResponseOfferSnapshot_ACCEPT {
				t.Fatalf("honest offer after a forged one: %v", r)
			}
			for i, ch := range chunks {
				if r := apply(t, b, uint32(i), ch); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
					t.Fatalf("honest chunk %d: %v", i, r.Result)
				}
			}
			if !bytes.Equal(b.tree.CommittedHash(), want) {
				t.Fatal("honest restore after a forged one has another hash")
			}
		})
	}
}

// TestSnapshotEndlessMetadata: a peer offering one forged snapshot after
// another is rejected with each; metadata that does not fit its own hash
// rejects the senders at the offer.
func TestSnapshotEndlessMetadata(t *testing.T) {
	c, store := snapChain(t, 50)
	snap, chunks := latestSnapshot(t, c, store)
	want := c.app.tree.CommittedHash()
	for i := 0; i < 3; i++ {
		cs := append([][]byte(nil), chunks...)
		cs[0] = append(append([]byte(nil), cs[0]...), byte(i)) // a new snapshot hash each time
		last, _, _ := restoreForged(t, snap, cs, want)
		if last.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT || len(last.RejectSenders) != 1 {
			t.Fatalf("forged snapshot %d: %+v", i, last)
		}
	}
	bad := *snap
	bad.Metadata = append([]byte(nil), snap.Metadata...)
	bad.Metadata[len(bad.Metadata)-2] ^= 1
	if r := offer(t, freshApp(t), &bad, want); r != abci.ResponseOfferSnapshot_REJECT_SENDER {
		t.Fatalf("metadata not matching its hash: %v, want REJECT_SENDER", r)
	}
}

// TestSnapshotLargerThanMetadata: a snapshot whose chunks hold more nodes
// or bytes than its metadata announced is refused at the chunk that shows
// it, not after the whole stream.
func TestSnapshotLargerThanMetadata(t *testing.T) {
	c, store := snapChain(t, 300)
	snap, chunks := latestSnapshot(t, c, store)
	want := c.app.tree.CommittedHash()
	for name, edit := range map[string]func(*SnapshotMeta){
		"nodes": func(m *SnapshotMeta) { m.Nodes = 3 },
		"bytes": func(m *SnapshotMeta) { m.Bytes = 10 },
	} {
		t.Run(name, func(t *testing.T) {
			var m SnapshotMeta
			if err := json.Unmarshal(snap.Metadata, &m); err != nil {
				t.Fatal(err)
			}
			edit(&m)
			mb, _ := json.Marshal(m)
			sum := sha256.Sum256(mb)
			forged := &abci.Snapshot{Height: snap.Height, Format: snap.Format, Chunks: snap.Chunks, Hash: sum[:], Metadata: mb}
			b := freshApp(t)
			if r := offer(t, b, forged, want); r != abci.ResponseOfferSnapshot_ACCEPT {
				t.Fatalf("offer: %v", r)
			}
			if r := apply(t, b, 0, chunks[0]); r.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT || len(r.RejectSenders) != 1 {
				t.Fatalf("first chunk past the metadata: %+v", r)
			}
		})
	}
}
