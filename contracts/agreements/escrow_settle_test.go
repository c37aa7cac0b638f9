package agreements

import (
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestEscrowedProposalSettlesFromEscrow: settling an escrowed proposal pays
// the escrowed transfers from the escrow account, which ends empty, and
// debits the proposer exactly once (at proposal). A mutation that paid them
// from the proposer again went unnoticed before: the proposer paid twice
// and the escrow stayed locked.
func TestEscrowedProposalSettlesFromEscrow(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	art := e.unique("ART", a, a, "one")
	cur := e.fungible("EUR", b, map[ledger.Address]uint64{b: 50})
	body := Body{Parties: []ledger.Address{a, b},
		Actions:         []Action{xfer(a, b, x, 60), xferItem(a, b, art, "one"), xfer(b, a, cur, 50)},
		ExpiresAtHeight: 100}
	out, err := e.propose(body, "A", true)
	if err != nil {
		t.Fatal(err)
	}
	id := out["agreement_id"]
	esc := EscrowAddress(id)
	e.wantBal(a, x, "40")
	e.wantBal(esc, x, "60")
	if _, err := e.accept(id, "B"); err != nil {
		t.Fatal(err)
	}
	rec := e.record(id)
	if rec.Status != StatusSettled || rec.Escrow == nil || !rec.Escrow.Paid || rec.Escrow.Returned {
		t.Fatalf("record %+v", rec)
	}
	e.wantBal(esc, x, "0")  // the escrow is empty
	e.wantBal(a, x, "40")   // debited once, at proposal
	e.wantBal(b, x, "60")   // paid from the escrow
	e.wantBal(a, cur, "50") // the unescrowed leg moved directly
	e.wantBal(b, cur, "0")
	if e.owner(art, "one") != b { // the escrowed item reached B, not the escrow
		t.Fatalf("item owned by %s", e.owner(art, "one"))
	}
	var escBalances int
	_ = e.tree.Iterate(ledger.BalancesPrefix(esc), ledger.PrefixEnd(ledger.BalancesPrefix(esc)), func(_, _ []byte) bool { escBalances++; return true })
	if escBalances != 0 {
		t.Fatalf("escrow account still holds %d balances", escBalances)
	}
}
