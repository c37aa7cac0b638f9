package app

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// snapshotSeed takes a real snapshot of a small chain and returns its
// height, metadata and first chunk.
func snapshotSeed(f *testing.F) (int64, []byte, []byte) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(f, fundedGenesis(alice, bob))
	c.block(c.tx(alice, transferMsg(f, bob.addr, 7, NativeAsset)))
	dir := f.TempDir()
	if err := NewSnapshotStore(dir, 0, 2).Take(c.app, c.height); err != nil {
		f.Fatal(err)
	}
	base := filepath.Join(dir, strconv.FormatInt(c.height, 10))
	meta, err := os.ReadFile(filepath.Join(base, "metadata.json"))
	if err != nil {
		f.Fatal(err)
	}
	chunk, err := os.ReadFile(filepath.Join(base, chunkName(0)))
	if err != nil {
		f.Fatal(err)
	}
	return c.height, meta, chunk
}

// FuzzSnapshotChunk: a joining node decodes chunk bytes a peer sent (their
// hash only says they match the peer's own metadata); decoding and
// importing them never panics, and a restore either commits or fails with
// an error.
func FuzzSnapshotChunk(f *testing.F) {
	height, _, chunk := snapshotSeed(f)
	f.Add(chunk)
	f.Add(chunk[:len(chunk)/2])
	f.Add([]byte{0, 1, 1, 'k', 1, 'v'})
	f.Add([]byte{1, 1, 1, 'k'})
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := ledger.OpenTree("", "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		defer tree.Close()
		imp, err := tree.Import(height)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := importChunk(imp, data); err != nil {
			imp.Close()
			return
		}
		_, _ = imp.Commit()
	})
}

// FuzzSnapshotOffer: the metadata of an offered snapshot comes from a
// peer; checking it never panics, and whatever passes describes as many
// chunks as the offer says, each with a well-formed hash.
func FuzzSnapshotOffer(f *testing.F) {
	height, meta, _ := snapshotSeed(f)
	f.Add(meta, uint64(height), uint32(1))
	f.Add([]byte(`{"format":1,"height":1,"nodes":1,"bytes":1,"chunk_hashes":["00"]}`), uint64(1), uint32(1))
	f.Fuzz(func(t *testing.T, metadata []byte, h uint64, chunks uint32) {
		sum := sha256.Sum256(metadata)
		m, err := checkMeta(&abci.Snapshot{Height: h, Format: SnapshotFormat, Chunks: chunks, Hash: sum[:], Metadata: metadata})
		if err != nil {
			return
		}
		if uint32(len(m.ChunkHashes)) != chunks || m.Height <= 0 || uint64(m.Height) != h {
			t.Fatalf("accepted metadata %+v for height %d, %d chunks", m, h, chunks)
		}
	})
}

// FuzzQuery: abci_query paths, data and heights come from RPC clients;
// Query never panics and never returns a Go error (failures are codes).
func FuzzQuery(f *testing.F) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(f, fundedGenesis(alice, bob))
	c.block(c.tx(alice, transferMsg(f, bob.addr, 7, NativeAsset)))
	f.Add("/balance/"+bob.addr.String()+"/"+NativeAsset, []byte{}, int64(0), true)
	f.Add("/account/"+alice.addr.String(), []byte{}, int64(1), false)
	f.Add("/holders/RIFF?limit=2&after=x", []byte("x"), int64(-1), true)
	f.Add("/store/acct/", []byte{0xff}, int64(99), true)
	f.Add("/agreements/"+alice.addr.String()+"?status=settled", []byte{}, int64(0), true)
	f.Add("/roles/"+alice.addr.String()+"?after=a&limit=3", []byte{}, int64(0), true)
	f.Add("/collectives/"+bob.addr.String()+"?after="+alice.addr.String(), []byte{}, int64(0), true)
	f.Fuzz(func(t *testing.T, path string, data []byte, height int64, prove bool) {
		res, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: path, Data: data, Height: height, Prove: prove})
		if err != nil {
			t.Fatalf("Query(%q) returned an error: %v", path, err)
		}
		if res == nil {
			t.Fatalf("Query(%q) returned no response", path)
		}
	})
}
