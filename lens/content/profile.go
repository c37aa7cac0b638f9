package content

import (
	"fmt"
	"strings"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// Profile is a set of UnixFS import settings. Two stores with the same
// profile compute the same CID for the same bytes, and so does kubo with the
// matching `ipfs add` flags. All profiles use CIDv1, sha2-256, raw leaves
// and the balanced DAG layout.
type Profile struct {
	// Name is how the profile is chosen in configuration ("default", "1mib").
	Name string
	// ChunkSize is the fixed chunker size in bytes (kubo --chunker=size-N).
	ChunkSize int64
	// MaxLinks is the maximum number of links per file DAG node
	// (kubo --max-file-links).
	MaxLinks int
}

var (
	// ProfileDefault matches `ipfs add --cid-version=1`: 262144-byte chunks,
	// 174 links per node.
	ProfileDefault = Profile{Name: "default", ChunkSize: 262144, MaxLinks: 174}
	// Profile1MiB matches `ipfs add --cid-version=1 --chunker=size-1048576
	// --max-file-links=1024` (the file part of IPIP-499's unixfs-v1-2025).
	Profile1MiB = Profile{Name: "1mib", ChunkSize: 1048576, MaxLinks: 1024}
)

// Profiles lists the named profiles in a fixed order.
func Profiles() []Profile { return []Profile{ProfileDefault, Profile1MiB} }

// ParseProfile returns the profile with the given name; "" means "default".
func ParseProfile(name string) (Profile, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "default":
		return ProfileDefault, nil
	case "1mib":
		return Profile1MiB, nil
	}
	return Profile{}, fmt.Errorf("profile %q (want default or 1mib): %w", name, ErrUnknownProfile)
}

func (p Profile) validate() error {
	if p.ChunkSize <= 0 || p.ChunkSize > MaxBlockSize || p.MaxLinks < 2 {
		return fmt.Errorf("profile %q: chunk size %d, max links %d: %w", p.Name, p.ChunkSize, p.MaxLinks, ErrUnknownProfile)
	}
	return nil
}

// cidBuilder is the builder for dag-pb nodes (raw leaves switch the codec to
// raw themselves): CIDv1, sha2-256.
func (p Profile) cidBuilder() cid.Builder {
	return cid.Prefix{Version: 1, Codec: cid.DagProtobuf, MhType: mh.SHA2_256, MhLength: -1}
}

// String returns the profile's name.
func (p Profile) String() string { return p.Name }
