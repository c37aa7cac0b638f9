package content

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
)

// packFiles lists the committed pack files of a pack store.
func packFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, packDirName, packNamePrefix+"*"+packSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func packTemps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, packDirName, tempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseLayout(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Layout
		wantErr bool
	}{
		{"", LayoutAuto, false},
		{"auto", LayoutAuto, false},
		{"flat", LayoutFlat, false},
		{" Pack ", LayoutPack, false},
		{"pebble", "", true},
	} {
		got, err := ParseLayout(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseLayout(%q) = %q, %v", tc.in, got, err)
		}
		if tc.wantErr && !errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseLayout(%q): %v is not ErrUnsupported", tc.in, err)
		}
	}
	if _, err := Open(Config{Dir: t.TempDir(), Layout: "nope"}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Open with a bad layout: %v", err)
	}
}

// A new store gets packs: one Add is one pack file, no per-block files, no
// leftovers; it reads back after reopening, and damage is ErrCorrupt.
func TestPackStoreAddIsOnePack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := DetectLayout(dir); l != LayoutPack {
		t.Fatalf("new store layout %q, want pack", l)
	}
	data := vectorData("pack", 3*262144+5) // 4 leaves + root
	c, err := s.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(packFiles(t, dir)); n != 1 {
		t.Fatalf("%d packs after one Add, want 1", n)
	}
	if n := len(packTemps(t, dir)); n != 0 {
		t.Fatalf("%d temporary files left", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "blocks")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pack store has a blocks/ folder: %v", err)
	}
	// Adding the same bytes again stores nothing new.
	if c2, err := s.Add(ctx, bytes.NewReader(data)); err != nil || !c2.Equals(c) {
		t.Fatalf("re-add: %s, %v", c2, err)
	}
	if n := len(packFiles(t, dir)); n != 1 {
		t.Fatalf("%d packs after a repeated Add, want 1", n)
	}
	s2, err := OpenDisk(dir, ProfileDefault, DiskOptions{Layout: LayoutFlat}) // existing layout wins
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.(*dagStore).raw.(*packBlockstore); !ok {
		t.Fatal("reopened pack store is not a pack store")
	}
	f, err := s2.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back after reopen: %v, equal=%v", err, bytes.Equal(got, data))
	}
	keys, err := s2.(*dagStore).raw.AllKeysChan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range keys {
		n++
	}
	if n != 5 {
		t.Fatalf("AllKeysChan listed %d blocks, want 5", n)
	}
	// Flip a byte in the middle of the pack (inside a leaf).
	p := packFiles(t, dir)[0]
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s3, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	f, err = s3.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("read of a tampered pack: %v, want ErrCorrupt", err)
	}
}

// Existing flat stores keep their layout, whatever the options say.
func TestFlatStoreStaysFlat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, Layout: "flat"})
	if err != nil {
		t.Fatal(err)
	}
	data := vectorData("flat", 2*262144)
	c, err := s.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []DiskOptions{{}, {Layout: LayoutPack}} {
		s2, err := OpenDisk(dir, ProfileDefault, o)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s2.(*dagStore).raw.(*diskBlockstore); !ok {
			t.Fatalf("flat store reopened with %+v is not flat", o)
		}
		f, err := s2.Get(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("flat read back: %v", err)
		}
		if _, err := s2.Add(ctx, strings.NewReader("more")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, packDirName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("flat store gained a packs/ folder: %v", err)
	}
	if n := len(blockFiles(t, dir)); n != 4 { // 2 leaves + root + "more"
		t.Fatalf("%d block files, want 4", n)
	}
}

// Two stores on one folder (two processes: a gateway reading, a CLI
// adding) see each other's packs without a lock: a miss rescans.
func TestPackStoreSharedFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reader, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	writer, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	data := vectorData("shared", 262144+7)
	c, err := writer.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := reader.Has(ctx, c); err != nil || !ok {
		t.Fatalf("reader Has after writer Add: %v, %v", ok, err)
	}
	f, err := reader.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("reader read: %v", err)
	}
	if _, err := reader.GetBlock(ctx, RawCID([]byte("never stored"))); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing block: %v, want ErrNotFound", err)
	}

	// Concurrent adds from both, reads from both.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i, s := range []Store{reader, writer, reader, writer} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := vectorData("concurrent"+string(rune('a'+i)), 2*262144+int(i))
			c, err := s.Add(ctx, bytes.NewReader(d))
			if err != nil {
				errs <- err
				return
			}
			other := []Store{writer, reader}[i%2]
			f, err := other.Get(ctx, c)
			if err != nil {
				errs <- err
				return
			}
			if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, d) {
				errs <- errors.New("concurrent read back differs")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(packFiles(t, dir)); n != 5 {
		t.Fatalf("%d packs, want 5", n)
	}
}

