package spec

import (
	"errors"
	"reflect"
	"testing"
)

func TestCells(t *testing.T) {
	for _, tc := range []struct {
		row  string
		want []string
	}{
		{"| a | b |", []string{"a", "b"}},
		{"|a|", []string{"a"}},
		{"| `x`\\|`y` | c |", []string{"`x`|`y`", "c"}},
		{"| | empty |", []string{"", "empty"}},
	} {
		if got := cells(tc.row); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("cells(%q) = %q, want %q", tc.row, got, tc.want)
		}
	}
}

func TestCode(t *testing.T) {
	if got, want := Code("`acct/{addr}` and `x`, `unclosed"), []string{"acct/{addr}", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Code = %q, want %q", got, want)
	}
}

func TestTables(t *testing.T) {
	ts, err := Tables("state.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) == 0 || ts[0].Heading != "State layout" || !reflect.DeepEqual(ts[0].Header, []string{"key", "value"}) {
		t.Fatalf("first table of state.md: %+v", ts)
	}
	if n := len(ts[0].Rows); n < 7 {
		t.Errorf("state.md's key table has %d rows", n)
	}
	if _, err := Tables("nope.md"); !errors.Is(err, ErrNoFile) {
		t.Errorf("missing file: %v", err)
	}
}
