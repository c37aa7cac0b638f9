// Package content owns riffchain's off-ledger content store: the place where
// a Lens's files and folders live, addressed by IPFS-compatible CIDs.
//
// It computes exactly the CIDs that kubo (the reference IPFS node) prints for
// the same bytes and settings, using the IPFS project's own libraries (boxo's
// UnixFS importer and DAG reader, go-cid, go-multihash, go-car): see Profile.
// Two backends implement Store: an embedded on-disk blockstore (OpenDisk, the
// default) and a running IPFS node reached through its HTTP RPC API
// (OpenKubo). Every block read from either backend is checked against its CID
// before a byte of it is used, so a backend that returns wrong bytes yields
// ErrCorrupt, never wrong content.
//
// Beside the store the package offers the node's IPFS HTTP gateway (boxo's,
// with origin isolation and limits: NewGateway) and CAR export/import (ExportCAR, ImportCAR) so that a Lens
// can be taken elsewhere together with a manifest block. The specification is
// spec/content.md.
package content

import (
	"context"
	"errors"
	"io"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
)

// Sentinel errors. Every error returned by this package that has one of
// these meanings wraps the sentinel, so callers test with errors.Is.
var (
	// ErrNotFound: the store does not hold the requested block or content.
	ErrNotFound = errors.New("content not found")
	// ErrCorrupt: bytes do not hash to the CID they were asked for or
	// announced under (tampered backend, damaged disk, forged CAR block).
	ErrCorrupt = errors.New("content does not match its CID")
	// ErrInvalidCID: a CID, or a request path holding one, is malformed.
	ErrInvalidCID = errors.New("invalid CID")
	// ErrIsDirectory: a file read was asked of a UnixFS directory.
	ErrIsDirectory = errors.New("CID is a directory")
	// ErrUnsupported: the content uses a codec, hash function or UnixFS
	// node type this store does not handle (e.g. reading a symlink as a file,
	// adding a device file).
	ErrUnsupported = errors.New("unsupported content")
	// ErrTooLarge: a block exceeds MaxBlockSize, or a CAR section or header
	// exceeds the import limits.
	ErrTooLarge = errors.New("block too large")
	// ErrUnknownProfile: a profile name other than "default" or "1mib".
	ErrUnknownProfile = errors.New("unknown content profile")
	// ErrBackend: the IPFS node's API could not be reached or answered with
	// an error that is not "not found".
	ErrBackend = errors.New("content backend error")
	// ErrCIDMismatch: the IPFS node computed a different CID than this
	// package computes for the same bytes and profile (a node whose import
	// settings differ from the profile).
	ErrCIDMismatch = errors.New("IPFS node computed a different CID")
	// ErrBadCAR: a CAR stream is malformed (bad header, truncated section,
	// unreadable CID).
	ErrBadCAR = errors.New("malformed CAR")
)

// MaxBlockSize is the largest block the store accepts (the bitswap limit:
// 2 MiB). The importer never makes larger blocks.
const MaxBlockSize = 2 << 20

// File is the content of a UnixFS file (or a raw block) read back from a
// store. Every block is verified against its CID as it is read; a mismatch
// makes Read return an error wrapping ErrCorrupt.
type File interface {
	io.ReadSeeker
	io.Closer
	// Size is the file's length in bytes.
	Size() int64
}

// Entry is one link of a UnixFS directory.
type Entry struct {
	Name string  `json:"name"`
	CID  cid.Cid `json:"cid"`
	// Size is the link's cumulative DAG size (kubo's Tsize), not the file
	// length.
	Size uint64 `json:"size"`
}

// Store is a content-addressed store of UnixFS files and folders.
// Implementations are safe for concurrent use.
type Store interface {
	// Add imports the bytes of r as one UnixFS file with the store's profile
	// and returns its CID (what `ipfs add --cid-version=1` prints).
	Add(ctx context.Context, r io.Reader) (cid.Cid, error)
	// AddPath imports a file, or a folder recursively (what
	// `ipfs add -r --cid-version=1 path` prints for path itself). Like kubo,
	// names starting with "." inside a folder are skipped; symlinks are
	// stored as UnixFS symlinks.
	AddPath(ctx context.Context, path string) (cid.Cid, error)
	// Get opens the file with CID c for reading; the root block is fetched
	// and verified before Get returns. ErrIsDirectory for a folder.
	Get(ctx context.Context, c cid.Cid) (File, error)
	// Resolve follows a slash-separated path of link names from root through
	// UnixFS directories (basic or HAMT-sharded) and returns the CID it ends
	// at. An empty path returns root.
	Resolve(ctx context.Context, root cid.Cid, path string) (cid.Cid, error)
	// List returns the links of the UnixFS directory c, sorted by name.
	List(ctx context.Context, c cid.Cid) ([]Entry, error)
	// Has reports whether the store holds the block c itself (not whether
	// the whole DAG below it is present).
	Has(ctx context.Context, c cid.Cid) (bool, error)
	// GetBlock returns the verified bytes of block c.
	GetBlock(ctx context.Context, c cid.Cid) (blocks.Block, error)
	// PutBlock verifies that b's bytes hash to b's CID and stores them.
	PutBlock(ctx context.Context, b blocks.Block) error
	// Profile is the import profile Add and AddPath use.
	Profile() Profile
	// Pin keeps the DAG under root from GC under label (PinUser,
	// PinSeed); with verify every block is read and checked first. Add,
	// AddPath and ImportCAR pin what they store (PinUser).
	Pin(ctx context.Context, root cid.Cid, label string, verify bool) error
	// Unpin removes one label; the root stays pinned while others remain.
	Unpin(ctx context.Context, root cid.Cid, label string) error
	// Pins lists pinned roots with their labels.
	Pins(ctx context.Context) ([]Pin, error)
	// GC removes every block no pin reaches (spec/content.md, section 5b).
	GC(ctx context.Context, o GCOptions) (GCResult, error)
	// Close releases the backend's resources.
	Close() error
}
