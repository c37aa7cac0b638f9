package app

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
)

// State-sync snapshots (spec/statesync.md): every snapshot_interval
// heights the committed IAVL tree is exported as a stream of nodes, cut
// into chunks at node boundaries, each chunk hashed with SHA-256; the
// hashes are listed in the snapshot's metadata and the snapshot's hash is
// the SHA-256 of that metadata. A joining node restores the stream into an
// empty tree, checking every chunk against its listed hash as it arrives,
// and after the last chunk checks the tree's root hash against the app hash
// CometBFT's light client verified for that height.
//
// The pieces, one file each:
//
//	snapshot.go          the provider, its node wiring, when snapshots are
//	                     taken, and the thin ABCI methods that call it
//	snapshot_codec.go    the bytes: metadata and the chunk node encoding
//	snapshot_disk.go     the store on disk: writing, pruning, serving
//	snapshot_restore.go  the restore state machine (Offer, Apply)
//	snapshot_catchup.go  logging how long a joining node took to catch up

// SnapshotFormat is the only snapshot format: the IAVL export node stream.
const SnapshotFormat uint32 = 1

// Snapshot errors.
var (
	ErrSnapshotNotFound = errors.New("snapshot not found")
	ErrSnapshotInvalid  = errors.New("invalid snapshot")
)

// SnapshotProvider takes, serves and restores state-sync snapshots. The
// node sets it up (setupSnapshots, a node service) as a *SnapshotStore; nil means the app
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

// NewSnapshotStore returns a store over dir.
func NewSnapshotStore(dir string, interval int64, keep int) *SnapshotStore {
	return &SnapshotStore{Dir: dir, Interval: interval, KeepRecent: keep}
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
