package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"sync"

	iavldb "github.com/cosmos/iavl/db"
)

// LocalStore is node-local storage outside consensus state: data a node
// derives from state for its own queries (secondary indexes such as "the
// agreements of a party"). It is not in the app hash, not in snapshots and
// not proven; each node keeps its own copy and can rebuild it from state,
// and what a query reads from it is checked against state (which is
// proven). Keeping such indexes here instead of in the IAVL tree is what
// keeps them off the per-transaction write path: a local entry is one
// goleveldb write, a tree entry a new leaf and a rewritten Merkle path that
// every node hashes, stores and compacts forever.
//
// Writes are buffered until Commit(version), which applies them and records
// the state version they belong to in one atomic batch; after a crash
// Version says whether the store caught up with state (if not, the owner
// rebuilds it). Reads (Get, Iterate) see committed data only: block
// execution reads its own writes through a Branch over the store. Reads are
// safe concurrently with writes.
type LocalStore struct {
	db iavldb.DB

	mu      sync.Mutex
	pending map[string][]byte // nil value = delete
	closed  bool
}

// localVersionKey holds the state version the store matches. Keys starting
// with 0x00 are the store's own; callers' keys never start with it.
var localVersionKey = []byte{0x00, 'v'}

// localLayoutKey holds the layout the store's indexes were built for (see
// Layout).
var localLayoutKey = []byte{0x00, 'l'}

// ErrLocalKey is returned for keys a LocalStore reserves (starting 0x00).
var ErrLocalKey = errors.New("reserved local store key")

// OpenLocalStore opens (or creates) the local store dir/name.db; an empty
// dir opens an in-memory store, for tests.
func OpenLocalStore(dir, name string) (*LocalStore, error) {
	db, err := openDB(dir, name)
	if err != nil {
		return nil, fmt.Errorf("open local store: %w", err)
	}
	return &LocalStore{db: db, pending: map[string][]byte{}}, nil
}

// Close closes the store's database; unwritten changes are dropped.
func (s *LocalStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

// Version returns the state version the store's committed content matches
// (0 when none was committed).
func (s *LocalStore) Version() (int64, error) {
	v, err := s.db.Get(localVersionKey)
	if err != nil {
		return 0, fmt.Errorf("%w: local store version: %v", ErrStore, err)
	}
	if v == nil {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: local store version %q: %v", ErrStore, v, err)
	}
	return n, nil
}

// Layout returns the layout the store's content was built for, as the
// owner recorded it with SetLayout (nil when none was).
func (s *LocalStore) Layout() ([]byte, error) {
	v, err := s.db.Get(localLayoutKey)
	if err != nil {
		return nil, fmt.Errorf("%w: local store layout: %v", ErrStore, err)
	}
	return v, nil
}

// SetLayout records, at once, the layout the store's content is built for
// (its owner's description of which indexes it holds, in which format), so
// that an owner whose layout differs rebuilds the store instead of reading
// indexes it does not know or lacks.
func (s *LocalStore) SetLayout(layout []byte) error {
	if err := s.writeBatch(1, func(b batchWriter) error { return b.Set(localLayoutKey, layout) }); err != nil {
		return fmt.Errorf("%w: local store layout: %v", ErrStore, err)
	}
	return nil
}

func checkLocalKey(key []byte) error {
	if len(key) == 0 || key[0] == 0x00 {
		return fmt.Errorf("%w: %x", ErrLocalKey, key)
	}
	return nil
}

// Get implements Reader over committed data.
func (s *LocalStore) Get(key []byte) ([]byte, error) {
	if err := checkLocalKey(key); err != nil {
		return nil, err
	}
	v, err := s.db.Get(key)
	if err != nil {
		return nil, fmt.Errorf("%w: local get: %v", ErrStore, err)
	}
	return v, nil
}

// Iterate implements Reader over committed data.
func (s *LocalStore) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	if len(start) == 0 {
		start = []byte{0x01} // skip the store's own keys
	}
	it, err := s.db.Iterator(start, end)
	if err != nil {
		return fmt.Errorf("%w: local iterate: %v", ErrStore, err)
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !fn(it.Key(), it.Value()) {
			break
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("%w: local iterate: %v", ErrStore, err)
	}
	return nil
}

// Set implements KV: buffered until Commit.
func (s *LocalStore) Set(key, value []byte) error {
	if err := checkLocalKey(key); err != nil {
		return err
	}
	v := make([]byte, len(value)) // never nil: nil means delete
	copy(v, value)
	s.mu.Lock()
	s.pending[string(key)] = v
	s.mu.Unlock()
	return nil
}

// Delete implements KV: buffered until Commit.
func (s *LocalStore) Delete(key []byte) error {
	if err := checkLocalKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	s.pending[string(key)] = nil
	s.mu.Unlock()
	return nil
}

// Commit applies the buffered writes and records version, atomically.
func (s *LocalStore) Commit(version int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: local store closed", ErrStore)
	}
	// One batch, applied atomically: the order of distinct keys in it does
	// not matter, so the map is walked as it comes.
	b := s.db.NewBatchWithSize(len(s.pending) + 1)
	defer b.Close()
	for k, v := range s.pending {
		var err error
		if v == nil {
			err = b.Delete([]byte(k))
		} else {
			err = b.Set([]byte(k), v)
		}
		if err != nil {
			return fmt.Errorf("%w: local batch: %v", ErrStore, err)
		}
	}
	if err := b.Set(localVersionKey, []byte(strconv.FormatInt(version, 10))); err != nil {
		return fmt.Errorf("%w: local batch: %v", ErrStore, err)
	}
	if err := b.Write(); err != nil {
		return fmt.Errorf("%w: local commit %d: %v", ErrStore, version, err)
	}
	clear(s.pending)
	return nil
}

