package query

import (
	"errors"
	"strings"
	"testing"
)

func TestHashID(t *testing.T) {
	good := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		in string
		ok bool
	}{
		{good, true},
		{good[:63], false},
		{good + "0", false},
		{strings.ToUpper(good), false},
		{good[:63] + "g", false},
		{"", false},
	}
	for _, tc := range tests {
		err := HashID(tc.in, "proposal id")
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrBadQuery)) {
			t.Errorf("HashID(%q) = %v", tc.in, err)
		}
	}
	if err := HashID("x", "proposal id"); !strings.Contains(err.Error(), "proposal id must be 64 lowercase hex characters") {
		t.Errorf("message %q does not name what", err)
	}
}
