package ledger

import (
	"bytes"
	"fmt"
)

// MaxImportHeight bounds the height of an imported tree. IAVL trees are
// AVL-balanced, so a tree of height h holds at least Fib(h+2)-1 nodes:
// height 64 would need more than 10^13 keys. It also bounds the stack of
// subtrees an import keeps (one per level), so a stream of leaves that
// never closes into inner nodes is refused at once instead of growing it.
const MaxImportHeight = 64

// importSubtree summarises a finished subtree of the import: what its
// parent must agree with.
type importSubtree struct {
	height   int8
	size     int64
	version  int64
	min, max []byte // smallest and largest key
}

// importCheck verifies, node by node, that an export stream is a tree
// IAVL could have written: post-order, keys strictly ascending, every
// inner node's key the smallest key of its right subtree (IAVL does not
// hash inner keys, so a root-hash match alone does not vouch for them),
// heights one more than the taller child and balanced, versions not older
// than the children's and not newer than the version imported.
type importCheck struct {
	version int64
	stack   []importSubtree
	nodes   int64
}

func (c *importCheck) add(n *ExportNode) error {
	if n.Version < 1 || n.Version > c.version {
		return fmt.Errorf("node %d: version %d outside 1..%d", c.nodes, n.Version, c.version)
	}
	if n.Height < 0 || n.Height > MaxImportHeight {
		return fmt.Errorf("node %d: height %d outside 0..%d", c.nodes, n.Height, MaxImportHeight)
	}
	if n.Height == 0 {
		if n.Value == nil {
			return fmt.Errorf("node %d: leaf without a value", c.nodes)
		}
		if len(c.stack) >= MaxImportHeight+1 {
			return fmt.Errorf("node %d: more than %d unfinished subtrees", c.nodes, MaxImportHeight+1)
		}
		if len(c.stack) > 0 && bytes.Compare(c.stack[len(c.stack)-1].max, n.Key) >= 0 {
			return fmt.Errorf("node %d: leaf key %x not after %x", c.nodes, n.Key, c.stack[len(c.stack)-1].max)
		}
		k := append([]byte(nil), n.Key...)
		c.stack = append(c.stack, importSubtree{height: 0, size: 1, version: n.Version, min: k, max: k})
		c.nodes++
		return nil
	}
	if n.Value != nil {
		return fmt.Errorf("node %d: inner node with a value", c.nodes)
	}
	if len(c.stack) < 2 {
		return fmt.Errorf("node %d: inner node without two subtrees", c.nodes)
	}
	l, r := c.stack[len(c.stack)-2], c.stack[len(c.stack)-1]
	c.stack = c.stack[:len(c.stack)-2]
	if bytes.Compare(l.max, r.min) >= 0 {
		return fmt.Errorf("node %d: left subtree's keys not before the right's", c.nodes)
	}
	if !bytes.Equal(n.Key, r.min) {
		return fmt.Errorf("node %d: split key %x, the right subtree starts at %x", c.nodes, n.Key, r.min)
	}
	if want := max(l.height, r.height) + 1; n.Height != want {
		return fmt.Errorf("node %d: height %d, children make it %d", c.nodes, n.Height, want)
	}
	if d := int(l.height) - int(r.height); d < -1 || d > 1 {
		return fmt.Errorf("node %d: unbalanced (children of heights %d and %d)", c.nodes, l.height, r.height)
	}
	if n.Version < l.version || n.Version < r.version {
		return fmt.Errorf("node %d: version %d older than its children's", c.nodes, n.Version)
	}
	c.stack = append(c.stack, importSubtree{height: n.Height, size: l.size + r.size, version: n.Version, min: l.min, max: r.max})
	c.nodes++
	return nil
}

// done checks that the stream closed into one tree (or none).
func (c *importCheck) done() error {
	if len(c.stack) > 1 {
		return fmt.Errorf("%d subtrees left without a root", len(c.stack))
	}
	return nil
}
