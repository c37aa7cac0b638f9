package codes

import (
	"errors"
	"fmt"
	"testing"
)

func TestOfTakesTheOutermostCodedError(t *testing.T) {
	var s Set
	inner := s.New(16, "insufficient funds")
	outer := s.New(124, "settlement failed")
	plain := errors.New("plain")
	tests := []struct {
		name   string
		err    error
		code   uint32
		hasOne bool
	}{
		{"nil", nil, 0, false},
		{"plain", plain, 0, false},
		{"bare", inner, 16, true},
		{"wrapped once", fmt.Errorf("debit: %w", inner), 16, true},
		{"wrapper first", fmt.Errorf("%w: action 0: %w", outer, inner), 124, true},
		{"wrapper around a wrapped cause", fmt.Errorf("%w: %w", outer, fmt.Errorf("x: %w", inner)), 124, true},
		{"cause only as text", fmt.Errorf("%w: %v", outer, inner), 124, true},
		{"plain wrapper", fmt.Errorf("%w: %w", plain, inner), 16, true},
		{"joined", errors.Join(plain, inner, outer), 16, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, ok := Of(tc.err)
			if code != tc.code || ok != tc.hasOne {
				t.Fatalf("Of(%v) = %d, %v; want %d, %v", tc.err, code, ok, tc.code, tc.hasOne)
			}
		})
	}
}

func TestSetListsInCodeOrder(t *testing.T) {
	var s Set
	b := s.New(2, "b")
	a := s.New(1, "a")
	got := s.List()
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("List() = %v, want [a b]", got)
	}
	if a.Error() != "a" || a.Code() != 1 {
		t.Fatalf("a = %q/%d", a.Error(), a.Code())
	}
	if !errors.Is(fmt.Errorf("ctx: %w", a), a) {
		t.Fatal("errors.Is does not find a wrapped coded error")
	}
}