// A failed add leaves no pack and no temporary file; an uncommitted batch
// is invisible and RemoveTempFiles clears it; PutBlock verifies and makes
// one small pack.
func TestPackStoreFailuresAndPutBlock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(vectorData("fail", 5*262144+3)), iotest.ErrReader(boom))
	if _, err := s.Add(ctx, r); !errors.Is(err, boom) {
		t.Fatalf("Add error %v, want %v", err, boom)
	}
	if n, m := len(packFiles(t, dir)), len(packTemps(t, dir)); n != 0 || m != 0 {
		t.Fatalf("after a failed add: %d packs, %d temporary files", n, m)
	}

	p := s.(*dagStore).raw.(*packBlockstore)
	a := RawBlock([]byte("block a"))
	crashed := p.newBatch()
	if err := crashed.put(ctx, a); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Has(ctx, a.Cid()); ok {
		t.Fatal("uncommitted block visible")
	}
	if blk, ok, err := crashed.get(a.Cid()); err != nil || !ok || !bytes.Equal(blk.RawData(), a.RawData()) {
		t.Fatalf("batch get: %v %v", ok, err)
	}
	// "Crash": the batch is dropped without commit or abort.
	if n, err := RemoveTempFiles(dir); err != nil || n != 1 {
		t.Fatalf("RemoveTempFiles = %d, %v", n, err)
	}

	bad, err := blocks.NewBlockWithCid([]byte("forged"), a.Cid())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutBlock(ctx, bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("PutBlock of forged bytes: %v, want ErrCorrupt", err)
	}
	for range 2 {
		if err := s.PutBlock(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(packFiles(t, dir)); n != 1 {
		t.Fatalf("%d packs after PutBlock twice, want 1", n)
	}
	if got, err := s.GetBlock(ctx, a.Cid()); err != nil || !bytes.Equal(got.RawData(), a.RawData()) {
		t.Fatalf("GetBlock: %v", err)
	}
	if err := p.DeleteBlock(ctx, a.Cid()); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("DeleteBlock: %v", err)
	}
}

// A malformed pack (torn by a crash without fsync, or garbage) is skipped;
// every truncation of a valid pack is refused without a panic.
func TestPackIndexMalformed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	a, b := RawBlock([]byte("first")), RawBlock([]byte("second"))
	if err := s.PutBlock(ctx, a); err != nil {
		t.Fatal(err)
	}
	good := packFiles(t, dir)[0]
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readPackIndex(good); err != nil {
		t.Fatalf("valid pack: %v", err)
	}
	tmp := filepath.Join(t.TempDir(), "x.pack")
	for n := range len(raw) {
		if err := os.WriteFile(tmp, raw[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readPackIndex(tmp); err == nil {
			t.Fatalf("pack truncated to %d bytes accepted", n)
		}
	}
	for i := range len(raw) {
		c := bytes.Clone(raw)
		c[i] ^= 0x01
		if err := os.WriteFile(tmp, c, 0o644); err != nil {
			t.Fatal(err)
		}
		locs, err := readPackIndex(tmp) // block bytes may change (reads verify), the index may not
		if err == nil && i >= len(raw)-packTrailerSize-20 {
			t.Fatalf("flipped index/trailer byte %d accepted: %v", i, locs)
		}
	}
	garbage := filepath.Join(dir, packDirName, packNamePrefix+"garbage"+packSuffix)
	if err := os.WriteFile(garbage, raw[:len(raw)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBlock(ctx, b); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range []blocks.Block{a, b} {
		if got, err := s2.GetBlock(ctx, blk.Cid()); err != nil || !bytes.Equal(got.RawData(), blk.RawData()) {
			t.Fatalf("GetBlock %s beside a malformed pack: %v", blk.Cid(), err)
		}
	}
}

// ImportCAR into a pack store writes one pack.
func TestPackStoreImportCAR(t *testing.T) {
	ctx := context.Background()
	src, err := OpenDisk(t.TempDir(), ProfileDefault, DiskOptions{NoSync: true, Layout: LayoutFlat})
	if err != nil {
		t.Fatal(err)
	}
	data := vectorData("car-pack", 3*262144)
	c, err := src.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var car bytes.Buffer
	if _, err := ExportCAR(ctx, src, &car, []cid.Cid{c}, ExportOptions{RequireComplete: true}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ImportCAR(ctx, dst, &car)
	if err != nil || res.Blocks != 4 {
		t.Fatalf("ImportCAR: %+v, %v", res, err)
	}
	if n := len(packFiles(t, dir)); n != 1 {
		t.Fatalf("%d packs after ImportCAR, want 1", n)
	}
	f, err := dst.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read imported: %v", err)
	}
}

// A pack store whose folder also has blocks/ (an older binary wrote flat
// blocks into it) reads both; new writes go to packs.
func TestPackStoreReadsFlatBeside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	inPack := vectorData("in-pack", 262144+1)
	cp, err := s.Add(ctx, bytes.NewReader(inPack))
	if err != nil {
		t.Fatal(err)
	}
	old, err := newDiskBlockstore(dir, DiskOptions{}) // the older binary
	if err != nil {
		t.Fatal(err)
	}
	oldStore, err := newDAGStore(old, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	inFlat := vectorData("in-flat", 2*262144+1)
	cf, err := oldStore.Add(ctx, bytes.NewReader(inFlat))
	if err != nil {
		t.Fatal(err)
	}
	if l, err := DetectLayout(dir); err != nil || l != LayoutPack {
		t.Fatalf("DetectLayout = %q, %v; want pack", l, err)
	}
	s2, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    cid.Cid
		want []byte
	}{{cp, inPack}, {cf, inFlat}} {
		if ok, err := s2.Has(ctx, tc.c); err != nil || !ok {
			t.Fatalf("Has %s: %v %v", tc.c, ok, err)
		}
		f, err := s2.Get(ctx, tc.c)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, tc.want) {
			t.Fatalf("read %s: %v", tc.c, err)
		}
	}
	flatBefore := len(blockFiles(t, dir))
	if _, err := s2.Add(ctx, strings.NewReader("new bytes")); err != nil {
		t.Fatal(err)
	}
	if n := len(blockFiles(t, dir)); n != flatBefore {
		t.Fatalf("write went to blocks/: %d files, had %d", n, flatBefore)
	}
	if n := len(packFiles(t, dir)); n != 2 {
		t.Fatalf("%d packs, want 2", n)
	}
}
