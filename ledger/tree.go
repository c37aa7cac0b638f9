package ledger

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cosmos/iavl"
	iavldb "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"
)

// Tree is the versioned, Merkle-proved state: an IAVL tree in its own
// database. Writes go to the working version; Commit saves it and the root
// hash becomes the app hash. Reads of committed versions (queries, proofs)
// are safe to run concurrently with writes to the working version.
type Tree struct {
	mu   sync.RWMutex
	db   iavldb.DB
	tree *iavl.MutableTree
	// cacheNodes is the size of tree's node cache, kept for when a
	// state-sync restore reopens it.
	cacheNodes int
	// pins counts the exports reading each version through their own
	// tree (IAVL's reader count does not see them); Prune keeps those.
	pins   map[int64]int
	closed bool
}

// DefaultCacheNodes is how many tree nodes OpenTree keeps in memory (IAVL's
// node cache). A node is a few hundred bytes plus its key and value, so the
// default holds roughly 30-60 MB.
const DefaultCacheNodes = 100_000

// OpenTree opens (or creates) the tree stored under dir/name.db with the
// default node cache. An empty dir opens an in-memory tree, for tests.
func OpenTree(dir, name string) (*Tree, error) {
	return OpenTreeWithCache(dir, name, DefaultCacheNodes)
}

// OpenTreeWithCache is OpenTree with a node cache of cacheNodes nodes (at
// least 1). The cache changes how often a read goes to disk, never what it
// returns.
func OpenTreeWithCache(dir, name string, cacheNodes int) (*Tree, error) {
	if cacheNodes < 1 {
		return nil, fmt.Errorf("open state tree: cache of %d nodes: want at least 1", cacheNodes)
	}
	db, err := openDB(dir, name)
	if err != nil {
		return nil, fmt.Errorf("open state db: %w", err)
	}
	t := iavl.NewMutableTree(db, cacheNodes, true, iavl.NewNopLogger())
	if _, err := t.Load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("load state tree: %w", err)
	}
	return &Tree{db: db, tree: t, cacheNodes: cacheNodes, pins: map[int64]int{}}, nil
}

// openDB opens the goleveldb database dir/name.db, or an in-memory one when
// dir is empty.
func openDB(dir, name string) (iavldb.DB, error) {
	if dir == "" {
		return iavldb.NewMemDB(), nil
	}
	db, err := iavldb.NewGoLevelDB(name, dir)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", dir, name, err)
	}
	return db, nil
}

// Close closes the tree and its database.
func (t *Tree) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	errTree := t.tree.Close()
	errDB := t.db.Close()
	return errors.Join(errTree, errDB)
}

// CacheNodes returns the size of the tree's node cache.
func (t *Tree) CacheNodes() int { return t.cacheNodes }

// Version returns the last committed version (0 when none).
func (t *Tree) Version() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, _ := t.tree.GetLatestVersion()
	return v
}

// CommittedHash returns the root hash of the last committed version.
func (t *Tree) CommittedHash() []byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.tree.Hash()
}

// WorkingHash returns the root hash the working version would commit to.
func (t *Tree) WorkingHash() []byte {
	t.mu.Lock() // WorkingHash computes and caches node hashes
	defer t.mu.Unlock()
	return t.tree.WorkingHash()
}

// SetInitialVersion makes the first committed version v instead of 1.
func (t *Tree) SetInitialVersion(v uint64) { t.tree.SetInitialVersion(v) }

// Commit saves the working version and returns its hash and number.
func (t *Tree) Commit() ([]byte, int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, v, err := t.tree.SaveVersion()
	if err != nil {
		return nil, 0, fmt.Errorf("%w: save version: %v", ErrStore, err)
	}
	return h, v, nil
}

// Rollback discards uncommitted writes.
func (t *Tree) Rollback() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tree.Rollback()
}

// Get implements Reader on the working version.
func (t *Tree) Get(key []byte) ([]byte, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, err := t.tree.Get(key)
	if err != nil {
		return nil, fmt.Errorf("%w: get: %v", ErrStore, err)
	}
	return v, nil
}

// Set implements KV on the working version.
func (t *Tree) Set(key, value []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.tree.Set(key, value); err != nil {
		return fmt.Errorf("%w: set: %v", ErrStore, err)
	}
	return nil
}

// Delete implements KV on the working version.
func (t *Tree) Delete(key []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, _, err := t.tree.Remove(key); err != nil {
		return fmt.Errorf("%w: remove: %v", ErrStore, err)
	}
	return nil
}

// Iterate implements Reader on the working version. Like Snapshot.Iterate
// it reads in batches under the lock and calls fn between them (so fn may
// write, and a walk that stops early has read at most one batch more than
// it used).
func (t *Tree) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return iterateBatched(&t.mu, func(from []byte) (iterator, error) { return t.tree.Iterator(from, end, true) }, start, fn)
}

