package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// The bytes of a snapshot, as peers exchange them (spec/statesync.md):
//
//   - metadata: SnapshotMeta as JSON; the snapshot's hash is its SHA-256.
//     checkMeta decodes an offered snapshot's metadata strictly and checks
//     it against the snapshot header.
//   - chunks: a stream of IAVL export nodes in export order, each
//
//     height (1 byte) | uvarint version | uvarint len(key) | key
//     [| uvarint len(value) | value]   (leaves only: height 0)
//
//     cut into chunks at node boundaries. encodeNode writes one node,
//     decodeChunk reads a chunk back; neither knows files or peers.

// SnapshotMeta is the metadata of a snapshot (JSON, field order fixed so
// that every node producing the same snapshot produces the same bytes).
type SnapshotMeta struct {
	Format      uint32   `json:"format"`
	Height      int64    `json:"height"`
	Nodes       int64    `json:"nodes"`        // exported tree nodes
	Bytes       int64    `json:"bytes"`        // total chunk bytes
	ChunkHashes []string `json:"chunk_hashes"` // hex SHA-256 of each chunk
}

// checkMeta decodes and checks a snapshot's metadata against its header.
func checkMeta(snap *abci.Snapshot) (SnapshotMeta, error) {
	var m SnapshotMeta
	sum := sha256.Sum256(snap.Metadata)
	if !bytes.Equal(sum[:], snap.Hash) {
		return m, fmt.Errorf("%w: metadata does not hash to the snapshot hash", ErrSnapshotInvalid)
	}
	if err := StrictUnmarshal(snap.Metadata, &m); err != nil {
		return m, fmt.Errorf("%w: metadata: %v", ErrSnapshotInvalid, err)
	}
	if m.Format != snap.Format || m.Height <= 0 || uint64(m.Height) != snap.Height ||
		len(m.ChunkHashes) == 0 || uint32(len(m.ChunkHashes)) != snap.Chunks {
		return m, fmt.Errorf("%w: metadata does not match the snapshot", ErrSnapshotInvalid)
	}
	for _, h := range m.ChunkHashes {
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			return m, fmt.Errorf("%w: bad chunk hash %q", ErrSnapshotInvalid, h)
		}
	}
	return m, nil
}

// encodeNode appends n to buf in the chunk encoding: height byte, uvarint
// version, uvarint-prefixed key, and for leaves a uvarint-prefixed value.
func encodeNode(buf *bytes.Buffer, n *ledger.ExportNode) {
	buf.WriteByte(byte(n.Height))
	uvarint(buf, uint64(n.Version))
	uvarint(buf, uint64(len(n.Key)))
	buf.Write(n.Key)
	if n.Height == 0 {
		uvarint(buf, uint64(len(n.Value)))
		buf.Write(n.Value)
	}
}

func uvarint(buf *bytes.Buffer, v uint64) {
	buf.Write(binary.AppendUvarint(buf.AvailableBuffer(), v))
}

// importChunk decodes a chunk's nodes and adds them to imp, which checks
// each against the tree built so far (ledger.Importer).
func importChunk(imp *ledger.Importer, chunk []byte) (int64, error) {
	return decodeChunk(chunk, imp.Add)
}

// decodeChunk decodes a chunk's nodes, in order, into add.
func decodeChunk(chunk []byte, add func(*ledger.ExportNode) error) (int64, error) {
	var n int64
	rd := bytes.NewReader(chunk)
	readBytes := func() ([]byte, error) {
		l, err := binary.ReadUvarint(rd)
		if err != nil {
			return nil, err
		}
		if l > uint64(rd.Len()) {
			return nil, fmt.Errorf("length %d past the end of the chunk", l)
		}
		b := make([]byte, l)
		_, err = rd.Read(b)
		return b, err
	}
	for rd.Len() > 0 {
		h, _ := rd.ReadByte()
		ver, err := binary.ReadUvarint(rd)
		if err != nil || ver > 1<<62 {
			return n, fmt.Errorf("%w: node %d: version", ErrSnapshotInvalid, n)
		}
		key, err := readBytes()
		if err != nil {
			return n, fmt.Errorf("%w: node %d: key: %v", ErrSnapshotInvalid, n, err)
		}
		node := &ledger.ExportNode{Height: int8(h), Version: int64(ver), Key: key}
		if h == 0 {
			if node.Value, err = readBytes(); err != nil {
				return n, fmt.Errorf("%w: node %d: value: %v", ErrSnapshotInvalid, n, err)
			}
		}
		if err := add(node); err != nil {
			return n, fmt.Errorf("%w: node %d: %v", ErrSnapshotInvalid, n, err)
		}
		n++
	}
	return n, nil
}
