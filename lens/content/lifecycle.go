package content

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
)

// Content lifecycle (spec/content.md, section 5b): pins keep DAGs, GC
// deletes every block no pin reaches, and an optional quota bounds the
// embedded store.

// Pin labels: why a root is pinned. A root stays pinned while it has any.
const (
	// PinUser: pinned by `content add|import|pin` (removed by `content unpin`).
	PinUser = "user"
	// PinSeed: announced by this home with `tx seed announce` (removed by
	// `tx seed withdraw`, not by `content unpin`).
	PinSeed = "seed"
)

var (
	// ErrNotPinned: unpin of a root that has no such pin.
	ErrNotPinned = errors.New("not pinned")
	// ErrQuota: an add would take the embedded store over content_max_bytes.
	ErrQuota = errors.New("content store quota exceeded")
)

// DefaultGCGrace: blocks written more recently than this are never
// collected, so that an add running in another process (whose pin is
// written after its blocks) is not collected under it.
const DefaultGCGrace = 15 * time.Minute

// Pin is one pinned root and why.
type Pin struct {
	CID    cid.Cid  `json:"cid"`
	Labels []string `json:"labels"`
}

// GCOptions tune GC.
type GCOptions struct {
	// Grace: blocks (flat layout) and pack files younger than this are
	// kept. Zero means DefaultGCGrace; negative means no grace (tests,
	// a store no other process writes to).
	Grace time.Duration
	// DryRun counts what would be removed and removes nothing.
	DryRun bool
}

// GCResult tells what GC did.
type GCResult struct {
	Pins       int   `json:"pins"`
	LiveBlocks int   `json:"live_blocks"`
	Removed    int   `json:"removed_blocks"`
	FreedBytes int64 `json:"freed_bytes"`
	// Packs: pack files deleted whole, and rewritten without their
	// garbage (compacted) because most of them was garbage.
	PacksDeleted   int `json:"packs_deleted"`
	PacksCompacted int `json:"packs_compacted"`
	// KeptGarbageBytes: unreachable bytes left in packs that are mostly
	// live (compacted once they are mostly garbage).
	KeptGarbageBytes int64 `json:"kept_garbage_bytes"`
	DryRun           bool  `json:"dry_run"`
}

// remotePins is an IPFS node that keeps its own pins and GC (the kubo
// backend): its pins have no labels (kubo's recursive pins), so an unpin
// removes the pin whatever label it is asked for.
type remotePins interface {
	pin(ctx context.Context, root cid.Cid) error
	unpin(ctx context.Context, root cid.Cid) error
	pins(ctx context.Context) ([]Pin, error)
	gc(ctx context.Context) (GCResult, error)
}

// pinStore persists the pin set.
type pinStore interface {
	labels(c cid.Cid) ([]string, error)
	setLabels(c cid.Cid, labels []string) error
	list() ([]Pin, error)
}

// memPins keeps pins in memory (NewMemory).
type memPins struct {
	mu sync.Mutex
	m  map[string][]string
}

func (p *memPins) labels(c cid.Cid) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.m[c.KeyString()]), nil
}

func (p *memPins) setLabels(c cid.Cid, labels []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string][]string{}
	}
	if len(labels) == 0 {
		delete(p.m, c.KeyString())
	} else {
		p.m[c.KeyString()] = labels
	}
	return nil
}

func (p *memPins) list() ([]Pin, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Pin, 0, len(p.m))
	for k, l := range p.m {
		c, err := cid.Cast([]byte(k))
		if err != nil {
			continue
		}
		out = append(out, Pin{CID: c, Labels: slices.Clone(l)})
	}
	sortPins(out)
	return out, nil
}

// filePins keeps one small file per pinned root, dir/pins/<CID>, holding
// its labels one per line. Each change is a write to a temporary file and
// a rename, so processes sharing the store see whole files only.
type filePins struct{ dir string }

func (p filePins) path(c cid.Cid) string { return filepath.Join(p.dir, c.String()) }

