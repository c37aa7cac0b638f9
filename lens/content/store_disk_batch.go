package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
)

// A write batch is how Add, AddPath and ImportCAR store many blocks at once
// on disk with one durability point instead of an fsync per block:
//
//  1. put: each new block is written to a temporary file ".put-*" in its
//     shard folder, without fsync; the kernel is asked to start writing it
//     back right away (Linux), so the disk works while later blocks are
//     hashed.
//  2. commit: every temporary file is fsynced (in parallel, so the journal
//     commits are shared), then renamed to its block name, then every
//     folder that gained a name is fsynced. Only then does Add return.
//
// A block name therefore only ever points at complete, fsynced bytes. A
// crash before commit leaves temporary files (never read, removed by
// RemoveTempFiles) and possibly some complete blocks of an earlier commit
// group: orphan blocks, harmless because they are content addressed and
// a later Add of the same bytes reuses them.

// batchCommitEvery bounds how many blocks a batch holds before committing
// a group (bounded bookkeeping for very large adds).
const batchCommitEvery = 1024

// syncParallelism is how many fsyncs/renames a commit runs at once.
const syncParallelism = 16

// blockBatch stores blocks with one durability point at commit.
type blockBatch interface {
	// put stores b (its CID already trusted by the caller).
	put(ctx context.Context, b blocks.Block) error
	// get returns a block put in this batch but not committed yet.
	get(c cid.Cid) (blocks.Block, bool, error)
	// commit makes every block put so far durable and visible.
	commit() error
	// abort removes what was not committed.
	abort()
}

// batcher is a blockstore that offers write batches.
type batcher interface {
	newBatch() blockBatch
}

type pendingBlock struct {
	tmp, final, dir string
	c               cid.Cid
}

type diskBatch struct {
	d       *diskBlockstore
	mu      sync.Mutex
	pending map[string]*pendingBlock // by key; tmp == "" while being written or when already on disk
	rootNew bool                     // a shard folder was created: fsync blocks/
}

func (d *diskBlockstore) newBatch() blockBatch {
	return &diskBatch{d: d, pending: make(map[string]*pendingBlock)}
}

func (b *diskBatch) put(_ context.Context, blk blocks.Block) error {
	c := blk.Cid()
	key := keyEncoding.EncodeToString(c.Hash())
	b.mu.Lock()
	if _, ok := b.pending[key]; ok {
		b.mu.Unlock()
		return nil // already in this batch
	}
	pb := &pendingBlock{c: c}
	b.pending[key] = pb
	b.mu.Unlock()

	dir, final := b.d.pathsKey(key)
	if _, err := os.Stat(final); err == nil {
		return nil // content addressed: already stored
	}
	if err := os.Mkdir(dir, 0o755); err == nil {
		b.mu.Lock()
		b.rootNew = true
		b.mu.Unlock()
	} else if !errors.Is(err, fs.ErrExist) {
		return err
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(blk.RawData()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if b.d.sync {
		startWriteback(tmp)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	b.mu.Lock()
	pb.tmp, pb.final, pb.dir = tmp.Name(), final, dir
	b.mu.Unlock()
	return nil
}

func (b *diskBatch) get(c cid.Cid) (blocks.Block, bool, error) {
	key := keyEncoding.EncodeToString(c.Hash())
	b.mu.Lock()
	pb, ok := b.pending[key]
	tmp := ""
	if ok {
		tmp = pb.tmp
	}
	b.mu.Unlock()
	if tmp == "" {
		return nil, false, nil
	}
	data, err := os.ReadFile(tmp)
	if err != nil {
		return nil, false, err
	}
	blk, err := blocks.NewBlockWithCid(data, c)
	return blk, err == nil, err
}

func (b *diskBatch) commit() error {
	b.mu.Lock()
	var todo []*pendingBlock
	dirs := map[string]struct{}{}
	for _, pb := range b.pending {
		if pb.tmp != "" {
			todo = append(todo, pb)
			dirs[pb.dir] = struct{}{}
		}
	}
	rootNew := b.rootNew
	b.pending = make(map[string]*pendingBlock)
	b.rootNew = false
	b.mu.Unlock()
	if len(todo) == 0 && !rootNew {
		return nil
	}
	removeAll := func() {
		for _, pb := range todo {
			os.Remove(pb.tmp)
		}
	}
	if b.d.sync {
		if err := parallel(len(todo), func(i int) error { return syncPath(todo[i].tmp) }); err != nil {
			removeAll()
			return fmt.Errorf("sync blocks: %w", err)
		}
	}
	if err := parallel(len(todo), func(i int) error { return os.Rename(todo[i].tmp, todo[i].final) }); err != nil {
		removeAll()
		return fmt.Errorf("rename blocks: %w", err)
	}
	if !b.d.sync {
		return nil
	}
	dirList := make([]string, 0, len(dirs)+1)
	for d := range dirs {
		dirList = append(dirList, d)
	}
	if rootNew {
		dirList = append(dirList, b.d.root)
	}
	if err := parallel(len(dirList), func(i int) error { return syncPath(dirList[i]) }); err != nil {
		return fmt.Errorf("sync block folders: %w", err)
	}
	return nil
}

func (b *diskBatch) abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, pb := range b.pending {
		if pb.tmp != "" {
			os.Remove(pb.tmp)
		}
	}
	b.pending = make(map[string]*pendingBlock)
}

// syncPath fsyncs a file or folder by name.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// parallel runs f(0..n-1) on up to syncParallelism goroutines and returns
// the first error.
func parallel(n int, f func(i int) error) error {
	if n == 0 {
		return nil
	}
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next := make(chan int)
	for range min(n, syncParallelism) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// tempPrefix starts the names of block files not yet committed.
const tempPrefix = ".put-"

// RemoveTempFiles deletes the temporary files that an interrupted write
// (a crash during Add) left in the embedded store under dir (".put-*" block
// files in blocks/, ".put-*.pack" files in packs/). Call it only
// when no other process is writing to that store.
func RemoveTempFiles(dir string) (int, error) {
	n := 0
	for _, sub := range []string{"blocks", packDirName} {
		root := filepath.Join(dir, sub)
		if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && len(e.Name()) > len(tempPrefix) && e.Name()[:len(tempPrefix)] == tempPrefix {
				if err := os.Remove(p); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// memBatch is the batch of a blockstore without its own: blocks are put
// one by one as they come (memory store, kubo node).
type memBatch struct {
	put1 func(ctx context.Context, b blocks.Block) error
}

func (m memBatch) put(ctx context.Context, b blocks.Block) error { return m.put1(ctx, b) }
func (memBatch) get(cid.Cid) (blocks.Block, bool, error)         { return nil, false, nil }
func (memBatch) commit() error                                   { return nil }
func (memBatch) abort()                                          {}
