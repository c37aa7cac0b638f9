package content

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfs/boxo/blockstore"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
	mh "github.com/multiformats/go-multihash"
)

// DiskOptions tunes the embedded store.
type DiskOptions struct {
	// NoSync skips every fsync (of pack or block files and their folders).
	// Faster, but a crash may lose recently added blocks (never corrupt
	// them unnoticed: reads verify).
	NoSync bool
	// Layout is the on-disk layout a NEW store gets (LayoutAuto or "": the
	// default, DefaultLayout). A folder that already holds a store is
	// always opened in the layout it has, whatever Layout says.
	Layout Layout
	// MaxBytes, when > 0, is the quota: a write that would take the pack
	// files over it fails with ErrQuota (pack layout only).
	MaxBytes int64
}

// Layout names an on-disk layout of the embedded store.
type Layout string

const (
	// LayoutAuto: the layout the folder has, else DefaultLayout.
	LayoutAuto Layout = ""
	// LayoutFlat: one file per block, dir/blocks/XX/KEY.data (kubo's
	// flatfs next-to-last/2).
	LayoutFlat Layout = "flat"
	// LayoutPack: append-only pack files, dir/packs/pack-*.pack, one per
	// write batch, each with its own index (store_pack.go).
	LayoutPack Layout = "pack"
)

// DefaultLayout is the layout of new embedded stores.
const DefaultLayout = LayoutPack

// ParseLayout maps a configuration value ("", "auto", "flat", "pack") to a
// Layout; anything else is ErrUnsupported.
func ParseLayout(s string) (Layout, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return LayoutAuto, nil
	case "flat":
		return LayoutFlat, nil
	case "pack":
		return LayoutPack, nil
	}
	return "", fmt.Errorf("content store layout %q: %w", s, ErrUnsupported)
}

// DetectLayout reports the layout of the store in dir: LayoutPack if
// dir/packs exists, else LayoutFlat if dir/blocks exists, else LayoutAuto
// (no store yet). A pack store that also has dir/blocks (an older binary
// opened it) reads blocks from both.
func DetectLayout(dir string) (Layout, error) {
	for _, l := range []struct {
		sub    string
		layout Layout
	}{{packDirName, LayoutPack}, {"blocks", LayoutFlat}} {
		ok, err := isDir(filepath.Join(dir, l.sub))
		if err != nil {
			return LayoutAuto, fmt.Errorf("content store %s: %w", dir, err)
		}
		if ok {
			return l.layout, nil
		}
	}
	return LayoutAuto, nil
}

func isDir(p string) (bool, error) {
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}

