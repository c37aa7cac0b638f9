package ledger

import (
	"errors"
	"fmt"

	"github.com/cosmos/iavl"
)

// ExportNode is one node of an exported tree version, in IAVL's export
// form: leaves (Height 0) carry a key and value, inner nodes their height,
// the version that wrote them and their (rightmost-left) key.
type ExportNode = iavl.ExportNode

// exportCacheSize is the node cache of the private tree an export reads
// through (nodes; an export visits each node once, so it only needs to
// hold the path being walked).
const exportCacheSize = 10_000

// Export streams the nodes of this version to fn in depth-first post-order
// (left, right, node), the order Importer.Add needs to rebuild an identical
// tree. An empty tree exports no nodes.
//
// It reads through a private read-only tree over the same database (own
// node cache, own node objects), so it neither holds the tree's lock —
// block execution goes on during an export that can take seconds — nor
// shares a node with the tree being written (IAVL rewrites fields of
// nodes shared between versions while the working version is written).
// The version is pinned while the export runs, so Prune keeps it.
func (s *Snapshot) Export(fn func(*ExportNode) error) error {
	if s.tree.Size() == 0 {
		return nil
	}
	if s.owner != nil {
		defer s.owner.pin(s.Version)() // no pruning of this version meanwhile
	}
	ro := iavl.NewMutableTree(s.db, exportCacheSize, true, iavl.NewNopLogger())
	defer ro.Close() // closes its own node database handle, not s.db
	it, err := ro.GetImmutable(s.Version)
	if err != nil {
		return fmt.Errorf("%w: export version %d: %v", ErrStore, s.Version, err)
	}
	exp, err := it.Export()
	if err != nil {
		return fmt.Errorf("%w: export version %d: %v", ErrStore, s.Version, err)
	}
	defer exp.Close()
	for {
		n, err := exp.Next()
		if errors.Is(err, iavl.ErrorExportDone) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: export version %d: %v", ErrStore, s.Version, err)
		}
		if err := fn(n); err != nil {
			return err
		}
	}
}

// Importer rebuilds an exported version into an empty tree. Nodes must be
// added in the order Export gave them; nothing is visible until Commit.
//
// Every node is checked as it arrives (importCheck): a stream that is not
// exactly a tree IAVL could have written is refused at the first node
// that shows it, before the node reaches IAVL's importer, so a restored
// tree whose root hash matches is the honest tree node for node, and the
// importer's memory stays bounded by MaxImportHeight.
type Importer struct {
	t       *Tree
	imp     *iavl.Importer
	version int64
	check   importCheck
}

// Import starts restoring version into t, which must hold no committed
// version. Call Close when done (Commit closes it too).
func (t *Tree) Import(version int64) (*Importer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if latest, _ := t.tree.GetLatestVersion(); latest != 0 {
		return nil, fmt.Errorf("%w: import into a tree at version %d", ErrStore, latest)
	}
	imp, err := t.tree.Import(version)
	if err != nil {
		return nil, fmt.Errorf("%w: import version %d: %v", ErrStore, version, err)
	}
	return &Importer{t: t, imp: imp, version: version, check: importCheck{version: version}}, nil
}

// Add adds the next node. A node that cannot belong to a valid tree gives
// an error (never a panic), after which the import must be abandoned.
func (i *Importer) Add(n *ExportNode) (err error) {
	if n == nil {
		return fmt.Errorf("%w: import: malformed node", ErrStore)
	}
	if err := i.check.add(n); err != nil {
		return fmt.Errorf("%w: import: %v", ErrStore, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: import: invalid node structure: %v", ErrStore, r)
		}
	}()
	i.t.mu.Lock()
	defer i.t.mu.Unlock()
	if err := i.imp.Add(n); err != nil {
		return fmt.Errorf("%w: import: %v", ErrStore, err)
	}
	return nil
}

// Commit writes the imported version, makes it the tree's latest and
// returns its root hash.
func (i *Importer) Commit() (hash []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: import commit: invalid node structure: %v", ErrStore, r)
		}
	}()
	if err := i.check.done(); err != nil {
		return nil, fmt.Errorf("%w: import commit: %v", ErrStore, err)
	}
	i.t.mu.Lock()
	defer i.t.mu.Unlock()
	if err := i.imp.Commit(); err != nil {
		return nil, fmt.Errorf("%w: import commit: %v", ErrStore, err)
	}
	return i.t.tree.Hash(), nil
}

// Close abandons an unfinished import (safe after Commit).
func (i *Importer) Close() {
	i.t.mu.Lock()
	defer i.t.mu.Unlock()
	i.imp.Close()
}

// resetBatch is how many keys Reset deletes per batch: its memory stays
// bounded however large the tree (a rejected snapshot's) is.
const resetBatch = 10_000

// Reset deletes every version and node of the tree, leaving it empty (a
// failed or rejected restore is undone this way), a batch of keys at a
// time. Only for trees no one else is reading.
func (t *Tree) Reset() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		n, err := t.deleteSome(resetBatch)
		if err != nil {
			return fmt.Errorf("%w: reset: %v", ErrStore, err)
		}
		if n < resetBatch {
			break
		}
	}
	_ = t.tree.Close()
	t.tree = iavl.NewMutableTree(t.db, t.cacheNodes, true, iavl.NewNopLogger())
	if _, err := t.tree.Load(); err != nil {
		return fmt.Errorf("%w: reset: load: %v", ErrStore, err)
	}
	return nil
}

// deleteSome deletes up to n keys of the database from its start and says
// how many it deleted.
func (t *Tree) deleteSome(n int) (int, error) {
	it, err := t.db.Iterator(nil, nil)
	if err != nil {
		return 0, err
	}
	var keys [][]byte
	for ; it.Valid() && len(keys) < n; it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	if err := it.Close(); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	b := t.db.NewBatch()
	defer b.Close()
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), b.WriteSync()
}
