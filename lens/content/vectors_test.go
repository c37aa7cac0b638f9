package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// kuboVectors is /work/shared/testdata/kubo-cids.json: CIDs kubo v0.42.0
// printed. A copy lives in testdata/ so the test does not depend on the
// shared folder.
type kuboVectors struct {
	Files []struct {
		Seed        string `json:"seed"`
		Size        int    `json:"size"`
		SHA256      string `json:"sha256"`
		CIDDefault  string `json:"cid_v1_default"`
		CID1MiB1024 string `json:"cid_v1_1mib_1024links"`
	} `json:"files"`
	Directory struct {
		CID string `json:"cid"`
	} `json:"directory"`
}

func loadVectors(t testing.TB) kuboVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "kubo-cids.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v kuboVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Files) == 0 || v.Directory.CID == "" {
		t.Fatal("no vectors")
	}
	return v
}

// vectorData returns size bytes of SHA-256(seed || uint64_be(counter)) for
// counter = 0, 1, 2, ...
func vectorData(seed string, size int) []byte {
	out := make([]byte, 0, size+sha256.Size)
	msg := make([]byte, len(seed)+8)
	copy(msg, seed)
	for counter := uint64(0); len(out) < size; counter++ {
		binary.BigEndian.PutUint64(msg[len(seed):], counter)
		sum := sha256.Sum256(msg)
		out = append(out, sum[:]...)
	}
	return out[:size]
}

// TestKuboVectors adds every vector file to a disk store under both
// profiles and both layouts, compares the CID with kubo's, and reads the bytes back.
func TestKuboVectors(t *testing.T) {
	v := loadVectors(t)
	ctx := context.Background()
	for _, f := range v.Files {
		if testing.Short() && f.Size > 10<<20 {
			t.Logf("skipping %d-byte vector in -short mode", f.Size)
			continue
		}
		data := vectorData(f.Seed, f.Size)
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			t.Fatalf("size %d: sha256 %s, want %s (generator differs from the vector's)", f.Size, got, f.SHA256)
		}
		for _, tc := range []struct {
			p      Profile
			want   string
			layout Layout
		}{
			{ProfileDefault, f.CIDDefault, LayoutPack}, {Profile1MiB, f.CID1MiB1024, LayoutPack},
			{ProfileDefault, f.CIDDefault, LayoutFlat}, {Profile1MiB, f.CID1MiB1024, LayoutFlat},
		} {
			s, err := OpenDisk(t.TempDir(), tc.p, DiskOptions{NoSync: true, Layout: tc.layout})
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.Add(ctx, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("size %d %s: add: %v", f.Size, tc.p, err)
			}
			if c.String() != tc.want {
				t.Errorf("size %d profile %s: CID %s, kubo printed %s", f.Size, tc.p, c, tc.want)
			}
			oc, err := ComputeCID(ctx, bytes.NewReader(data), tc.p)
			if err != nil || !oc.Equals(c) {
				t.Errorf("size %d profile %s: ComputeCID %s (%v), Add %s", f.Size, tc.p, oc, err, c)
			}
			r, err := s.Get(ctx, c)
			if err != nil {
				t.Fatalf("size %d %s: get: %v", f.Size, tc.p, err)
			}
			if r.Size() != int64(f.Size) {
				t.Errorf("size %d: Size() = %d", f.Size, r.Size())
			}
			h := sha256.New()
			if _, err := io.Copy(h, r); err != nil {
				t.Fatalf("size %d: read: %v", f.Size, err)
			}
			r.Close()
			if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
				t.Errorf("size %d %s: read back sha256 %s, want %s", f.Size, tc.p, got, f.SHA256)
			}
		}
	}
}

// writeVectorDir builds the folder of the directory vector:
// a.txt (seed dir-a, 1000 bytes), sub/b.bin (seed dir-b, 300000 bytes),
// sub/empty (0 bytes).
func writeVectorDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "d")
	if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"a.txt":     vectorData("dir-a", 1000),
		"sub/b.bin": vectorData("dir-b", 300000),
		"sub/empty": {},
	} {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestKuboDirectoryVector(t *testing.T) {
	v := loadVectors(t)
	ctx := context.Background()
	d := writeVectorDir(t)
	// A hidden file must be skipped, as `ipfs add -r` does by default.
	if err := os.WriteFile(filepath.Join(d, ".hidden"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenDisk(t.TempDir(), ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.AddPath(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != v.Directory.CID {
		t.Fatalf("directory CID %s, kubo printed %s", c, v.Directory.CID)
	}
	oc, err := ComputePathCID(ctx, d, ProfileDefault)
	if err != nil || !oc.Equals(c) {
		t.Fatalf("ComputePathCID = %s, %v; want %s", oc, err, c)
	}
	if _, err := s.Get(ctx, c); !errorsIs(err, ErrIsDirectory) {
		t.Fatalf("Get(dir) error = %v, want ErrIsDirectory", err)
	}
	ents, err := s.List(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 || ents[0].Name != "a.txt" || ents[1].Name != "sub" {
		t.Fatalf("List = %+v", ents)
	}
	bc, err := s.Resolve(ctx, c, "sub/b.bin")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, bc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, vectorData("dir-b", 300000)) {
		t.Fatal("sub/b.bin read back differs")
	}
	if _, err := s.Resolve(ctx, c, "sub/nope"); !errorsIs(err, ErrNotFound) {
		t.Fatalf("Resolve(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Resolve(ctx, c, "a.txt/x"); !errorsIs(err, ErrNotFound) {
		t.Fatalf("Resolve(through file) error = %v, want ErrNotFound", err)
	}
}
