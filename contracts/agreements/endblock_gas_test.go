package agreements

import (
	"fmt"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// meteredEndBlock runs EndBlock over a store metered without a limit, as
// the app does, and returns the gas it was charged.
func (e *env) meteredEndBlock() uint64 {
	e.t.Helper()
	m := gas.NewMeter(^uint64(0))
	br := ledger.NewBranch(e.tree)
	k := New(ledger.New(gas.NewStore(br, m), &ledger.Events{}), testChain, nil)
	if err := k.EndBlock(e.blk); err != nil {
		e.t.Fatal(err)
	}
	if err := br.Write(); err != nil {
		e.t.Fatal(err)
	}
	return m.Used()
}

// Lapsing rewrites each record whole, so a backlog of large proposals due
// at one height lapses over several blocks, each end block stopping once
// it has used gas.EndBlockBudget (plus the lapse in progress).
func TestEndBlockLapsesWithinGasBudget(t *testing.T) {
	e := newEnv(t)
	parties := make([]ledger.Address, MaxParties)
	for i := range parties {
		parties[i] = addr(fmt.Sprintf("P%d", i))
	}
	x := e.fungible("XSH", parties[0], map[ledger.Address]uint64{parties[0]: 100})
	const n = 40
	var ids []string
	for a := 0; a < n; a++ {
		body := Body{Parties: parties, Title: strings.Repeat("T", 256), ExpiresAtHeight: e.blk.Height + 1, Salt: fmt.Sprint(a)}
		for i := 0; i < MaxActions; i++ {
			body.Actions = append(body.Actions, xfer(parties[i%MaxParties], parties[(i+1)%MaxParties], x, 1))
		}
		for i := 0; i < MaxObligations; i++ {
			body.Obligations = append(body.Obligations, Obligation{By: parties[i%MaxParties], To: parties[(i+1)%MaxParties], What: strings.Repeat("w", 512)})
		}
		out, err := e.propose(body, "P0", false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out["agreement_id"])
	}
	lapsed := func() int {
		c := 0
		for _, id := range ids {
			if e.record(id).Status == StatusLapsed {
				c++
			}
		}
		return c
	}
	e.next(1)
	var perBlock []int
	for b := 0; b < 10 && lapsed() < n; b++ {
		before := lapsed()
		used := e.meteredEndBlock()
		perBlock = append(perBlock, lapsed()-before)
		if used > 2*gas.EndBlockBudget {
			t.Fatalf("end block used %d gas, budget %d (plus one lapse)", used, gas.EndBlockBudget)
		}
		e.next(1)
	}
	if lapsed() != n || len(perBlock) < 2 || perBlock[0] == n {
		t.Fatalf("lapsed %d of %d, per block %v: want all, over several blocks", lapsed(), n, perBlock)
	}
	t.Logf("lapses per block: %v", perBlock)
}
