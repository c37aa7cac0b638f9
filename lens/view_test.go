package lens

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// refView is a brute-force reference for View: it enumerates every walk of
// follows from the root up to the depth and takes, per entry, the best score
// among walks along which nothing blocks it.
func refView(t *testing.T, k *Keeper, root string, opts ViewOptions) []ViewEntry {
	t.Helper()
	depth := opts.Depth
	if depth == 0 {
		depth = DefaultDepth
	}
	best := map[string]ViewEntry{}
	var walk func(path []string, scopes [][]string, score uint64)
	walk = func(path []string, scopes [][]string, score uint64) {
		last := path[len(path)-1]
		entries, err := k.Entries(last, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
	entryLoop:
		for _, e := range entries {
			if opts.Kind != "" && e.Kind != opts.Kind {
				continue
			}
			if opts.Tag != "" && !hasAnyTag(e.Tags, []string{opts.Tag}) {
				continue
			}
			for _, sc := range scopes {
				if !hasAnyTag(e.Tags, sc) {
					continue entryLoop
				}
			}
			for _, h := range path {
				if ok, _ := k.has(BlockCIDKey(h, e.CID)); ok {
					continue entryLoop
				}
			}
			key := fmt.Sprintf("%s/%d", last, e.Seq)
			if cur, ok := best[key]; !ok || cur.Score < score {
				best[key] = ViewEntry{CID: e.CID, Lens: last, Seq: e.Seq, Author: e.Author, Kind: e.Kind,
					Title: e.Title, Tags: e.Tags, Size: e.Size, Score: score, Origin: e.Origin}
			}
		}
		if len(path)-1 == depth {
			return
		}
		follows, err := k.Follows(last)
		if err != nil {
			t.Fatal(err)
		}
	followLoop:
		for _, f := range follows {
			w := f.Weight
			if rw, ok := opts.Reweight[f.Target]; ok && f.Target != root {
				if rw == 0 {
					continue
				}
				w = rw
			}
			for _, h := range path {
				if ok, _ := k.has(BlockLensKey(h, f.Target)); ok {
					continue followLoop
				}
			}
			s := score * uint64(w) / FullWeight
			if s == 0 {
				continue
			}
			ns := scopes
			if len(f.Tags) > 0 {
				ns = append(append([][]string(nil), scopes...), f.Tags)
			}
			walk(append(append([]string(nil), path...), f.Target), ns, s)
		}
	}
	walk([]string{root}, nil, FullWeight)
	out := make([]ViewEntry, 0, len(best))
	for _, v := range best {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Lens != b.Lens {
			return a.Lens < b.Lens
		}
		return a.Seq > b.Seq
	})
	return out
}

