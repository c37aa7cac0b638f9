package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/blockstore"
	mdag "github.com/ipfs/boxo/ipld/merkledag"
	ft "github.com/ipfs/boxo/ipld/unixfs"
	"github.com/ipfs/boxo/ipld/unixfs/importer/balanced"
	"github.com/ipfs/boxo/ipld/unixfs/importer/helpers"
	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
)

// dagStore implements Store over any boxo Blockstore. Reads go through
// verifyingBlockstore, so every block is checked against its CID; the
// UnixFS work (import, read, directories) is boxo's.
type dagStore struct {
	raw     blockstore.Blockstore // the backend, unverified
	vbs     *verifyingBlockstore
	bserv   blockservice.BlockService
	dag     ipld.DAGService
	profile Profile
	// addFile, when set, replaces the local file import (the kubo backend
	// sends files to the node's /api/v0/add and cross-checks the CID).
	addFile func(ctx context.Context, r io.Reader) (cid.Cid, error)
	// afterAddPath, when set, runs after AddPath stored a DAG (the kubo
	// backend pins the root).
	afterAddPath func(ctx context.Context, root cid.Cid) error
	closeFn      func() error
	// pins and sweep: the content lifecycle (lifecycle.go); nil for the
	// kubo backend, whose node keeps its own pins and GC.
	pins   pinStore
	sweep  sweepFunc
	remote remotePins // the kubo backend's node pins and collects itself
	pinMu  sync.Mutex // serializes pin-set changes in this process
	gcMu   sync.Mutex // one GC at a time in this process
}

// sweepFunc removes the blocks not in live (by multihash) that are older
// than cutoff, counting into res.
type sweepFunc func(ctx context.Context, live map[string]bool, cutoff time.Time, dry bool, res *GCResult) error

func newDAGStore(bs blockstore.Blockstore, p Profile) (*dagStore, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	v := &verifyingBlockstore{Blockstore: bs}
	// No exchange: the store never asks the network for blocks itself (the
	// kubo backend's node does that on its side).
	bserv := blockservice.New(v, nil)
	return &dagStore{raw: bs, vbs: v, bserv: bserv, dag: mdag.NewDAGService(bserv), profile: p}, nil
}

func (s *dagStore) Profile() Profile { return s.profile }

func (s *dagStore) Close() error {
	if s.closeFn != nil {
		return s.closeFn()
	}
	return nil
}

// Add imports r as one UnixFS file.
func (s *dagStore) Add(ctx context.Context, r io.Reader) (cid.Cid, error) {
	if s.addFile != nil {
		return s.addFile(ctx, r)
	}
	w := s.newWriter()
	nd, err := importFile(ctx, r, s.profile, w)
	if err = w.finish(err); err != nil {
		return cid.Undef, err
	}
	return nd.Cid(), s.autoPin(ctx, nd.Cid())
}

// autoPin pins what an add or import stored (label PinUser), as kubo's
// `ipfs add` does, when the store keeps pins (the kubo backend pins on its
// own, per KuboOptions.NoPin).
func (s *dagStore) autoPin(ctx context.Context, root cid.Cid) error {
	if s.pins == nil {
		return nil
	}
	return s.Pin(ctx, root, PinUser, false)
}

// importPin pins a root an ImportCAR stored: in the pin set, or on the
// IPFS node unless its backend was opened with NoPin.
func (s *dagStore) importPin(ctx context.Context, root cid.Cid) error {
	if s.remote != nil {
		if s.afterAddPath == nil { // KuboOptions.NoPin
			return nil
		}
		return s.remote.pin(ctx, root)
	}
	return s.autoPin(ctx, root)
}

// AddPath imports a file or a folder tree.
func (s *dagStore) AddPath(ctx context.Context, path string) (cid.Cid, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return cid.Undef, fmt.Errorf("add %s: %w", path, err)
	}
	if fi.Mode().IsRegular() && s.addFile != nil {
		f, err := os.Open(path)
		if err != nil {
			return cid.Undef, fmt.Errorf("add %s: %w", path, err)
		}
		defer f.Close()
		return s.addFile(ctx, f)
	}
	w := s.newWriter()
	nd, err := importPath(ctx, path, fi, s.profile, w)
	if err = w.finish(err); err != nil {
		return cid.Undef, err
	}
	if s.afterAddPath != nil {
		if err := s.afterAddPath(ctx, nd.Cid()); err != nil {
			return cid.Undef, err
		}
	}
	return nd.Cid(), s.autoPin(ctx, nd.Cid())
}

// Get opens a UnixFS file (or a raw block) for verified reading.
func (s *dagStore) Get(ctx context.Context, c cid.Cid) (File, error) {
	nd, err := s.getNode(ctx, c)
	if err != nil {
		return nil, err
	}
	dr, err := uio.NewDagReader(ctx, nd, nodeGetter{s.dag})
	if err != nil {
		switch {
		case errors.Is(err, uio.ErrIsDir):
			return nil, fmt.Errorf("get %s: %w", c, ErrIsDirectory)
		case errors.Is(err, uio.ErrCantReadSymlinks), errors.Is(err, uio.ErrUnkownNodeType):
			return nil, fmt.Errorf("get %s: %v: %w", c, err, ErrUnsupported)
		}
		return nil, fmt.Errorf("get %s: %v: %w", c, err, ErrUnsupported)
	}
	return &dagFile{DagReader: dr}, nil
}

