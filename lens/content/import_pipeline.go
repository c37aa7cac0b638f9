package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	chunk "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/go-cid"
)

// The import pipeline feeds boxo's balanced importer (which stays in charge
// of the DAG layout, so CIDs are exactly kubo's) with chunks whose leaf CIDs
// were already computed, in parallel, while earlier chunks were being laid
// out and written:
//
//	source --ReadFull--> chunk i --hash workers--> (chunk i, CID i) --in order--> importer
//
// The importer hashes a raw leaf by calling its cid.Builder's Sum on the
// chunk; hashingBuilder answers from the precomputed CID for exactly that
// slice (same backing array, same length) and hashes anything else itself.
// Every byte is still hashed exactly once, and the output does not depend on
// which worker hashed what.

// prefetchDepth is how many chunks are read and hashed ahead of the
// importer.
const prefetchDepth = 16

// hashedChunk is one chunk travelling through the pipeline.
type hashedChunk struct {
	data []byte
	cid  cid.Cid
	err  error
	done chan struct{}
}

// leafCache remembers the CID of each chunk handed to the importer until
// the importer asks for it.
type leafCache struct {
	mu   sync.Mutex
	cids map[*byte]leafEntry
}

type leafEntry struct {
	n int
	c cid.Cid
}

func (lc *leafCache) put(data []byte, c cid.Cid) {
	if len(data) == 0 {
		return
	}
	lc.mu.Lock()
	lc.cids[&data[0]] = leafEntry{len(data), c}
	lc.mu.Unlock()
}

func (lc *leafCache) take(data []byte) (cid.Cid, bool) {
	if len(data) == 0 {
		return cid.Undef, false
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e, ok := lc.cids[&data[0]]
	if !ok || e.n != len(data) {
		return cid.Undef, false
	}
	delete(lc.cids, &data[0])
	return e.c, true
}

// hashingBuilder is the profile's cid.Builder that answers raw-leaf Sums
// from the pipeline's precomputed CIDs.
type hashingBuilder struct {
	prefix cid.Prefix
	cache  *leafCache
}

func (b hashingBuilder) Sum(data []byte) (cid.Cid, error) {
	if b.prefix.Codec == cid.Raw {
		if c, ok := b.cache.take(data); ok {
			return c, nil
		}
	}
	return b.prefix.Sum(data)
}

func (b hashingBuilder) GetCodec() uint64 { return b.prefix.Codec }

func (b hashingBuilder) WithCodec(c uint64) cid.Builder {
	b.prefix.Codec = c
	return b
}

// pipelineSplitter is a chunk.Splitter cutting exactly like boxo's size
// splitter (chunks of size bytes, the last one shorter, nothing for an empty
// source) while reading and hashing ahead.
type pipelineSplitter struct {
	r      io.Reader
	order  chan *hashedChunk
	cache  *leafCache
	stop   chan struct{}
	once   sync.Once
	size   int64
	free   chan []byte
	outMu  sync.Mutex
	out    map[*byte]struct{} // buffers handed to the importer, not yet released
	wg     sync.WaitGroup
	failed error
}

var _ chunk.Splitter = (*pipelineSplitter)(nil)

// newPipelineSplitter starts the reader and hash workers. close must be
// called to stop them.
func newPipelineSplitter(ctx context.Context, r io.Reader, size int64, leaf cid.Prefix, cache *leafCache) *pipelineSplitter {
	s := &pipelineSplitter{
		r:     r,
		order: make(chan *hashedChunk, prefetchDepth),
		cache: cache,
		stop:  make(chan struct{}),
		size:  size,
		free:  make(chan []byte, 2*prefetchDepth+writerWorkers*2),
		out:   make(map[*byte]struct{}),
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	jobs := make(chan *hashedChunk, prefetchDepth)
	for range workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for hc := range jobs {
				hc.cid, hc.err = leaf.Sum(hc.data)
				close(hc.done)
			}
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(jobs)
		defer close(s.order)
		for {
			if err := ctx.Err(); err != nil {
				s.send(&hashedChunk{err: err, done: closedChan})
				return
			}
			buf := s.buffer()
			n, err := io.ReadFull(r, buf)
			switch {
			case err == nil:
			case errors.Is(err, io.ErrUnexpectedEOF) || (errors.Is(err, io.EOF) && n == 0):
				if n == 0 {
					return // end of input: the importer sees io.EOF
				}
				hc := &hashedChunk{data: buf[:n:n], done: make(chan struct{})}
				if s.send(hc) {
					jobs <- hc
				}
				return
			default:
				s.send(&hashedChunk{err: err, done: closedChan})
				return
			}
			hc := &hashedChunk{data: buf, done: make(chan struct{})}
			if !s.send(hc) {
				return
			}
			jobs <- hc
		}
	}()
	return s
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// send queues hc for the importer; false once the splitter is closed.
func (s *pipelineSplitter) send(hc *hashedChunk) bool {
	select {
	case s.order <- hc:
		return true
	case <-s.stop:
		return false
	}
}

// NextBytes returns the next chunk (its CID is waiting in the cache), or
// io.EOF after the last.
func (s *pipelineSplitter) NextBytes() ([]byte, error) {
	if s.failed != nil {
		return nil, s.failed
	}
	hc, ok := <-s.order
	if !ok {
		s.failed = io.EOF
		return nil, io.EOF
	}
	<-hc.done
	if hc.err != nil {
		s.failed = hc.err
		return nil, fmt.Errorf("read: %w", hc.err)
	}
	s.cache.put(hc.data, hc.cid)
	return hc.data, nil
}

// Reader returns the source (chunk.Splitter).
func (s *pipelineSplitter) Reader() io.Reader { return s.r }

// buffer returns a chunk buffer: a released one, else a new one. Reusing
// buffers keeps a large import from faulting in fresh memory for every
// chunk.
func (s *pipelineSplitter) buffer() []byte {
	var buf []byte
	select {
	case buf = <-s.free:
	default:
		buf = make([]byte, s.size)
	}
	s.outMu.Lock()
	s.out[&buf[0]] = struct{}{}
	s.outMu.Unlock()
	return buf
}

// recycle takes back a chunk once the store has written it and nothing
// refers to its bytes any more. Slices this splitter did not hand out are
// ignored.
func (s *pipelineSplitter) recycle(data []byte) {
	if cap(data) != int(s.size) || len(data) == 0 {
		return
	}
	p := &data[:1][0]
	s.outMu.Lock()
	_, ok := s.out[p]
	delete(s.out, p)
	s.outMu.Unlock()
	if !ok {
		return
	}
	select {
	case s.free <- data[:cap(data)]:
	default:
	}
}

// close stops the reader and workers and waits for them.
func (s *pipelineSplitter) close() {
	s.once.Do(func() { close(s.stop) })
	// Drain so that a reader blocked on a full queue sees stop; the workers
	// end when the reader closes jobs.
	go func() {
		for range s.order {
		}
	}()
	s.wg.Wait()
}
