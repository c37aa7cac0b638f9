package lens

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// ExecFork executes MsgFork: a new Lens owned by the signer, seeded with the
// entries of Source's view (the first MaxEntries, default and max
// MaxForkEntries; each CID once, at its best rank; authors and origins
// preserved) and, with Follows, Source's own follows (reweights applied, a
// reweight of 0 drops a follow). Entries are added lowest-ranked first, so
// the fork's own newest-first order is the view's order. Output:
// {"lens", "entries", "follows"}.
func (k *Keeper) ExecFork(blk ledger.Block, signer ledger.Address, m *MsgFork) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	view, err := k.View(m.Source, m.viewOptions())
	if err != nil {
		return nil, fmt.Errorf("fork %s: %w", m.Source, err)
	}
	var follows []Follow
	if m.Follows {
		fs, err := k.Follows(m.Source)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if rw, ok := m.Reweight[f.Target]; ok {
				if rw == 0 {
					continue
				}
				f.Weight = rw
			}
			if f.Target == m.Handle {
				continue
			}
			follows = append(follows, f)
		}
	}
	rec, err := k.createLens(blk, signer, Lens{Handle: m.Handle, Name: m.Name, Origin: "fork:" + m.Source})
	if err != nil {
		return nil, fmt.Errorf("fork %s: %w", m.Handle, err)
	}
	seen := make(map[string]bool, len(view.Entries))
	keep := make([]ViewEntry, 0, len(view.Entries))
	for _, ve := range view.Entries {
		if !seen[ve.CID] {
			seen[ve.CID] = true
			keep = append(keep, ve)
		}
	}
	for i := len(keep) - 1; i >= 0; i-- {
		ve := keep[i]
		origin := ve.Origin
		if origin == nil {
			origin = &Origin{Lens: ve.Lens, Seq: ve.Seq}
		}
		e := Entry{CID: ve.CID, Kind: ve.Kind, Title: ve.Title, Tags: ve.Tags, Size: ve.Size,
			Author: ve.Author, Origin: origin}
		if _, err := k.putNewEntry(blk, &rec, e); err != nil {
			return nil, err
		}
	}
	for _, f := range follows {
		if err := k.putFollow(blk, &rec, Follow{Target: f.Target, Weight: f.Weight, Tags: f.Tags}); err != nil {
			return nil, err
		}
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_forked", "lens", m.Handle, "source", m.Source, "entries", u64(uint64(len(keep))),
		"follows", u64(uint64(len(follows))))
	return ledger.Output{"lens": m.Handle, "entries": u64(uint64(len(keep))), "follows": u64(uint64(len(follows)))}, nil
}
