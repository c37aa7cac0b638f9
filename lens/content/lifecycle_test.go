package content

import (
	"bytes"
	"context"
	"io"
	"testing"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	carstorage "github.com/ipld/go-car/v2/storage"
)

func readAll(t *testing.T, s Store, c cid.Cid) ([]byte, error) {
	t.Helper()
	f, err := s.Get(context.Background(), c)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

var noGrace = GCOptions{Grace: -1}

func TestLifecyclePinsAndGC(t *testing.T) {
	for _, layout := range []Layout{LayoutPack, LayoutFlat} {
		t.Run(string(layout), func(t *testing.T) {
			ctx := context.Background()
			s, err := OpenDisk(t.TempDir(), ProfileDefault, DiskOptions{Layout: layout, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			a := vectorData("keep", 600_000)
			b := vectorData("drop", 600_000)
			ac, _ := s.Add(ctx, bytes.NewReader(a))
			bc, _ := s.Add(ctx, bytes.NewReader(b))
			pins, _ := s.Pins(ctx)
			if len(pins) != 2 || pins[0].Labels[0] != PinUser {
				t.Fatalf("adds are pinned: %v", pins)
			}
			// A default GC keeps everything younger than the grace period.
			if res, err := s.GC(ctx, GCOptions{}); err != nil || res.Removed != 0 {
				t.Fatalf("gc within grace: %+v %v", res, err)
			}
			if err := s.Unpin(ctx, bc, PinUser); err != nil {
				t.Fatal(err)
			}
			if err := s.Unpin(ctx, bc, PinUser); !errorsIs(err, ErrNotPinned) {
				t.Fatalf("second unpin: %v", err)
			}
			dry, err := s.GC(ctx, GCOptions{Grace: -1, DryRun: true})
			if err != nil || dry.Removed == 0 {
				t.Fatalf("dry run: %+v %v", dry, err)
			}
			if got, err := readAll(t, s, bc); err != nil || !bytes.Equal(got, b) {
				t.Fatal("dry run removed something")
			}
			res, err := s.GC(ctx, noGrace)
			if err != nil || res.Removed != dry.Removed || res.FreedBytes < 600_000 || res.Pins != 1 {
				t.Fatalf("gc: %+v %v (dry %+v)", res, err, dry)
			}
			if got, err := readAll(t, s, ac); err != nil || !bytes.Equal(got, a) {
				t.Fatalf("pinned content after gc: %v", err)
			}
			if _, err := readAll(t, s, bc); !errorsIs(err, ErrNotFound) {
				t.Fatalf("collected content: %v", err)
			}
			if res, err := s.GC(ctx, noGrace); err != nil || res.Removed != 0 {
				t.Fatalf("second gc: %+v %v", res, err)
			}
		})
	}
}

func TestLifecycleLabelsAndVerifiedPin(t *testing.T) {
	ctx := context.Background()
	s, _ := NewMemory(ProfileDefault)
	c, _ := s.Add(ctx, bytes.NewReader(vectorData("seeded", 300_000)))
	if err := s.Pin(ctx, c, PinSeed, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Unpin(ctx, c, PinUser); err != nil {
		t.Fatal(err)
	}
	// Still pinned as a seed: content unpin does not drop what this node announces.
	if res, _ := s.GC(ctx, noGrace); res.Removed != 0 {
		t.Fatalf("seed-pinned content collected: %+v", res)
	}
	if err := s.Unpin(ctx, c, PinUser); !errorsIs(err, ErrNotPinned) {
		t.Fatalf("unpin of a label it lacks: %v", err)
	}
	if err := s.Unpin(ctx, c, PinSeed); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.GC(ctx, noGrace); res.Removed != 3 { // root + 2 leaves
		t.Fatalf("after withdraw: %+v", res)
	}
	// A verified pin of an incomplete DAG fails; an unverified one of a
	// missing root too.
	d, _ := NewMemory(ProfileDefault)
	fc, _ := d.Add(ctx, bytes.NewReader(vectorData("partial", 600_000)))
	root, _ := d.GetBlock(ctx, fc)
	part, _ := NewMemory(ProfileDefault)
	_ = part.PutBlock(ctx, root)
	if err := part.Pin(ctx, fc, PinUser, true); !errorsIs(err, ErrNotFound) {
		t.Fatalf("verified pin of a partial DAG: %v", err)
	}
	if err := part.Pin(ctx, RawCID([]byte("absent")), PinUser, false); !errorsIs(err, ErrNotFound) {
		t.Fatalf("pin of an absent root: %v", err)
	}
}

// writeCAR writes a CAR with the given root and blocks.
func writeCAR(t *testing.T, roots []cid.Cid, bs ...blocks.Block) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	w, err := carstorage.NewWritable(&buf, roots, carv2.WriteAsCarV1(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if err := w.Put(context.Background(), b.Cid().KeyString(), b.RawData()); err != nil {
			t.Fatal(err)
		}
	}
	return &buf
}

// TestLifecycleCompaction: a pack mostly garbage is rewritten with its live
// blocks only; a pack mostly live keeps its garbage; a second store
// instance over the same folder (the node's gateway while the CLI runs
// gc) keeps reading.
func TestLifecycleCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := OpenDisk(dir, ProfileDefault, DiskOptions{NoSync: true})
	reader, _ := OpenDisk(dir, ProfileDefault, DiskOptions{NoSync: true})
	small := RawBlock(vectorData("small-live", 10_000))
	big1, big2 := RawBlock(vectorData("garbage-1", 500_000)), RawBlock(vectorData("garbage-2", 500_000))
	if _, err := ImportCAR(ctx, s, writeCAR(t, []cid.Cid{small.Cid()}, small, big1, big2)); err != nil {
		t.Fatal(err)
	}
	liveBig := RawBlock(vectorData("big-live", 900_000))
	tiny := RawBlock(vectorData("tiny-garbage", 1000))
	if _, err := ImportCAR(ctx, s, writeCAR(t, []cid.Cid{liveBig.Cid()}, liveBig, tiny)); err != nil {
		t.Fatal(err)
	}
	if b, err := reader.GetBlock(ctx, small.Cid()); err != nil || !bytes.Equal(b.RawData(), small.RawData()) {
		t.Fatalf("reader before gc: %v", err)
	}
	res, err := s.GC(ctx, noGrace)
	if err != nil {
		t.Fatal(err)
	}
	if res.PacksCompacted != 1 || res.PacksDeleted != 0 || res.Removed != 2 || res.KeptGarbageBytes != 1000 || res.FreedBytes < 1_000_000 {
		t.Fatalf("gc: %+v", res)
	}
	for _, st := range []Store{s, reader} {
		if b, err := st.GetBlock(ctx, small.Cid()); err != nil || !bytes.Equal(b.RawData(), small.RawData()) {
			t.Fatalf("live block after compaction: %v", err)
		}
		if _, err := st.GetBlock(ctx, big1.Cid()); !errorsIs(err, ErrNotFound) {
			t.Fatalf("garbage after compaction: %v", err)
		}
		if _, err := st.GetBlock(ctx, tiny.Cid()); err != nil {
			t.Fatalf("garbage of a mostly-live pack is kept: %v", err)
		}
	}
	// Once the big block is unpinned, its pack is all garbage: deleted.
	if err := s.Unpin(ctx, liveBig.Cid(), PinUser); err != nil {
		t.Fatal(err)
	}
	if res, err := s.GC(ctx, noGrace); err != nil || res.PacksDeleted != 1 || res.Removed != 2 {
		t.Fatalf("second gc: %+v %v", res, err)
	}
}

func TestLifecycleQuota(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault, DiskOptions{NoSync: true, MaxBytes: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Add(ctx, bytes.NewReader(vectorData("q1", 600_000)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, bytes.NewReader(vectorData("q2", 600_000))); !errorsIs(err, ErrQuota) {
		t.Fatalf("add over the quota: %v", err)
	}
	if _, err := ImportCAR(ctx, s, writeCAR(t, nil, RawBlock(vectorData("q3", 500_000)))); !errorsIs(err, ErrQuota) {
		t.Fatalf("import over the quota: %v", err)
	}
	_ = s.Unpin(ctx, a, PinUser)
	if _, err := s.GC(ctx, noGrace); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, bytes.NewReader(vectorData("q2", 600_000))); err != nil {
		t.Fatalf("add after gc: %v", err)
	}
	if _, err := OpenDisk(t.TempDir(), ProfileDefault, DiskOptions{Layout: LayoutFlat, MaxBytes: 1}); !errorsIs(err, ErrUnsupported) {
		t.Fatalf("quota on the flat layout: %v", err)
	}
}