// randomGraph builds n lenses with random follows (some tag-scoped, some
// tiny weights that floor to 0), entries (some CIDs shared), and blocks.
func randomGraph(t testing.TB, seed int64, n int) (*ledger.Tree, []string) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	tree, err := ledger.OpenTree("", "ref")
	if err != nil {
		t.Fatal(err)
	}
	k := New(ledger.New(tree, nil))
	blk := ledger.Block{Height: 1}
	tagSet := []string{"red", "green", "blue", "gold"}
	kindSet := []string{"post", "video", "audio"}
	handles := make([]string, n)
	must := func(_ ledger.Output, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range handles {
		handles[i] = fmt.Sprintf("l%02d", i)
		must(k.ExecCreate(blk, addr(byte(i)), &MsgCreate{Handle: handles[i], Name: handles[i]}))
	}
	for i, h := range handles {
		owner := addr(byte(i))
		for j := 0; j < 2+rng.Intn(5); j++ {
			var tags []string
			for _, tg := range tagSet {
				if rng.Intn(3) == 0 {
					tags = append(tags, tg)
				}
			}
			content := fmt.Sprintf("%s-%d", h, j)
			if rng.Intn(5) == 0 {
				content = fmt.Sprintf("shared-%d", rng.Intn(4))
			}
			_, err := k.ExecAddEntry(blk, owner, &MsgAddEntry{Lens: h, CID: testCID(content), Kind: kindSet[rng.Intn(3)],
				Title: content, Tags: tags})
			if err != nil && err != ErrDuplicateEntry && !isDup(err) {
				t.Fatal(err)
			}
		}
		for j := 0; j < 1+rng.Intn(4); j++ {
			target := handles[rng.Intn(n)]
			if target == h {
				continue
			}
			w := uint32(1 + rng.Intn(FullWeight))
			if rng.Intn(8) == 0 {
				w = uint32(1 + rng.Intn(5)) // floors to 0 one or two hops on
			}
			var tags []string
			if rng.Intn(4) == 0 {
				tags = []string{tagSet[rng.Intn(len(tagSet))]}
			}
			must(k.ExecFollow(blk, owner, &MsgFollow{Lens: h, Target: target, Weight: w, Tags: tags}))
		}
		if rng.Intn(3) == 0 {
			c := testCID(fmt.Sprintf("%s-%d", handles[rng.Intn(n)], rng.Intn(3)))
			if rng.Intn(2) == 0 {
				c = testCID(fmt.Sprintf("shared-%d", rng.Intn(4)))
			}
			must(k.ExecBlock(blk, owner, &MsgBlock{Lens: h, CID: c}))
		}
		if rng.Intn(4) == 0 {
			if target := handles[rng.Intn(n)]; target != h {
				must(k.ExecBlock(blk, owner, &MsgBlock{Lens: h, Target: target}))
			}
		}
	}
	if err := CheckInvariants(tree); err != nil {
		t.Fatal(err)
	}
	return tree, handles
}

