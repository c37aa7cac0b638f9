package lens

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// View limits (see spec/lenses.md, "Views").
const (
	DefaultDepth  = 2
	MaxDepth      = 4
	DefaultLimit  = 50
	MaxLimit      = 1000
	MaxViewLabels = 100_000 // path labels one view may keep (ErrViewTooLarge beyond)
)

// ViewOptions are the asker's choices for a view. None of them writes
// anything.
type ViewOptions struct {
	// Depth is how many follow hops to walk: 1..MaxDepth, 0 = DefaultDepth.
	Depth int `json:"depth,omitempty"`
	// Reweight overrides, for this query only, the weight of every follow
	// into a Lens; 0 removes that Lens (and what comes through it). The
	// root cannot be reweighted (its key is ignored).
	Reweight map[string]uint32 `json:"reweight,omitempty"`
	// Tag keeps only entries carrying this tag.
	Tag string `json:"tag,omitempty"`
	// Kind keeps only entries of this kind.
	Kind string `json:"kind,omitempty"`
	// Limit is the page size: 1..MaxLimit, 0 = DefaultLimit.
	Limit int `json:"limit,omitempty"`
	// After is the cursor of the previous page (ViewResult.Next).
	After string `json:"after,omitempty"`
}

// ViewEntry is one entry as seen from the root: anchored by Lens, written
// by Author, with Score in ppm (its best unblocked path).
type ViewEntry struct {
	CID    string         `json:"cid"`
	Lens   string         `json:"lens"`
	Seq    uint64         `json:"seq"`
	Author ledger.Address `json:"author"`
	Kind   string         `json:"kind"`
	Title  string         `json:"title,omitempty"`
	Tags   []string       `json:"tags,omitempty"`
	Size   uint64         `json:"size,omitempty"`
	Score  uint64         `json:"score"`
	Origin *Origin        `json:"origin,omitempty"`
}

// ViewResult is one page of a view. Next is the cursor of the following
// page, empty on the last page.
type ViewResult struct {
	Root    string      `json:"root"`
	Depth   int         `json:"depth"`
	Lenses  int         `json:"lenses"` // lenses reached (root included)
	Entries []ViewEntry `json:"entries"`
	Next    string      `json:"next,omitempty"`
}

func (o *ViewOptions) check() error {
	if o.Depth < 0 || o.Depth > MaxDepth {
		return fmt.Errorf("%w: %d, want 1..%d", ErrDepth, o.Depth, MaxDepth)
	}
	if o.Limit < 0 || o.Limit > MaxLimit {
		return fmt.Errorf("%w: limit %d, want 1..%d", ErrBadQuery, o.Limit, MaxLimit)
	}
	if o.Tag != "" && !tagRe.MatchString(o.Tag) {
		return fmt.Errorf("%w: tag %q", ErrBadQuery, o.Tag)
	}
	if o.Kind != "" && !ValidKind(o.Kind) {
		return fmt.Errorf("%w: kind %q", ErrBadQuery, o.Kind)
	}
	if err := checkReweight(o.Reweight); err != nil {
		return err
	}
	if o.After != "" {
		if _, err := parseCursor(o.After); err != nil {
			return err
		}
	}
	return nil
}

type cursor struct {
	score uint64
	lens  string
	seq   uint64
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString(
		[]byte("v1/" + u64(c.score) + "/" + c.lens + "/" + u64(c.seq)))
}

func parseCursor(s string) (cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 128 {
		return cursor{}, fmt.Errorf("%w: cursor", ErrBadQuery)
	}
	parts := strings.Split(string(raw), "/")
	if len(parts) != 4 || parts[0] != "v1" || !ValidHandle(parts[2]) {
		return cursor{}, fmt.Errorf("%w: cursor", ErrBadQuery)
	}
	score, err1 := strconv.ParseUint(parts[1], 10, 64)
	seq, err2 := strconv.ParseUint(parts[3], 10, 64)
	if err1 != nil || err2 != nil || score > FullWeight {
		return cursor{}, fmt.Errorf("%w: cursor", ErrBadQuery)
	}
	return cursor{score: score, lens: parts[2], seq: seq}, nil
}

// label is one non-dominated way of reaching a lens: its path's score, hop
// count, and constraints. Constraints are sorted strings: "b:H" for every
// lens H on the path (the reached lens included) that has blocks, "t:T1,T2"
// for every tag-scoped follow on the path.
type label struct {
	score uint64
	depth int
	cons  []string
	dead  bool
	// tagSets are the tag scopes of cons ("t:" constraints) split, made
	// once the walk is done (ranking tests every entry against them).
	tagSets [][]string
}

