package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// State-sync snapshots (spec/statesync.md): every snapshot_interval
// heights the committed IAVL tree is exported as a stream of nodes, cut
// into chunks at node boundaries, each chunk hashed with SHA-256; the
// hashes are listed in the snapshot's metadata and the snapshot's hash is
// the SHA-256 of that metadata. A joining node restores the stream into an
// empty tree, checking every chunk against its listed hash as it arrives,
// and after the last chunk checks the tree's root hash against the app hash
// CometBFT's light client verified for that height.

// SnapshotFormat is the only snapshot format: the IAVL export node stream.
const SnapshotFormat uint32 = 1

// DefaultSnapshotChunkSize is the size at which a chunk is cut (a chunk
// ends at the first node boundary at or past it).
const DefaultSnapshotChunkSize = 2 << 20

// maxChunkFailures is how often one chunk may arrive with a wrong hash
// before the whole snapshot is rejected.
const maxChunkFailures = 5

// Snapshot errors.
var (
	ErrSnapshotNotFound = errors.New("snapshot not found")
	ErrSnapshotInvalid  = errors.New("invalid snapshot")
)

// SnapshotProvider takes, serves and restores state-sync snapshots. The
// node sets it up (nodeHooks) as a *SnapshotStore; nil means the app
// neither serves nor restores snapshots.
type SnapshotProvider interface {
	// List returns the stored snapshots, newest first.
	List() ([]*abci.Snapshot, error)
	// LoadChunk returns one chunk of a stored snapshot.
	LoadChunk(height uint64, format, chunk uint32) ([]byte, error)
	// Take snapshots the committed version height of a's tree.
	Take(a *App, height int64) error
	// Offer and Apply restore a snapshot into a's empty tree.
	Offer(a *App, snap *abci.Snapshot, appHash []byte) abci.ResponseOfferSnapshot_Result
	Apply(a *App, req *abci.RequestApplySnapshotChunk) *abci.ResponseApplySnapshotChunk
}

// SnapshotMeta is the metadata of a snapshot (JSON, field order fixed so
// that every node producing the same snapshot produces the same bytes).
type SnapshotMeta struct {
	Format      uint32   `json:"format"`
	Height      int64    `json:"height"`
	Nodes       int64    `json:"nodes"`        // exported tree nodes
	Bytes       int64    `json:"bytes"`        // total chunk bytes
	ChunkHashes []string `json:"chunk_hashes"` // hex SHA-256 of each chunk
}

// SnapshotStore keeps snapshots under Dir/<height>/ (metadata.json and
// chunk-NNNNNN files) and restores offered ones.
type SnapshotStore struct {
	Dir        string // "" = nothing stored or served (restore still works)
	Interval   int64  // take a snapshot at heights divisible by this; 0 = never
	KeepRecent int    // snapshots kept (default 2)
	ChunkSize  int    // default DefaultSnapshotChunkSize

	mu      sync.Mutex
	taking  bool  // a snapshot is being written
	writing int64 // the height being written (0: none)
	queued  int64 // height due while one was being written
	// queuedUnpin releases the state version pinned for queued.
	queuedUnpin func()
	restore     *restore // restore in progress
	// served records when each snapshot was last listed to or fetched by a
	// peer: prune keeps those for servedGrace beyond KeepRecent, because a
	// joiner that picked a snapshot its peers then pruned gets empty chunks
	// and CometBFT v0.38 retries them forever.
	served map[int64]time.Time
	// Restored is set after a successful restore (for logs and tests).
	Restored *RestoreStats
}

// RestoreStats describes a finished restore.
type RestoreStats struct {
	Height int64
	Chunks int
	Nodes  int64
	Bytes  int64
	Took   time.Duration
}

// NewSnapshotStore returns a store over dir.
func NewSnapshotStore(dir string, interval int64, keep int) *SnapshotStore {
	return &SnapshotStore{Dir: dir, Interval: interval, KeepRecent: keep}
}

func init() {
	nodeHooks = append(nodeHooks, setupSnapshots)
	afterCommitHooks = append(afterCommitHooks, snapshotAfterCommit)
}

