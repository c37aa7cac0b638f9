package ledger

import "fmt"

// Prune deletes every committed version up to and including to, except
// versions an export is reading (and everything after the oldest of them)
// and the latest version, which is always kept. It returns the oldest
// version kept. Deleting versions changes no root hash: only old versions
// become unreadable (At fails with ErrPruned).
func (t *Tree) Prune(to int64) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return 0, fmt.Errorf("%w: prune: tree closed", ErrStore)
	}
	latest, _ := t.tree.GetLatestVersion()
	if to >= latest {
		to = latest - 1
	}
	for v := range t.pins {
		if v <= to {
			to = v - 1
		}
	}
	first := t.firstVersion()
	if to < first {
		return first, nil
	}
	if err := t.tree.DeleteVersionsTo(to); err != nil {
		return first, fmt.Errorf("%w: prune versions %d..%d: %v", ErrStore, first, to, err)
	}
	return t.firstVersion(), nil
}

// OldestVersion returns the oldest committed version still kept (0 when
// nothing is committed).
func (t *Tree) OldestVersion() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.firstVersion()
}

// firstVersion is the oldest kept version (0 when none), found by binary
// search: versions kept are always one contiguous range ending at the
// latest. Caller holds mu.
func (t *Tree) firstVersion() int64 {
	latest, _ := t.tree.GetLatestVersion()
	if latest == 0 || !t.tree.VersionExists(latest) {
		return 0
	}
	lo, hi := int64(1), latest // the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		if t.tree.VersionExists(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Pin keeps version v from being pruned until the returned func is called
// (e.g. a snapshot due at v that waits for another to finish). Export pins
// its version itself.
func (t *Tree) Pin(v int64) (unpin func()) { return t.pin(v) }

func (t *Tree) pin(v int64) (unpin func()) {
	t.mu.Lock()
	t.pins[v]++
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		if t.pins[v]--; t.pins[v] <= 0 {
			delete(t.pins, v)
		}
		t.mu.Unlock()
	}
}