type lensMeta struct {
	rec        Lens
	lensBlocks map[string]bool
	follows    []Follow
	loaded     bool // follows loaded
	labels     []*label
	// best caches, by entry key, an entry's best score when the lens has
	// several groups (0: filtered out or hidden), so that each group's
	// scan decides an entry once per view, not once per group.
	best map[string]uint64
}

// viewer is one view's walk. Its work is charged to gas, the meter of the
// store it reads (a tx's or a query's; nil charges nothing): labels
// compared, follows and entries examined, bytes decoded (spec/gas.md).
type viewer struct {
	k       *Keeper
	meta    map[string]*lensMeta
	nlabels int
	gas     *gas.Meter
}

func (v *viewer) load(h string) (*lensMeta, error) {
	if m, ok := v.meta[h]; ok {
		return m, nil
	}
	var rec Lens
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
	return m, nil
}

func (v *viewer) followsOf(m *lensMeta) ([]Follow, error) {
	if m.loaded {
		return m.follows, nil
	}
	fs, err := v.k.Follows(m.rec.Handle)
	if err != nil {
		return nil, err
	}
	m.follows, m.loaded = fs, true
	return fs, nil
}

// subset reports whether sorted a is a subset of sorted b.
func subset(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
		j++
	}
	return true
}

func dominates(a, b *label) bool {
	return a.score >= b.score && a.depth <= b.depth && subset(a.cons, b.cons)
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

// withCons returns the sorted union of cons and extra (extra sorted, no
// duplicates with each other); cons is never modified.
func withCons(cons []string, extra ...string) []string {
	if len(extra) == 0 {
		return cons
	}
	out := make([]string, 0, len(cons)+len(extra))
	out = append(out, cons...)
	for _, x := range extra {
		i := sort.SearchStrings(out, x)
		if i < len(out) && out[i] == x {
			continue
		}
		out = append(out, "")
		copy(out[i+1:], out[i:])
		out[i] = x
	}
	return out
}

func blockCons(h string, rec Lens) []string {
	if rec.CIDBlocks+rec.LensBlocks > 0 {
		return []string{"b:" + h}
	}
	return nil
}

// View returns a page of the entries visible from root (see spec/lenses.md,
// "Views"): the root's own entries score 1,000,000; an entry reached along a
// follow path scores the product of the path's weights, each step floored:
// s' = s * w / 1,000,000. An entry's score is that of its best path along
// which no lens blocks it. Results are ranked by score descending, then
// anchoring lens handle ascending, then seq descending (newest first).
func (k *Keeper) View(root string, opts ViewOptions) (ViewResult, error) {
	if err := checkHandle(root); err != nil {
		return ViewResult{}, err
	}
	if err := opts.check(); err != nil {
		return ViewResult{}, err
	}
	depth := opts.Depth
	if depth == 0 {
		depth = DefaultDepth
	}
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	var after *cursor
	if opts.After != "" {
		c, _ := parseCursor(opts.After)
		after = &c
	}
	v := &viewer{k: k, meta: make(map[string]*lensMeta), gas: gas.Of(k.kv)}
	rm, err := v.load(root)
	if err != nil {
		return ViewResult{}, err
	}
	if rm == nil {
		return ViewResult{}, fmt.Errorf("%w: %q", ErrUnknownLens, root)
	}
	rootLabel := &label{score: FullWeight, cons: blockCons(root, rm.rec)}
	if _, err := v.add(rm, rootLabel); err != nil {
		return ViewResult{}, err
	}
	// Phase 1: walk follows breadth-first, keeping non-dominated labels.
	frontier := []struct {
		h  string
		lb *label
	}{{root, rootLabel}}
	for d := 1; d <= depth && len(frontier) > 0; d++ {
		next := frontier[:0:0]
		for _, fr := range frontier {
			if fr.lb.dead {
				continue
			}
			fs, err := v.followsOf(v.meta[fr.h])
			if err != nil {
				return ViewResult{}, err
			}
			for _, f := range fs {
				if err := v.gas.Consume(gas.Mul(gas.LoopStep, 1+uint64(len(fr.lb.cons))), "view follow"); err != nil {
					return ViewResult{}, err
				}
				if f.Target == root {
					continue // never better than the root's own label
				}
				w := f.Weight
				if rw, ok := opts.Reweight[f.Target]; ok {
					if rw == 0 {
						continue
					}
					w = rw
				}
				score := fr.lb.score * uint64(w) / FullWeight
				if score == 0 {
					continue
				}
				blocked := false
				for _, c := range fr.lb.cons {
					if c[0] == 'b' && v.meta[c[2:]].lensBlocks[f.Target] {
						blocked = true
						break
					}
				}
				if blocked {
					continue
				}
				tm, err := v.load(f.Target)
				if err != nil {
					return ViewResult{}, err
				}
				if tm == nil {
					continue
				}
				var extra []string
				if len(f.Tags) > 0 {
					extra = append(extra, "t:"+strings.Join(f.Tags, ","))
				}
				extra = append(extra, blockCons(f.Target, tm.rec)...)
				sort.Strings(extra)
				nl := &label{score: score, depth: d, cons: withCons(fr.lb.cons, extra...)}
				ok, err := v.add(tm, nl)
				if err != nil {
					return ViewResult{}, err
				}
				if ok {
					next = append(next, struct {
						h  string
						lb *label
					}{f.Target, nl})
				}
			}
		}
		frontier = next
	}
	// Phase 2: one group per (lens, distinct label score), ranked.
	type group struct {
		score uint64
		lens  string
		m     *lensMeta
	}
	// Charged before the loop, in one sum: the map's order must not decide
	// where a view runs out.
	steps := uint64(0)
	for _, m := range v.meta {
		steps += 1 + uint64(len(m.labels))
	}
	if err := v.gas.Consume(gas.Mul(gas.LoopStep, steps), "view lenses"); err != nil {
		return ViewResult{}, err
	}
	handles := make([]string, 0, len(v.meta))
	for h, m := range v.meta {
		live := m.labels[:0]
		for _, lb := range m.labels {
			if !lb.dead {
				live = append(live, lb)
			}
		}
		m.labels = live
		if len(live) > 0 {
			handles = append(handles, h)
		}
	}
	sort.Strings(handles)
	var groups []group
	for _, h := range handles {
		m := v.meta[h]
		sort.SliceStable(m.labels, func(i, j int) bool { return m.labels[i].score > m.labels[j].score })
		// Labels after one whose constraints cannot hide any entry never
		// decide a score: drop them (and their groups).
		for i, lb := range m.labels {
			if !v.constrains(lb) {
				m.labels = m.labels[:i+1]
				break
			}
		}
		for i, lb := range m.labels {
			for _, c := range lb.cons {
				if c[0] == 't' {
					lb.tagSets = append(lb.tagSets, strings.Split(c[2:], ","))
				}
			}
			if i == 0 || lb.score != m.labels[i-1].score {
				groups = append(groups, group{score: lb.score, lens: h, m: m})
			}
		}
		if len(m.labels) > 1 {
			m.best = map[string]uint64{}
		}
	}
	if err := v.gas.Consume(gas.Mul(gas.LoopStep, uint64(len(groups))), "view groups"); err != nil {
		return ViewResult{}, err
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].score != groups[j].score {
			return groups[i].score > groups[j].score
		}
		return groups[i].lens < groups[j].lens
	})
	res := ViewResult{Root: root, Depth: depth, Lenses: len(handles), Entries: []ViewEntry{}}
	var out []ViewEntry
	for _, g := range groups {
		start := EntriesPrefix(g.lens)
		if after != nil {
			if g.score > after.score || (g.score == after.score && g.lens < after.lens) {
				continue
			}
			if g.score == after.score && g.lens == after.lens {
				if after.seq <= 1 {
					continue
				}
				start = EntryKey(g.lens, after.seq-1)
			}
		}
		if err := v.scan(g.m, g.score, start, &opts, limit+1, &out); err != nil {
			return ViewResult{}, err
		}
		if len(out) > limit {
			break
		}
	}
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		res.Next = cursor{score: last.Score, lens: last.Lens, seq: last.Seq}.String()
	}
	if out != nil {
		res.Entries = out
	}
	return res, nil
}

