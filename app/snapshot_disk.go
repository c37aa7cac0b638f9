package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// The disk side of snapshots: a SnapshotStore keeps each snapshot in
// Dir/<height>/ as metadata.json (SnapshotMeta, snapshot_codec.go) and
// chunk files chunk-000000, chunk-000001, ... (the node stream cut at node
// boundaries). A snapshot is written into Dir/<height>.tmp and renamed
// into place once complete, so a folder with metadata.json is a complete
// snapshot. Old snapshots are pruned to KeepRecent (plus one a joiner may
// still be fetching); List and LoadChunk serve them to peers.

// DefaultSnapshotChunkSize is the size at which a chunk is cut (a chunk
// ends at the first node boundary at or past it).
const DefaultSnapshotChunkSize = 2 << 20

// chunkWriter cuts the node stream into chunk files (Dir/<height>.tmp/
// chunk-NNNNNN) and collects the metadata that lists them.
type chunkWriter struct {
	dir  string
	size int
	buf  bytes.Buffer
	meta SnapshotMeta
}

// node appends one node (encodeNode) and cuts a chunk once the buffer
// reaches the chunk size.
func (w *chunkWriter) node(n *ledger.ExportNode) error {
	encodeNode(&w.buf, n)
	w.meta.Nodes++
	if w.buf.Len() >= w.size {
		return w.flush()
	}
	return nil
}

// flush writes the buffered nodes as the next chunk file and lists its hash.
func (w *chunkWriter) flush() error {
	i := len(w.meta.ChunkHashes)
	sum := sha256.Sum256(w.buf.Bytes())
	if err := os.WriteFile(filepath.Join(w.dir, chunkName(uint32(i))), w.buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write chunk %d: %w", i, err)
	}
	w.meta.ChunkHashes = append(w.meta.ChunkHashes, hex.EncodeToString(sum[:]))
	w.meta.Bytes += int64(w.buf.Len())
	w.buf.Reset()
	return nil
}

func chunkName(i uint32) string { return fmt.Sprintf("chunk-%06d", i) }

// write exports version height into Dir/<height>, then prunes old ones.
func (s *SnapshotStore) write(a *App, height int64) error {
	if s.Dir == "" {
		return fmt.Errorf("%w: no snapshot folder", ErrSnapshotInvalid)
	}
	s.mu.Lock()
	s.writing = height
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.writing = 0
		s.mu.Unlock()
	}()
	snap, err := a.tree.At(height)
	if err != nil {
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	final := filepath.Join(s.Dir, strconv.FormatInt(height, 10))
	if _, err := os.Stat(filepath.Join(final, "metadata.json")); err == nil {
		return nil // already taken (e.g. after a restart)
	}
	tmp := final + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	size := s.ChunkSize
	if size <= 0 {
		size = DefaultSnapshotChunkSize
	}
	w := &chunkWriter{dir: tmp, size: size, meta: SnapshotMeta{Format: SnapshotFormat, Height: height}}
	if err := snap.Export(w.node); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	if w.buf.Len() > 0 || len(w.meta.ChunkHashes) == 0 {
		if err := w.flush(); err != nil {
			_ = os.RemoveAll(tmp)
			return fmt.Errorf("snapshot %d: %w", height, err)
		}
	}
	mb, err := json.Marshal(w.meta)
	if err != nil {
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "metadata.json"), mb, 0o644); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	_ = os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("snapshot %d: %w", height, err)
	}
	return s.prune()
}

// OldestHeight is the lowest height of a snapshot the operator's settings
// keep (the newest KeepRecent) or one being written; 0 when there is none.
// Blocks from there on must stay: a joiner's light client verifies the
// headers at and after a snapshot's height. An older snapshot kept only
// because a peer is fetching it does not count: what peers do never holds
// back block pruning (min_retain_blocks).
func (s *SnapshotStore) OldestHeight() int64 {
	hs, _ := s.heights()
	if keep := s.keep(); len(hs) > keep {
		hs = hs[:keep]
	}
	s.mu.Lock()
	oldest := s.writing
	if s.queued > 0 && (oldest == 0 || s.queued < oldest) {
		oldest = s.queued
	}
	s.mu.Unlock()
	for _, h := range hs {
		if oldest == 0 || h < oldest {
			oldest = h
		}
	}
	return oldest
}

