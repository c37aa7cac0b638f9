package lens

import (
	"sync"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

var (
	benchOnce sync.Once
	benchSnap *ledger.Snapshot
	benchErr  error
)

// benchGraph builds 1,000 lenses with 100 entries each; lens i follows 10
// others with weights spread over 0.1..1.0, a few lenses block CIDs and
// lenses. It is committed once and queried through a snapshot, as the app
// serves queries.
func benchGraph() (*ledger.Snapshot, error) {
	benchOnce.Do(func() {
		const lenses, entries, follows = 1000, 100, 10
		tree, err := ledger.OpenTree("", "bench")
		if err != nil {
			benchErr = err
			return
		}
		k := New(ledger.New(tree, nil))
		if err := BenchGraph(k, lenses, entries, follows, func(i int) ledger.Address { return addr(byte(i % 250)) }); err != nil {
			benchErr = err
			return
		}
		if _, _, err := tree.Commit(); err != nil {
			benchErr = err
			return
		}
		benchSnap, benchErr = tree.At(0)
	})
	return benchSnap, benchErr
}

// BenchmarkView1000x100 times a depth-2 view over 1,000 lenses x 100
// entries: the first page (50), a 1,000-entry page, a tag that matches one
// entry (so every reachable entry is scanned), and depth 4.
func BenchmarkView1000x100(b *testing.B) {
	snap, err := benchGraph()
	if err != nil {
		b.Fatal(err)
	}
	k := NewReader(snap)
	cases := []struct {
		name string
		opts ViewOptions
	}{
		{"depth2-limit50", ViewOptions{Depth: 2}},
		{"depth2-limit1000", ViewOptions{Depth: 2, Limit: 1000}},
		{"depth2-tag-full-scan", ViewOptions{Depth: 2, Tag: "zzz"}},
		{"depth4-limit50", ViewOptions{Depth: 4}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var n, reached int
			for i := 0; i < b.N; i++ {
				v, err := k.View("lens-0000", c.opts)
				if err != nil {
					b.Fatal(err)
				}
				n, reached = len(v.Entries), v.Lenses
			}
			b.ReportMetric(float64(n), "entries")
			b.ReportMetric(float64(reached), "lenses")
		})
	}
}
