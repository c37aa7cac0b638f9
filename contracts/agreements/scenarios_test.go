package agreements

import (
	"errors"
	"fmt"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// Two companies swap: A's 1,000 shares of X for B's 50,000 units of a
// currency, offline-signed, one tx.
func TestScenarioOfflineSwap(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 1_000})
	cur := e.fungible("EUR", b, map[ledger.Address]uint64{b: 80_000})
	f := e.file([]ledger.Address{a, b}, []Action{xfer(a, b, x, 1_000), xfer(b, a, cur, 50_000)}, "A", "B")
	if err := VerifySignatures(f, testChain, nil); err != nil {
		t.Fatal(err)
	}
	out, err := e.submit(f, "courier")
	if err != nil {
		t.Fatal(err)
	}
	if out["agreement_id"] != f.ID || out["status"] != "settled" {
		t.Fatalf("output %v", out)
	}
	e.wantBal(a, x, "0")
	e.wantBal(b, x, "1000")
	e.wantBal(a, cur, "50000")
	e.wantBal(b, cur, "30000")
	rec := e.record(f.ID)
	if rec.Status != StatusSettled || rec.SettledHeight != e.blk.Height || len(rec.AcceptedBy) != 2 || len(rec.Signatures) != 2 {
		t.Fatalf("record %+v", rec)
	}
	ev := e.stateFromEvent()
	if ev.ID != f.ID || ev.Status != StatusSettled {
		t.Fatalf("event state %+v", ev)
	}
	// Settling twice is refused, state unchanged.
	if _, err := e.submit(f, "courier"); !errors.Is(err, ErrAlreadySettled) {
		t.Fatalf("second submit: %v", err)
	}
	// Both parties' index shows it as settled.
	for _, p := range []ledger.Address{a, b} {
		page, err := AgreementsByParty(e.tree, e.tree, p, StatusSettled, "", 0)
		if err != nil || len(page.Agreements) != 1 || page.Agreements[0].ID != f.ID {
			t.Fatalf("index of %s: %v %+v", p, err, page)
		}
	}
}

// Three-party circular trade via propose–accept, accepted in reverse order.
func TestScenarioCircularProposeAccept(t *testing.T) {
	e := newEnv(t)
	a, b, c := addr("A"), addr("B"), addr("C")
	item := e.unique("ART", a, a, "mona")
	shares := e.fungible("BSH", b, map[ledger.Address]uint64{b: 500})
	cur := e.fungible("USD", c, map[ledger.Address]uint64{c: 9_000})
	body := Body{Parties: []ledger.Address{a, b, c}, Title: "circle",
		Actions:         []Action{xferItem(a, b, item, "mona"), xfer(b, c, shares, 200), xfer(c, a, cur, 7_000)},
		ExpiresAtHeight: 50}
	out, err := e.propose(body, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	e.next(1)
	if out, err = e.accept(id, "C"); err != nil || out["status"] != "proposed" {
		t.Fatalf("accept C: %v %v", out, err)
	}
	if _, err := e.accept(id, "C"); !errors.Is(err, ErrAlreadyAccepted) {
		t.Fatalf("double accept: %v", err)
	}
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) {
		return k.ExecExecute(e.blk, c, &MsgExecute{ID: id})
	}); !errors.Is(err, ErrNotAllAccepted) {
		t.Fatalf("early execute: %v", err)
	}
	e.wantBal(b, shares, "500")
	e.next(1)
	if out, err = e.accept(id, "B"); err != nil || out["status"] != "settled" {
		t.Fatalf("accept B: %v %v", out, err)
	}
	if e.owner(item, "mona") != b {
		t.Fatal("item did not move")
	}
	e.wantBal(c, shares, "200")
	e.wantBal(a, cur, "7000")
	rec := e.record(id)
	if rec.Status != StatusSettled || fmt.Sprint(rec.AcceptedBy) != fmt.Sprint([]ledger.Address{a, c, b}) {
		t.Fatalf("record %+v", rec)
	}
	if _, err := e.accept(id, "A"); !errors.Is(err, ErrAlreadySettled) {
		t.Fatalf("accept after settle: %v", err)
	}
	// Expiry index is cleared: EndBlock far in the future does not lapse it.
	e.next(100)
	e.endBlock()
	if e.record(id).Status != StatusSettled {
		t.Fatal("settled agreement lapsed")
	}
}

