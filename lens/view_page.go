package lens

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// Stage 3 of a view, the page: the groups' entries in rank order, from the
// cursor on, until the page is full.

// cursor is a position in a view's order: the last entry of a page.
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

// entryFilter is a view's Tag and Kind options, checked exactly on an
// entry's decoded head (match). Its byte test (mayPass) runs first, on the
// stored bytes, and only an entry that passes it is decoded:
//
//   - it is cheap: a tag matching nothing over the 11,100 entries of the
//     benchmark graph costs 14 ms of CPU and 0.2 MB with it, 40 ms and
//     4.5 MB decoding every entry's head (BenchmarkView1000x100, 2 cores);
//   - it is part of the gas rule: an entry's head is decoded, and charged
//     DecodeByte per byte, exactly when it passes mayPass (spec/gas.md
//     "Loops"). lens/fork runs views in txs, so making the test exact (it
//     also passes an entry whose kind, title or handle is the tag, or a
//     field name) would change gas_used: a protocol change, not a refactor.
type entryFilter struct {
	kind, tag string
	// Tags and kinds are plain [a-z0-9_-] strings, never escaped in JSON,
	// so a matching entry's bytes hold `"kind":"KIND"` and `"TAG"`. The
	// test is necessary, not sufficient: `"TAG"` also occurs in an entry
	// whose kind, title, handle or a field name is TAG.
	kindBytes, tagBytes []byte
}

func newEntryFilter(kind, tag string) entryFilter {
	f := entryFilter{kind: kind, tag: tag}
	if kind != "" {
		f.kindBytes = []byte(`"kind":"` + kind + `"`)
	}
	if tag != "" {
		f.tagBytes = []byte(`"` + tag + `"`)
	}
	return f
}

// active reports whether the filter can drop entries.
func (f *entryFilter) active() bool { return f.kind != "" || f.tag != "" }

// mayPass is the byte test: false only for an entry match would drop.
func (f *entryFilter) mayPass(val []byte) bool {
	return (f.kindBytes == nil || bytes.Contains(val, f.kindBytes)) &&
		(f.tagBytes == nil || bytes.Contains(val, f.tagBytes))
}

// match is the exact test on a decoded entry head.
func (f *entryFilter) match(h *entryHead) bool {
	return (f.kind == "" || h.Kind == f.kind) && (f.tag == "" || hasAnyTag(h.Tags, []string{f.tag}))
}

// page returns the entries of groups (in rank order) that come after the
// cursor (nil: from the start), at most limit of them, and the cursor of
// the next page ("" when there is none).
func (v *viewer) page(groups []group, after *cursor, limit int, f *entryFilter) ([]ViewEntry, string, error) {
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
		if err := v.scan(g, start, f, limit+1, &out); err != nil {
			return nil, "", err
		}
		if len(out) > limit {
			break
		}
	}
	if len(out) <= limit {
		return out, "", nil
	}
	out = out[:limit]
	last := out[limit-1]
	return out, cursor{score: last.Score, lens: last.Lens, seq: last.Seq}.String(), nil
}

// scan appends to out, newest first from start, the entries of g's Lens
// whose best score is g's and which pass the filter, until out holds max
// entries.
func (v *viewer) scan(g group, start []byte, f *entryFilter, max int, out *[]ViewEntry) error {
	m := g.m
	single := m.single()
	var ierr error
	err := v.k.kv.Iterate(start, ledger.PrefixEnd(EntriesPrefix(g.lens)), func(key, val []byte) bool {
		if !f.mayPass(val) {
			return true
		}
		if !single || f.active() {
			s, cached := m.best[string(key)]
			if !cached {
				if s, ierr = v.entryScore(m, g.score, single, val, f); ierr != nil {
					return false
				}
				if m.best != nil {
					m.best[string(key)] = s
				}
			}
			if s != g.score {
				return true
			}
		}
		if ierr = v.gas.Consume(gas.Mul(gas.DecodeByte, uint64(len(val))), "view entry"); ierr != nil {
			return false
		}
		// An entry's fields are a ViewEntry's but for its score (set here)
		// and a few (height, editor) the decoder skips.
		var e ViewEntry
		if err := json.Unmarshal(val, &e); err != nil {
			ierr = fmt.Errorf("%w: entry of %s: %v", ledger.ErrStore, g.lens, err)
			return false
		}
		e.Lens, e.Score = g.lens, g.score
		*out = append(*out, e)
		return len(*out) < max
	})
	if err != nil {
		return err
	}
	return ierr
}
