package lens

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
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

// viewQuery is a ViewOptions checked and parsed once: defaults applied,
// the cursor decoded, the filter built.
type viewQuery struct {
	depth    int
	limit    int
	reweight map[string]uint32
	after    *cursor // nil: first page
	filter   entryFilter
}

// parse checks o (ErrDepth, ErrBadQuery, ErrTooMany with the bad value
// named) and returns it as a viewQuery.
func (o *ViewOptions) parse() (viewQuery, error) {
	if o.Depth < 0 || o.Depth > MaxDepth {
		return viewQuery{}, fmt.Errorf("%w: %d, want 1..%d", ErrDepth, o.Depth, MaxDepth)
	}
	if o.Limit < 0 || o.Limit > MaxLimit {
		return viewQuery{}, fmt.Errorf("%w: limit %d, want 1..%d", ErrBadQuery, o.Limit, MaxLimit)
	}
	if o.Tag != "" && !tagRe.MatchString(o.Tag) {
		return viewQuery{}, fmt.Errorf("%w: tag %q", ErrBadQuery, o.Tag)
	}
	if o.Kind != "" && !ValidKind(o.Kind) {
		return viewQuery{}, fmt.Errorf("%w: kind %q", ErrBadQuery, o.Kind)
	}
	if err := checkReweight(o.Reweight); err != nil {
		return viewQuery{}, err
	}
	q := viewQuery{depth: o.Depth, limit: o.Limit, reweight: o.Reweight, filter: newEntryFilter(o.Kind, o.Tag)}
	if q.depth == 0 {
		q.depth = DefaultDepth
	}
	if q.limit == 0 {
		q.limit = DefaultLimit
	}
	if o.After != "" {
		c, err := parseCursor(o.After)
		if err != nil {
			return viewQuery{}, err
		}
		q.after = &c
	}
	return q, nil
}

// View returns a page of the entries visible from root (see spec/lenses.md,
// "Views"): the root's own entries score 1,000,000; an entry reached along a
// follow path scores the product of the path's weights, each step floored:
// s' = s * w / 1,000,000. An entry's score is that of its best path along
// which no lens blocks it. Results are ranked by score descending, then
// anchoring lens handle ascending, then seq descending (newest first).
//
// It runs in three stages, each metered: walk (view_walk.go) labels the
// Lenses reachable from root with their non-dominated paths; rank
// (view_rank.go) turns the labels into groups in page order; page
// (view_page.go) scans the groups' entries until the page is full.
func (k *Keeper) View(root string, opts ViewOptions) (ViewResult, error) {
	if err := checkHandle(root); err != nil {
		return ViewResult{}, err
	}
	q, err := opts.parse()
	if err != nil {
		return ViewResult{}, err
	}
	v := newViewer(k)
	if err := v.walk(root, q.depth, q.reweight); err != nil {
		return ViewResult{}, err
	}
	groups, reached, err := v.rank()
	if err != nil {
		return ViewResult{}, err
	}
	entries, next, err := v.page(groups, q.after, q.limit, &q.filter)
	if err != nil {
		return ViewResult{}, err
	}
	if entries == nil {
		entries = []ViewEntry{}
	}
	return ViewResult{Root: root, Depth: q.depth, Lenses: reached, Entries: entries, Next: next}, nil
}
