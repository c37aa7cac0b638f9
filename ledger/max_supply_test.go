package ledger

import (
	"errors"
	"testing"
)

// TestMintExactlyMaxSupply: minting up to max_supply exactly succeeds and
// one unit (or item) more fails, for fungible and unique assets. (A
// mutation review found no test of the boundary: ">" turned ">=" went
// unnoticed.)
func TestMintExactlyMaxSupply(t *testing.T) {
	l, tree := newTestLedger(t)
	alice := addr("alice")
	max := NewAmount(1000)
	three := NewAmount(3)
	if err := l.CreateAsset(Asset{ID: "CAP-1", Kind: Fungible, Symbol: "CAP", Issuer: alice, MaxSupply: &max}); err != nil {
		t.Fatal(err)
	}
	if err := l.CreateAsset(Asset{ID: "ED-1", Kind: Unique, Symbol: "ED", Issuer: alice, MaxSupply: &three}); err != nil {
		t.Fatal(err)
	}
	supply := func(id string) string {
		a, err := l.Asset(id)
		if err != nil {
			t.Fatal(err)
		}
		return a.Supply.String()
	}
	if err := l.Mint("CAP-1", alice, NewAmount(999)); err != nil {
		t.Fatal(err)
	}
	if err := l.Mint("CAP-1", alice, NewAmount(1)); err != nil {
		t.Fatalf("mint up to max_supply exactly: %v", err)
	}
	if err := l.Mint("CAP-1", alice, NewAmount(1)); !errors.Is(err, ErrMaxSupply) {
		t.Fatalf("one past max_supply: %v", err)
	}
	if got := supply("CAP-1"); got != "1000" {
		t.Fatalf("fungible supply %s, want 1000", got)
	}
	for _, item := range []string{"a", "b", "c"} {
		if err := l.MintItem("ED-1", item, alice, ""); err != nil {
			t.Fatalf("item %s (up to max_supply 3): %v", item, err)
		}
	}
	if err := l.MintItem("ED-1", "d", alice, ""); !errors.Is(err, ErrMaxSupply) {
		t.Fatalf("fourth item of max_supply 3: %v", err)
	}
	if got := supply("ED-1"); got != "3" {
		t.Fatalf("unique supply %s, want 3", got)
	}
	if _, err := l.Item("ED-1", "d"); !errors.Is(err, ErrUnknownItem) {
		t.Fatalf("refused item exists: %v", err)
	}
	if err := CheckInvariants(tree); err != nil {
		t.Fatal(err)
	}
}