// Snapshot is a read-only view of one committed version.
//
// IAVL shares nodes between versions, and writing the working version
// rewrites fields of shared nodes (MutableTree.Set clears a cloned node's
// child pointers). So every read of a snapshot takes the tree's read lock,
// which writes to the working version exclude: reads of old versions may run
// alongside each other and between writes, never during one.
type Snapshot struct {
	tree    *iavl.ImmutableTree
	mu      *sync.RWMutex // the owning Tree's
	db      iavldb.DB     // the owning Tree's database (Export reads it through its own tree)
	owner   *Tree         // pinned by Export against pruning
	Version int64
}

// At returns a read-only view of committed version v (0 = latest).
func (t *Tree) At(v int64) (*Snapshot, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	latest, _ := t.tree.GetLatestVersion()
	if v == 0 {
		v = latest
	}
	if v == 0 {
		return nil, fmt.Errorf("%w: nothing committed yet", ErrStore)
	}
	if v > latest {
		return nil, fmt.Errorf("%w: version %d is not committed (latest %d)", ErrStore, v, latest)
	}
	if !t.tree.VersionExists(v) {
		return nil, fmt.Errorf("%w: version %d is no longer kept (oldest kept: %d)", ErrPruned, v, t.firstVersion())
	}
	it, err := t.tree.GetImmutable(v)
	if err != nil {
		return nil, fmt.Errorf("%w: version %d: %v", ErrStore, v, err)
	}
	return &Snapshot{tree: it, mu: &t.mu, db: t.db, owner: t, Version: v}, nil
}

// Get implements Reader.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	s.mu.RLock()
	v, err := s.tree.Get(key)
	s.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("%w: get: %v", ErrStore, err)
	}
	return v, nil
}

// iterBatch is how many entries Iterate reads under the read lock before
// handing them to fn with the lock released (fn may read the tree too).
const iterBatch = 256

// Iterate implements Reader. It reads in batches under the read lock and
// calls fn between them, so paging stays cheap and fn may call Get.
func (s *Snapshot) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return iterateBatched(s.mu, func(from []byte) (iterator, error) { return s.tree.Iterator(from, end, true) }, start, fn)
}

// iterator is what IAVL's mutable and immutable trees iterate with.
type iterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Close() error
}

// iterateBatched calls fn for each entry open(from) yields, from start on,
// reading iterBatch entries at a time under mu's read lock and calling fn
// with the lock released; each batch reopens the iterator after the last
// key the previous one read.
func iterateBatched(mu *sync.RWMutex, open func(from []byte) (iterator, error), start []byte, fn func(key, value []byte) bool) error {
	type kv struct{ k, v []byte }
	from := start
	for {
		batch := make([]kv, 0, iterBatch)
		mu.RLock()
		it, err := open(from)
		if err != nil {
			mu.RUnlock()
			return fmt.Errorf("%w: iterator: %v", ErrStore, err)
		}
		for ; it.Valid() && len(batch) < iterBatch; it.Next() {
			batch = append(batch, kv{it.Key(), it.Value()})
		}
		more := it.Valid()
		cerr := it.Close()
		mu.RUnlock()
		if cerr != nil {
			return fmt.Errorf("%w: iterator: %v", ErrStore, cerr)
		}
		for _, e := range batch {
			if !fn(e.k, e.v) {
				return nil
			}
		}
		if !more || len(batch) == 0 {
			return nil
		}
		from = append(append([]byte(nil), batch[len(batch)-1].k...), 0) // next key after the last one
	}
}

// Hash returns the root hash of this version.
func (s *Snapshot) Hash() []byte { return s.tree.Hash() }

// Proof returns an ICS-23 proof of key's membership (or absence) in this
// version, verifiable against Hash.
func (s *Snapshot) Proof(key []byte) (*ics23.CommitmentProof, error) {
	s.mu.RLock()
	p, err := s.tree.GetProof(key)
	s.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("%w: proof: %v", ErrStore, err)
	}
	return p, nil
}

// VerifyProof checks that proof shows key holding value (or, when value is
// nil, key being absent) under root. It is what a client runs against the
// app hash of a signed header.
func VerifyProof(root []byte, proof *ics23.CommitmentProof, key, value []byte) error {
	if proof == nil {
		return fmt.Errorf("%w: no proof", ErrStore)
	}
	if value == nil {
		if !ics23.VerifyNonMembership(ics23.IavlSpec, root, proof, key) {
			return errors.New("non-membership proof does not verify against the root")
		}
		return nil
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, root, proof, key, value) {
		return errors.New("membership proof does not verify against the root")
	}
	return nil
}
