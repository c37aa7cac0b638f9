package content

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
	mh "github.com/multiformats/go-multihash"
)

// The pack layout (spec/content.md §3) keeps blocks in append-only pack
// files under dir/packs/, like git packs: every write batch (one Add,
// AddPath or ImportCAR, or one commit group of a large one; one PutBlock)
// becomes ONE new file
//
//	magic "RIFFPK01"                  8 bytes
//	block bytes, concatenated         (each block once)
//	index: per block uvarint(len(multihash)) multihash uvarint(offset) uvarint(length)
//	trailer: index offset (uint64 BE), block count (uint32 BE),
//	         CRC-32C of the index (uint32 BE), magic "RIFFPKIX"   24 bytes
//
// written under a temporary name ".put-*.pack", fsynced, renamed to
// "pack-<32 random hex>.pack" and the folder fsynced: one durability point
// per batch. Pack files are never modified after the rename, and writers
// only ever create new uniquely named packs, so several processes (a
// node's gateway reading, the CLI adding) share one folder without a lock.
// A store loads every pack's index at open; a lookup that misses rescans
// the folder for packs it has not loaded yet before reporting not found.

const (
	packDirName     = "packs"
	packSuffix      = ".pack"
	packNamePrefix  = "pack-"
	packMagic       = "RIFFPK01"
	packIndexMagic  = "RIFFPKIX"
	packTrailerSize = 24
	// packWritebackEvery: how many bytes a pack batch writes between two
	// write-back hints (Linux sync_file_range), so the final fsync finds
	// little left to write.
	packWritebackEvery = 8 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errPackFormat: a pack file whose trailer or index is malformed (e.g. torn
// by a crash with NoSync). Such a pack is skipped, not fatal.
var errPackFormat = errors.New("malformed pack file")

// packLoc is where one block lives.
type packLoc struct {
	pack   string // file name inside packs/
	off    int64
	length int
}

// packBlockstore implements boxo's blockstore.Blockstore over pack files.
type packBlockstore struct {
	root string // dir/packs
	sync bool
	// maxBytes, when > 0, bounds the pack files' total size (quota).
	maxBytes int64
	// flat, when dir/blocks also exists (an older binary wrote there),
	// serves reads of blocks not in any pack. Writes always go to packs.
	flat *diskBlockstore

	mu     sync.RWMutex
	index  map[string]packLoc // by multihash bytes
	loaded map[string]bool    // pack names seen (true: loaded, false: malformed)
	scanMu sync.Mutex         // one rescan at a time
}

func newPackBlockstore(dir string, o DiskOptions) (*packBlockstore, error) {
	root := filepath.Join(dir, packDirName)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("content store %s: %w", dir, err)
	}
	p := &packBlockstore{root: root, sync: !o.NoSync, maxBytes: o.MaxBytes, index: map[string]packLoc{}, loaded: map[string]bool{}}
	if ok, err := isDir(filepath.Join(dir, "blocks")); err != nil {
		return nil, fmt.Errorf("content store %s: %w", dir, err)
	} else if ok {
		p.flat = &diskBlockstore{root: filepath.Join(dir, "blocks"), sync: !o.NoSync}
	}
	if err := p.rescan(); err != nil {
		return nil, fmt.Errorf("content store %s: %w", dir, err)
	}
	return p, nil
}

// rescan loads the index of every pack file not loaded yet.
func (p *packBlockstore) rescan() error {
	p.scanMu.Lock()
	defer p.scanMu.Unlock()
	ents, err := os.ReadDir(p.root)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, packNamePrefix) || !strings.HasSuffix(name, packSuffix) {
			continue
		}
		p.mu.RLock()
		_, seen := p.loaded[name]
		p.mu.RUnlock()
		if seen {
			continue
		}
		locs, err := readPackIndex(filepath.Join(p.root, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		p.mu.Lock()
		if err != nil {
			p.loaded[name] = false // malformed: skipped (reads never trust it)
		} else {
			p.loaded[name] = true
			p.addLocs(name, locs)
		}
		p.mu.Unlock()
	}
	return nil
}

type packEntry struct {
	key    string
	off    int64
	length int
}

// addLocs records a pack's blocks; a block already known keeps its first
// location. Caller holds p.mu.
func (p *packBlockstore) addLocs(name string, locs []packEntry) {
	for _, e := range locs {
		if _, ok := p.index[e.key]; !ok {
			p.index[e.key] = packLoc{pack: name, off: e.off, length: e.length}
		}
	}
}

// readPackIndex reads and checks the trailer and index of one pack file.
func readPackIndex(path string) ([]packEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size < int64(len(packMagic))+packTrailerSize {
		return nil, errPackFormat
	}
	var head [len(packMagic)]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	var tr [packTrailerSize]byte
	if _, err := f.ReadAt(tr[:], size-packTrailerSize); err != nil {
		return nil, err
	}
	if string(head[:]) != packMagic || string(tr[16:]) != packIndexMagic {
		return nil, errPackFormat
	}
	idxOff := int64(binary.BigEndian.Uint64(tr[0:8]))
	count := binary.BigEndian.Uint32(tr[8:12])
	sum := binary.BigEndian.Uint32(tr[12:16])
	idxEnd := size - packTrailerSize
	if idxOff < int64(len(packMagic)) || idxOff > idxEnd {
		return nil, errPackFormat
	}
	idx := make([]byte, idxEnd-idxOff)
	if _, err := f.ReadAt(idx, idxOff); err != nil {
		return nil, err
	}
	if crc32.Checksum(idx, crcTable) != sum {
		return nil, errPackFormat
	}
	if int64(count) > int64(len(idx))/3 {
		return nil, errPackFormat
	}
	out := make([]packEntry, 0, count)
	for range count {
		n, k := binary.Uvarint(idx)
		if k <= 0 || n == 0 || n > uint64(len(idx)-k) {
			return nil, errPackFormat
		}
		idx = idx[k:]
		key := string(idx[:n])
		idx = idx[n:]
		off, k := binary.Uvarint(idx)
		if k <= 0 {
			return nil, errPackFormat
		}
		idx = idx[k:]
		length, k := binary.Uvarint(idx)
		if k <= 0 {
			return nil, errPackFormat
		}
		idx = idx[k:]
		if off < uint64(len(packMagic)) || length > MaxBlockSize || off+length > uint64(idxOff) {
			return nil, errPackFormat
		}
		out = append(out, packEntry{key: key, off: int64(off), length: int(length)})
	}
	if len(idx) != 0 {
		return nil, errPackFormat
	}
	return out, nil
}

// lookup finds a block, rescanning the folder once on a miss (another
// process may have added a pack since).
func (p *packBlockstore) lookup(c cid.Cid) (packLoc, bool, error) {
	key := string(c.Hash())
	p.mu.RLock()
	loc, ok := p.index[key]
	p.mu.RUnlock()
	if ok {
		return loc, true, nil
	}
	if err := p.rescan(); err != nil {
		return packLoc{}, false, err
	}
	p.mu.RLock()
	loc, ok = p.index[key]
	p.mu.RUnlock()
	return loc, ok, nil
}

func (p *packBlockstore) has(key string) bool {
	p.mu.RLock()
	_, ok := p.index[key]
	p.mu.RUnlock()
	return ok
}

func (p *packBlockstore) Has(ctx context.Context, c cid.Cid) (bool, error) {
	_, ok, err := p.lookup(c)
	if err == nil && !ok && p.flat != nil {
		return p.flat.Has(ctx, c)
	}
	return ok, err
}

func (p *packBlockstore) Get(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	loc, ok, err := p.lookup(c)
	if err != nil {
		return nil, err
	}
	if !ok {
		if p.flat != nil {
			return p.flat.Get(ctx, c)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotFound, ipld.ErrNotFound{Cid: c})
	}
	f, err := os.Open(filepath.Join(p.root, loc.pack))
	if errors.Is(err, fs.ErrNotExist) {
		// A GC (maybe in another process) deleted or compacted the pack:
		// reload the index and look again.
		p.reload()
		if loc, ok, err = p.lookup(c); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w: %w", ErrNotFound, ipld.ErrNotFound{Cid: c})
		}
		f, err = os.Open(filepath.Join(p.root, loc.pack))
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, loc.length)
	if _, err := f.ReadAt(data, loc.off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("pack %s truncated: %w", loc.pack, ErrCorrupt)
		}
		return nil, err
	}
	// Verified by verifyingBlockstore; NewBlockWithCid does not re-hash.
	return blocks.NewBlockWithCid(data, c)
}

