package agreements

import (
	"errors"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func (e *env) collective(creator string, k uint32, members ...string) ledger.Address {
	e.t.Helper()
	var ms []ledger.Address
	for _, m := range members {
		ms = append(ms, addr(m))
	}
	out := e.must(func(kp *Keeper) (ledger.Output, error) {
		return kp.ExecCreateCollective(e.blk, addr(creator), &MsgCreateCollective{Members: ms, Threshold: k, Name: "coop"})
	})
	c, err := ledger.ParseAddress(out["collective"])
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) leave(c ledger.Address, who string) (ledger.Output, error) {
	return e.exec(func(k *Keeper) (ledger.Output, error) {
		return k.ExecLeaveCollective(e.blk, addr(who), &MsgLeaveCollective{Collective: c})
	})
}

func TestCollectiveLeaveLowersThreshold(t *testing.T) {
	e := newEnv(t)
	c := e.collective("m1", 3, "m1", "m2", "m3")
	c2 := e.collective("m1", 1, "m1")
	if c == c2 {
		t.Fatal("collectives share an address")
	}
	if _, err := e.leave(c, "outsider"); !errors.Is(err, ErrNotMember) {
		t.Fatalf("leave by non-member: %v", err)
	}
	out, err := e.leave(c, "m2")
	if err != nil || out["version"] != "2" || out["threshold"] != "2" {
		t.Fatalf("leave: %v %v", out, err)
	}
	col, err := GetCollective(e.tree, c)
	if err != nil || len(col.Members) != 2 || col.Threshold != 2 || col.HasMember(addr("m2")) {
		t.Fatalf("collective %+v %v", col, err)
	}
	v1, err := CollectiveAt(e.tree, c, 1)
	if err != nil || len(v1.Members) != 3 || v1.Threshold != 3 {
		t.Fatalf("version 1 %+v %v", v1, err)
	}
	if got, _ := CollectivesOf(e.tree, addr("m2")); len(got) != 0 {
		t.Fatalf("m2 still indexed in %v", got)
	}
	if got, _ := CollectivesOf(e.tree, addr("m1")); len(got) != 2 {
		t.Fatalf("m1 in %v", got)
	}
	if _, err := e.leave(c, "m3"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.leave(c, "m1"); !errors.Is(err, ErrLastMember) {
		t.Fatalf("last member: %v", err)
	}
	col, _ = GetCollective(e.tree, c)
	if col.Threshold != 1 || col.Version != 3 {
		t.Fatalf("after two leaves %+v", col)
	}
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) {
		return k.ExecCreateCollective(e.blk, addr("m1"), &MsgCreateCollective{Members: []ledger.Address{addr("m1"), c}, Threshold: 1})
	}); !errors.Is(err, ErrNestedCollective) {
		t.Fatalf("nested: %v", err)
	}
}