// Whole company handover: issuer rights plus all holdings of X from A to
// B, with a payment back.
func TestScenarioCompanyHandover(t *testing.T) {
	e := newEnv(t)
	a, b, other := addr("A"), addr("B"), addr("other")
	x := e.fungible("XCO", a, map[ledger.Address]uint64{a: 9_000, other: 1_000})
	cur := e.fungible("CHF", b, map[ledger.Address]uint64{b: 2_000_000})
	f := e.file([]ledger.Address{a, b}, []Action{
		{HandOver: &HandOverAction{Asset: x, From: a, To: b, Holdings: true}},
		xfer(b, a, cur, 1_500_000),
	}, "B", "A")
	if _, err := e.submit(f, "A"); err != nil {
		t.Fatal(err)
	}
	asset, err := ledger.New(e.tree, nil).Asset(x)
	if err != nil || asset.Issuer != b {
		t.Fatalf("issuer %v %v", asset.Issuer, err)
	}
	e.wantBal(b, x, "9000")
	e.wantBal(a, x, "0")
	e.wantBal(other, x, "1000")
	e.wantBal(a, cur, "1500000")
}

// Ten parties, offline signatures, a ring of payments.
func TestScenarioTenPartyOffline(t *testing.T) {
	e := newEnv(t)
	var parties []ledger.Address
	var names []string
	mints := map[ledger.Address]uint64{}
	for i := 0; i < 10; i++ {
		n := fmt.Sprintf("p%d", i)
		names = append(names, n)
		parties = append(parties, addr(n))
		mints[addr(n)] = 100
	}
	cur := e.fungible("TEN", parties[0], mints)
	var actions []Action
	for i := range parties {
		actions = append(actions, xfer(parties[i], parties[(i+1)%10], cur, uint64(10+i)))
	}
	f := e.file(parties, actions, names[:9]...)
	if _, err := e.submit(f, "p0"); !errors.Is(err, ErrMissingSignature) {
		t.Fatalf("nine of ten: %v", err)
	}
	ap, err := CheckSignatures(f, testChain, nil)
	if err != nil || len(ap.Missing) != 1 || ap.Missing[0] != parties[9] {
		t.Fatalf("missing %v %v", ap, err)
	}
	priv, _ := key(names[9])
	if err := Sign(f, priv); err != nil {
		t.Fatal(err)
	}
	if _, err := e.submit(f, "p3"); err != nil {
		t.Fatal(err)
	}
	// p0 pays 10, receives 19 from p9.
	e.wantBal(parties[0], cur, "109")
	e.wantBal(parties[5], cur, "99") // pays 15, receives 14
	if got := e.record(f.ID); len(got.AcceptedBy) != 10 {
		t.Fatalf("accepted_by %d", len(got.AcceptedBy))
	}
}

// Last acceptance finds a party short: nothing moves, acceptance and reason
// recorded; top up; retry; settles.
func TestScenarioShortThenRetry(t *testing.T) {
	for _, retry := range []string{"execute", "re-accept"} {
		t.Run(retry, func(t *testing.T) {
			e := newEnv(t)
			a, b := addr("A"), addr("B")
			x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
			cur := e.fungible("EUR", b, map[ledger.Address]uint64{b: 40})
			body := Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, x, 100), xfer(b, a, cur, 50)}, ExpiresAtHeight: 30}
			out, err := e.propose(body, "A", false)
			if err != nil {
				t.Fatal(err)
			}
			id := out["agreement_id"]
			out, err = e.accept(id, "B")
			if err != nil {
				t.Fatalf("last accept must succeed as a tx: %v", err)
			}
			if out["status"] != "proposed" || out["last_error"] == "" {
				t.Fatalf("output %v", out)
			}
			e.wantBal(a, x, "100")
			e.wantBal(b, cur, "40")
			for _, ev := range e.events {
				if ev.Type == "transfer" {
					t.Fatalf("failed settlement emitted %+v", ev)
				}
			}
			if st := e.stateFromEvent(); st.LastError == "" || st.Status != StatusProposed {
				t.Fatalf("event state %+v", st)
			}
			rec := e.record(id)
			if rec.Status != StatusProposed || !rec.allAccepted() || rec.LastError == "" || rec.LastErrorHeight != e.blk.Height {
				t.Fatalf("record %+v", rec)
			}
			// Retry while still short: the tx fails, nothing changes.
			_, err = e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecExecute(e.blk, a, &MsgExecute{ID: id}) })
			if !errors.Is(err, ErrSettlementFailed) || !errors.Is(err, ledger.ErrInsufficientFunds) {
				t.Fatalf("retry while short: %v", err)
			}
			e.next(1)
			e.mint(cur, b, 10)
			if retry == "execute" {
				out, err = e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecExecute(e.blk, a, &MsgExecute{ID: id}) })
			} else {
				out, err = e.accept(id, "B")
			}
			if err != nil || out["status"] != "settled" {
				t.Fatalf("retry: %v %v", out, err)
			}
			e.wantBal(b, x, "100")
			e.wantBal(a, cur, "50")
			if rec := e.record(id); rec.LastError != "" || rec.SettledHeight != e.blk.Height {
				t.Fatalf("record after retry %+v", rec)
			}
		})
	}
}

