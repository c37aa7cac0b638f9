package agreements

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestPredictedCollectiveAddress: collective addresses come from a global
// sequence, so an attacker can list the next one as a member of its own
// collective A before it exists. Before the fix the next collective was
// created at that address and so was a member of A (and could approve for
// A through its own collective exec). Now creation skips an address that is
// already a member, and a collective never counts as a member at use.
func TestPredictedCollectiveAddress(t *testing.T) {
	e := newEnv(t)
	seqNow := func() uint64 {
		b, err := e.tree.Get([]byte(keyCollectiveSeq))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseUint(string(b), 10, 64)
		return n
	}
	e.collective("x", 1, "x")
	next := seqNow() + 2 // A takes the next sequence number, B the one after
	predicted, later := CollectiveAddress(next), CollectiveAddress(next+1)
	m1 := addr("m1")
	a := e.must(func(k *Keeper) (ledger.Output, error) {
		return k.ExecCreateCollective(e.blk, m1, &MsgCreateCollective{Members: []ledger.Address{m1, predicted, later}, Threshold: 1})
	})["collective"]
	b := e.collective("m2", 1, "m2")
	if b == predicted || b == later {
		t.Fatalf("collective created at %s, an address already a member of %s", b, a)
	}
	if err := noNesting(t, e); err != nil {
		t.Fatal(err)
	}
}

// noNesting checks that no collective lists a collective.
func noNesting(t *testing.T, e *env) error {
	t.Helper()
	p := []byte(prefixCollective)
	var bad error
	err := e.tree.Iterate(p, ledger.PrefixEnd(p), func(_, v []byte) bool {
		var c Collective
		if err := json.Unmarshal(v, &c); err != nil {
			bad = err
			return false
		}
		for _, m := range c.Members {
			if ok, _ := e.tree.Get(CollectiveKey(m)); ok != nil {
				bad = errors.New("collective " + c.Address.String() + " lists collective " + m.String())
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	return bad
}

// TestCollectiveNeverActsAsMember: should a collective be listed as a
// member (state from before the creation check), it still cannot accept,
// reject, execute or attest as one.
func TestCollectiveNeverActsAsMember(t *testing.T) {
	e := newEnv(t)
	inner := e.collective("m2", 1, "m2")
	// Forge the nesting the old code allowed: a collective listing inner.
	outer := e.must(func(k *Keeper) (ledger.Output, error) {
		return k.ExecCreateCollective(e.blk, addr("m1"), &MsgCreateCollective{Members: []ledger.Address{addr("m1"), addr("ghost")}, Threshold: 2})
	})["collective"]
	outerAddr, _ := ledger.ParseAddress(outer)
	var c Collective
	raw, _ := e.tree.Get(CollectiveKey(outerAddr))
	_ = json.Unmarshal(raw, &c)
	c.Members = []ledger.Address{addr("m1"), inner}
	b, _ := json.Marshal(c)
	for _, k := range [][]byte{CollectiveKey(outerAddr), CollectiveVersionKey(outerAddr, c.Version)} {
		if err := e.tree.Set(k, b); err != nil {
			t.Fatal(err)
		}
	}
	a := addr("A")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	out, err := e.propose(Body{Parties: []ledger.Address{a, outerAddr}, Actions: []Action{xfer(a, outerAddr, x, 1)}, ExpiresAtHeight: 100}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	for name, fn := range map[string]func(k *Keeper) (ledger.Output, error){
		"accept": func(k *Keeper) (ledger.Output, error) {
			return k.ExecAccept(e.blk, inner, &MsgAccept{ID: id, As: &outerAddr})
		},
		"reject": func(k *Keeper) (ledger.Output, error) {
			return k.ExecReject(e.blk, inner, &MsgReject{ID: id, As: &outerAddr})
		},
		"execute": func(k *Keeper) (ledger.Output, error) { return k.ExecExecute(e.blk, inner, &MsgExecute{ID: id}) },
	} {
		if _, err := e.exec(fn); !errors.Is(err, ErrNestedCollective) {
			t.Errorf("%s by the nested collective: %v", name, err)
		}
	}
	// The real member still acts.
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) {
		return k.ExecAccept(e.blk, addr("m1"), &MsgAccept{ID: id, As: &outerAddr})
	}); err != nil {
		t.Fatal(err)
	}
}