// A collective party approves offline with k member signatures at its
// current version; stale versions and non-members are refused.
func TestCollectiveOffline(t *testing.T) {
	e := newEnv(t)
	a := addr("A")
	c := e.collective("m1", 2, "m1", "m2", "m3")
	cur := e.fungible("EUR", a, map[ledger.Address]uint64{c: 100})
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	mk := func(salt string) *File {
		return e.signedFile(Body{Parties: []ledger.Address{a, c}, Actions: []Action{xfer(c, a, cur, 40), xfer(a, c, x, 5)},
			ExpiresAtHeight: 100, Salt: salt}, "A")
	}
	memberSign := func(f *File, who string, v uint64) {
		t.Helper()
		priv, _ := key(who)
		if err := SignForCollective(f, priv, c, v); err != nil {
			t.Fatal(err)
		}
	}
	f := mk("1")
	memberSign(f, "m1", 1)
	if _, err := e.submit(f, "A"); !errors.Is(err, ErrMissingSignature) {
		t.Fatalf("one of two: %v", err)
	}
	bad := clone(t, f)
	memberSign(bad, "outsider", 1)
	if _, err := e.submit(bad, "A"); !errors.Is(err, ErrNotMember) {
		t.Fatalf("non-member: %v", err)
	}
	memberSign(f, "m3", 1)
	// Offline check without the chain: undecided, not missing.
	ap, err := CheckSignatures(f, testChain, nil)
	if err != nil || len(ap.Undecided) != 1 || len(ap.Missing) != 0 {
		t.Fatalf("offline check %+v %v", ap, err)
	}
	if _, err := e.submit(f, "A"); err != nil {
		t.Fatal(err)
	}
	e.wantBal(c, cur, "60")
	e.wantBal(c, x, "5")
	rec := e.record(f.ID)
	if len(rec.Collectives) != 1 || rec.Collectives[0].Version != 1 || rec.Collectives[0].Threshold != 2 {
		t.Fatalf("votes %+v", rec.Collectives)
	}
	// After a member leaves, signatures naming version 1 are stale.
	g := mk("2")
	memberSign(g, "m1", 1)
	memberSign(g, "m3", 1)
	if _, err := e.leave(c, "m2"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.submit(g, "A"); !errors.Is(err, ErrCollectiveVersion) {
		t.Fatalf("stale version: %v", err)
	}
	h := mk("3")
	memberSign(h, "m1", 2)
	memberSign(h, "m3", 2)
	if _, err := e.submit(h, "A"); err != nil {
		t.Fatal(err)
	}
	// Mixed versions are refused.
	m := mk("4")
	memberSign(m, "m1", 2)
	memberSign(m, "m3", 1)
	if _, err := e.submit(m, "A"); !errors.Is(err, ErrCollectiveVersion) {
		t.Fatalf("mixed versions: %v", err)
	}
}

// Propose–accept with a collective party: members accept "as" the
// collective against the version pinned at proposal, even after
// membership changes.
func TestCollectiveProposeAccept(t *testing.T) {
	e := newEnv(t)
	a := addr("A")
	c := e.collective("m1", 2, "m1", "m2", "m3")
	cur := e.fungible("EUR", a, map[ledger.Address]uint64{c: 100})
	body := Body{Parties: []ledger.Address{a, c}, Actions: []Action{xfer(c, a, cur, 40)}, ExpiresAtHeight: 100}
	out, err := e.propose(body, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	acceptAs := func(who string) (ledger.Output, error) {
		return e.exec(func(k *Keeper) (ledger.Output, error) {
			return k.ExecAccept(e.blk, addr(who), &MsgAccept{ID: id, As: &c})
		})
	}
	if _, err := acceptAs("outsider"); !errors.Is(err, ErrNotMember) {
		t.Fatalf("outsider: %v", err)
	}
	if _, err := e.accept(id, "m1"); !errors.Is(err, ErrNotParty) {
		t.Fatalf("member without as: %v", err)
	}
	if out, err := acceptAs("m2"); err != nil || out["status"] != "proposed" {
		t.Fatalf("m2: %v %v", out, err)
	}
	// m2 leaves after approving; the agreement stays pinned to version 1.
	if _, err := e.leave(c, "m2"); err != nil {
		t.Fatal(err)
	}
	if _, err := acceptAs("m2"); !errors.Is(err, ErrAlreadyAccepted) {
		t.Fatalf("m2 again: %v", err)
	}
	out, err = acceptAs("m3")
	if err != nil || out["status"] != "settled" {
		t.Fatalf("m3: %v %v", out, err)
	}
	e.wantBal(a, cur, "40")
	rec := e.record(id)
	if len(rec.Collectives[0].Approvals) != 2 || rec.Collectives[0].Version != 1 || !rec.accepted(c) {
		t.Fatalf("record %+v", rec)
	}
}

// A collective rejects with threshold member votes.
func TestCollectiveReject(t *testing.T) {
	e := newEnv(t)
	a := addr("A")
	c := e.collective("m1", 2, "m1", "m2", "m3")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	out, err := e.propose(Body{Parties: []ledger.Address{a, c}, Actions: []Action{xfer(a, c, x, 1)}, ExpiresAtHeight: 100}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	rejectAs := func(who string) (ledger.Output, error) {
		return e.exec(func(k *Keeper) (ledger.Output, error) {
			return k.ExecReject(e.blk, addr(who), &MsgReject{ID: id, As: &c})
		})
	}
	if out, err := rejectAs("m1"); err != nil || out["status"] != "proposed" {
		t.Fatalf("m1: %v %v", out, err)
	}
	if out, err := rejectAs("m3"); err != nil || out["status"] != "rejected" {
		t.Fatalf("m3: %v %v", out, err)
	}
	if rec := e.record(id); *rec.RejectedBy != c {
		t.Fatalf("rejected by %v", rec.RejectedBy)
	}
}