func (p filePins) labels(c cid.Cid) ([]string, error) {
	b, err := os.ReadFile(p.path(c))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pin %s: %w", c, err)
	}
	return parseLabels(string(b)), nil
}

func parseLabels(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func (p filePins) setLabels(c cid.Cid, labels []string) error {
	if len(labels) == 0 {
		if err := os.Remove(p.path(c)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("unpin %s: %w", c, err)
		}
		return nil
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("pin %s: %w", c, err)
	}
	tmp, err := os.CreateTemp(p.dir, tempPrefix+"pin-*")
	if err != nil {
		return fmt.Errorf("pin %s: %w", c, err)
	}
	_, err = tmp.WriteString(strings.Join(labels, "\n") + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p.path(c))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pin %s: %w", c, err)
	}
	return nil
}

func (p filePins) list() ([]Pin, error) {
	ents, err := os.ReadDir(p.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list pins: %w", err)
	}
	var out []Pin
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		c, err := cid.Decode(e.Name())
		if err != nil {
			continue // not a pin file
		}
		l, err := p.labels(c)
		if err != nil {
			return nil, err
		}
		if len(l) > 0 {
			out = append(out, Pin{CID: c, Labels: l})
		}
	}
	sortPins(out)
	return out, nil
}

func sortPins(ps []Pin) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].CID.String() < ps[j].CID.String() })
}

// Pin adds label to root's pins. With verify, every block of the DAG is
// read and checked first (ErrNotFound if one is missing, ErrCorrupt if one
// does not match): a verified pin is a complete, correct DAG.
func (s *dagStore) Pin(ctx context.Context, root cid.Cid, label string, verify bool) error {
	if s.pins == nil && s.remote == nil {
		return fmt.Errorf("pin: %w", ErrUnsupported)
	}
	if !root.Defined() {
		return fmt.Errorf("pin: undefined CID: %w", ErrInvalidCID)
	}
	if label == "" {
		label = PinUser
	}
	if verify {
		if _, err := s.walk(ctx, root, true, nil); err != nil {
			return fmt.Errorf("pin %s: %w", root, err)
		}
	} else if ok, err := s.Has(ctx, root); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("pin %s: %w", root, ErrNotFound)
	}
	if s.remote != nil {
		return s.remote.pin(ctx, root)
	}
	s.pinMu.Lock()
	defer s.pinMu.Unlock()
	l, err := s.pins.labels(root)
	if err != nil {
		return err
	}
	if slices.Contains(l, label) {
		return nil
	}
	l = append(l, label)
	sort.Strings(l)
	return s.pins.setLabels(root, l)
}

// Unpin removes label from root's pins (ErrNotPinned if it has not that
// label); the root stays pinned while other labels remain.
func (s *dagStore) Unpin(ctx context.Context, root cid.Cid, label string) error {
	if s.remote != nil {
		return s.remote.unpin(ctx, root)
	}
	if s.pins == nil {
		return fmt.Errorf("unpin: %w", ErrUnsupported)
	}
	if label == "" {
		label = PinUser
	}
	s.pinMu.Lock()
	defer s.pinMu.Unlock()
	l, err := s.pins.labels(root)
	if err != nil {
		return err
	}
	i := slices.Index(l, label)
	if i < 0 {
		if len(l) > 0 {
			return fmt.Errorf("unpin %s: no %q pin (pinned as %s): %w", root, label, strings.Join(l, ", "), ErrNotPinned)
		}
		return fmt.Errorf("unpin %s: %w", root, ErrNotPinned)
	}
	return s.pins.setLabels(root, slices.Delete(l, i, i+1))
}

// Pins lists the pinned roots in CID order.
func (s *dagStore) Pins(ctx context.Context) ([]Pin, error) {
	if s.remote != nil {
		return s.remote.pins(ctx)
	}
	if s.pins == nil {
		return nil, fmt.Errorf("pins: %w", ErrUnsupported)
	}
	return s.pins.list()
}