// dagFile adapts boxo's DagReader (Size is uint64 there).
type dagFile struct{ uio.DagReader }

func (f *dagFile) Size() int64 { return int64(f.DagReader.Size()) }

// getNode fetches and decodes one verified node.
func (s *dagStore) getNode(ctx context.Context, c cid.Cid) (ipld.Node, error) {
	if !c.Defined() {
		return nil, fmt.Errorf("undefined CID: %w", ErrInvalidCID)
	}
	switch c.Type() {
	case cid.DagProtobuf, cid.Raw:
	default:
		return nil, fmt.Errorf("get %s: codec 0x%x: %w", c, c.Type(), ErrUnsupported)
	}
	nd, err := s.dag.Get(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", c, classify(err))
	}
	return nd, nil
}

// directory opens c as a UnixFS directory.
func (s *dagStore) directory(ctx context.Context, c cid.Cid) (uio.Directory, error) {
	nd, err := s.getNode(ctx, c)
	if err != nil {
		return nil, err
	}
	dir, err := uio.NewDirectoryFromNode(s.dag, nd)
	if err != nil {
		return nil, fmt.Errorf("%s is not a directory: %w", c, ErrUnsupported)
	}
	return dir, nil
}

// Resolve walks link names through directories.
func (s *dagStore) Resolve(ctx context.Context, root cid.Cid, path string) (cid.Cid, error) {
	cur := root
	for _, name := range strings.Split(path, "/") {
		if name == "" {
			continue
		}
		dir, err := s.directory(ctx, cur)
		if errors.Is(err, ErrUnsupported) {
			return cid.Undef, fmt.Errorf("resolve %s/%s: %q is under a non-directory: %w", root, path, name, ErrNotFound)
		}
		if err != nil {
			return cid.Undef, err
		}
		child, err := dir.Find(ctx, name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, mdag.ErrLinkNotFound) {
				return cid.Undef, fmt.Errorf("resolve %s/%s: no link %q: %w", root, path, name, ErrNotFound)
			}
			return cid.Undef, fmt.Errorf("resolve %s/%s: %w", root, path, classify(err))
		}
		cur = child.Cid()
	}
	return cur, nil
}

