package agreements

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

const reasonCID = "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve"

// TestVoteTogglingBounded: a collective member below the threshold could
// alternate accept and reject forever, each step appending to the history
// and rewriting (and emitting) the whole record. Now a member changes its
// vote once; the next change fails with ErrVoteChanged and the record does
// not grow.
func TestVoteTogglingBounded(t *testing.T) {
	e := newEnv(t)
	a := addr("A")
	c := e.collective("m1", 3, "m1", "m2", "m3")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	out, err := e.propose(Body{Parties: []ledger.Address{a, c}, Actions: []Action{xfer(a, c, x, 1)}, ExpiresAtHeight: 100}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	vote := func(accept bool) error {
		_, err := e.exec(func(k *Keeper) (ledger.Output, error) {
			if accept {
				return k.ExecAccept(e.blk, addr("m1"), &MsgAccept{ID: id, As: &c})
			}
			return k.ExecReject(e.blk, addr("m1"), &MsgReject{ID: id, As: &c})
		})
		return err
	}
	if err := vote(true); err != nil {
		t.Fatal(err)
	}
	if err := vote(false); err != nil {
		t.Fatalf("first change: %v", err)
	}
	before, _ := json.Marshal(e.record(id))
	for i := 0; i < 10; i++ {
		if err := vote(i%2 == 0); !errors.Is(err, ErrVoteChanged) && !errors.Is(err, ErrDuplicateSignature) {
			t.Fatalf("toggle %d: %v", i, err)
		}
	}
	after, _ := json.Marshal(e.record(id))
	if string(before) != string(after) {
		t.Fatalf("refused toggles changed the record:\n%s\n%s", before, after)
	}
	// The other members still decide.
	for _, m := range []string{"m2", "m3"} {
		if _, err := e.exec(func(k *Keeper) (ledger.Output, error) {
			return k.ExecReject(e.blk, addr(m), &MsgReject{ID: id, As: &c})
		}); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	if rec := e.record(id); rec.Status != StatusRejected {
		t.Fatalf("status %s", rec.Status)
	}
}

// TestRedisputeBounded: a beneficiary could re-dispute an obligation
// forever; now MaxDisputes times, then only "fulfilled" is accepted.
func TestRedisputeBounded(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	cur := e.fungible("EUR", b, map[ledger.Address]uint64{b: 100})
	f := e.signedFile(Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(b, a, cur, 1)},
		Obligations: []Obligation{{By: b, To: a, What: "ship"}}, ExpiresAtHeight: 50}, "A", "B")
	if _, err := e.submit(f, "A"); err != nil {
		t.Fatal(err)
	}
	attest := func(fulfilled bool) error {
		_, err := e.exec(func(k *Keeper) (ledger.Output, error) {
			m := &MsgAttest{ID: f.ID, Obligation: 0, Fulfilled: fulfilled}
			if !fulfilled {
				m.Disputed = reasonCID
			}
			return k.ExecAttest(e.blk, a, m)
		})
		return err
	}
	for i := 0; i < MaxDisputes; i++ {
		if err := attest(false); err != nil {
			t.Fatalf("dispute %d: %v", i+1, err)
		}
	}
	if err := attest(false); !errors.Is(err, ErrTooManyDisputes) {
		t.Fatalf("dispute %d: %v", MaxDisputes+1, err)
	}
	if err := attest(true); err != nil {
		t.Fatalf("fulfilled after the disputes: %v", err)
	}
	if rec := e.record(f.ID); rec.Status != StatusCompleted || rec.Obligations[0].Disputes != MaxDisputes {
		t.Fatalf("record: %s, %d disputes", rec.Status, rec.Obligations[0].Disputes)
	}
}

// TestHistoryBounded: the history keeps MaxHistory steps and counts the
// rest, so a record (and the agreement_state event that carries it) stops
// growing.
func TestHistoryBounded(t *testing.T) {
	r := newRecord("id", Body{}, ModeProposal, ledger.Block{Height: 1})
	by := addr("A")
	for i := 0; i < MaxHistory+50; i++ {
		r.addHistory(ledger.Block{Height: int64(i)}, "member_accepted", &by, fmt.Sprint(i))
	}
	if len(r.History) != MaxHistory || r.HistoryDropped != 50 {
		t.Fatalf("history %d, dropped %d", len(r.History), r.HistoryDropped)
	}
}