// entryHead is the part of an entry the ranking needs; decoding it skips
// the author's bech32 form and the rest.
type entryHead struct {
	CID  string   `json:"cid"`
	Kind string   `json:"kind"`
	Tags []string `json:"tags"`
}

// scan appends to out, newest first from start, the entries of m whose best
// score is exactly score and which pass the query filters, until out holds
// max entries.
func (v *viewer) scan(m *lensMeta, score uint64, start []byte, opts *ViewOptions, max int, out *[]ViewEntry) error {
	h := m.rec.Handle
	// Tags and kinds are plain [a-z0-9_-] strings, never escaped in JSON, so
	// their quoted form must occur in a matching entry's bytes: a cheap
	// necessary test before decoding.
	var needKind, needTag []byte
	if opts.Kind != "" {
		needKind = []byte(`"kind":"` + opts.Kind + `"`)
	}
	if opts.Tag != "" {
		needTag = []byte(`"` + opts.Tag + `"`)
	}
	simple := len(m.labels) == 1 && !v.constrains(m.labels[0]) && m.labels[0].score == score
	var ierr error
	err := v.k.kv.Iterate(start, ledger.PrefixEnd(EntriesPrefix(h)), func(key, val []byte) bool {
		if (needKind != nil && !bytes.Contains(val, needKind)) || (needTag != nil && !bytes.Contains(val, needTag)) {
			return true
		}
		if !simple || needKind != nil || needTag != nil {
			s, cached := m.best[string(key)]
			if !cached {
				var err error
				if s, err = v.rank(m, score, simple, val, opts); err != nil {
					ierr = err
					return false
				}
				if m.best != nil {
					m.best[string(key)] = s
				}
			}
			if s != score {
				return true
			}
		}
		if ierr = v.gas.Consume(gas.Mul(gas.DecodeByte, uint64(len(val))), "view entry"); ierr != nil {
			return false
		}
		var e Entry
		if err := json.Unmarshal(val, &e); err != nil {
			ierr = fmt.Errorf("%w: entry of %s: %v", ledger.ErrStore, h, err)
			return false
		}
		*out = append(*out, ViewEntry{CID: e.CID, Lens: h, Seq: e.Seq, Author: e.Author, Kind: e.Kind,
			Title: e.Title, Tags: e.Tags, Size: e.Size, Score: score, Origin: e.Origin})
		return len(*out) < max
	})
	if err != nil {
		return err
	}
	return ierr
}