// OpenDisk opens (creating if needed) the embedded on-disk store under dir,
// in the layout the folder already has (DetectLayout); a new store gets
// opts' Layout, else DefaultLayout. Flat: blocks live in
// dir/blocks/<XX>/<KEY>.data, where KEY is the RFC 4648 base32 (upper case,
// unpadded) of the block's multihash and XX the two characters before its
// last one — kubo's flatfs "next-to-last/2" layout. Pack: dir/packs/, see
// spec/content.md §3.
func OpenDisk(dir string, p Profile, opts ...DiskOptions) (Store, error) {
	var o DiskOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if dir == "" {
		return nil, fmt.Errorf("content store: empty directory")
	}
	layout, err := DetectLayout(dir)
	if err != nil {
		return nil, err
	}
	if layout == LayoutAuto {
		layout = o.Layout
	}
	if layout == LayoutAuto {
		layout = DefaultLayout
	}
	var bs blockstore.Blockstore
	switch layout {
	case LayoutFlat:
		if o.MaxBytes > 0 {
			return nil, fmt.Errorf("content store %s: a size quota needs the pack layout: %w", dir, ErrUnsupported)
		}
		bs, err = newDiskBlockstore(dir, o)
	case LayoutPack:
		bs, err = newPackBlockstore(dir, o)
	default:
		return nil, fmt.Errorf("content store layout %q: %w", layout, ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	s, err := newDAGStore(bs, p)
	if err != nil {
		return nil, err
	}
	s.pins = filePins{dir: filepath.Join(dir, pinDirName)}
	switch b := bs.(type) {
	case *diskBlockstore:
		s.sweep = s.sweepBlocks(b.modTime)
	case *packBlockstore:
		s.sweep = b.sweep
	}
	return s, nil
}

// pinDirName is the folder of pin files inside an embedded store.
const pinDirName = "pins"

// modTime reports a block file's modification time and size.
func (d *diskBlockstore) modTime(c cid.Cid) (time.Time, int64, bool) {
	_, file := d.paths(c)
	fi, err := os.Stat(file)
	if err != nil {
		return time.Time{}, 0, false
	}
	return fi.ModTime(), fi.Size(), true
}

const blockSuffix = ".data"

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// diskBlockstore is a flat-file blockstore keyed by multihash, like kubo's
// flatfs. It implements boxo's blockstore.Blockstore.
type diskBlockstore struct {
	root string // dir/blocks
	sync bool
}

func newDiskBlockstore(dir string, o DiskOptions) (*diskBlockstore, error) {
	if dir == "" {
		return nil, fmt.Errorf("content store: empty directory")
	}
	root := filepath.Join(dir, "blocks")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("content store %s: %w", dir, err)
	}
	return &diskBlockstore{root: root, sync: !o.NoSync}, nil
}

func (d *diskBlockstore) paths(c cid.Cid) (dir, file string) {
	return d.pathsKey(keyEncoding.EncodeToString(c.Hash()))
}

func (d *diskBlockstore) pathsKey(key string) (dir, file string) {
	shard := key[len(key)-3 : len(key)-1]
	dir = filepath.Join(d.root, shard)
	return dir, filepath.Join(dir, key+blockSuffix)
}

func (d *diskBlockstore) Has(_ context.Context, c cid.Cid) (bool, error) {
	_, p := d.paths(c)
	_, err := os.Stat(p)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}

func (d *diskBlockstore) Get(_ context.Context, c cid.Cid) (blocks.Block, error) {
	_, p := d.paths(c)
	data, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrNotFound, ipld.ErrNotFound{Cid: c})
		}
		return nil, err
	}
	// Verified by verifyingBlockstore; NewBlockWithCid does not re-hash.
	return blocks.NewBlockWithCid(data, c)
}

func (d *diskBlockstore) GetSize(_ context.Context, c cid.Cid) (int, error) {
	_, p := d.paths(c)
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return -1, fmt.Errorf("%w: %w", ErrNotFound, ipld.ErrNotFound{Cid: c})
		}
		return -1, err
	}
	return int(fi.Size()), nil
}

func (d *diskBlockstore) Put(_ context.Context, b blocks.Block) error {
	dir, p := d.paths(b.Cid())
	if _, err := os.Stat(p); err == nil {
		return nil // content addressed: already there
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(b.RawData()); err != nil {
		return err
	}
	if d.sync {
		if err := tmp.Sync(); err != nil {
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, p); err != nil {
		return err
	}
	ok = true
	if d.sync {
		if f, err := os.Open(dir); err == nil {
			err = f.Sync()
			f.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *diskBlockstore) PutMany(ctx context.Context, bs []blocks.Block) error {
	for _, b := range bs {
		if err := d.Put(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

func (d *diskBlockstore) DeleteBlock(_ context.Context, c cid.Cid) error {
	_, p := d.paths(c)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// AllKeysChan lists stored blocks as CIDv1 raw (the codec is not kept, as in
// kubo).
func (d *diskBlockstore) AllKeysChan(ctx context.Context) (<-chan cid.Cid, error) {
	ch := make(chan cid.Cid, 64)
	go func() {
		defer close(ch)
		_ = filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(e.Name(), blockSuffix) {
				return nil
			}
			raw, derr := keyEncoding.DecodeString(strings.TrimSuffix(e.Name(), blockSuffix))
			if derr != nil {
				return nil
			}
			h, derr := mh.Cast(raw)
			if derr != nil {
				return nil
			}
			select {
			case ch <- cid.NewCidV1(cid.Raw, h):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return ch, nil
}
