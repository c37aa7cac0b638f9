package content

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/ipfs/go-cid"
)

// exportFixture stores a multi-block file and the vector folder and exports
// both with a manifest.
func exportFixture(t *testing.T) (src Store, file, dir cid.Cid, manifest []byte, car []byte, res ExportResult) {
	t.Helper()
	ctx := context.Background()
	src, err := OpenDisk(t.TempDir(), ProfileDefault, DiskOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	file, err = src.Add(ctx, bytes.NewReader(vectorData("car-file", 700000)))
	if err != nil {
		t.Fatal(err)
	}
	dir, err = src.AddPath(ctx, writeVectorDir(t))
	if err != nil {
		t.Fatal(err)
	}
	manifest = []byte(`{"lens":"L-1","height":42}`)
	var buf bytes.Buffer
	// The file is listed twice: blocks are written once.
	res, err = ExportCAR(ctx, src, &buf, []cid.Cid{file, dir, file}, ExportOptions{Manifest: manifest})
	if err != nil {
		t.Fatal(err)
	}
	return src, file, dir, manifest, buf.Bytes(), res
}

func TestCARRoundTrip(t *testing.T) {
	ctx := context.Background()
	_, file, dir, manifest, car, res := exportFixture(t)
	// file: 3 leaves + root; dir: root, a.txt, sub, b.bin root + 2 leaves, empty; manifest.
	if res.Blocks != 1+4+7 || res.Missing != 0 {
		t.Fatalf("export wrote %d blocks (%d missing), want 12", res.Blocks, res.Missing)
	}
	if !res.Manifest.Equals(RawCID(manifest)) || !res.Roots[0].Equals(res.Manifest) || len(res.Roots) != 4 {
		t.Fatalf("roots %v, manifest %s", res.Roots, res.Manifest)
	}
	dst, _ := NewMemory(ProfileDefault)
	imp, err := ImportCAR(ctx, dst, bytes.NewReader(car))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Blocks != 12 || len(imp.Roots) != 4 || !imp.Roots[0].Equals(res.Manifest) || !imp.Roots[1].Equals(file) || !imp.Roots[2].Equals(dir) {
		t.Fatalf("import = %+v", imp)
	}
	mb, err := dst.GetBlock(ctx, imp.Roots[0])
	if err != nil || !bytes.Equal(mb.RawData(), manifest) {
		t.Fatalf("manifest block = %v, %v", mb, err)
	}
	f, err := dst.Get(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, vectorData("car-file", 700000)) {
		t.Fatal("file differs after CAR round trip")
	}
	bc, err := dst.Resolve(ctx, dir, "sub/b.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Get(ctx, bc); err != nil {
		t.Fatal(err)
	}
	// Exporting again from the imported store gives identical bytes.
	var again bytes.Buffer
	if _, err := ExportCAR(ctx, dst, &again, []cid.Cid{file, dir, file}, ExportOptions{Manifest: manifest}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), car) {
		t.Fatal("re-export differs: export is not deterministic")
	}
}

func TestCARTamperedBlock(t *testing.T) {
	ctx := context.Background()
	_, _, _, manifest, car, _ := exportFixture(t)
	// Flip a byte inside the manifest's bytes (a block body, not a CID).
	i := bytes.Index(car, manifest)
	if i < 0 {
		t.Fatal("manifest bytes not in CAR")
	}
	bad := bytes.Clone(car)
	bad[i+3] ^= 0x01
	dst, _ := NewMemory(ProfileDefault)
	if _, err := ImportCAR(ctx, dst, bytes.NewReader(bad)); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("import of tampered CAR = %v, want ErrCorrupt", err)
	}
	if ok, _ := dst.Has(ctx, RawCID(manifest)); ok {
		t.Fatal("tampered block was stored")
	}
	// Flip a byte in the last section (the empty file's CID): the bytes no
	// longer hash to the CID the section claims.
	bad = bytes.Clone(car)
	bad[len(bad)-10] ^= 0x80
	if _, err := ImportCAR(ctx, dst, bytes.NewReader(bad)); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("import of tampered leaf = %v, want ErrCorrupt", err)
	}
}

func TestCARMalformed(t *testing.T) {
	ctx := context.Background()
	_, _, _, _, car, _ := exportFixture(t)
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"garbage", []byte("not a car file at all")},
		{"header only truncated", car[:10]},
		{"truncated block", car[:len(car)-100]},
	} {
		dst, _ := NewMemory(ProfileDefault)
		if _, err := ImportCAR(ctx, dst, bytes.NewReader(tc.in)); !errorsIs(err, ErrBadCAR) {
			t.Errorf("%s: err = %v, want ErrBadCAR", tc.name, err)
		}
	}
}

func TestCARExportMissing(t *testing.T) {
	ctx := context.Background()
	s, _ := NewMemory(ProfileDefault)
	have := RawBlock([]byte("present"))
	if err := s.PutBlock(ctx, have); err != nil {
		t.Fatal(err)
	}
	absent := RawCID([]byte("absent"))
	var buf bytes.Buffer
	res, err := ExportCAR(ctx, s, &buf, []cid.Cid{have.Cid(), absent}, ExportOptions{})
	if err != nil || res.Blocks != 1 || res.Missing != 1 {
		t.Fatalf("partial export = %+v, %v", res, err)
	}
	if _, err := ExportCAR(ctx, s, io.Discard, []cid.Cid{absent}, ExportOptions{RequireComplete: true}); !errorsIs(err, ErrNotFound) {
		t.Fatalf("complete export of missing = %v, want ErrNotFound", err)
	}
	if _, err := ExportCAR(ctx, s, io.Discard, nil, ExportOptions{}); !errorsIs(err, ErrInvalidCID) {
		t.Fatalf("export without roots = %v, want ErrInvalidCID", err)
	}
}
