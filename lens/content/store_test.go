package content

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
)

func TestParseProfile(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Profile
		wantErr bool
	}{
		{"", ProfileDefault, false},
		{"default", ProfileDefault, false},
		{"1MiB", Profile1MiB, false},
		{"1mib", Profile1MiB, false},
		{"trickle", Profile{}, true},
	} {
		got, err := ParseProfile(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseProfile(%q) = %v, %v", tc.in, got, err)
		}
		if tc.wantErr && !errorsIs(err, ErrUnknownProfile) {
			t.Errorf("ParseProfile(%q) error %v is not ErrUnknownProfile", tc.in, err)
		}
	}
}

// blockFiles lists the block files of a disk store.
func blockFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, "blocks"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, blockSuffix) {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDiskStoreDetectsCorruptionOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDisk(dir, ProfileDefault, DiskOptions{Layout: LayoutFlat})
	if err != nil {
		t.Fatal(err)
	}
	data := vectorData("corrupt", 3*262144+5) // 4 leaves + root
	c, err := s.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	files := blockFiles(t, dir)
	if len(files) != 5 {
		t.Fatalf("%d block files, want 5", len(files))
	}
	// Reopen (persistence) and read back intact.
	s2, err := OpenDisk(dir, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s2.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back after reopen: %v, equal=%v", err, bytes.Equal(got, data))
	}
	// Flip one byte in every leaf file (not the root): reading must fail
	// with ErrCorrupt, not return wrong bytes.
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 {
			continue // the root node
		}
		b[len(b)/2] ^= 0xff
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err = s2.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("read of tampered leaves: %v, want ErrCorrupt", err)
	}
	// A seek past the first leaf still verifies the leaf it lands in.
	f, _ = s2.Get(ctx, c)
	if _, err := f.Seek(2*262144+10, io.SeekStart); err != nil && !errorsIs(err, ErrCorrupt) {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("read after seek: %v, want ErrCorrupt", err)
	}
}

