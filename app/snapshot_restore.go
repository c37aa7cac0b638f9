package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// Restoring an offered snapshot, as a state machine over
// SnapshotStore.restore (guarded by SnapshotStore.mu):
//
//	idle (restore nil, tree empty)
//	  ── Offer: metadata checks out, state empty ──▶ importing (next = 0)
//	importing
//	  ── Apply chunk next, hash listed ──▶ importing (next+1)
//	  ── Apply chunk next, hash wrong ──▶ importing (refetch; after
//	     maxChunkFailures: REJECT_SNAPSHOT, idle)
//	  ── Apply the last chunk, root = trusted app hash ──▶ restored (idle,
//	     Restored set, the app's CheckTx state reset to the new tree)
//	  ── bad chunk content, more than the metadata said, wrong root ──▶
//	     refused: every peer that served a chunk is rejected, idle
//	  ── a new Offer ──▶ the import is abandoned and the new one starts
//
// Leaving importing other than by success always empties the tree again
// (abort), so a half-imported tree is never served or executed.

// maxChunkFailures is how often one chunk may arrive with a wrong hash
// before the whole snapshot is rejected.
const maxChunkFailures = 5

// RestoreStats describes a finished restore.
type RestoreStats struct {
	Height int64
	Chunks int
	Nodes  int64
	Bytes  int64
	Took   time.Duration
}

// restore is a snapshot being restored.
type restore struct {
	meta     SnapshotMeta
	appHash  []byte
	imp      *ledger.Importer
	next     uint32
	failures map[uint32]int
	nodes    int64
	bytes    int64 // chunk bytes applied
	start    time.Time
	// senders are the peers whose chunks were applied: when the snapshot
	// is refused, all of them are rejected (RejectSenders), so CometBFT
	// drops their snapshots and bans them for the rest of the sync.
	senders []string
}

// addSender records a peer that served an applied chunk.
func (r *restore) addSender(s string) {
	if s != "" && !slices.Contains(r.senders, s) {
		r.senders = append(r.senders, s)
	}
}

// refuse abandons the restore of a snapshot that is not the honest state:
// every peer that served a chunk of it is rejected.
func (s *SnapshotStore) refuse(a *App, r *restore) *abci.ResponseApplySnapshotChunk {
	senders := append([]string(nil), r.senders...)
	s.abort(a)
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT, RejectSenders: senders}
}

// abort abandons the restore and empties the tree again.
func (s *SnapshotStore) abort(a *App) {
	if s.restore != nil {
		s.restore.imp.Close()
		s.restore = nil
	}
	if err := a.tree.Reset(); err != nil {
		a.logger.Error("state sync: reset state after a failed restore", "err", err)
	}
}

// Offer implements SnapshotProvider: it accepts a snapshot whose metadata
// hashes to its hash and describes its chunks, when the state is empty.
func (s *SnapshotStore) Offer(a *App, snap *abci.Snapshot, appHash []byte) abci.ResponseOfferSnapshot_Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if snap == nil {
		return abci.ResponseOfferSnapshot_REJECT
	}
	if snap.Format != SnapshotFormat {
		return abci.ResponseOfferSnapshot_REJECT_FORMAT
	}
	meta, err := checkMeta(snap)
	if err != nil {
		// Metadata that does not fit its own hash or header is the
		// offering peers' doing: reject them, not just this snapshot.
		a.logger.Info("state sync: snapshot and its senders rejected", "height", snap.Height, "err", err)
		return abci.ResponseOfferSnapshot_REJECT_SENDER
	}
	if len(appHash) == 0 {
		return abci.ResponseOfferSnapshot_REJECT
	}
	if s.restore != nil {
		s.abort(a) // a new offer replaces an unfinished restore
	}
	if v := a.tree.Version(); v != 0 {
		a.logger.Error("state sync: state is not empty, cannot restore", "version", v)
		return abci.ResponseOfferSnapshot_ABORT
	}
	if err := a.tree.Reset(); err != nil { // drop nodes an abandoned import flushed
		a.logger.Error("state sync: reset", "err", err)
		return abci.ResponseOfferSnapshot_ABORT
	}
	imp, err := a.tree.Import(meta.Height)
	if err != nil {
		a.logger.Error("state sync: start import", "err", err)
		return abci.ResponseOfferSnapshot_ABORT
	}
	s.restore = &restore{meta: meta, appHash: append([]byte(nil), appHash...), imp: imp,
		failures: map[uint32]int{}, start: time.Now()}
	a.logger.Info("state sync: restoring snapshot", "height", meta.Height, "chunks", len(meta.ChunkHashes), "bytes", meta.Bytes)
	return abci.ResponseOfferSnapshot_ACCEPT
}

