package ledger

import (
	"errors"
	"testing"
)

func newTestLedger(t *testing.T) (*Ledger, *Tree) {
	t.Helper()
	tree, err := OpenTree("", "t")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	return New(tree, &Events{}), tree
}

func addr(s string) Address { return DeriveAddress("test", []byte(s)) }

func TestLedgerOperations(t *testing.T) {
	l, tree := newTestLedger(t)
	alice, bob := addr("alice"), addr("bob")
	maxS := NewAmount(1000)
	if err := l.CreateAsset(Asset{ID: "CO-1", Kind: Fungible, Symbol: "CO", Issuer: alice, MaxSupply: &maxS}); err != nil {
		t.Fatal(err)
	}
	if err := l.CreateAsset(Asset{ID: "ART-2", Kind: Unique, Symbol: "ART", Issuer: alice}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		err  error
	}{
		{"mint", func() error { return l.Mint("CO-1", alice, NewAmount(600)) }, nil},
		{"mint over max supply", func() error { return l.Mint("CO-1", alice, NewAmount(401)) }, ErrMaxSupply},
		{"mint zero", func() error { return l.Mint("CO-1", alice, NewAmount(0)) }, ErrInvalidAmount},
		{"transfer", func() error { return l.Transfer(alice, bob, "CO-1", NewAmount(100)) }, nil},
		{"overdraft", func() error { return l.Transfer(bob, alice, "CO-1", NewAmount(101)) }, ErrInsufficientFunds},
		{"unknown asset", func() error { return l.Transfer(alice, bob, "NO-9", NewAmount(1)) }, ErrUnknownAsset},
		{"amount of a unique class", func() error { return l.Transfer(alice, bob, "ART-2", NewAmount(1)) }, ErrWrongAssetKind},
		{"mint item", func() error { return l.MintItem("ART-2", "one", alice, "") }, nil},
		{"mint duplicate item", func() error { return l.MintItem("ART-2", "one", bob, "") }, ErrItemExists},
		{"item of a fungible asset", func() error { return l.MintItem("CO-1", "x", alice, "") }, ErrWrongAssetKind},
		{"transfer item", func() error { return l.TransferItem(alice, bob, "ART-2", "one") }, nil},
		{"transfer item not owned", func() error { return l.TransferItem(alice, bob, "ART-2", "one") }, ErrNotOwner},
		{"unknown item", func() error { return l.TransferItem(alice, bob, "ART-2", "two") }, ErrUnknownItem},
		{"burn", func() error { return l.Burn("CO-1", bob, NewAmount(50)) }, nil},
		{"burn item", func() error { return l.BurnItem("ART-2", "one", bob) }, nil},
		{"hand over by non-issuer", func() error { return l.HandOver("CO-1", bob, bob, true) }, ErrNotIssuer},
		{"hand over with holdings", func() error { return l.HandOver("CO-1", alice, bob, true) }, nil},
	}
	for _, s := range steps {
		br := NewBranch(tree)
		bl := New(br, nil)
		saved := l
		l = bl
		err := s.do()
		l = saved
		if !errors.Is(err, s.err) {
			t.Fatalf("%s: err %v, want %v", s.name, err, s.err)
		}
		if err == nil {
			if werr := br.Write(); werr != nil {
				t.Fatal(werr)
			}
		}
		if err := CheckInvariants(tree); err != nil {
			t.Fatalf("after %s: %v", s.name, err)
		}
	}
	a, _ := l.Asset("CO-1")
	if a.Issuer != bob || a.Supply.String() != "550" {
		t.Fatalf("after hand-over: issuer %s supply %s", a.Issuer, a.Supply)
	}
	if bal, _ := l.Balance(bob, "CO-1"); bal.String() != "550" {
		t.Fatalf("bob holds %s, want all 550", bal)
	}
	if bal, _ := l.Balance(alice, "CO-1"); !bal.IsZero() {
		t.Fatalf("alice still holds %s", bal)
	}
}

func TestInvariantsDetectCorruption(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(tree *Tree)
	}{
		{"balance without holder mirror", func(tree *Tree) { _ = tree.Set(BalanceKey(addr("x"), "CO-1"), []byte("5")) }},
		{"supply mismatch", func(tree *Tree) {
			_ = tree.Set(BalanceKey(addr("x"), "CO-1"), []byte("5"))
			_ = tree.Set(HolderKey("CO-1", addr("x")), []byte("5"))
		}},
		{"item without owner index", func(tree *Tree) { _ = tree.Delete(OwnedKey(addr("alice"), "ART-2", "one")) }},
		{"non-canonical amount", func(tree *Tree) {
			_ = tree.Set(BalanceKey(addr("alice"), "CO-1"), []byte("0100"))
			_ = tree.Set(HolderKey("CO-1", addr("alice")), []byte("0100"))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, tree := newTestLedger(t)
			_ = l.CreateAsset(Asset{ID: "CO-1", Kind: Fungible, Symbol: "CO", Issuer: addr("alice")})
			_ = l.CreateAsset(Asset{ID: "ART-2", Kind: Unique, Symbol: "ART", Issuer: addr("alice")})
			_ = l.Mint("CO-1", addr("alice"), NewAmount(100))
			_ = l.MintItem("ART-2", "one", addr("alice"), "")
			if err := CheckInvariants(tree); err != nil {
				t.Fatalf("clean state: %v", err)
			}
			c.corrupt(tree)
			if err := CheckInvariants(tree); !errors.Is(err, ErrInvariant) {
				t.Fatalf("corruption not detected: %v", err)
			}
		})
	}
}
