package lens

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// Stage 1 of a view, the walk: breadth-first over follows from the root, up
// to the depth, keeping for every Lens reached the labels of the paths that
// may decide an entry's score.

// viewer is one view's state across its stages. Its work is charged to gas,
// the meter of the store it reads (a tx's or a query's; nil charges
// nothing): labels compared, follows and entries examined, bytes decoded
// (spec/gas.md "Loops").
type viewer struct {
	k       *Keeper
	gas     *gas.Meter
	meta    map[string]*lensMeta // every Lens loaded, by handle
	loaded  []*lensMeta          // the same, in load order
	nlabels int
}

func newViewer(k *Keeper) *viewer {
	return &viewer{k: k, gas: gas.Of(k.kv), meta: make(map[string]*lensMeta)}
}

// lensHead is the part of a Lens record a view needs; decoding only it
// skips the name and the rest.
type lensHead struct {
	Handle     string `json:"handle"`
	CIDBlocks  uint64 `json:"cid_blocks"`
	LensBlocks uint64 `json:"lens_blocks"`
}

// followHead is the part of a Follow record the walk needs.
type followHead struct {
	Target string   `json:"target"`
	Weight uint32   `json:"weight"`
	Tags   []string `json:"tags"`
}

// lensMeta is what a view knows of one Lens.
type lensMeta struct {
	rec        lensHead
	lensBlocks map[string]bool // Lenses it blocks (loaded when it has any)
	follows    []followStep
	loaded     bool // follows loaded
	labels     []*label
	// best caches, by entry key, an entry's best score when the Lens has
	// several groups (0: filtered out or hidden), so that each group's
	// scan decides an entry once per view, not once per group.
	best map[string]uint64
}

// hasBlocks reports whether the Lens blocks anything, which makes it a
// constraint of every path through it.
func (m *lensMeta) hasBlocks() bool { return m.rec.CIDBlocks > 0 || m.rec.LensBlocks > 0 }

// followStep is a stored follow as the walk takes it.
type followStep struct {
	target string
	weight uint32
	scope  *tagScope // nil: unscoped
}

// label is one non-dominated way of reaching a Lens: its path's score, hop
// count and constraints. dead marks a label a later one dominated.
type label struct {
	score uint64
	depth int
	cons  pathConstraints
	dead  bool
}

// dominates reports whether a is at least as good as b for every entry: no
// lower score, no more hops, no constraint b lacks.
func dominates(a, b *label) bool {
	return a.score >= b.score && a.depth <= b.depth && a.cons.subsetOf(b.cons)
}

// load returns Lens h's meta, reading its record (and its Lens blocks) the
// first time; nil when there is no such Lens (not cached: a view asks again
// for each follow into it).
func (v *viewer) load(h string) (*lensMeta, error) {
	if m, ok := v.meta[h]; ok {
		return m, nil
	}
	var rec lensHead
	ok, err := v.k.getJSON(LensKey(h), &rec)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	m := &lensMeta{rec: rec}
	if rec.LensBlocks > 0 {
		m.lensBlocks = make(map[string]bool, rec.LensBlocks)
		p := BlockedLensesPrefix(h)
		if err := v.k.kv.Iterate(p, ledger.PrefixEnd(p), func(key, _ []byte) bool {
			m.lensBlocks[string(key[len(p):])] = true
			return true
		}); err != nil {
			return nil, err
		}
	}
	v.meta[h] = m
	v.loaded = append(v.loaded, m)
	return m, nil
}

// followsOf returns m's follows in target order, read once per view.
func (v *viewer) followsOf(m *lensMeta) ([]followStep, error) {
	if m.loaded {
		return m.follows, nil
	}
	var steps []followStep
	err := iterJSON(v.k.kv, FollowsPrefix(m.rec.Handle), 0, func(f followHead) {
		steps = append(steps, followStep{target: f.Target, weight: f.Weight, scope: newTagScope(f.Tags)})
	})
	if err != nil {
		return nil, err
	}
	m.follows, m.loaded = steps, true
	return steps, nil
}

// add inserts nl into m's labels unless an existing label dominates it, and
// retires the labels it dominates. The surviving set does not depend on the
// order of insertion.
func (v *viewer) add(m *lensMeta, nl *label) (bool, error) {
	if err := v.gas.Consume(gas.Mul(gas.ViewLabelCompare, 2*uint64(len(m.labels))+1), "view path labels"); err != nil {
		return false, err
	}
	for _, o := range m.labels {
		if !o.dead && dominates(o, nl) {
			return false, nil
		}
	}
	for _, o := range m.labels {
		if !o.dead && dominates(nl, o) {
			o.dead = true
		}
	}
	m.labels = append(m.labels, nl)
	v.nlabels++
	if v.nlabels > MaxViewLabels {
		return false, fmt.Errorf("%w: more than %d paths", ErrViewTooLarge, MaxViewLabels)
	}
	return true, nil
}

// walk labels every Lens reachable from root in at most depth follows
// (spec/lenses.md "Paths and scores", "Blocks along a path"): a step is
// taken with its reweighted weight (0 cuts it), never into the root, never
// into a Lens blocked by one on the path, and not when the score floors to
// 0. Only labels no other label dominates are extended.
func (v *viewer) walk(root string, depth int, reweight map[string]uint32) error {
	rm, err := v.load(root)
	if err != nil {
		return err
	}
	if rm == nil {
		return fmt.Errorf("%w: %q", ErrUnknownLens, root)
	}
	type reach struct {
		m  *lensMeta
		lb *label
	}
	rootLabel := &label{score: FullWeight, cons: pathConstraints{}.extend(nil, rm)}
	if _, err := v.add(rm, rootLabel); err != nil {
		return err
	}
	frontier := []reach{{rm, rootLabel}}
	for d := 1; d <= depth && len(frontier) > 0; d++ {
		var next []reach
		for _, fr := range frontier {
			if fr.lb.dead {
				continue
			}
			steps, err := v.followsOf(fr.m)
			if err != nil {
				return err
			}
			for _, f := range steps {
				if err := v.gas.Consume(gas.Mul(gas.LoopStep, 1+uint64(fr.lb.cons.len())), "view follow"); err != nil {
					return err
				}
				if f.target == root {
					continue // never better than the root's own label
				}
				w := f.weight
				if rw, ok := reweight[f.target]; ok {
					if rw == 0 {
						continue
					}
					w = rw
				}
				score := fr.lb.score * uint64(w) / FullWeight
				if score == 0 || fr.lb.cons.blocksLens(f.target) {
					continue
				}
				tm, err := v.load(f.target)
				if err != nil {
					return err
				}
				if tm == nil {
					continue
				}
				nl := &label{score: score, depth: d, cons: fr.lb.cons.extend(f.scope, tm)}
				ok, err := v.add(tm, nl)
				if err != nil {
					return err
				}
				if ok {
					next = append(next, reach{tm, nl})
				}
			}
		}
		frontier = next
	}
	return nil
}
