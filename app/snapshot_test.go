package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// snapChain is a chain with many accounts and a few blocks of transfers,
// whose app keeps snapshots in a temp folder with small chunks.
func snapChain(t testing.TB, accounts int) (*chain, *SnapshotStore) {
	t.Helper()
	keys := make([]testKey, 3)
	for i := range keys {
		keys[i] = newTestKey(fmt.Sprintf("snap-%d", i))
	}
	gs := fundedGenesis(keys...)
	for i := 0; i < accounts; i++ {
		var a ledger.Address
		s := sha256.Sum256([]byte(fmt.Sprintf("acct-%d", i)))
		copy(a[:], s[:])
		gs.Ledger.Balances = append(gs.Ledger.Balances, ledger.Holding{Address: a, Asset: NativeAsset, Amount: ledger.NewAmount(uint64(i + 1))})
	}
	c := newChain(t, gs)
	store := NewSnapshotStore(t.TempDir(), 0, 2)
	store.ChunkSize = 4096
	c.app.Snapshots = store
	for h := 0; h < 4; h++ {
		c.block(c.tx(keys[0], transferMsg(t, keys[1].addr, uint64(10+h), NativeAsset)),
			c.tx(keys[2], transferMsg(t, keys[0].addr, 3, NativeAsset)))
	}
	return c, store
}

// freshApp is an app over an empty tree, ready to restore.
func freshApp(t testing.TB) *App {
	t.Helper()
	tree, err := ledger.OpenTree("", "restore")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	a := New(tree, testChain, nil)
	a.Snapshots = NewSnapshotStore("", 0, 0)
	return a
}

func offer(t testing.TB, a *App, snap *abci.Snapshot, appHash []byte) abci.ResponseOfferSnapshot_Result {
	t.Helper()
	res, err := a.OfferSnapshot(context.Background(), &abci.RequestOfferSnapshot{Snapshot: snap, AppHash: appHash})
	if err != nil {
		t.Fatal(err)
	}
	return res.Result
}

func apply(t testing.TB, a *App, i uint32, chunk []byte) *abci.ResponseApplySnapshotChunk {
	t.Helper()
	res, err := a.ApplySnapshotChunk(context.Background(), &abci.RequestApplySnapshotChunk{Index: i, Chunk: chunk, Sender: "peer1"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// latestSnapshot takes a snapshot of the chain's latest height and returns
// it with its chunks, as a peer would serve them.
func latestSnapshot(t testing.TB, c *chain, store *SnapshotStore) (*abci.Snapshot, [][]byte) {
	t.Helper()
	if err := store.Take(c.app, c.height); err != nil {
		t.Fatal(err)
	}
	list, err := c.app.ListSnapshots(context.Background(), &abci.RequestListSnapshots{})
	if err != nil || len(list.Snapshots) == 0 {
		t.Fatalf("list snapshots: %v %v", list, err)
	}
	snap := list.Snapshots[0]
	if snap.Height != uint64(c.height) {
		t.Fatalf("newest snapshot at %d, want %d", snap.Height, c.height)
	}
	var chunks [][]byte
	for i := uint32(0); i < snap.Chunks; i++ {
		res, err := c.app.LoadSnapshotChunk(context.Background(), &abci.RequestLoadSnapshotChunk{Height: snap.Height, Format: snap.Format, Chunk: i})
		if err != nil || len(res.Chunk) == 0 {
			t.Fatalf("chunk %d: %v", i, err)
		}
		chunks = append(chunks, res.Chunk)
	}
	return snap, chunks
}

func TestSnapshotRestoreSameHash(t *testing.T) {
	c, store := snapChain(t, 300)
	snap, chunks := latestSnapshot(t, c, store)
	if len(chunks) < 3 {
		t.Fatalf("want several chunks with 4 KB chunk size, got %d", len(chunks))
	}
	want := c.app.tree.CommittedHash()

	b := freshApp(t)
	if r := offer(t, b, snap, want); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	for i, ch := range chunks {
		if r := apply(t, b, uint32(i), ch); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, r.Result)
		}
	}
	info, _ := b.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != c.height || !bytes.Equal(info.LastBlockAppHash, want) {
		t.Fatalf("restored info height %d hash %X, want %d %X", info.LastBlockHeight, info.LastBlockAppHash, c.height, want)
	}
	if err := ledger.CheckInvariants(b.tree); err != nil {
		t.Fatal(err)
	}

	// The restored node keeps going exactly like the original: same next
	// block, same app hash; and its CheckTx sees the restored nonces.
	k0, k1 := newTestKey("snap-0"), newTestKey("snap-1")
	tx := c.tx(k0, transferMsg(t, k1.addr, 7, NativeAsset))
	if res, _ := b.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx}); res.Code != CodeOK {
		t.Fatalf("restored app CheckTx: %d %s", res.Code, res.Log)
	}
	rc := c.block(tx)
	d := &chain{t: t, app: b, height: c.height - 1, nonces: map[ledger.Address]uint64{}}
	rd := d.block(tx)
	if !bytes.Equal(rc.AppHash, rd.AppHash) {
		t.Fatalf("next block app hash differs: original %X, restored %X", rc.AppHash, rd.AppHash)
	}
	if got := d.balance(k1.addr, NativeAsset); got != c.balance(k1.addr, NativeAsset) {
		t.Fatalf("restored balance %s", got)
	}

	// A node restored by state sync serves the identical snapshot.
	store2 := NewSnapshotStore(t.TempDir(), 0, 2)
	store2.ChunkSize = 4096
	b.Snapshots = store2
	c2, _ := latestSnapshot(t, c, store)
	d2, _ := latestSnapshot(t, d, store2)
	if !bytes.Equal(c2.Hash, d2.Hash) {
		t.Fatalf("snapshot of the restored node differs: %X vs %X", c2.Hash, d2.Hash)
	}
}

