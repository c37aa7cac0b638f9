package content

import (
	"context"
	"errors"
	"fmt"
	"io"

	mdag "github.com/ipfs/boxo/ipld/merkledag"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	carstorage "github.com/ipld/go-car/v2/storage"
)

// CAR import limits: a header larger than MaxCARHeaderSize or a section
// (CID + block) larger than MaxBlockSize plus room for the CID is refused
// with ErrTooLarge/ErrBadCAR before it is read into memory.
const (
	MaxCARHeaderSize  = 1 << 20
	maxCARSectionSize = MaxBlockSize + 1024
	// MaxCARRoots bounds the roots a CAR header may list.
	MaxCARRoots = 1024
)

// ExportOptions adds to a CAR export.
type ExportOptions struct {
	// Manifest, when non-nil, is written as a raw block (CID = RawCID(Manifest))
	// that becomes the CAR's first root and its first block. A Lens export
	// puts its ledger-state manifest here.
	Manifest []byte
	// Extra blocks are written after the manifest and before the DAGs,
	// without becoming roots. Each is verified first.
	Extra []blocks.Block
	// RequireComplete makes the export fail with ErrNotFound when a block
	// reachable from a root is missing from the store; by default missing
	// blocks are skipped (a partial DAG is exported as is).
	RequireComplete bool
}

// ExportResult tells what an export wrote.
type ExportResult struct {
	// Roots as written in the CAR header (the manifest's CID first if any).
	Roots []cid.Cid
	// Blocks written, and blocks skipped because the store lacks them.
	Blocks, Missing int
	// Manifest is RawCID of the manifest, cid.Undef if none.
	Manifest cid.Cid
}

// ExportCAR writes a CARv1 stream to w: a header listing the roots, then
// every block reachable from the roots that s holds, each once, in
// depth-first pre-order (roots in the order given, links in node order).
// Links are followed through dag-pb nodes; raw blocks have none, and blocks
// of other codecs are written without following their links.
func ExportCAR(ctx context.Context, s Store, w io.Writer, roots []cid.Cid, opt ExportOptions) (ExportResult, error) {
	var res ExportResult
	headerRoots := make([]cid.Cid, 0, len(roots)+1)
	var manifest blocks.Block
	if opt.Manifest != nil {
		manifest = RawBlock(opt.Manifest)
		res.Manifest = manifest.Cid()
		headerRoots = append(headerRoots, manifest.Cid())
	}
	for _, r := range roots {
		if !r.Defined() {
			return res, fmt.Errorf("export: undefined root: %w", ErrInvalidCID)
		}
		headerRoots = append(headerRoots, r)
	}
	if len(headerRoots) == 0 {
		return res, fmt.Errorf("export: no roots: %w", ErrInvalidCID)
	}
	for _, b := range opt.Extra {
		if err := verifyBlock(b.Cid(), b.RawData()); err != nil {
			return res, fmt.Errorf("export: extra block: %w", err)
		}
	}
	res.Roots = headerRoots
	cw, err := carstorage.NewWritable(w, headerRoots, carv2.WriteAsCarV1(true), carv2.StoreIdentityCIDs(true))
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	seen := make(map[string]bool)
	put := func(b blocks.Block) error {
		k := b.Cid().KeyString()
		if seen[k] {
			return nil
		}
		seen[k] = true
		if err := cw.Put(ctx, k, b.RawData()); err != nil {
			return fmt.Errorf("export: write %s: %w", b.Cid(), err)
		}
		res.Blocks++
		return nil
	}
	if manifest != nil {
		if err := put(manifest); err != nil {
			return res, err
		}
	}
	for _, b := range opt.Extra {
		if err := put(b); err != nil {
			return res, err
		}
	}
	// Iterative DFS with an explicit stack (no recursion depth limit).
	for _, root := range roots {
		stack := []cid.Cid{root}
		for len(stack) > 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[c.KeyString()] {
				continue
			}
			b, err := s.GetBlock(ctx, c)
			if err != nil {
				if errors.Is(err, ErrNotFound) && !opt.RequireComplete {
					seen[c.KeyString()] = true
					res.Missing++
					continue
				}
				return res, fmt.Errorf("export: %w", err)
			}
			if err := put(b); err != nil {
				return res, err
			}
			links, err := blockLinks(b)
			if err != nil {
				return res, fmt.Errorf("export: %w", err)
			}
			for i := len(links) - 1; i >= 0; i-- {
				stack = append(stack, links[i])
			}
		}
	}
	return res, nil
}

