package ledger

import (
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in   string
		err  error
		want string
	}{
		{"0", nil, "0"},
		{"1", nil, "1"},
		{"340282366920938463463374607431768211455", nil, "340282366920938463463374607431768211455"},
		{"340282366920938463463374607431768211456", ErrOverflow, ""},
		{"", ErrInvalidAmount, ""},
		{"-1", ErrInvalidAmount, ""},
		{"+1", ErrInvalidAmount, ""},
		{"01", ErrInvalidAmount, ""},
		{"1e3", ErrInvalidAmount, ""},
		{"1.5", ErrInvalidAmount, ""},
		{" 1", ErrInvalidAmount, ""},
		{"99999999999999999999999999999999999999999", ErrInvalidAmount, ""},
	}
	for _, c := range cases {
		a, err := ParseAmount(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("ParseAmount(%q) err %v, want %v", c.in, err, c.err)
			continue
		}
		if err == nil && a.String() != c.want {
			t.Errorf("ParseAmount(%q) = %s", c.in, a)
		}
	}
}

func TestAmountArithmetic(t *testing.T) {
	max, _ := AmountFromBig(MaxAmount)
	if _, err := max.Add(NewAmount(1)); !errors.Is(err, ErrOverflow) {
		t.Fatalf("max+1: %v", err)
	}
	if _, err := NewAmount(1).Sub(NewAmount(2)); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("1-2: %v", err)
	}
	s, err := NewAmount(5).Sub(NewAmount(5))
	if err != nil || !s.IsZero() {
		t.Fatalf("5-5 = %s %v", s, err)
	}
	var zero Amount
	if zero.String() != "0" || !zero.IsZero() {
		t.Fatal("zero value is not zero")
	}
	b, _ := NewAmount(42).MarshalJSON()
	var back Amount
	if err := back.UnmarshalJSON(b); err != nil || back.Cmp(NewAmount(42)) != 0 {
		t.Fatalf("JSON round trip %s %v", b, err)
	}
	if err := back.UnmarshalJSON([]byte("42")); !errors.Is(err, ErrInvalidAmount) {
		t.Fatalf("number instead of string accepted: %v", err)
	}
}

func TestAddress(t *testing.T) {
	a := DeriveAddress("test", []byte("x"))
	s := a.String()
	back, err := ParseAddress(s)
	if err != nil || back != a {
		t.Fatalf("round trip %s: %v", s, err)
	}
	bad := []string{"", "riff1", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", s[:len(s)-1] + "x", s + "q"}
	for _, b := range bad {
		if _, err := ParseAddress(b); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("ParseAddress(%q) = %v", b, err)
		}
	}
	if DeriveAddress("a", nil) == DeriveAddress("b", nil) {
		t.Fatal("derived addresses collide across domains")
	}
}

func TestAddressStringCache(t *testing.T) {
	// Two addresses in the same cache slot must each get their own text.
	a := DeriveAddress("x", []byte("1"))
	b := a
	b[19] ^= 1
	for i := 0; i < 3; i++ {
		if a.String() == b.String() {
			t.Fatal("cache returned another address's text")
		}
		if pa, err := ParseAddress(a.String()); err != nil || pa != a {
			t.Fatalf("round trip of a: %v", err)
		}
		if pb, err := ParseAddress(b.String()); err != nil || pb != b {
			t.Fatalf("round trip of b: %v", err)
		}
	}
}
