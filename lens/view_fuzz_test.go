package lens

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzViewOptions: /view's options arrive as query parameters (network
// bytes). No choice of them panics; a bad one is one of the view's
// sentinel errors; and a page after any well-formed cursor (score, lens,
// seq) is exactly the entries of the whole view that come after that
// position in its order.
func FuzzViewOptions(f *testing.F) {
	tree, handles := randomGraph(f, 5, 6)
	k := NewReader(tree)
	f.Add("", "", "", 0, uint64(500_000), "l02", uint64(2))
	f.Add("djEvMTAwMDAwMC9sMDAvMQ", "red", "post", 3, uint64(1_000_000), "l00", uint64(1))
	f.Add("!!", "Bad", "nope", 9, uint64(0), "x", uint64(0))
	f.Fuzz(func(t *testing.T, after, tag, kind string, depth int, score uint64, lens string, seq uint64) {
		for _, root := range handles[:2] {
			opts := ViewOptions{After: after, Tag: tag, Kind: kind, Depth: depth, Limit: MaxLimit}
			if _, err := k.View(root, opts); err != nil &&
				!errors.Is(err, ErrBadQuery) && !errors.Is(err, ErrDepth) {
				t.Fatalf("view %s %+v: %v", root, opts, err)
			}
			if !ValidHandle(lens) {
				continue
			}
			opts.After = ""
			all, err := k.View(root, opts)
			if err != nil {
				continue // bad tag, kind or depth: checked above
			}
			c := cursor{score: score % (FullWeight + 1), lens: lens, seq: seq}
			opts.After = c.String()
			page, err := k.View(root, opts)
			if err != nil {
				t.Fatalf("view %s after %+v: %v", root, c, err)
			}
			want := []ViewEntry{}
			for _, e := range all.Entries {
				if e.Score < c.score || (e.Score == c.score && (e.Lens > c.lens || (e.Lens == c.lens && e.Seq < c.seq))) {
					want = append(want, e)
				}
			}
			if !reflect.DeepEqual(page.Entries, want) {
				t.Fatalf("view %s after %+v:\n got %v\nwant %v", root, c, brief(page.Entries), brief(want))
			}
		}
	})
}