// LocalBatch is how many entries a rebuild holds in memory at most: Reset
// deletes, and a RebuildWriter writes, in batches of this many.
const LocalBatch = 10_000

// Reset deletes every committed entry and drops buffered writes (before a
// rebuild); the version becomes 0 first, so a crash part way leaves a
// store that says it matches no state. It deletes in batches of
// LocalBatch keys.
func (s *LocalStore) Reset() error {
	s.mu.Lock()
	clear(s.pending)
	s.mu.Unlock()
	if err := s.writeBatch(1, func(b batchWriter) error { return b.Delete(localVersionKey) }); err != nil {
		return fmt.Errorf("%w: local reset: %v", ErrStore, err)
	}
	for {
		var keys [][]byte
		if err := s.Iterate(nil, nil, func(k, _ []byte) bool {
			keys = append(keys, append([]byte(nil), k...))
			return len(keys) < LocalBatch
		}); err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil
		}
		if err := s.writeBatch(len(keys), func(b batchWriter) error {
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("%w: local reset: %v", ErrStore, err)
		}
	}
}

// batchWriter is what writeBatch fills: the write half of a database batch.
type batchWriter interface {
	Set(key, value []byte) error
	Delete(key []byte) error
}

// writeBatch applies what fill puts in one database batch.
func (s *LocalStore) writeBatch(size int, fill func(b batchWriter) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: local store closed", ErrStore)
	}
	b := s.db.NewBatchWithSize(size)
	defer b.Close()
	if err := fill(b); err != nil {
		return err
	}
	return b.Write()
}

// RebuildWriter returns a KV for rebuilding the store from state: its
// writes go to the database in batches of at most batch entries as they
// come, without a version (Commit records it once the rebuild is done;
// until then Version says the store matches no state, so a crash part way
// makes the next start rebuild again). Memory stays bounded by batch
// whatever the size of the index. Call Flush on it before Commit.
func (s *LocalStore) RebuildWriter(batch int) *RebuildWriter {
	return &RebuildWriter{s: s, batch: max(batch, 1)}
}

// RebuildWriter is a KV over a LocalStore that writes in bounded batches.
type RebuildWriter struct {
	s       *LocalStore
	batch   int
	pending []KVPair
}

// KVPair is one key and value.
type KVPair struct{ Key, Value []byte }

// Get implements Reader over committed data (what earlier batches wrote).
func (w *RebuildWriter) Get(key []byte) ([]byte, error) { return w.s.Get(key) }

// Iterate implements Reader over committed data.
func (w *RebuildWriter) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return w.s.Iterate(start, end, fn)
}

// Set implements KV: written with the next batch.
func (w *RebuildWriter) Set(key, value []byte) error {
	if err := checkLocalKey(key); err != nil {
		return err
	}
	w.pending = append(w.pending, KVPair{Key: append([]byte(nil), key...), Value: append([]byte{}, value...)})
	if len(w.pending) >= w.batch {
		return w.Flush()
	}
	return nil
}

// Delete implements KV (a rebuild starts from an empty store: it deletes
// what earlier writes of the same rebuild put).
func (w *RebuildWriter) Delete(key []byte) error {
	if err := w.Flush(); err != nil {
		return err
	}
	return w.s.writeBatch(1, func(b batchWriter) error { return b.Delete(key) })
}

// Flush writes what is pending.
func (w *RebuildWriter) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	err := w.s.writeBatch(len(w.pending), func(b batchWriter) error {
		for _, p := range w.pending {
			if err := b.Set(p.Key, p.Value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: local rebuild batch: %v", ErrStore, err)
	}
	w.pending = w.pending[:0]
	return nil
}