// An expired proposal with escrow: EndBlock returns the escrow without any
// tx; accepting afterwards fails.
func TestScenarioExpiryReturnsEscrow(t *testing.T) {
	cases := []struct {
		name   string
		height int64
		time   int64
	}{{"height", 20, 0}, {"time", 0, 1_700_000_100}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a, b := addr("A"), addr("B")
			x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
			art := e.unique("ART", a, a, "one")
			cur := e.fungible("EUR", b, map[ledger.Address]uint64{b: 50})
			body := Body{Parties: []ledger.Address{a, b},
				Actions:         []Action{xfer(a, b, x, 60), xferItem(a, b, art, "one"), xfer(b, a, cur, 50)},
				ExpiresAtHeight: tc.height, ExpiresAtTime: tc.time}
			out, err := e.propose(body, "A", true)
			if err != nil {
				t.Fatal(err)
			}
			id := out["agreement_id"]
			esc := EscrowAddress(id)
			if out["escrow"] != esc.String() {
				t.Fatalf("escrow output %v", out)
			}
			e.wantBal(a, x, "40")
			e.wantBal(esc, x, "60")
			if e.owner(art, "one") != esc {
				t.Fatal("item not escrowed")
			}
			// Not yet due.
			e.endBlock()
			if e.record(id).Status != StatusProposed {
				t.Fatal("lapsed early")
			}
			// Jump past expiry: accept fails, EndBlock lapses and returns.
			e.blk.Height, e.blk.Time = 21, 1_700_000_101
			if _, err := e.accept(id, "B"); !errors.Is(err, ErrExpired) {
				t.Fatalf("accept after expiry: %v", err)
			}
			e.endBlock()
			rec := e.record(id)
			if rec.Status != StatusLapsed || rec.Escrow == nil || !rec.Escrow.Returned || rec.ClosedHeight != 21 {
				t.Fatalf("record %+v", rec)
			}
			e.wantBal(a, x, "100")
			e.wantBal(esc, x, "0")
			if e.owner(art, "one") != a {
				t.Fatal("item not returned")
			}
			if ev := e.lastEvent("agreement"); ev["status"] != "lapsed" || ev["id"] != id {
				t.Fatalf("event %v", ev)
			}
			// Index entries are gone; nothing more to do.
			it := 0
			_ = e.tree.Iterate([]byte("agr/x"), ledger.PrefixEnd([]byte("agr/x")), func(_, _ []byte) bool { it++; return true })
			if it != 0 {
				t.Fatalf("%d expiry index entries left", it)
			}
			if _, err := e.accept(id, "B"); !errors.Is(err, ErrNotOpen) {
				t.Fatalf("accept lapsed: %v", err)
			}
		})
	}
}

// Time expiry is exclusive: an agreement due at T can still settle in a
// block whose time is T, and EndBlock of that block leaves it open.
func TestExpiryBoundary(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	body := Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, x, 1)}, ExpiresAtTime: e.blk.Time + 10, ExpiresAtHeight: e.blk.Height + 3}
	out, err := e.propose(body, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	e.blk.Time += 10
	e.endBlock()
	if e.record(id).Status != StatusProposed {
		t.Fatal("lapsed at its expiry time")
	}
	e.blk.Height += 3
	if out, err := e.accept(id, "B"); err != nil || out["status"] != "settled" {
		t.Fatalf("accept at expiry height: %v %v", out, err)
	}
}

