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

// Reset deletes every committed entry and drops buffered writes (before a
// rebuild); the version becomes 0.
func (s *LocalStore) Reset() error {
	var keys [][]byte
	if err := s.Iterate(nil, nil, func(k, _ []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	}); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.pending)
	b := s.db.NewBatchWithSize(len(keys) + 1)
	defer b.Close()
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("%w: local reset: %v", ErrStore, err)
		}
	}
	if err := b.Delete(localVersionKey); err != nil {
		return fmt.Errorf("%w: local reset: %v", ErrStore, err)
	}
	if err := b.Write(); err != nil {
		return fmt.Errorf("%w: local reset: %v", ErrStore, err)
	}
	return nil
}
