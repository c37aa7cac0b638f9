package content

import (
	"github.com/ipfs/boxo/blockstore"
	ds "github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
)

// NewMemory returns a Store that keeps blocks in memory (tests, dry runs).
func NewMemory(p Profile) (Store, error) {
	bs := blockstore.NewBlockstore(dssync.MutexWrap(ds.NewMapDatastore()))
	s, err := newDAGStore(bs, p)
	if err != nil {
		return nil, err
	}
	s.pins = &memPins{}
	s.sweep = s.sweepBlocks(nil)
	return s, nil
}