// setupSnapshots gives a node's app its snapshot store in HOME/data/snapshots.
func setupSnapshots(a *App) error {
	if a.Snapshots != nil {
		return nil
	}
	dir := ""
	if a.Home != "" {
		dir = filepath.Join(a.Home, "data", "snapshots")
	}
	a.Snapshots = NewSnapshotStore(dir, a.Config.SnapshotInterval, a.Config.SnapshotKeepRecent)
	watchCatchUp(a)
	return nil
}

// snapshotAfterCommit starts a snapshot of version in the background when
// the interval says so. Consensus does not wait for it; when one is still
// being written, the newest height due is taken right after it.
func snapshotAfterCommit(a *App, version int64) {
	s, ok := a.Snapshots.(*SnapshotStore)
	if !ok || s.Dir == "" || s.Interval <= 0 || version%s.Interval != 0 {
		return
	}
	// The version stays unpruned (state_keep_recent) until it is written,
	// however long it waits for the snapshot before it.
	unpin := a.tree.Pin(version)
	s.mu.Lock()
	if s.taking {
		if s.queuedUnpin != nil {
			s.queuedUnpin() // a newer height replaces the one waiting
		}
		s.queued, s.queuedUnpin = version, unpin
		s.mu.Unlock()
		return
	}
	s.taking = true
	s.mu.Unlock()
	go func() {
		h := version
		defer func() {
			// A snapshot racing a node shutdown (closed database) must not
			// take the process down; the next interval tries again.
			if r := recover(); r != nil {
				a.logger.Error("snapshot aborted", "height", h, "err", r)
				unpin()
				s.mu.Lock()
				if s.queuedUnpin != nil {
					s.queuedUnpin()
				}
				s.taking, s.queued, s.queuedUnpin = false, 0, nil
				s.mu.Unlock()
			}
		}()
		for {
			start := time.Now()
			if err := s.write(a, h); err != nil {
				a.logger.Error("snapshot failed", "height", h, "err", err)
			} else {
				a.logger.Info("snapshot taken", "height", h, "took", time.Since(start).Round(time.Millisecond))
			}
			unpin()
			s.mu.Lock()
			if s.queued == 0 {
				s.taking = false
				s.mu.Unlock()
				return
			}
			h, unpin = s.queued, s.queuedUnpin
			s.queued, s.queuedUnpin = 0, nil
			s.mu.Unlock()
		}
	}()
}

// Take writes the snapshot of height synchronously (tests, tools).
func (s *SnapshotStore) Take(a *App, height int64) error {
	s.mu.Lock()
	for s.taking {
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		s.mu.Lock()
	}
	s.taking = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.taking = false
		s.mu.Unlock()
	}()
	return s.write(a, height)
}

// chunkWriter cuts the node stream into chunk files.
type chunkWriter struct {
	dir    string
	size   int
	buf    bytes.Buffer
	meta   SnapshotMeta
	varint [binary.MaxVarintLen64]byte
}

func (w *chunkWriter) uvarint(v uint64) {
	n := binary.PutUvarint(w.varint[:], v)
	w.buf.Write(w.varint[:n])
}

// node appends one node: height byte, uvarint version, uvarint-prefixed
// key, and for leaves a uvarint-prefixed value.
func (w *chunkWriter) node(n *ledger.ExportNode) error {
	w.buf.WriteByte(byte(n.Height))
	w.uvarint(uint64(n.Version))
	w.uvarint(uint64(len(n.Key)))
	w.buf.Write(n.Key)
	if n.Height == 0 {
		w.uvarint(uint64(len(n.Value)))
		w.buf.Write(n.Value)
	}
	w.meta.Nodes++
	if w.buf.Len() >= w.size {
		return w.flush()
	}
	return nil
}

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