func TestStoreBlocksAndErrors(t *testing.T) {
	ctx := context.Background()
	disk, err := OpenDisk(t.TempDir(), ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := NewMemory(ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Store{"disk": disk, "memory": mem} {
		t.Run(name, func(t *testing.T) {
			good := RawBlock([]byte("hello lens"))
			if err := s.PutBlock(ctx, good); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.Has(ctx, good.Cid()); err != nil || !ok {
				t.Fatalf("Has = %v, %v", ok, err)
			}
			b, err := s.GetBlock(ctx, good.Cid())
			if err != nil || !bytes.Equal(b.RawData(), good.RawData()) {
				t.Fatalf("GetBlock = %v, %v", b, err)
			}
			// A block whose bytes do not match its CID is refused.
			forged, _ := blocks.NewBlockWithCid([]byte("other bytes"), good.Cid())
			if err := s.PutBlock(ctx, forged); !errorsIs(err, ErrCorrupt) {
				t.Fatalf("PutBlock(forged) = %v, want ErrCorrupt", err)
			}
			missing := RawCID([]byte("never stored"))
			if ok, err := s.Has(ctx, missing); err != nil || ok {
				t.Fatalf("Has(missing) = %v, %v", ok, err)
			}
			if _, err := s.GetBlock(ctx, missing); !errorsIs(err, ErrNotFound) {
				t.Fatalf("GetBlock(missing) = %v, want ErrNotFound", err)
			}
			if _, err := s.Get(ctx, missing); !errorsIs(err, ErrNotFound) {
				t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
			}
			if _, err := s.Get(ctx, cid.Undef); !errorsIs(err, ErrInvalidCID) {
				t.Fatalf("Get(undef) = %v, want ErrInvalidCID", err)
			}
			// A raw block is readable as a file.
			f, err := s.Get(ctx, good.Cid())
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(f); string(got) != "hello lens" {
				t.Fatalf("Get(raw) = %q", got)
			}
			big := make([]byte, MaxBlockSize+1)
			if err := s.PutBlock(ctx, RawBlock(big)); !errorsIs(err, ErrTooLarge) {
				t.Fatalf("PutBlock(too large) = %v, want ErrTooLarge", err)
			}
			if _, err := s.List(ctx, good.Cid()); !errorsIs(err, ErrUnsupported) {
				t.Fatalf("List(file) = %v, want ErrUnsupported", err)
			}
		})
	}
}

func TestSeekAndRead(t *testing.T) {
	ctx := context.Background()
	s, err := NewMemory(Profile1MiB)
	if err != nil {
		t.Fatal(err)
	}
	data := vectorData("seek", 3<<20+17)
	c, err := s.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 1, 1<<20 - 1, 1 << 20, 2<<20 + 5, int64(len(data)) - 3} {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		n, err := io.ReadFull(f, buf)
		if err != nil && err != io.ErrUnexpectedEOF {
			t.Fatalf("read at %d: %v", off, err)
		}
		if !bytes.Equal(buf[:n], data[off:off+int64(n)]) {
			t.Fatalf("bytes at %d differ", off)
		}
	}
}

func TestAddPathSymlinkAndCancel(t *testing.T) {
	ctx := context.Background()
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(d, "link")); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	s, _ := NewMemory(ProfileDefault)
	c, err := s.AddPath(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := s.Resolve(ctx, c, "link")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, lc); !errorsIs(err, ErrUnsupported) {
		t.Fatalf("Get(symlink) = %v, want ErrUnsupported", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Add(cctx, bytes.NewReader(make([]byte, 1<<20))); err == nil {
		t.Fatal("Add with cancelled context succeeded")
	}
	if _, err := s.AddPath(ctx, filepath.Join(d, "nope")); err == nil {
		t.Fatal("AddPath(missing) succeeded")
	}
}

func TestOpenConfig(t *testing.T) {
	ctx := context.Background()
	s, err := Open(Config{Dir: t.TempDir(), Profile: "1mib"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Profile() != Profile1MiB {
		t.Fatalf("profile %v", s.Profile())
	}
	c, err := s.Add(ctx, bytes.NewReader(vectorData("riffchain-cid-vector", 1048576)))
	if err != nil || c.String() != "bafkreieddnnonq7hlnep3o4rqderwi7bg7llchadsvp7ybgyzlqp4zxuqm" {
		t.Fatalf("1mib add via Open = %s, %v", c, err)
	}
	if _, err := Open(Config{}); err == nil {
		t.Fatal("Open without dir or API succeeded")
	}
	if _, err := Open(Config{Dir: t.TempDir(), Profile: "huge"}); !errorsIs(err, ErrUnknownProfile) {
		t.Fatalf("bad profile: %v", err)
	}
	k, err := Open(Config{IPFSAPI: "http://127.0.0.1:1", Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.(*dagStore).raw.(*kuboClient); !ok {
		t.Fatal("IPFSAPI did not select the kubo backend")
	}
}

// TestShardedDirectory: a folder big enough to become a HAMT shard still
// resolves, lists, exports and serves.
func TestShardedDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2500 files")
	}
	ctx := context.Background()
	d := t.TempDir()
	long := strings.Repeat("n", 100)
	const n = 2500
	for i := range n {
		name := filepath.Join(d, long+strconv.Itoa(i))
		if err := os.WriteFile(name, []byte(strconv.Itoa(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := NewMemory(ProfileDefault)
	c, err := s.AddPath(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	root, err := s.GetBlock(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(root.RawData()) > 256<<10 {
		t.Fatalf("root block %d bytes: folder was not sharded", len(root.RawData()))
	}
	ents, err := s.List(ctx, c)
	if err != nil || len(ents) != n {
		t.Fatalf("List: %d entries, %v", len(ents), err)
	}
	fc, err := s.Resolve(ctx, c, long+"1234")
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Get(ctx, fc)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(f); string(b) != "1234" {
		t.Fatalf("read %q", b)
	}
	var car bytes.Buffer
	res, err := ExportCAR(ctx, s, &car, []cid.Cid{c}, ExportOptions{RequireComplete: true})
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := NewMemory(ProfileDefault)
	if _, err := ImportCAR(ctx, dst, &car); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Resolve(ctx, c, long+"2499"); err != nil || res.Blocks < n {
		t.Fatalf("after CAR: %v (%d blocks)", err, res.Blocks)
	}
}
