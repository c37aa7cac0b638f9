package agreements

import (
	"bytes"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// MaxLapsesPerBlock bounds the work EndBlock does, and so does the gas its
// store is charged (gas.EndBlockBudget, when the store is metered: a lapse
// rewrites a record that may be tens of KB); proposals beyond either stay
// in the expiry index and lapse in the following blocks (they cannot be
// accepted meanwhile, being expired).
const MaxLapsesPerBlock = 1000

// EndBlock lapses every open proposal whose expiry has passed by the end of
// blk: expires_at_height <= blk.Height, or expires_at_time < blk.Time
// (the next block's time is at least blk.Time, so an agreement due at
// exactly blk.Time can still settle in a block with that time). Due
// proposals are taken from the height index, then the time index, each in
// key order (expiry, then id). Each lapse returns the escrow in its own
// nested branch; if the return fails the agreement still lapses, its
// escrow stays in the escrow account, the reason goes to last_error and
// the proposer can retry the return with agreement/withdraw. EndBlock
// returns an error only for a store failure.
func (k *Keeper) EndBlock(blk ledger.Block) error {
	var due [][]byte
	collect := func(prefix string, end []byte) error {
		return k.kv.Iterate([]byte(prefix), end, func(key, _ []byte) bool {
			due = append(due, bytes.Clone(key))
			return len(due) < MaxLapsesPerBlock
		})
	}
	if blk.Height >= 0 {
		if err := collect(prefixExpiryHeight, append([]byte(prefixExpiryHeight), be8(uint64(blk.Height)+1)...)); err != nil {
			return err
		}
	}
	if len(due) < MaxLapsesPerBlock && blk.Time > 0 {
		if err := collect(prefixExpiryTime, append([]byte(prefixExpiryTime), be8(uint64(blk.Time))...)); err != nil {
			return err
		}
	}
	meter := gas.Of(k.kv) // the end block's: charged for every lapse
	for _, key := range due {
		if meter.Used() >= gas.EndBlockBudget {
			break // the rest lapse in the next blocks
		}
		// Both index prefixes have the same length.
		id := string(key[len(prefixExpiryHeight)+8:])
		if err := k.lapse(blk, id, key); err != nil {
			return err
		}
	}
	return nil
}

func (k *Keeper) lapse(blk ledger.Block, id string, indexKey []byte) error {
	var rec Record
	ok, err := ledger.GetJSON(k.kv, AgreementKey(id), &rec)
	if err != nil {
		return err
	}
	if !ok || rec.Status != StatusProposed {
		// Stale entry (should not happen): drop it.
		return k.kv.Delete(indexKey)
	}
	rec.Status = StatusLapsed
	rec.ClosedHeight = blk.Height
	rec.addHistory(blk, "lapsed", nil, "")
	br := ledger.NewBranch(k.kv)
	ev := &ledger.Events{}
	if rerr := k.returnEscrow(ledger.New(br, ev), &rec); rerr != nil {
		rec.Escrow.Returned = false
		rec.LastError = fmt.Sprintf("lapse: %v", rerr)
		rec.LastErrorHeight = blk.Height
		rec.addHistory(blk, "escrow_return_failed", nil, rec.LastError)
	} else {
		if err := br.Write(); err != nil {
			return err
		}
		k.events.Append(ev)
	}
	if err := k.unindexExpiry(&rec); err != nil {
		return err
	}
	return k.save(&rec, StatusProposed, "lapse")
}
