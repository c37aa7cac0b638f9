package lens

import (
	"fmt"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/riffchain/riffchain/ledger"
)

// BenchGraph writes the Lens graph the view benchmarks measure (this
// package's BenchmarkView1000x100 and app/web's page benchmark) into k's
// ledger at height 1: lenses Lenses "lens-0000"... with entries entries
// each (kinds rotating, one tag each, entry 3 of lens 7 also tagged
// "rare"); Lens i follows follows others with weights spread over
// 0.1..1.0; every 50th Lens blocks a CID and a Lens. Owners are
// owner(i). Not used by the node.
func BenchGraph(k *Keeper, lenses, entries, follows int, owner func(i int) ledger.Address) error {
	blk := ledger.Block{Height: 1}
	h := func(i int) string { return fmt.Sprintf("lens-%04d", i) }
	kinds := []string{"video", "audio", "image", "document", "post"}
	for i := 0; i < lenses; i++ {
		if _, err := k.ExecCreate(blk, owner(i), &MsgCreate{Handle: h(i), Name: h(i)}); err != nil {
			return err
		}
		for j := 0; j < entries; j++ {
			tags := []string{fmt.Sprintf("t%d", (i+j)%20)}
			if i == 7 && j == 3 {
				tags = append(tags, "rare")
			}
			m := &MsgAddEntry{Lens: h(i), CID: benchCID(fmt.Sprintf("%d/%d", i, j)), Kind: kinds[j%len(kinds)],
				Title: fmt.Sprintf("entry %d of %d", j, i), Tags: tags, Size: uint64(1000 + j)}
			if _, err := k.ExecAddEntry(blk, owner(i), m); err != nil {
				return err
			}
		}
	}
	for i := 0; i < lenses; i++ {
		for j := 0; j < follows; j++ {
			t := (i*31 + j*97 + 1) % lenses
			if t == i {
				continue
			}
			w := uint32(100_000 + (i*7919+j*104729)%900_001)
			if _, err := k.ExecFollow(blk, owner(i), &MsgFollow{Lens: h(i), Target: h(t), Weight: w}); err != nil {
				return err
			}
		}
		if i%50 == 0 {
			if _, err := k.ExecBlock(blk, owner(i), &MsgBlock{Lens: h(i), CID: benchCID(fmt.Sprintf("%d/%d", (i+1)%lenses, 0))}); err != nil {
				return err
			}
			if _, err := k.ExecBlock(blk, owner(i), &MsgBlock{Lens: h(i), Target: h((i + 500) % lenses)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchCID is the raw-leaf CIDv1 of s's bytes.
func benchCID(s string) string {
	sum, err := mh.Sum([]byte(s), mh.SHA2_256, -1)
	if err != nil {
		panic(err) // sha2-256 is always available
	}
	return cid.NewCidV1(cid.Raw, sum).String()
}