// rank returns the score an entry (its stored bytes val) gets in m's view:
// 0 when the query's filters drop it or every path hides it; score itself
// when the lens is simple (one unconstrained label).
func (v *viewer) rank(m *lensMeta, score uint64, simple bool, val []byte, opts *ViewOptions) (uint64, error) {
	if err := v.gas.Consume(gas.Mul(gas.DecodeByte, uint64(len(val))), "view entry head"); err != nil {
		return 0, err
	}
	var head entryHead
	if err := json.Unmarshal(val, &head); err != nil {
		return 0, fmt.Errorf("%w: entry of %s: %v", ledger.ErrStore, m.rec.Handle, err)
	}
	if opts.Kind != "" && head.Kind != opts.Kind {
		return 0, nil
	}
	if opts.Tag != "" && !hasAnyTag(head.Tags, []string{opts.Tag}) {
		return 0, nil
	}
	if simple {
		return score, nil
	}
	return v.best(m, head.CID, head.Tags)
}

// constrains reports whether a label's constraints can hide an entry: a
// tag scope, or a lens on the path that blocks CIDs (lens blocks were
// already applied while walking).
func (v *viewer) constrains(lb *label) bool {
	for _, c := range lb.cons {
		if c[0] == 't' || v.meta[c[2:]].rec.CIDBlocks > 0 {
			return true
		}
	}
	return false
}

// best returns the score of an entry's best label (labels sorted by score
// descending) whose constraints e satisfies, or 0.
func (v *viewer) best(m *lensMeta, cid string, tags []string) (uint64, error) {
	for _, lb := range m.labels {
		if err := v.gas.Consume(gas.Add(gas.ViewLabelCompare, gas.Mul(gas.LoopStep, uint64(len(lb.cons)))), "view entry paths"); err != nil {
			return 0, err
		}
		ok := true
		for _, ts := range lb.tagSets {
			if !hasAnyTag(tags, ts) {
				ok = false
				break
			}
		}
		for _, c := range lb.cons {
			if !ok {
				break
			}
			if c[0] != 'b' {
				continue
			}
			bh := c[2:]
			if v.meta[bh].rec.CIDBlocks == 0 {
				continue
			}
			blocked, err := v.k.has(BlockCIDKey(bh, cid))
			if err != nil {
				return 0, err
			}
			ok = !blocked
		}
		if ok {
			return lb.score, nil
		}
	}
	return 0, nil
}
