package content

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	chunk "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// The pipeline splitter must cut exactly like boxo's size splitter and
// hand the importer the right precomputed CID for every chunk.
func TestPipelineSplitterMatchesSizeSplitter(t *testing.T) {
	const size = 1000
	leaf := cid.Prefix{Version: 1, Codec: cid.Raw, MhType: mh.SHA2_256, MhLength: -1}
	for _, n := range []int{0, 1, size - 1, size, size + 1, 3*size + 7, 40 * size} {
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"plain":   func(r io.Reader) io.Reader { return r },
			"onebyte": iotest.OneByteReader,
			"half":    iotest.HalfReader,
		} {
			data := vectorData("split", n)
			ref := chunk.NewSizeSplitter(bytes.NewReader(data), size)
			cache := &leafCache{cids: make(map[*byte]leafEntry)}
			spl := newPipelineSplitter(context.Background(), wrap(bytes.NewReader(data)), size, leaf, cache)
			b := hashingBuilder{prefix: leaf, cache: cache}
			for i := 0; ; i++ {
				want, werr := ref.NextBytes()
				got, gerr := spl.NextBytes()
				if !bytes.Equal(got, want) || (werr == nil) != (gerr == nil) {
					t.Fatalf("%s n=%d chunk %d: got %d bytes (%v), want %d bytes (%v)", name, n, i, len(got), gerr, len(want), werr)
				}
				if werr != nil {
					if !errors.Is(gerr, io.EOF) {
						t.Fatalf("%s n=%d: end error %v", name, n, gerr)
					}
					break
				}
				c, err := b.Sum(got)
				if err != nil || !c.Equals(RawCID(want)) {
					t.Fatalf("%s n=%d chunk %d: CID %s, want %s (%v)", name, n, i, c, RawCID(want), err)
				}
				if _, ok := cache.take(got); ok {
					t.Fatalf("%s n=%d chunk %d: CID used twice", name, n, i)
				}
			}
			spl.close()
		}
	}
}

// A slice the pipeline did not produce is hashed, not looked up.
func TestHashingBuilderHashesUnknownBytes(t *testing.T) {
	leaf := cid.Prefix{Version: 1, Codec: cid.Raw, MhType: mh.SHA2_256, MhLength: -1}
	cache := &leafCache{cids: make(map[*byte]leafEntry)}
	data := []byte("some bytes")
	cache.put(data, RawCID([]byte("other bytes")))
	b := hashingBuilder{prefix: leaf, cache: cache}
	// Same pointer, other length: not the cached chunk.
	c, err := b.Sum(data[:4])
	if err != nil || !c.Equals(RawCID(data[:4])) {
		t.Fatalf("Sum = %s, %v", c, err)
	}
	// dag-pb builder never uses the cache.
	pb := b.WithCodec(cid.DagProtobuf)
	c, err = pb.Sum(data)
	want, _ := cid.Prefix{Version: 1, Codec: cid.DagProtobuf, MhType: mh.SHA2_256, MhLength: -1}.Sum(data)
	if err != nil || !c.Equals(want) {
		t.Fatalf("dag-pb Sum = %s, %v", c, err)
	}
}

// tempFiles lists uncommitted block files of a disk store.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, "blocks"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), tempPrefix) {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A failing source leaves neither blocks nor temporary files behind.
func TestAddReadErrorLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault, DiskOptions{Layout: LayoutFlat})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(vectorData("fail", 5*262144+3)), iotest.ErrReader(boom))
	if _, err := s.Add(context.Background(), r); !errors.Is(err, boom) {
		t.Fatalf("Add error %v, want %v", err, boom)
	}
	if f := blockFiles(t, dir); len(f) != 0 {
		t.Fatalf("%d blocks stored after a failed add", len(f))
	}
	if f := tempFiles(t, dir); len(f) != 0 {
		t.Fatalf("%d temporary files left", len(f))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Add(ctx, bytes.NewReader(vectorData("fail", 3*262144))); !errors.Is(err, context.Canceled) {
		t.Fatalf("Add with a cancelled context: %v", err)
	}
}

// Before commit, blocks of a batch are invisible under their names (what a
// crash mid-Add leaves is temporary files only); after commit they are
// stored; RemoveTempFiles clears leftovers.
func TestDiskBatchCommitSemantics(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := OpenDisk(dir, ProfileDefault, DiskOptions{Layout: LayoutFlat})
	if err != nil {
		t.Fatal(err)
	}
	d := st.(*dagStore).raw.(*diskBlockstore)
	a, b := RawBlock([]byte("block a")), RawBlock([]byte("block b"))

	crashed := d.newBatch()
	if err := crashed.put(ctx, a); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.Has(ctx, a.Cid()); ok {
		t.Fatal("uncommitted block visible")
	}
	if blk, ok, err := crashed.get(a.Cid()); err != nil || !ok || !bytes.Equal(blk.RawData(), a.RawData()) {
		t.Fatalf("batch get: %v %v", ok, err)
	}
	if n := len(tempFiles(t, dir)); n != 1 {
		t.Fatalf("%d temporary files, want 1", n)
	}
	// "Crash": the batch is dropped without commit or abort.
	if n, err := RemoveTempFiles(dir); err != nil || n != 1 {
		t.Fatalf("RemoveTempFiles = %d, %v", n, err)
	}

	batch := d.newBatch()
	for _, blk := range []interface {
		RawData() []byte
		Cid() cid.Cid
	}{a, b, a} {
		if err := batch.put(ctx, RawBlock(blk.RawData())); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.commit(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []cid.Cid{a.Cid(), b.Cid()} {
		got, err := st.GetBlock(ctx, c)
		if err != nil {
			t.Fatalf("committed block %s: %v", c, err)
		}
		if !got.Cid().Equals(c) {
			t.Fatal("wrong block")
		}
	}
	if n := len(tempFiles(t, dir)); n != 0 {
		t.Fatalf("%d temporary files after commit", n)
	}
	// Aborted batch: nothing stays.
	c := RawBlock([]byte("block c"))
	ab := d.newBatch()
	if err := ab.put(ctx, c); err != nil {
		t.Fatal(err)
	}
	ab.abort()
	if ok, _ := st.Has(ctx, c.Cid()); ok || len(tempFiles(t, dir)) != 0 {
		t.Fatal("aborted batch left data")
	}
}
