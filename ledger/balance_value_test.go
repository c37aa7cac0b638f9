package ledger

import (
	"bytes"
	"testing"
)

// TestBalanceValueIsWhatIsStored: BalanceValue is exactly what the balance
// and holder keys hold — the decimal amount, absent once it is zero — so a
// module proving a balance (pool reserves) proves the stored bytes.
func TestBalanceValueIsWhatIsStored(t *testing.T) {
	l, tree := newTestLedger(t)
	alice, bob := addr("alice"), addr("bob")
	if err := l.CreateAsset(Asset{ID: "CO-1", Kind: Fungible, Symbol: "CO", Issuer: alice}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		bob  uint64
	}{
		{"minted", func() error { return l.Mint("CO-1", bob, NewAmount(1_000_000_007)) }, 1_000_000_007},
		{"partly spent", func() error { return l.Transfer(bob, alice, "CO-1", NewAmount(7)) }, 1_000_000_000},
		{"emptied", func() error { return l.Transfer(bob, alice, "CO-1", NewAmount(1_000_000_000)) }, 0},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want := BalanceValue(NewAmount(s.bob))
		for _, key := range [][]byte{BalanceKey(bob, "CO-1"), HolderKey("CO-1", bob)} {
			got, err := tree.Get(key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
				t.Fatalf("%s: key %q holds %q, BalanceValue says %q", s.name, key, got, want)
			}
		}
	}
	if BalanceValue(Amount{}) != nil {
		t.Fatal("a zero balance must be absent (nil)")
	}
}