// keep is KeepRecent with its default.
func (s *SnapshotStore) keep() int {
	if s.KeepRecent <= 0 {
		return 2
	}
	return s.KeepRecent
}

// heights returns the heights of complete snapshots, newest first.
func (s *SnapshotStore) heights() ([]int64, error) {
	if s.Dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var hs []int64
	for _, e := range entries {
		h, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(s.Dir, e.Name(), "metadata.json")); err == nil {
			hs = append(hs, h)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] > hs[j] })
	return hs, nil
}

// servedGrace is how long a snapshot a peer has seen is kept past
// KeepRecent.
const servedGrace = 10 * time.Minute

// MaxServedExtra is how many snapshots beyond KeepRecent are kept for
// joiners still fetching them (the newest such): peers that keep fetching
// old snapshots cannot make a node keep more than KeepRecent+1 state
// exports on disk.
const MaxServedExtra = 1

func (s *SnapshotStore) markServed(h int64) {
	s.mu.Lock()
	if s.served == nil {
		s.served = map[int64]time.Time{}
	}
	s.served[h] = time.Now()
	s.mu.Unlock()
}

func (s *SnapshotStore) prune() error {
	keep := s.keep()
	hs, err := s.heights()
	if err != nil {
		return err
	}
	s.mu.Lock()
	now := time.Now()
	recent := map[int64]bool{}
	for h, at := range s.served {
		if now.Sub(at) < servedGrace {
			recent[h] = true
		} else {
			delete(s.served, h)
		}
	}
	s.mu.Unlock()
	extra := 0
	for i := keep; i < len(hs); i++ {
		if recent[hs[i]] && extra < MaxServedExtra {
			extra++ // a joiner may be fetching it
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.Dir, strconv.FormatInt(hs[i], 10))); err != nil {
			return fmt.Errorf("prune snapshot %d: %w", hs[i], err)
		}
	}
	return nil
}

// List implements SnapshotProvider.
func (s *SnapshotStore) List() ([]*abci.Snapshot, error) {
	hs, err := s.heights()
	if err != nil {
		return nil, err
	}
	// Offer only the newest KeepRecent; older ones kept for a joiner that
	// is still fetching them are served but not advertised again, so they
	// expire servedGrace after their last fetch.
	keep := s.keep()
	if len(hs) > keep {
		hs = hs[:keep]
	}
	var out []*abci.Snapshot
	for _, h := range hs {
		mb, err := os.ReadFile(filepath.Join(s.Dir, strconv.FormatInt(h, 10), "metadata.json"))
		if err != nil {
			continue // pruned meanwhile
		}
		s.markServed(h)
		var m SnapshotMeta
		if err := json.Unmarshal(mb, &m); err != nil {
			return nil, fmt.Errorf("%w: metadata of %d: %v", ErrSnapshotInvalid, h, err)
		}
		sum := sha256.Sum256(mb)
		out = append(out, &abci.Snapshot{Height: uint64(h), Format: m.Format,
			Chunks: uint32(len(m.ChunkHashes)), Hash: sum[:], Metadata: mb})
	}
	return out, nil
}

// LoadChunk implements SnapshotProvider.
func (s *SnapshotStore) LoadChunk(height uint64, format, chunk uint32) ([]byte, error) {
	if s.Dir == "" || format != SnapshotFormat {
		return nil, ErrSnapshotNotFound
	}
	b, err := os.ReadFile(filepath.Join(s.Dir, strconv.FormatUint(height, 10), chunkName(chunk)))
	if err != nil {
		return nil, fmt.Errorf("%w: %d/%d: %v", ErrSnapshotNotFound, height, chunk, err)
	}
	s.markServed(int64(height))
	return b, nil
}
