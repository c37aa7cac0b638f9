package content

import (
	"context"
	"errors"
	"fmt"
	"sync"

	mdag "github.com/ipfs/boxo/ipld/merkledag"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
)

// writerWorkers is how many blocks an import writes to the backend at once.
const writerWorkers = 4

// writerDAG is the DAGService an import writes through: nodes go to a few
// writer goroutines (so disk writes overlap hashing) and into one write
// batch, committed by finish. Node CIDs come from the importer, which
// computed them from the bytes, so they are not hashed again here. Reads
// (rare during an import: HAMT directories) see the batch's uncommitted
// blocks, verified, then the store.
type writerDAG struct {
	base        ipld.DAGService
	batch       blockBatch
	jobs        chan writeJob
	workers     sync.WaitGroup
	inflight    sync.WaitGroup
	mu          sync.Mutex
	err         error
	sinceCommit int
	closed      bool
	// release, when set by the importer, takes back a chunk buffer once
	// its block is written (import_pipeline.go recycles them).
	release func([]byte)
	// copies: the batch writes the bytes out and keeps no reference to
	// them (disk), so chunk buffers may be reused after put.
	copies bool
}

type writeJob struct {
	b       blocks.Block
	release func([]byte)
}

// newWriter starts a writer for one Add/AddPath/ImportCAR.
func (s *dagStore) newWriter() *writerDAG {
	var b blockBatch
	if bb, ok := s.raw.(batcher); ok {
		b = bb.newBatch()
	} else {
		raw := s.raw
		b = memBatch{put1: raw.Put}
	}
	var copies bool
	switch b.(type) {
	case *diskBatch, *packBatch:
		copies = true
	}
	w := &writerDAG{base: s.dag, batch: b, copies: copies, jobs: make(chan writeJob, writerWorkers*2)}
	for range writerWorkers {
		w.workers.Add(1)
		go func() {
			defer w.workers.Done()
			for j := range w.jobs {
				if w.failed() == nil {
					if err := w.batch.put(context.Background(), j.b); err != nil {
						w.fail(fmt.Errorf("store block %s: %w", j.b.Cid(), classify(err)))
					}
				}
				if j.release != nil && j.b.Cid().Type() == cid.Raw {
					j.release(j.b.RawData())
				}
				w.inflight.Done()
			}
		}()
	}
	return w
}

func (w *writerDAG) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *writerDAG) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

// putTrusted queues a block whose CID the caller derived from (or checked
// against) its bytes.
func (w *writerDAG) putTrusted(ctx context.Context, b blocks.Block) error {
	if err := w.failed(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.sinceCommit++
	if w.sinceCommit > batchCommitEvery {
		w.inflight.Wait()
		if err := w.failed(); err != nil {
			return err
		}
		if err := w.batch.commit(); err != nil {
			w.fail(err)
			return err
		}
		w.sinceCommit = 1
	}
	// A dag-pb node encodes itself lazily on its first Cid()/RawData() and
	// caches the result; do it here, on the importer's goroutine, so the
	// writer goroutines (and the importer's later Cid() calls, e.g. boxo's
	// directory size checks) only read the cache.
	_ = b.Cid()
	_ = b.RawData()
	w.inflight.Add(1)
	select {
	case w.jobs <- writeJob{b, w.release}:
		return nil
	case <-ctx.Done():
		w.inflight.Done()
		return ctx.Err()
	}
}

// finish stops the writers; if importErr is nil and every write succeeded
// it commits the batch (everything durable), else it removes the
// uncommitted blocks. It returns the first error.
func (w *writerDAG) finish(importErr error) error {
	w.stop()
	if importErr == nil {
		importErr = w.failed()
	}
	if importErr != nil {
		w.batch.abort()
		return importErr
	}
	if err := w.batch.commit(); err != nil {
		return fmt.Errorf("store blocks: %w", err)
	}
	return nil
}

// finishKeep stops the writers and commits every block written so far,
// whatever happened (CAR import keeps the verified blocks before a bad one).
func (w *writerDAG) finishKeep(importErr error) error {
	w.stop()
	cerr := w.batch.commit()
	if importErr == nil {
		importErr = w.failed()
	}
	if importErr == nil && cerr != nil {
		importErr = fmt.Errorf("store blocks: %w", cerr)
	}
	return importErr
}

func (w *writerDAG) stop() {
	if w.closed {
		return
	}
	w.closed = true
	close(w.jobs)
	w.workers.Wait()
}

func (w *writerDAG) Add(ctx context.Context, nd ipld.Node) error { return w.putTrusted(ctx, nd) }

func (w *writerDAG) AddMany(ctx context.Context, nds []ipld.Node) error {
	for _, nd := range nds {
		if err := w.putTrusted(ctx, nd); err != nil {
			return err
		}
	}
	return nil
}

func (w *writerDAG) Get(ctx context.Context, c cid.Cid) (ipld.Node, error) {
	w.inflight.Wait()
	b, ok, err := w.batch.get(c)
	if err != nil {
		return nil, classify(err)
	}
	if ok {
		if err := verifyBlock(c, b.RawData()); err != nil {
			return nil, err
		}
		if c.Type() == cid.Raw {
			return mdag.DecodeRawBlock(b)
		}
		return mdag.DecodeProtobufBlock(b)
	}
	return w.base.Get(ctx, c)
}

func (w *writerDAG) GetMany(ctx context.Context, cs []cid.Cid) <-chan *ipld.NodeOption {
	out := make(chan *ipld.NodeOption, len(cs))
	for _, c := range cs {
		nd, err := w.Get(ctx, c)
		out <- &ipld.NodeOption{Node: nd, Err: err}
	}
	close(out)
	return out
}

func (w *writerDAG) Remove(context.Context, cid.Cid) error {
	return errors.New("content import: remove not supported")
}

func (w *writerDAG) RemoveMany(context.Context, []cid.Cid) error {
	return errors.New("content import: remove not supported")
}
