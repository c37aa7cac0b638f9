package lens

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// Stage 2 of a view, the ranking: the walk's labels become groups in page
// order, and an entry's score is decided by the best label it is visible
// along.

// group is the entries of one Lens whose best visible label has one score:
// a view's page is its groups' entries, groups by score descending then
// handle ascending, each group's entries newest first.
type group struct {
	score uint64
	lens  string
	m     *lensMeta
}

// rank turns the walk's labels into groups in page order: one per (Lens,
// distinct label score), with each Lens's live labels sorted by score
// descending and cut after the first one whose constraints cannot hide an
// entry (later labels never decide a score). It returns the groups and the
// number of Lenses reached.
func (v *viewer) rank() ([]group, int, error) {
	// Charged before the loop, in one sum, dead labels included.
	steps := uint64(0)
	for _, m := range v.loaded {
		steps += 1 + uint64(len(m.labels))
	}
	if err := v.gas.Consume(gas.Mul(gas.LoopStep, steps), "view lenses"); err != nil {
		return nil, 0, err
	}
	reached := 0
	var groups []group
	for _, m := range v.loaded {
		live := m.labels[:0]
		for _, lb := range m.labels {
			if !lb.dead {
				live = append(live, lb)
			}
		}
		m.labels = live
		if len(live) == 0 {
			continue
		}
		reached++
		sort.SliceStable(live, func(i, j int) bool { return live[i].score > live[j].score })
		for i, lb := range live {
			if !lb.cons.canHide() {
				m.labels = live[:i+1]
				break
			}
		}
		for i, lb := range m.labels {
			if i == 0 || lb.score != m.labels[i-1].score {
				groups = append(groups, group{score: lb.score, lens: m.rec.Handle, m: m})
			}
		}
		if len(m.labels) > 1 {
			m.best = map[string]uint64{}
		}
	}
	if err := v.gas.Consume(gas.Mul(gas.LoopStep, uint64(len(groups))), "view groups"); err != nil {
		return nil, 0, err
	}
	// (score, lens) is unique per group, so this order is total.
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].score != groups[j].score {
			return groups[i].score > groups[j].score
		}
		return groups[i].lens < groups[j].lens
	})
	return groups, reached, nil
}

// single reports whether m's entries all score the same: one label that
// cannot hide anything (no per-entry decision needed).
func (m *lensMeta) single() bool { return len(m.labels) == 1 && !m.labels[0].cons.canHide() }

// bestScore returns the score of the first of m's labels (sorted by score
// descending) along which the entry (its CID and tags) is visible — it
// carries a tag of every scope and no blocker on the path blocks its CID —
// or 0 when it is visible along none.
func (v *viewer) bestScore(m *lensMeta, cid string, tags []string) (uint64, error) {
	for _, lb := range m.labels {
		if err := v.gas.Consume(gas.Add(gas.ViewLabelCompare, gas.Mul(gas.LoopStep, uint64(lb.cons.len()))), "view entry paths"); err != nil {
			return 0, err
		}
		if !lb.cons.admitsTags(tags) {
			continue
		}
		visible := true
		for _, b := range lb.cons.blockers {
			if b.rec.CIDBlocks == 0 {
				continue
			}
			blocked, err := v.k.has(BlockCIDKey(b.rec.Handle, cid))
			if err != nil {
				return 0, err
			}
			if blocked {
				visible = false
				break
			}
		}
		if visible {
			return lb.score, nil
		}
	}
	return 0, nil
}

// entryHead is the part of an entry the ranking needs; decoding it skips
// the author's bech32 form and the rest.
type entryHead struct {
	CID  string   `json:"cid"`
	Kind string   `json:"kind"`
	Tags []string `json:"tags"`
}

// entryScore decodes an entry's head (its stored bytes val) and returns the
// score it gets in m's view: 0 when the filter drops it or every path
// hides it; score itself when m is single.
func (v *viewer) entryScore(m *lensMeta, score uint64, single bool, val []byte, f *entryFilter) (uint64, error) {
	if err := v.gas.Consume(gas.Mul(gas.DecodeByte, uint64(len(val))), "view entry head"); err != nil {
		return 0, err
	}
	var head entryHead
	if err := json.Unmarshal(val, &head); err != nil {
		return 0, fmt.Errorf("%w: entry of %s: %v", ledger.ErrStore, m.rec.Handle, err)
	}
	if !f.match(&head) {
		return 0, nil
	}
	if single {
		return score, nil
	}
	return v.bestScore(m, head.CID, head.Tags)
}
