package content

import (
	"context"
	"fmt"
	"io"
	"os"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
	mh "github.com/multiformats/go-multihash"
)

// ComputeCID returns the CID that Add would return for the bytes of r under
// profile p, without storing anything (kubo's `ipfs add --only-hash`).
func ComputeCID(ctx context.Context, r io.Reader, p Profile) (cid.Cid, error) {
	if err := p.validate(); err != nil {
		return cid.Undef, err
	}
	nd, err := importFile(ctx, r, p, discardDAG{})
	if err != nil {
		return cid.Undef, err
	}
	return nd.Cid(), nil
}

// ComputePathCID returns the CID that AddPath would return for a file or
// folder under profile p, without storing anything.
func ComputePathCID(ctx context.Context, path string, p Profile) (cid.Cid, error) {
	if err := p.validate(); err != nil {
		return cid.Undef, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return cid.Undef, fmt.Errorf("add %s: %w", path, err)
	}
	nd, err := importPath(ctx, path, fi, p, discardDAG{})
	if err != nil {
		return cid.Undef, err
	}
	return nd.Cid(), nil
}

// RawCID is the CIDv1 (raw codec, sha2-256) of data: the CID of a file of at
// most one chunk, and of a manifest block in a CAR export.
func RawCID(data []byte) cid.Cid {
	sum, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil { // sha2-256 is always registered
		panic(fmt.Sprintf("content: sha2-256 unavailable: %v", err))
	}
	return cid.NewCidV1(cid.Raw, sum)
}

// RawBlock wraps data as a raw block under RawCID(data).
func RawBlock(data []byte) blocks.Block {
	b, err := blocks.NewBlockWithCid(data, RawCID(data))
	if err != nil { // cannot happen: the CID is computed from data
		panic(fmt.Sprintf("content: raw block: %v", err))
	}
	return b
}

// ParseCID decodes a CID string; errors wrap ErrInvalidCID.
func ParseCID(s string) (cid.Cid, error) {
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, fmt.Errorf("parse CID %q: %v: %w", truncate(s, 100), err, ErrInvalidCID)
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// discardDAG is a DAGService that only lets CIDs be computed.
type discardDAG struct{}

func (discardDAG) Get(_ context.Context, c cid.Cid) (ipld.Node, error) {
	return nil, ipld.ErrNotFound{Cid: c}
}

func (discardDAG) GetMany(_ context.Context, cs []cid.Cid) <-chan *ipld.NodeOption {
	ch := make(chan *ipld.NodeOption, len(cs))
	for _, c := range cs {
		ch <- &ipld.NodeOption{Err: ipld.ErrNotFound{Cid: c}}
	}
	close(ch)
	return ch
}

func (discardDAG) Add(context.Context, ipld.Node) error        { return nil }
func (discardDAG) AddMany(context.Context, []ipld.Node) error  { return nil }
func (discardDAG) Remove(context.Context, cid.Cid) error       { return nil }
func (discardDAG) RemoveMany(context.Context, []cid.Cid) error { return nil }