// Apply implements SnapshotProvider: chunks come in order; each must hash
// to its listed hash (else it is refetched from another peer, and after
// repeated failures the snapshot is rejected); after the last one the
// restored root hash must equal the trusted app hash.
func (s *SnapshotStore) Apply(a *App, req *abci.RequestApplySnapshotChunk) *abci.ResponseApplySnapshotChunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.restore
	if r == nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}
	}
	switch {
	case req.Index < r.next: // already applied
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}
	case req.Index > r.next:
		s.abort(a)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY_SNAPSHOT}
	}
	if !r.hashMatches(req) {
		return s.wrongHash(a, r, req)
	}
	r.addSender(req.Sender)
	n, err := importChunk(r.imp, req.Chunk)
	if err != nil {
		a.logger.Error("state sync: bad chunk content", "height", r.meta.Height, "chunk", req.Index, "err", err)
		return s.refuse(a, r)
	}
	r.nodes += n
	r.bytes += int64(len(req.Chunk))
	if r.nodes > r.meta.Nodes || r.bytes > r.meta.Bytes {
		// More than the metadata announced: no need to import the rest.
		a.logger.Error("state sync: snapshot larger than its metadata", "height", r.meta.Height,
			"nodes", r.nodes, "meta_nodes", r.meta.Nodes, "bytes", r.bytes, "meta_bytes", r.meta.Bytes)
		return s.refuse(a, r)
	}
	r.next++
	if int(r.next) < len(r.meta.ChunkHashes) {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}
	}
	return s.finish(a, r)
}

// hashMatches reports whether req's chunk hashes to the hash the metadata
// lists for its index.
func (r *restore) hashMatches(req *abci.RequestApplySnapshotChunk) bool {
	sum := sha256.Sum256(req.Chunk)
	return hex.EncodeToString(sum[:]) == r.meta.ChunkHashes[req.Index]
}

// wrongHash answers a chunk that does not hash to its listed hash: its
// sender is rejected and the chunk refetched from another peer, until the
// same chunk failed maxChunkFailures times; then the snapshot is rejected.
func (s *SnapshotStore) wrongHash(a *App, r *restore, req *abci.RequestApplySnapshotChunk) *abci.ResponseApplySnapshotChunk {
	r.failures[req.Index]++
	a.logger.Info("state sync: chunk hash mismatch", "height", r.meta.Height, "chunk", req.Index, "sender", req.Sender)
	if r.failures[req.Index] >= maxChunkFailures {
		s.abort(a)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT,
			RejectSenders: nonEmpty(req.Sender)}
	}
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY,
		RefetchChunks: []uint32{req.Index}, RejectSenders: nonEmpty(req.Sender)}
}

// finish ends a restore after its last chunk: the imported tree is
// committed and its root must equal the trusted app hash, with exactly
// the nodes the metadata announced; then the app's local indexes are
// rebuilt from it and CheckTx starts over on the restored state.
func (s *SnapshotStore) finish(a *App, r *restore) *abci.ResponseApplySnapshotChunk {
	// Last chunk: commit and compare with the trusted app hash.
	hash, err := r.imp.Commit()
	if err == nil && r.nodes != r.meta.Nodes {
		err = fmt.Errorf("%w: %d nodes restored, metadata says %d", ErrSnapshotInvalid, r.nodes, r.meta.Nodes)
	}
	if err == nil && !bytes.Equal(hash, r.appHash) {
		err = fmt.Errorf("%w: restored root %X, trusted app hash %X", ErrSnapshotInvalid, hash, r.appHash)
	}
	if err != nil {
		a.logger.Error("state sync: restored state rejected", "height", r.meta.Height, "err", err)
		return s.refuse(a, r)
	}
	snap, err := a.tree.At(0)
	if err == nil {
		err = a.syncLocal() // local indexes are not in snapshots: made from the restored state
	}
	if err != nil {
		a.logger.Error("state sync: restored state unusable", "height", r.meta.Height, "err", err)
		s.abort(a)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}
	}
	a.mu.Lock()
	a.checkSnap = snap
	a.pending = map[ledger.Address]uint64{}
	a.committed = map[ledger.Address]uint64{}
	a.mu.Unlock()
	s.Restored = &RestoreStats{Height: r.meta.Height, Chunks: len(r.meta.ChunkHashes), Nodes: r.nodes,
		Bytes: r.meta.Bytes, Took: time.Since(r.start)}
	s.restore = nil
	a.logger.Info("state sync: snapshot restored", "height", r.meta.Height, "chunks", len(r.meta.ChunkHashes),
		"nodes", r.nodes, "bytes", r.meta.Bytes, "took", s.Restored.Took.Round(time.Millisecond))
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