// List returns a directory's entries sorted by name.
func (s *dagStore) List(ctx context.Context, c cid.Cid) ([]Entry, error) {
	dir, err := s.directory(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []Entry
	err = dir.ForEachLink(ctx, func(l *ipld.Link) error {
		out = append(out, Entry{Name: l.Name, CID: l.Cid, Size: l.Size})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c, classify(err))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *dagStore) Has(ctx context.Context, c cid.Cid) (bool, error) {
	if !c.Defined() {
		return false, fmt.Errorf("undefined CID: %w", ErrInvalidCID)
	}
	ok, err := s.raw.Has(ctx, c)
	if err != nil {
		return false, fmt.Errorf("has %s: %w", c, classify(err))
	}
	return ok, nil
}

func (s *dagStore) GetBlock(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	if !c.Defined() {
		return nil, fmt.Errorf("undefined CID: %w", ErrInvalidCID)
	}
	b, err := s.vbs.Get(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("get block %s: %w", c, classify(err))
	}
	return b, nil
}

func (s *dagStore) PutBlock(ctx context.Context, b blocks.Block) error {
	if err := verifyBlock(b.Cid(), b.RawData()); err != nil {
		return err
	}
	if err := s.raw.Put(ctx, b); err != nil {
		return fmt.Errorf("put block %s: %w", b.Cid(), classify(err))
	}
	return nil
}

// classify makes boxo's not-found errors match ErrNotFound too.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrBackend) {
		return err
	}
	if ipld.IsNotFound(err) {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	if errors.Is(err, blockstore.ErrHashMismatch) {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return err
}

// verifyBlock checks that data hashes to c with c's own hash function.
func verifyBlock(c cid.Cid, data []byte) error {
	if len(data) > MaxBlockSize {
		return fmt.Errorf("block %s: %d bytes > %d: %w", c, len(data), MaxBlockSize, ErrTooLarge)
	}
	got, err := c.Prefix().Sum(data)
	if err != nil {
		return fmt.Errorf("block %s: hash: %v: %w", c, err, ErrUnsupported)
	}
	if !got.Equals(c) {
		return fmt.Errorf("block %s: bytes hash to %s: %w", c, got, ErrCorrupt)
	}
	return nil
}

// verifyingBlockstore checks every block it returns against its CID. Writes
// pass through unchecked: the importer derives each CID from the bytes
// itself, and PutBlock (outside bytes) verifies before writing.
type verifyingBlockstore struct {
	blockstore.Blockstore
}

func (v *verifyingBlockstore) Get(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	b, err := v.Blockstore.Get(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := verifyBlock(c, b.RawData()); err != nil {
		return nil, err
	}
	return b, nil
}

// ctxReader stops an import when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// importFile runs boxo's balanced UnixFS importer over r, writing every node
// to dserv, exactly as kubo's `ipfs add` does. Chunks are read and their
// leaf CIDs computed ahead, in parallel (import_pipeline.go); the layout,
// and so every CID, is boxo's.
func importFile(ctx context.Context, r io.Reader, p Profile, dserv ipld.DAGService) (ipld.Node, error) {
	cache := &leafCache{cids: make(map[*byte]leafEntry)}
	builder := hashingBuilder{prefix: p.cidBuilder().(cid.Prefix), cache: cache}
	leaf := builder.prefix
	leaf.Codec = cid.Raw
	spl := newPipelineSplitter(ctx, r, p.ChunkSize, leaf, cache)
	defer spl.close()
	var batch *ipld.Batch
	switch d := dserv.(type) {
	case *writerDAG:
		if d.copies {
			d.release = spl.recycle
			defer func() { d.release = nil }()
		}
	case discardDAG:
	default:
		batch = ipld.NewBatch(ctx, dserv)
		dserv = batchDAG{DAGService: dserv, batch: batch}
	}
	params := helpers.DagBuilderParams{
		Maxlinks:   p.MaxLinks,
		RawLeaves:  true,
		CidBuilder: builder,
		Dagserv:    dserv,
	}
	db, err := params.New(spl)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	nd, err := balanced.Layout(db)
	if err != nil {
		return nil, fmt.Errorf("import: %w", classify(err))
	}
	if batch != nil {
		if err := batch.Commit(); err != nil {
			return nil, fmt.Errorf("import: store blocks: %w", classify(err))
		}
	}
	return nd, nil
}

// importPath imports a file, symlink or folder tree like `ipfs add -r`.
func importPath(ctx context.Context, path string, fi os.FileInfo, p Profile, dserv ipld.DAGService) (ipld.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	mode := fi.Mode()
	switch {
	case mode.IsRegular():
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		defer f.Close()
		nd, err := importFile(ctx, f, p, dserv)
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		return nd, nil
	case mode&os.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		data, err := ft.SymlinkData(target)
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		nd := mdag.NodeWithData(data)
		if err := nd.SetCidBuilder(p.cidBuilder()); err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		if err := dserv.Add(ctx, nd); err != nil {
			return nil, fmt.Errorf("add %s: %w", path, classify(err))
		}
		return nd, nil
	case mode.IsDir():
		dir, err := uio.NewDirectory(dserv, uio.WithCidBuilder(p.cidBuilder()))
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		ents, err := os.ReadDir(path) // sorted by name
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") { // kubo skips hidden files unless --hidden
				continue
			}
			child := filepath.Join(path, e.Name())
			cfi, err := os.Lstat(child)
			if err != nil {
				return nil, fmt.Errorf("add %s: %w", child, err)
			}
			cn, err := importPath(ctx, child, cfi, p, dserv)
			if err != nil {
				return nil, err
			}
			if err := dir.AddChild(ctx, e.Name(), cn); err != nil {
				return nil, fmt.Errorf("add %s: %w", child, err)
			}
		}
		nd, err := dir.GetNode()
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", path, err)
		}
		if err := dserv.Add(ctx, nd); err != nil {
			return nil, fmt.Errorf("add %s: %w", path, classify(err))
		}
		return nd, nil
	}
	return nil, fmt.Errorf("add %s: file mode %s: %w", path, mode, ErrUnsupported)
}

// batchDAG sends Add/AddMany through an ipld.Batch (parallel, buffered
// writes) and everything else to the DAG service.
type batchDAG struct {
	ipld.DAGService
	batch *ipld.Batch
}

func (b batchDAG) Add(ctx context.Context, nd ipld.Node) error { return b.batch.Add(ctx, nd) }

func (b batchDAG) AddMany(ctx context.Context, nds []ipld.Node) error {
	return b.batch.AddMany(ctx, nds)
}

// nodeGetter fetches nodes one by one (a few in parallel) so that the real
// error of a failed block — ErrCorrupt, ErrNotFound, ErrBackend — reaches
// the reader. merkledag's own GetMany replaces it with a generic message.
type nodeGetter struct{ dag ipld.DAGService }

const getManyWorkers = 4

func (g nodeGetter) Get(ctx context.Context, c cid.Cid) (ipld.Node, error) {
	nd, err := g.dag.Get(ctx, c)
	if err != nil {
		return nil, classify(err)
	}
	return nd, nil
}

func (g nodeGetter) GetMany(ctx context.Context, cs []cid.Cid) <-chan *ipld.NodeOption {
	out := make(chan *ipld.NodeOption, len(cs))
	jobs := make(chan cid.Cid)
	var wg sync.WaitGroup
	workers := min(getManyWorkers, len(cs))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				nd, err := g.Get(ctx, c)
				out <- &ipld.NodeOption{Node: nd, Err: err}
			}
		}()
	}
	go func() {
		defer close(out)
		defer wg.Wait()
		defer close(jobs)
		for _, c := range cs {
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
