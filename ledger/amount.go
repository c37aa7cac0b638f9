package ledger

import (
	"fmt"
	"math/big"
)

// MaxAmount is the largest quantity the ledger holds: 2^128 - 1. Every sum is
// checked against it, so no balance or supply can overflow.
var MaxAmount = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// Amount is a non-negative integer quantity of an asset's smallest unit,
// at most MaxAmount. The zero value is zero. Amounts are immutable: every
// operation returns a new value. On the wire and in state an Amount is a
// decimal string without sign, leading zeros or exponent.
type Amount struct{ v *big.Int }

// NewAmount returns an Amount of n.
func NewAmount(n uint64) Amount { return Amount{new(big.Int).SetUint64(n)} }

// AmountFromBig returns an Amount of b, or ErrOverflow / ErrInvalidAmount.
func AmountFromBig(b *big.Int) (Amount, error) {
	if b.Sign() < 0 {
		return Amount{}, fmt.Errorf("%w: negative", ErrInvalidAmount)
	}
	if b.Cmp(MaxAmount) > 0 {
		return Amount{}, fmt.Errorf("%w: %s exceeds 2^128-1", ErrOverflow, b.String())
	}
	return Amount{new(big.Int).Set(b)}, nil
}

// ParseAmount parses a canonical decimal string.
func ParseAmount(s string) (Amount, error) {
	if s == "" || len(s) > 40 {
		return Amount{}, fmt.Errorf("%w: %q is not a decimal of 1 to 39 digits", ErrInvalidAmount, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return Amount{}, fmt.Errorf("%w: %q is not a decimal integer", ErrInvalidAmount, s)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return Amount{}, fmt.Errorf("%w: %q has a leading zero", ErrInvalidAmount, s)
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return Amount{}, fmt.Errorf("%w: %q", ErrInvalidAmount, s)
	}
	return AmountFromBig(b)
}

func (a Amount) big() *big.Int {
	if a.v == nil {
		return new(big.Int)
	}
	return a.v
}

// Big returns a copy of the amount as a big.Int.
func (a Amount) Big() *big.Int { return new(big.Int).Set(a.big()) }

// IsZero reports whether a is zero.
func (a Amount) IsZero() bool { return a.big().Sign() == 0 }

// Cmp compares a and b: -1, 0 or +1.
func (a Amount) Cmp(b Amount) int { return a.big().Cmp(b.big()) }

// Add returns a+b or ErrOverflow.
func (a Amount) Add(b Amount) (Amount, error) {
	s := new(big.Int).Add(a.big(), b.big())
	if s.Cmp(MaxAmount) > 0 {
		return Amount{}, fmt.Errorf("%w: %s + %s", ErrOverflow, a, b)
	}
	return Amount{s}, nil
}

// Sub returns a-b or ErrInsufficientFunds when b > a.
func (a Amount) Sub(b Amount) (Amount, error) {
	if a.big().Cmp(b.big()) < 0 {
		return Amount{}, fmt.Errorf("%w: have %s, need %s", ErrInsufficientFunds, a, b)
	}
	return Amount{new(big.Int).Sub(a.big(), b.big())}, nil
}

// String returns the canonical decimal form.
func (a Amount) String() string { return a.big().String() }

// MarshalJSON encodes the amount as a decimal string.
func (a Amount) MarshalJSON() ([]byte, error) { return quotePlain(a.String()), nil }

// UnmarshalJSON decodes a decimal string.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s, ok := jsonString(b)
	if !ok {
		return fmt.Errorf("%w: amount must be a decimal string", ErrInvalidAmount)
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