// blockLinks returns the CIDs a block links to (dag-pb only).
func blockLinks(b blocks.Block) ([]cid.Cid, error) {
	if b.Cid().Type() != cid.DagProtobuf {
		return nil, nil
	}
	nd, err := mdag.DecodeProtobuf(b.RawData())
	if err != nil {
		return nil, fmt.Errorf("decode dag-pb %s: %v: %w", b.Cid(), err, ErrCorrupt)
	}
	out := make([]cid.Cid, 0, len(nd.Links()))
	for _, l := range nd.Links() {
		out = append(out, l.Cid)
	}
	return out, nil
}

// ImportResult tells what an import stored.
type ImportResult struct {
	Roots  []cid.Cid
	Blocks int
}

// ImportCAR reads a CARv1 or CARv2 stream, verifies every block against its
// CID before storing it in s, and returns the header's roots. The first block
// that fails verification stops the import with ErrCorrupt (blocks stored
// before it stay: they were verified). Malformed input yields ErrBadCAR or
// ErrTooLarge, never a panic. Roots need not be present in the CAR.
func ImportCAR(ctx context.Context, s Store, r io.Reader) (res ImportResult, err error) {
	br, err := carv2.NewBlockReader(r,
		carv2.MaxAllowedHeaderSize(MaxCARHeaderSize),
		carv2.MaxAllowedSectionSize(maxCARSectionSize),
		carv2.WithTrustedCAR(false),
	)
	if err != nil {
		return res, fmt.Errorf("import CAR: header: %v: %w", err, ErrBadCAR)
	}
	if len(br.Roots) > MaxCARRoots {
		return res, fmt.Errorf("import CAR: %d roots > %d: %w", len(br.Roots), MaxCARRoots, ErrTooLarge)
	}
	for _, c := range br.Roots {
		if !c.Defined() {
			return res, fmt.Errorf("import CAR: undefined root: %w", ErrBadCAR)
		}
	}
	res.Roots = br.Roots
	// The embedded store writes the verified blocks through one write batch
	// (one durability point, kept even when a later block fails).
	put := s.PutBlock
	if ds, ok := s.(*dagStore); ok {
		w := ds.newWriter()
		put = w.putTrusted
		defer func() {
			if ferr := w.finishKeep(nil); ferr != nil && err == nil {
				err = fmt.Errorf("import CAR: %w", ferr)
			}
			// Pin the roots the import stored (as `ipfs dag import`
			// does), once the batch is durable.
			for _, r := range res.Roots {
				if err != nil {
					return
				}
				if ok, herr := ds.Has(ctx, r); herr == nil && ok {
					err = ds.importPin(ctx, r)
				}
			}
		}()
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		c, data, err := readSection(br)
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			return res, err
		}
		if err := verifyBlock(c, data); err != nil {
			return res, fmt.Errorf("import CAR: block %d: %w", res.Blocks, err)
		}
		b, err := blocks.NewBlockWithCid(data, c)
		if err != nil {
			return res, fmt.Errorf("import CAR: %v: %w", err, ErrCorrupt)
		}
		if err := put(ctx, b); err != nil {
			return res, fmt.Errorf("import CAR: %w", err)
		}
		res.Blocks++
	}
}

// readSection reads one block without letting go-car verify it (we verify
// ourselves, to return ErrCorrupt); errors other than io.EOF are ErrBadCAR.
func readSection(br *carv2.BlockReader) (cid.Cid, []byte, error) {
	c, rd, size, err := br.NextReader()
	if err == io.EOF {
		return cid.Undef, nil, io.EOF
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return cid.Undef, nil, fmt.Errorf("import CAR: truncated section: %w", ErrBadCAR)
		}
		return cid.Undef, nil, fmt.Errorf("import CAR: %v: %w", err, ErrBadCAR)
	}
	if size > MaxBlockSize {
		return cid.Undef, nil, fmt.Errorf("import CAR: block %s: %d bytes: %w", c, size, ErrTooLarge)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(rd, data); err != nil {
		return cid.Undef, nil, fmt.Errorf("import CAR: block %s: %v: %w", c, err, ErrBadCAR)
	}
	return c, data, nil
}