// walk visits every block of the DAG under root, depth first, and calls
// visit with each block's multihash key and size. strict: a missing block
// is an error (else it is skipped) and blocks are verified.
func (s *dagStore) walk(ctx context.Context, root cid.Cid, strict bool, seen map[string]bool) (int, error) {
	if seen == nil {
		seen = map[string]bool{}
	}
	n := 0
	stack := []cid.Cid{root}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		k := string(c.Hash())
		if seen[k] {
			continue
		}
		seen[k] = true
		if c.Prefix().MhType == identityHash {
			continue // the bytes are in the CID
		}
		get := s.raw.Get
		if strict {
			get = s.vbs.Get
		}
		b, err := get(ctx, c)
		if err != nil {
			err = classify(err)
			if !strict && errors.Is(err, ErrNotFound) {
				continue
			}
			return n, fmt.Errorf("block %s: %w", c, err)
		}
		n++
		links, err := blockLinks(b)
		if err != nil {
			if strict {
				return n, err
			}
			continue
		}
		for i := len(links) - 1; i >= 0; i-- {
			stack = append(stack, links[i])
		}
	}
	return n, nil
}

// identityHash is the multihash code of the identity "hash".
const identityHash = 0x00

// GC removes every block no pin reaches (the mark is by multihash, so a
// block stays whatever codec a pin names it with). The flat layout deletes
// block files; the pack layout deletes packs with no live block and
// rewrites packs that are mostly garbage (compaction), leaving the garbage
// of mostly-live packs for a later GC. Blocks and packs younger than the
// grace period are kept.
func (s *dagStore) GC(ctx context.Context, o GCOptions) (GCResult, error) {
	res := GCResult{DryRun: o.DryRun}
	if s.remote != nil {
		if o.DryRun {
			return res, fmt.Errorf("gc --dry-run on an IPFS node: %w", ErrUnsupported)
		}
		return s.remote.gc(ctx)
	}
	if s.pins == nil || s.sweep == nil {
		return res, fmt.Errorf("gc: %w", ErrUnsupported)
	}
	grace := o.Grace
	if grace == 0 {
		grace = DefaultGCGrace
	}
	cutoff := time.Now().Add(-max(grace, 0))
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	pins, err := s.pins.list()
	if err != nil {
		return res, err
	}
	res.Pins = len(pins)
	live := map[string]bool{}
	for _, p := range pins {
		n, err := s.walk(ctx, p.CID, false, live)
		if err != nil {
			return res, fmt.Errorf("gc: mark %s: %w", p.CID, err)
		}
		res.LiveBlocks += n
	}
	if err := s.sweep(ctx, live, cutoff, o.DryRun, &res); err != nil {
		return res, fmt.Errorf("gc: %w", err)
	}
	return res, nil
}

// sweepBlockstore is the sweep of a blockstore that deletes single blocks
// (memory; flat layout with modTime).
func (s *dagStore) sweepBlocks(modTime func(cid.Cid) (time.Time, int64, bool)) func(ctx context.Context, live map[string]bool, cutoff time.Time, dry bool, res *GCResult) error {
	return func(ctx context.Context, live map[string]bool, cutoff time.Time, dry bool, res *GCResult) error {
		ch, err := s.raw.AllKeysChan(ctx)
		if err != nil {
			return err
		}
		var dead []cid.Cid
		for c := range ch {
			if !live[string(c.Hash())] {
				dead = append(dead, c)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, c := range dead {
			size := int64(0)
			if modTime != nil {
				mt, sz, ok := modTime(c)
				if !ok || mt.After(cutoff) {
					continue
				}
				size = sz
			} else if n, err := s.raw.GetSize(ctx, c); err == nil {
				size = int64(n)
			}
			if !dry {
				if err := s.raw.DeleteBlock(ctx, c); err != nil {
					return fmt.Errorf("delete %s: %w", c, err)
				}
			}
			res.Removed++
			res.FreedBytes += size
		}
		return nil
	}
}