func TestSnapshotCorruptChunk(t *testing.T) {
	c, store := snapChain(t, 200)
	snap, chunks := latestSnapshot(t, c, store)
	want := c.app.tree.CommittedHash()
	bad := append([]byte(nil), chunks[1]...)
	bad[len(bad)/2] ^= 0xff

	t.Run("retry then good chunk", func(t *testing.T) {
		b := freshApp(t)
		offer(t, b, snap, want)
		apply(t, b, 0, chunks[0])
		r := apply(t, b, 1, bad)
		if r.Result != abci.ResponseApplySnapshotChunk_RETRY || len(r.RefetchChunks) != 1 || r.RefetchChunks[0] != 1 ||
			len(r.RejectSenders) != 1 || r.RejectSenders[0] != "peer1" {
			t.Fatalf("corrupt chunk: %+v", r)
		}
		for i := 1; i < len(chunks); i++ {
			if r := apply(t, b, uint32(i), chunks[i]); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
				t.Fatalf("chunk %d: %v", i, r.Result)
			}
		}
		if !bytes.Equal(b.tree.CommittedHash(), want) {
			t.Fatal("restore after a refetched chunk has another hash")
		}
	})
	t.Run("repeatedly corrupt rejects the snapshot", func(t *testing.T) {
		b := freshApp(t)
		offer(t, b, snap, want)
		apply(t, b, 0, chunks[0])
		var r *abci.ResponseApplySnapshotChunk
		for i := 0; i < maxChunkFailures; i++ {
			r = apply(t, b, 1, bad)
		}
		if r.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
			t.Fatalf("after %d corrupt copies: %v", maxChunkFailures, r.Result)
		}
		if b.tree.Version() != 0 {
			t.Fatal("state not empty after a rejected snapshot")
		}
	})
	t.Run("consistent but garbage snapshot", func(t *testing.T) {
		// A peer that hashes its garbage correctly: the hashes match, the
		// content does not decode into a tree.
		for name, mutate := range map[string]func([][]byte) [][]byte{
			"flipped byte": func(cs [][]byte) [][]byte { cs[1] = bad; return cs },
			"chunks swapped": func(cs [][]byte) [][]byte {
				cs[0], cs[1] = cs[1], cs[0]
				return cs
			},
			"truncated": func(cs [][]byte) [][]byte { cs[1] = cs[1][:len(cs[1])-3]; return cs },
			"missing chunk": func(cs [][]byte) [][]byte {
				return append(cs[:1:1], cs[2:]...)
			},
		} {
			t.Run(name, func(t *testing.T) {
				cs := mutate(append([][]byte(nil), chunks...))
				forged := forgeSnapshot(t, snap, cs)
				b := freshApp(t)
				if r := offer(t, b, forged, want); r != abci.ResponseOfferSnapshot_ACCEPT {
					t.Fatalf("offer: %v", r)
				}
				var last abci.ResponseApplySnapshotChunk_Result
				for i, ch := range cs {
					last = apply(t, b, uint32(i), ch).Result
					if last != abci.ResponseApplySnapshotChunk_ACCEPT {
						break
					}
				}
				if last != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
					t.Fatalf("garbage snapshot: %v", last)
				}
				if b.tree.Version() != 0 {
					t.Fatal("state not empty after a rejected snapshot")
				}
			})
		}
	})
}