func (p *packBlockstore) GetSize(ctx context.Context, c cid.Cid) (int, error) {
	loc, ok, err := p.lookup(c)
	if err != nil {
		return -1, err
	}
	if !ok {
		if p.flat != nil {
			return p.flat.GetSize(ctx, c)
		}
		return -1, fmt.Errorf("%w: %w", ErrNotFound, ipld.ErrNotFound{Cid: c})
	}
	return loc.length, nil
}

// Put stores one block as its own (tiny) pack, durable on return.
func (p *packBlockstore) Put(ctx context.Context, b blocks.Block) error {
	return p.PutMany(ctx, []blocks.Block{b})
}

// PutMany stores the blocks as one pack, durable on return.
func (p *packBlockstore) PutMany(ctx context.Context, bs []blocks.Block) error {
	batch := p.newBatch()
	for _, b := range bs {
		if err := batch.put(ctx, b); err != nil {
			batch.abort()
			return err
		}
	}
	return batch.commit()
}

// DeleteBlock is not supported: packs are immutable (content addressed
// blocks are never deleted by this package).
func (p *packBlockstore) DeleteBlock(context.Context, cid.Cid) error {
	return fmt.Errorf("delete block from pack store: %w", ErrUnsupported)
}

// AllKeysChan lists stored blocks as CIDv1 raw (the codec is not kept, as
// in the flat layout): those of a flat blocks/ folder beside the packs
// first, then the packs' in multihash order.
func (p *packBlockstore) AllKeysChan(ctx context.Context) (<-chan cid.Cid, error) {
	if err := p.rescan(); err != nil {
		return nil, err
	}
	p.mu.RLock()
	keys := make([]string, 0, len(p.index))
	for k := range p.index {
		keys = append(keys, k)
	}
	p.mu.RUnlock()
	sort.Strings(keys)
	var flat <-chan cid.Cid
	if p.flat != nil {
		var err error
		if flat, err = p.flat.AllKeysChan(ctx); err != nil {
			return nil, err
		}
	}
	ch := make(chan cid.Cid, 64)
	go func() {
		defer close(ch)
		if flat != nil {
			for c := range flat { // blocks of the flat folder first
				select {
				case ch <- c:
				case <-ctx.Done():
					return
				}
			}
		}
		for _, k := range keys {
			h, err := mh.Cast([]byte(k))
			if err != nil {
				continue
			}
			select {
			case ch <- cid.NewCidV1(cid.Raw, h):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// packBatch appends the blocks of one write batch to one temporary pack
// file; commit writes the index, fsyncs and renames it.
type packBatch struct {
	p        *packBlockstore
	mu       sync.Mutex
	f        *os.File // nil until the first new block
	end      int64    // next free offset
	hinted   int64    // bytes up to which write-back was started
	entries  []packEntry
	keys     map[string]int // key → index in entries (-1: reserved, being written)
	writeErr error
	// force writes blocks the index already has (GC compaction moves them).
	force bool
}

func (p *packBlockstore) newBatch() blockBatch {
	return &packBatch{p: p, keys: map[string]int{}}
}

func (b *packBatch) put(_ context.Context, blk blocks.Block) error {
	key := string(blk.Cid().Hash())
	if !b.force && b.p.has(key) {
		return nil // content addressed: already stored
	}
	data := blk.RawData()
	b.mu.Lock()
	if _, ok := b.keys[key]; ok {
		b.mu.Unlock()
		return nil // already in this batch
	}
	if b.f == nil {
		f, err := os.CreateTemp(b.p.root, tempPrefix+"*"+packSuffix)
		if err != nil {
			b.mu.Unlock()
			return err
		}
		if _, err := f.Write([]byte(packMagic)); err != nil {
			f.Close()
			os.Remove(f.Name())
			b.mu.Unlock()
			return err
		}
		b.f, b.end, b.hinted = f, int64(len(packMagic)), 0
	}
	f, off := b.f, b.end
	b.end += int64(len(data))
	i := len(b.entries)
	b.entries = append(b.entries, packEntry{key: key, off: off, length: len(data)})
	b.keys[key] = -1
	b.mu.Unlock()

	// Blocks are copied into the file at reserved offsets in parallel.
	_, err := f.WriteAt(data, off)

	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		if b.writeErr == nil {
			b.writeErr = err
		}
		return err
	}
	b.keys[key] = i
	if b.p.sync && b.end-b.hinted >= packWritebackEvery {
		startWritebackRange(f, b.hinted, b.end-b.hinted)
		b.hinted = b.end
	}
	return nil
}

func (b *packBatch) get(c cid.Cid) (blocks.Block, bool, error) {
	key := string(c.Hash())
	b.mu.Lock()
	i, ok := b.keys[key]
	f := b.f
	var e packEntry
	if ok && i >= 0 {
		e = b.entries[i]
	}
	b.mu.Unlock()
	if !ok || i < 0 {
		return nil, false, nil
	}
	data := make([]byte, e.length)
	if _, err := f.ReadAt(data, e.off); err != nil {
		return nil, false, err
	}
	blk, err := blocks.NewBlockWithCid(data, c)
	return blk, err == nil, err
}

// commit writes the index and trailer, fsyncs the pack, renames it to a
// unique pack name and fsyncs the folder; then its blocks are visible.
func (b *packBatch) commit() error {
	b.mu.Lock()
	f, end, entries, werr := b.f, b.end, b.entries, b.writeErr
	b.f, b.end, b.hinted, b.entries, b.keys, b.writeErr = nil, 0, 0, nil, map[string]int{}, nil
	b.mu.Unlock()
	if f == nil {
		return nil
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("commit pack: %w", err)
	}
	if werr != nil {
		return fail(werr)
	}
	if b.p.maxBytes > 0 && !b.force {
		used, err := b.p.usedBytes()
		if err != nil {
			return fail(err)
		}
		if used+end > b.p.maxBytes {
			return fail(fmt.Errorf("%w: %d bytes to add to %d stored > content_max_bytes %d (run `riffchain content gc`, unpin, or raise content_max_bytes)", ErrQuota, end, used, b.p.maxBytes))
		}
	}
	idx := make([]byte, 0, len(entries)*48)
	for _, e := range entries {
		idx = binary.AppendUvarint(idx, uint64(len(e.key)))
		idx = append(idx, e.key...)
		idx = binary.AppendUvarint(idx, uint64(e.off))
		idx = binary.AppendUvarint(idx, uint64(e.length))
	}
	var tr [packTrailerSize]byte
	binary.BigEndian.PutUint64(tr[0:8], uint64(end))
	binary.BigEndian.PutUint32(tr[8:12], uint32(len(entries)))
	binary.BigEndian.PutUint32(tr[12:16], crc32.Checksum(idx, crcTable))
	copy(tr[16:], packIndexMagic)
	if _, err := f.WriteAt(append(idx, tr[:]...), end); err != nil {
		return fail(err)
	}
	if b.p.sync {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("commit pack: %w", err)
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("commit pack: %w", err)
	}
	name := packNamePrefix + hex.EncodeToString(rnd[:]) + packSuffix
	if err := os.Rename(tmp, filepath.Join(b.p.root, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("commit pack: %w", err)
	}
	if b.p.sync {
		if err := syncPath(b.p.root); err != nil {
			return fmt.Errorf("commit pack: sync folder: %w", err)
		}
	}
	b.p.mu.Lock()
	b.p.loaded[name] = true
	b.p.addLocs(name, entries)
	b.p.mu.Unlock()
	return nil
}

func (b *packBatch) abort() {
	b.mu.Lock()
	f := b.f
	b.f, b.end, b.hinted, b.entries, b.keys, b.writeErr = nil, 0, 0, nil, map[string]int{}, nil
	b.mu.Unlock()
	if f != nil {
		f.Close()
		os.Remove(f.Name())
	}
}
