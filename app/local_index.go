package app

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// This file keeps the app's node-local indexes (spec/state.md, "Local
// indexes"): derived data outside the app hash that queries read, written
// by block execution through Env.Local and committed with each state
// version.

// localRebuildBatch is how many index entries a rebuild writes at a time.
var localRebuildBatch = ledger.LocalBatch

// syncLocal rebuilds the local store from committed state unless it already
// matches the state's version (a crash between the state commit and the
// local commit, a restored snapshot, a new or deleted store all end here;
// an upgrade that adds or changes a local index must delete the store).
func (a *App) syncLocal() error {
	v := a.tree.Version()
	have, err := a.local.Version()
	if err != nil {
		return err
	}
	haveLayout, err := a.local.Layout()
	if err != nil {
		return err
	}
	layout := a.localLayout()
	if have == v && bytes.Equal(haveLayout, layout) {
		return nil
	}
	if have == v {
		a.logger.Info("local indexes changed: rebuilding", "was", string(haveLayout), "now", string(layout))
	}
	if err := a.local.Reset(); err != nil {
		return err
	}
	if v > 0 {
		snap, err := a.tree.At(0)
		if err != nil {
			return fmt.Errorf("rebuild local indexes: %w", err)
		}
		// Streamed in bounded batches: an index of any size costs at most
		// LocalBatch entries of memory.
		w := a.local.RebuildWriter(localRebuildBatch)
		for _, m := range a.mods.modules {
			for _, ix := range m.LocalIndexes {
				if err := ix.Rebuild(snap, w); err != nil {
					return fmt.Errorf("rebuild %s at %d: %w", ix.Name, v, err)
				}
			}
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("rebuild local indexes at %d: %w", v, err)
		}
	}
	// Before the version: a crash in between leaves a store that matches
	// no state, rebuilt again on the next start.
	if err := a.local.SetLayout(layout); err != nil {
		return err
	}
	if err := a.local.Commit(v); err != nil {
		return err
	}
	a.blockLocal = ledger.NewBranch(a.local)
	if v > 0 {
		a.logger.Info("rebuilt local indexes from state", "version", v, "was", have)
	}
	return nil
}

// localLayout names the local indexes of the app's modules, in list order:
// a store built for another list (an upgrade that adds, removes or renames
// an index, or changes one's format and so its name) is rebuilt at start.
func (a *App) localLayout() []byte {
	var names []string
	for _, m := range a.mods.modules {
		for _, ix := range m.LocalIndexes {
			names = append(names, m.Name+"/"+ix.Name)
		}
	}
	return []byte(strings.Join(names, "\n"))
}

// commitLocal commits what the block wrote to the local indexes, as
// matching state version.
func (a *App) commitLocal(version int64) error {
	if err := a.blockLocal.Write(); err != nil {
		return fmt.Errorf("local indexes: %w", err)
	}
	a.blockLocal = ledger.NewBranch(a.local)
	return a.local.Commit(version)
}