// forgeSnapshot builds a snapshot header whose metadata lists the hashes of
// chunks (what a lying but consistent peer would serve).
func forgeSnapshot(t testing.TB, orig *abci.Snapshot, chunks [][]byte) *abci.Snapshot {
	t.Helper()
	var m SnapshotMeta
	if err := json.Unmarshal(orig.Metadata, &m); err != nil {
		t.Fatal(err)
	}
	m.ChunkHashes = nil
	for _, c := range chunks {
		s := sha256.Sum256(c)
		m.ChunkHashes = append(m.ChunkHashes, hex.EncodeToString(s[:]))
	}
	mb, _ := json.Marshal(m)
	sum := sha256.Sum256(mb)
	return &abci.Snapshot{Height: orig.Height, Format: orig.Format, Chunks: uint32(len(chunks)), Hash: sum[:], Metadata: mb}
}

func TestSnapshotWrongAppHash(t *testing.T) {
	c, store := snapChain(t, 100)
	snap, chunks := latestSnapshot(t, c, store)
	want := c.app.tree.CommittedHash()
	wrong := append([]byte(nil), want...)
	wrong[0] ^= 1

	b := freshApp(t)
	if r := offer(t, b, snap, wrong); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	var last abci.ResponseApplySnapshotChunk_Result
	for i, ch := range chunks {
		last = apply(t, b, uint32(i), ch).Result
	}
	if last != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("last chunk under a wrong app hash: %v", last)
	}
	if b.tree.Version() != 0 {
		t.Fatal("state kept after the app hash check failed")
	}
	// The same app restores the right snapshot afterwards.
	if r := offer(t, b, snap, want); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("second offer: %v", r)
	}
	for i, ch := range chunks {
		if r := apply(t, b, uint32(i), ch); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, r.Result)
		}
	}
	if !bytes.Equal(b.tree.CommittedHash(), want) {
		t.Fatal("second restore has another hash")
	}
}

