package ledger

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPruning prints what state_keep_recent buys on disk: two trees
// on goleveldb take the same 600 blocks (500 updates of 2000 hot keys and
// 50 new keys each, 100-byte values); one prunes to the newest 100
// versions after every commit. Reported: the database size of each, and
// the time Prune takes per block.
//
//	go test ./ledger -run XXX -bench Pruning -benchtime 1x
func BenchmarkPruning(b *testing.B) {
	const blocks, keep, hot, updates, inserts = 600, 100, 2000, 500, 50
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		archive, err := OpenTree(dir, "archive")
		if err != nil {
			b.Fatal(err)
		}
		pruned, err := OpenTree(dir, "pruned")
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		val := make([]byte, 100)
		var pruneTime time.Duration
		next := 0
		for v := 1; v <= blocks; v++ {
			for j := 0; j < updates; j++ {
				k := []byte(fmt.Sprintf("hot/%05d", rng.IntN(hot)))
				val[0], val[1] = byte(v), byte(j)
				for _, t := range []*Tree{archive, pruned} {
					if err := t.Set(k, val); err != nil {
						b.Fatal(err)
					}
				}
			}
			for j := 0; j < inserts; j++ {
				k := []byte(fmt.Sprintf("new/%08x", rng.Uint32()))
				next++
				for _, t := range []*Tree{archive, pruned} {
					if err := t.Set(k, val); err != nil {
						b.Fatal(err)
					}
				}
			}
			for _, t := range []*Tree{archive, pruned} {
				if _, _, err := t.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			if v > keep {
				start := time.Now()
				if _, err := pruned.Prune(int64(v - keep)); err != nil {
					b.Fatal(err)
				}
				pruneTime += time.Since(start)
			}
		}
		if string(archive.CommittedHash()) != string(pruned.CommittedHash()) {
			b.Fatal("pruning changed the root hash")
		}
		archive.Close()
		pruned.Close()
		sa, sp := dirSize(b, filepath.Join(dir, "archive.db")), dirSize(b, filepath.Join(dir, "pruned.db"))
		b.ReportMetric(float64(sa)/1e6, "archive-MB")
		b.ReportMetric(float64(sp)/1e6, "pruned-MB")
		b.ReportMetric(float64(pruneTime.Microseconds())/float64(blocks-keep), "µs-prune/block")
		b.Logf("%d blocks: archive %.1f MB, keep-%d %.1f MB (%.2f of it); Prune %.0f µs per block",
			blocks, float64(sa)/1e6, keep, float64(sp)/1e6, float64(sp)/float64(sa),
			float64(pruneTime.Microseconds())/float64(blocks-keep))
	}
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
