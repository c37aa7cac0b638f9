package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// sweep is the pack layout's GC sweep. Per pack file older than cutoff:
// no live block → the file is deleted; more garbage bytes than live bytes
// → its live blocks are copied into a new pack and the file is deleted
// (compaction); else the pack is left as it is. Afterwards the index is
// rebuilt from the packs that remain. Another process holding the old
// index finds a deleted pack missing and reloads (Get).
func (p *packBlockstore) sweep(ctx context.Context, live map[string]bool, cutoff time.Time, dry bool, res *GCResult) error {
	ents, err := os.ReadDir(p.root)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, packNamePrefix) && strings.HasSuffix(n, packSuffix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	changed := false
	defer func() {
		if changed {
			p.reload()
		}
	}()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		path := filepath.Join(p.root, name)
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.ModTime().After(cutoff) {
			continue
		}
		locs, err := readPackIndex(path)
		if err != nil {
			continue // malformed packs are never read; left for the operator
		}
		var liveBytes, deadBytes int64
		var keep []packEntry
		dead := 0
		for _, e := range locs {
			if live[e.key] {
				liveBytes += int64(e.length)
				keep = append(keep, e)
			} else {
				deadBytes += int64(e.length)
				dead++
			}
		}
		switch {
		case dead == 0:
			continue
		case deadBytes <= liveBytes:
			res.KeptGarbageBytes += deadBytes
			continue
		}
		var newSize int64
		if !dry && len(keep) > 0 {
			if newSize, err = p.copyBlocks(ctx, path, keep); err != nil {
				return fmt.Errorf("compact %s: %w", name, err)
			}
		}
		if !dry {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("delete %s: %w", name, err)
			}
			changed = true
		}
		res.Removed += dead
		res.FreedBytes += fi.Size() - newSize
		if len(keep) == 0 {
			res.PacksDeleted++
		} else {
			res.PacksCompacted++
		}
	}
	if changed && p.sync {
		if err := syncPath(p.root); err != nil {
			return fmt.Errorf("sync folder: %w", err)
		}
	}
	return nil
}

// copyBlocks writes the given blocks of one pack into a new pack (durable
// before the caller deletes the old one) and returns the new file's size.
func (p *packBlockstore) copyBlocks(ctx context.Context, path string, keep []packEntry) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	b := &packBatch{p: p, keys: map[string]int{}, force: true}
	for _, e := range keep {
		data := make([]byte, e.length)
		if _, err := f.ReadAt(data, e.off); err != nil {
			b.abort()
			return 0, err
		}
		h, err := mh.Cast([]byte(e.key))
		if err != nil {
			b.abort()
			return 0, err
		}
		blk, _ := blocks.NewBlockWithCid(data, cid.NewCidV1(cid.Raw, h))
		if err := b.put(ctx, blk); err != nil {
			b.abort()
			return 0, err
		}
	}
	size := b.end
	if err := b.commit(); err != nil {
		return 0, err
	}
	return size, nil
}

// reload forgets the index and reads every pack's index again (after a GC
// here or in another process deleted packs).
func (p *packBlockstore) reload() {
	p.mu.Lock()
	p.index = map[string]packLoc{}
	p.loaded = map[string]bool{}
	p.mu.Unlock()
	_ = p.rescan()
}

// usedBytes is the size of every pack file (what the quota bounds).
func (p *packBlockstore) usedBytes() (int64, error) {
	ents, err := os.ReadDir(p.root)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), packNamePrefix) || !strings.HasSuffix(e.Name(), packSuffix) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n, nil
}
