package ledger

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/riffchain/riffchain/ledger/gas"
)

// Reader reads state.
type Reader interface {
	// Get returns the value at key, or nil when there is none.
	Get(key []byte) ([]byte, error)
	// Iterate calls fn for every key in [start, end) in ascending order until
	// fn returns false. A nil end means no upper bound.
	Iterate(start, end []byte, fn func(key, value []byte) bool) error
}

// KV reads and writes state.
type KV interface {
	Reader
	Set(key, value []byte) error
	Delete(key []byte) error
}

// PrefixEnd returns the smallest key greater than every key with the prefix,
// or nil when there is none.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// Branch is a copy-on-write view over a parent KV. Writes stay in the branch
// until Write applies them to the parent in sorted key order; dropping the
// branch discards them. Branches nest.
type Branch struct {
	parent KV
	writes map[string][]byte // nil value = deleted
}

// NewBranch returns an empty branch over parent.
func NewBranch(parent KV) *Branch {
	return &Branch{parent: parent, writes: make(map[string][]byte)}
}

// Get implements Reader.
func (b *Branch) Get(key []byte) ([]byte, error) {
	if v, ok := b.writes[string(key)]; ok {
		return v, nil
	}
	return b.parent.Get(key)
}

// Set implements KV.
func (b *Branch) Set(key, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	b.writes[string(key)] = bytes.Clone(value)
	return nil
}

// Delete implements KV.
func (b *Branch) Delete(key []byte) error {
	b.writes[string(key)] = nil
	return nil
}

func (b *Branch) sortedKeys(start, end []byte) []string {
	keys := make([]string, 0, len(b.writes))
	for k := range b.writes {
		if k < string(start) || (end != nil && k >= string(end)) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Iterate implements Reader, merging the branch's writes with the parent.
func (b *Branch) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	keys := b.sortedKeys(start, end)
	i := 0
	stopped := false
	emitOwn := func(upTo string, inclusive bool) bool {
		for i < len(keys) && (keys[i] < upTo || (inclusive && keys[i] == upTo)) {
			k := keys[i]
			i++
			if v := b.writes[k]; v != nil {
				if !fn([]byte(k), v) {
					return false
				}
			}
		}
		return true
	}
	err := b.parent.Iterate(start, end, func(k, v []byte) bool {
		if !emitOwn(string(k), false) {
			stopped = true
			return false
		}
		if i < len(keys) && keys[i] == string(k) {
			return true // overridden (or deleted) by this branch; emitted by emitOwn next round
		}
		if !fn(k, v) {
			stopped = true
			return false
		}
		return true
	})
	if err != nil || stopped {
		return err
	}
	for ; i < len(keys); i++ {
		if v := b.writes[keys[i]]; v != nil {
			if !fn([]byte(keys[i]), v) {
				return nil
			}
		}
	}
	return nil
}

// Write applies the branch's writes to its parent in sorted key order and
// empties the branch.
func (b *Branch) Write() error {
	keys := b.sortedKeys(nil, nil)
	for _, k := range keys {
		v := b.writes[k]
		var err error
		if v == nil {
			err = b.parent.Delete([]byte(k))
		} else {
			err = b.parent.Set([]byte(k), v)
		}
		if err != nil {
			return fmt.Errorf("write branch: %w", err)
		}
	}
	b.writes = make(map[string][]byte)
	return nil
}

// GasMeter implements gas.Carrier: a branch over a metered store (a
// module's nested branch inside a tx) carries the tx's meter, so loops in it
// are charged to the tx.
func (b *Branch) GasMeter() *gas.Meter { return gas.Of(b.parent) }

// Len reports how many keys the branch has written or deleted.
func (b *Branch) Len() int { return len(b.writes) }