// Obligations: both attested → completed; one disputed → disputed with the
// reason CID; the disputer can later attest it fulfilled.
func TestScenarioObligations(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	cur := e.fungible("EUR", b, map[ledger.Address]uint64{b: 100})
	mk := func(salt string) *File {
		f := e.signedFile(Body{Parties: []ledger.Address{a, b}, Title: "service", TermsCID: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
			Actions:         []Action{xfer(b, a, cur, 10)},
			Obligations:     []Obligation{{By: a, To: b, What: "deliver report"}, {By: b, To: a, What: "give feedback"}},
			ExpiresAtHeight: 100, Salt: salt}, "A", "B")
		if _, err := e.submit(f, "A"); err != nil {
			t.Fatal(err)
		}
		return f
	}
	attest := func(id, by string, ob uint32, fulfilled bool, reason string) (ledger.Output, error) {
		return e.exec(func(k *Keeper) (ledger.Output, error) {
			return k.ExecAttest(e.blk, addr(by), &MsgAttest{ID: id, Obligation: ob, Fulfilled: fulfilled, Disputed: reason})
		})
	}
	f1 := mk("one")
	f2 := mk("two")
	if f1.ID == f2.ID {
		t.Fatal("salt does not change the id")
	}
	e.wantBal(a, cur, "20")

	// Completed.
	if _, err := attest(f1.ID, "A", 0, true, ""); !errors.Is(err, ErrNotEntitled) {
		t.Fatalf("obligor attests own obligation: %v", err)
	}
	if out, err := attest(f1.ID, "B", 0, true, ""); err != nil || out["status"] != "settled" {
		t.Fatalf("attest 0: %v %v", out, err)
	}
	if _, err := attest(f1.ID, "B", 0, true, ""); !errors.Is(err, ErrAlreadyAttested) {
		t.Fatalf("attest twice: %v", err)
	}
	if out, err := attest(f1.ID, "A", 1, true, ""); err != nil || out["status"] != "completed" {
		t.Fatalf("attest 1: %v %v", out, err)
	}
	if _, err := attest(f1.ID, "A", 2, true, ""); !errors.Is(err, ErrUnknownObligation) {
		t.Fatalf("attest unknown: %v", err)
	}
	rec := e.record(f1.ID)
	if rec.Status != StatusCompleted || rec.Obligations[0].State != ObligationFulfilled || *rec.Obligations[1].AttestedBy != a {
		t.Fatalf("record %+v", rec)
	}

	// Disputed.
	reason := "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve"
	if _, err := attest(f2.ID, "B", 0, true, ""); err != nil {
		t.Fatal(err)
	}
	if out, err := attest(f2.ID, "A", 1, false, reason); err != nil || out["status"] != "disputed" {
		t.Fatalf("dispute: %v %v", out, err)
	}
	rec = e.record(f2.ID)
	if rec.Obligations[1].State != ObligationDisputed || rec.Obligations[1].ReasonCID != reason {
		t.Fatalf("obligation %+v", rec.Obligations[1])
	}
	if st := e.stateFromEvent(); st.Status != StatusDisputed || st.Obligations[1].ReasonCID != reason {
		t.Fatalf("event state %+v", st)
	}
	page, err := AgreementsByParty(e.tree, e.tree, a, StatusDisputed, "", 0)
	if err != nil || len(page.Agreements) != 1 || page.Agreements[0].ID != f2.ID {
		t.Fatalf("disputed index %v %+v", err, page)
	}
	// Resolved later.
	if out, err := attest(f2.ID, "A", 1, true, ""); err != nil || out["status"] != "completed" {
		t.Fatalf("resolve: %v %v", out, err)
	}
	// settled, fulfilled, disputed, fulfilled (the dispute resolved).
	var events []string
	for _, h := range e.record(f2.ID).History {
		events = append(events, h.Event)
	}
	if fmt.Sprint(events) != "[settled fulfilled disputed fulfilled]" {
		t.Fatalf("history %v", events)
	}
}

// EndBlock drops stale index entries and lapses an agreement indexed by
// both height and time once.
func TestEndBlockRobust(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	out, err := e.propose(Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, x, 1)},
		ExpiresAtHeight: 11, ExpiresAtTime: e.blk.Time + 1}, "A", true)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	stale := "00000000000000000000000000000000000000000000000000000000000000aa"
	e.must(func(k *Keeper) (ledger.Output, error) { return nil, k.kv.Set(ExpiryHeightKey(5, stale), []byte{}) })
	e.blk.Height, e.blk.Time = 12, e.blk.Time+2
	e.endBlock()
	lapses := 0
	for _, ev := range e.events {
		if ev.Type == "agreement" {
			lapses++
		}
	}
	if lapses != 1 || e.record(id).Status != StatusLapsed {
		t.Fatalf("lapse events %d, status %s", lapses, e.record(id).Status)
	}
	e.wantBal(a, x, "100")
	if v, _ := e.tree.Get(ExpiryHeightKey(5, stale)); v != nil {
		t.Fatal("stale index entry kept")
	}
}