func isDup(err error) bool {
	for e := err; e != nil; {
		if e == ErrDuplicateEntry {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// TestViewMatchesReference checks View against the brute-force reference on
// random graphs with blocks, scopes, reweights and filters, and that paging
// through it with small pages yields the same list.
func TestViewMatchesReference(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		tree, handles := randomGraph(t, seed, 10)
		k := NewReader(tree)
		rng := rand.New(rand.NewSource(seed * 7))
		for q := 0; q < 6; q++ {
			root := handles[rng.Intn(len(handles))]
			opts := ViewOptions{Depth: 1 + rng.Intn(MaxDepth), Limit: MaxLimit}
			if rng.Intn(3) == 0 {
				opts.Reweight = map[string]uint32{handles[rng.Intn(len(handles))]: uint32(rng.Intn(FullWeight + 1))}
			}
			if rng.Intn(4) == 0 {
				opts.Tag = "red"
				if seed%2 == 0 {
					opts.Tag = "post" // also a kind: the byte test passes entries the decoded test drops
				}
			}
			if rng.Intn(4) == 0 {
				opts.Kind = "post"
			}
			got, err := k.View(root, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := refView(t, k, root, opts)
			if !reflect.DeepEqual(got.Entries, want) {
				t.Fatalf("seed %d root %s opts %+v:\n got %v\nwant %v", seed, root, opts, brief(got.Entries), brief(want))
			}
			// Page through with pages of 3.
			paged := pageThrough(t, k, root, opts, 3)
			if !reflect.DeepEqual(paged, want) {
				t.Fatalf("seed %d root %s: paged view differs:\n got %v\nwant %v", seed, root, brief(paged), brief(want))
			}
		}
	}
}

func brief(es []ViewEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%s#%d=%d", e.Lens, e.Seq, e.Score)
	}
	return out
}

// TestViewDeterministic checks that the same question gives byte-identical
// answers, on the working state and on a committed snapshot.
func TestViewDeterministic(t *testing.T) {
	tree, handles := randomGraph(t, 99, 14)
	opts := ViewOptions{Depth: 3, Limit: 7, Reweight: map[string]uint32{handles[3]: 250_000, handles[5]: 0}}
	a, err := NewReader(tree).View(handles[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tree.Commit(); err != nil {
		t.Fatal(err)
	}
	snap, err := tree.At(0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		b, err := NewReader(snap).View(handles[0], opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("run %d differs:\n%+v\n%+v", i, a, b)
		}
	}
	for i := 1; i < len(a.Entries); i++ {
		p, c := a.Entries[i-1], a.Entries[i]
		if p.Score < c.Score || (p.Score == c.Score && (p.Lens > c.Lens || (p.Lens == c.Lens && p.Seq <= c.Seq))) {
			t.Fatalf("order broken at %d: %v", i, brief(a.Entries))
		}
	}
}

// TestViewBlocksAlongPath: a middle lens's blocks apply to what comes
// through it; the root's to everything; another path can still show it.
func TestViewBlocksAlongPath(t *testing.T) {
	e := newEnv(t)
	a, b, c := addr(1), addr(2), addr(3)
	e.create(t, a, "root")
	e.create(t, b, "mid")
	e.create(t, c, "far")
	e.add(t, c, "far", "f1")
	e.add(t, c, "far", "f2")
	e.follow(t, a, "root", "mid", 800_000)
	e.follow(t, b, "mid", "far", 500_000)
	e.follow(t, a, "root", "far", 100_000)
	// Through mid, far scores 400000; directly 100000.
	if got := scores(e.view(t, "root", ViewOptions{})); got["far/f1"] != 400_000 {
		t.Fatalf("best path: %v", got)
	}
	// mid blocks f1: it falls back to the direct path.
	e.ok(t, func(k *Keeper, blk ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(blk, b, &MsgBlock{Lens: "mid", CID: testCID("f1")})
	})
	got := scores(e.view(t, "root", ViewOptions{}))
	if got["far/f1"] != 100_000 || got["far/f2"] != 400_000 {
		t.Fatalf("mid blocks f1: %v", got)
	}
	// mid blocks the whole far lens: only the direct path is left.
	e.ok(t, func(k *Keeper, blk ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(blk, b, &MsgBlock{Lens: "mid", Target: "far"})
	})
	got = scores(e.view(t, "root", ViewOptions{}))
	if got["far/f1"] != 100_000 || got["far/f2"] != 100_000 {
		t.Fatalf("mid blocks far: %v", got)
	}
	// The root blocks far: gone entirely.
	e.ok(t, func(k *Keeper, blk ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(blk, a, &MsgBlock{Lens: "root", Target: "far"})
	})
	if got := scores(e.view(t, "root", ViewOptions{})); len(got) != 0 {
		t.Fatalf("root blocks far: %v", got)
	}
	// Unblock restores the direct path.
	e.ok(t, func(k *Keeper, blk ledger.Block) (ledger.Output, error) {
		return k.ExecUnblock(blk, a, &MsgUnblock{Lens: "root", Target: "far"})
	})
	if got := scores(e.view(t, "root", ViewOptions{})); got["far/f2"] != 100_000 {
		t.Fatalf("after unblock: %v", got)
	}
}

// TestViewTagScopeAndFilters: a scoped follow passes only matching entries.
func TestViewTagScopeAndFilters(t *testing.T) {
	e := newEnv(t)
	a, b := addr(1), addr(2)
	e.create(t, a, "root")
	e.create(t, b, "music")
	e.add(t, b, "music", "jazz1", "jazz")
	e.add(t, b, "music", "rock1", "rock")
	e.follow(t, a, "root", "music", 600_000, "jazz")
	got := scores(e.view(t, "root", ViewOptions{}))
	if len(got) != 1 || got["music/jazz1"] != 600_000 {
		t.Fatalf("scoped follow: %v", got)
	}
	if got := scores(e.view(t, "music", ViewOptions{Tag: "rock"})); len(got) != 1 || got["music/rock1"] != FullWeight {
		t.Fatalf("tag filter: %v", got)
	}
	if got := scores(e.view(t, "music", ViewOptions{Kind: "video"})); len(got) != 0 {
		t.Fatalf("kind filter: %v", got)
	}
	// Re-following without scope replaces it.
	e.follow(t, a, "root", "music", 600_000)
	if got := scores(e.view(t, "root", ViewOptions{})); len(got) != 2 {
		t.Fatalf("unscoped follow: %v", got)
	}
}