// checkMeta decodes and checks a snapshot's metadata against its header.
func checkMeta(snap *abci.Snapshot) (SnapshotMeta, error) {
	var m SnapshotMeta
	sum := sha256.Sum256(snap.Metadata)
	if !bytes.Equal(sum[:], snap.Hash) {
		return m, fmt.Errorf("%w: metadata does not hash to the snapshot hash", ErrSnapshotInvalid)
	}
	if err := StrictUnmarshal(snap.Metadata, &m); err != nil {
		return m, fmt.Errorf("%w: metadata: %v", ErrSnapshotInvalid, err)
	}
	if m.Format != snap.Format || m.Height <= 0 || uint64(m.Height) != snap.Height ||
		len(m.ChunkHashes) == 0 || uint32(len(m.ChunkHashes)) != snap.Chunks {
		return m, fmt.Errorf("%w: metadata does not match the snapshot", ErrSnapshotInvalid)
	}
	for _, h := range m.ChunkHashes {
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			return m, fmt.Errorf("%w: bad chunk hash %q", ErrSnapshotInvalid, h)
		}
	}
	return m, nil
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
	sum := sha256.Sum256(req.Chunk)
	if hex.EncodeToString(sum[:]) != r.meta.ChunkHashes[req.Index] {
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

// importChunk decodes a chunk's nodes and adds them to imp, which checks
// each against the tree built so far (ledger.Importer).
func importChunk(imp *ledger.Importer, chunk []byte) (int64, error) {
	return decodeChunk(chunk, imp.Add)
}

// decodeChunk decodes a chunk's nodes, in order, into add.
func decodeChunk(chunk []byte, add func(*ledger.ExportNode) error) (int64, error) {
	var n int64
	rd := bytes.NewReader(chunk)
	readBytes := func() ([]byte, error) {
		l, err := binary.ReadUvarint(rd)
		if err != nil {
			return nil, err
		}
		if l > uint64(rd.Len()) {
			return nil, fmt.Errorf("length %d past the end of the chunk", l)
		}
		b := make([]byte, l)
		_, err = rd.Read(b)
		return b, err
	}
	for rd.Len() > 0 {
		h, _ := rd.ReadByte()
		ver, err := binary.ReadUvarint(rd)
		if err != nil || ver > 1<<62 {
			return n, fmt.Errorf("%w: node %d: version", ErrSnapshotInvalid, n)
		}
		key, err := readBytes()
		if err != nil {
			return n, fmt.Errorf("%w: node %d: key: %v", ErrSnapshotInvalid, n, err)
		}
		node := &ledger.ExportNode{Height: int8(h), Version: int64(ver), Key: key}
		if h == 0 {
			if node.Value, err = readBytes(); err != nil {
				return n, fmt.Errorf("%w: node %d: value: %v", ErrSnapshotInvalid, n, err)
			}
		}
		if err := add(node); err != nil {
			return n, fmt.Errorf("%w: node %d: %v", ErrSnapshotInvalid, n, err)
		}
		n++
	}
	return n, nil
}

// ListSnapshots implements abci.Application.
func (a *App) ListSnapshots(_ context.Context, _ *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	if a.Snapshots == nil {
		return &abci.ResponseListSnapshots{}, nil
	}
	list, err := a.Snapshots.List()
	if err != nil {
		a.logger.Error("list snapshots", "err", err)
		return &abci.ResponseListSnapshots{}, nil
	}
	return &abci.ResponseListSnapshots{Snapshots: list}, nil
}

// LoadSnapshotChunk implements abci.Application (an unknown chunk gives an
// empty response, which CometBFT reports to the asking peer as missing).
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	if a.Snapshots == nil {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	b, err := a.Snapshots.LoadChunk(req.Height, req.Format, req.Chunk)
	if err != nil {
		a.logger.Info("load snapshot chunk", "err", err)
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	return &abci.ResponseLoadSnapshotChunk{Chunk: b}, nil
}

// OfferSnapshot implements abci.Application.
func (a *App) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	if a.Snapshots == nil {
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ABORT}, nil
	}
	return &abci.ResponseOfferSnapshot{Result: a.Snapshots.Offer(a, req.Snapshot, req.AppHash)}, nil
}

// ApplySnapshotChunk implements abci.Application.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	if a.Snapshots == nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
	}
	return a.Snapshots.Apply(a, req), nil
}