func TestSnapshotOfferChecks(t *testing.T) {
	c, store := snapChain(t, 10)
	snap, _ := latestSnapshot(t, c, store)
	want := c.app.tree.CommittedHash()
	mod := func(f func(s *abci.Snapshot)) *abci.Snapshot {
		s := *snap
		s.Metadata = append([]byte(nil), snap.Metadata...)
		f(&s)
		return &s
	}
	tests := []struct {
		name string
		snap *abci.Snapshot
		hash []byte
		want abci.ResponseOfferSnapshot_Result
	}{
		{"good", snap, want, abci.ResponseOfferSnapshot_ACCEPT},
		{"unknown format", mod(func(s *abci.Snapshot) { s.Format = 2 }), want, abci.ResponseOfferSnapshot_REJECT_FORMAT},
		{"metadata does not match hash", mod(func(s *abci.Snapshot) { s.Metadata[len(s.Metadata)-3] ^= 1 }), want, abci.ResponseOfferSnapshot_REJECT_SENDER},
		{"chunk count differs", mod(func(s *abci.Snapshot) { s.Chunks++ }), want, abci.ResponseOfferSnapshot_REJECT_SENDER},
		{"height differs", mod(func(s *abci.Snapshot) { s.Height++ }), want, abci.ResponseOfferSnapshot_REJECT_SENDER},
		{"no app hash", snap, nil, abci.ResponseOfferSnapshot_REJECT},
		{"nil snapshot", nil, want, abci.ResponseOfferSnapshot_REJECT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := offer(t, freshApp(t), tt.snap, tt.hash); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	// An app that already has state refuses to restore over it.
	if got := offer(t, c.app, snap, want); got != abci.ResponseOfferSnapshot_ABORT {
		t.Fatalf("offer to a non-empty app: %v", got)
	}
	// A chunk without an offer.
	if r := apply(t, freshApp(t), 0, []byte("x")); r.Result != abci.ResponseApplySnapshotChunk_ABORT {
		t.Fatalf("chunk without offer: %v", r.Result)
	}
}

func TestSnapshotIntervalAndPruning(t *testing.T) {
	c, _ := snapChain(t, 0)
	dir := t.TempDir()
	store := NewSnapshotStore(dir, 3, 2)
	c.app.Snapshots = store
	for c.height < 10 {
		c.block()
	}
	// Snapshots are written in the background: wait for height 9.
	deadline := time.Now().Add(10 * time.Second)
	for {
		hs, err := store.heights()
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) > 0 && hs[0] == 9 {
			if fmt.Sprint(hs) != "[9 6]" {
				t.Fatalf("kept snapshots %v, want [9 6]", hs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot at 9; have %v", hs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dir, "3")); !os.IsNotExist(err) {
		t.Fatalf("snapshot 3 not pruned: %v", err)
	}
	if _, err := store.LoadChunk(9, SnapshotFormat, 99); err == nil {
		t.Fatal("missing chunk loaded")
	}
	if _, err := store.LoadChunk(9, 7, 0); err == nil {
		t.Fatal("chunk of an unknown format loaded")
	}
}

// BenchmarkStateSync100k restores a state of 100,000 funded accounts from
// a snapshot into a fresh app (chunks already local: export excluded,
// network excluded) and reports the seconds it takes.
func BenchmarkStateSync100k(b *testing.B) {
	c, store := snapChain(b, 100_000)
	store.ChunkSize = DefaultSnapshotChunkSize
	start := time.Now()
	snap, chunks := latestSnapshot(b, c, store)
	exportTook := time.Since(start)
	want := c.app.tree.CommittedHash()
	var total int
	for _, ch := range chunks {
		total += len(ch)
	}
	b.ResetTimer()
	var took time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		a := freshApp(b)
		b.StartTimer()
		t0 := time.Now()
		if r := offer(b, a, snap, want); r != abci.ResponseOfferSnapshot_ACCEPT {
			b.Fatalf("offer: %v", r)
		}
		for j, ch := range chunks {
			if r := apply(b, a, uint32(j), ch); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
				b.Fatalf("chunk %d: %v", j, r.Result)
			}
		}
		took += time.Since(t0)
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "restore-s")
	b.ReportMetric(exportTook.Seconds(), "export-s")
	b.ReportMetric(float64(total)/1e6, "MB")
	b.ReportMetric(float64(len(chunks)), "chunks")
}

// TestSnapshotKeptWhileServed: a snapshot a peer was offered (List) or is
// fetching (LoadChunk) survives pruning past KeepRecent, so a slow joiner is
// not left asking for chunks that no longer exist; it is no longer offered.
func TestSnapshotKeptWhileServed(t *testing.T) {
	c, _ := snapChain(t, 0)
	dir := t.TempDir()
	store := NewSnapshotStore(dir, 0, 2) // interval 0: taken by hand below
	c.app.Snapshots = store
	for c.height < 4 {
		c.block()
	}
	for _, h := range []int64{2, 3} {
		if err := store.Take(c.app, h); err != nil {
			t.Fatal(err)
		}
	}
	listed, err := store.List()
	if err != nil || len(listed) != 2 {
		t.Fatalf("list: %v %v", listed, err)
	}
	if err := store.Take(c.app, 4); err != nil {
		t.Fatal(err)
	}
	hs, _ := store.heights()
	if fmt.Sprint(hs) != "[4 3 2]" {
		t.Fatalf("kept %v, want [4 3 2] (2 was offered to a peer)", hs)
	}
	if _, err := store.LoadChunk(2, SnapshotFormat, 0); err != nil {
		t.Fatalf("offered snapshot not served: %v", err)
	}
	again, _ := store.List()
	if len(again) != 2 || again[0].Height != 4 || again[1].Height != 3 {
		t.Fatalf("list after pruning offers %v, want heights 4 and 3", again)
	}
}
