package main

import (
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestDisplayAmounts(t *testing.T) {
	for _, tc := range []struct {
		in       string
		decimals uint8
		base     string // "" = refused
		display  string
		grouped  string
	}{
		{"1.5", 6, "1500000", "1.5", "1.5"},
		{"100", 6, "100000000", "100", "100"},
		{"0.000001", 6, "1", "0.000001", "0.000001"},
		{".5", 2, "50", "0.5", "0.5"},
		{"1,000,000", 0, "1000000", "1000000", "1,000,000"},
		{"12,345.5", 1, "123455", "12345.5", "12,345.5"},
		{"1,5", 6, "", "", ""}, // a decimal comma is refused, not read as 15
		{"1,00", 6, "", "", ""},
		{"1000,000", 0, "", "", ""},
		{",100", 0, "", "", ""},
		{"1.000,5", 6, "", "", ""},
		{"1_000.25", 2, "100025", "1000.25", "1,000.25"},
		{"0", 6, "0", "0", "0"},
		{"2500", 0, "2500", "2500", "2,500"},
		{"1.0000001", 6, "", "", ""}, // more decimals than the asset has
		{"1.5", 0, "", "", ""},
		{"abc", 6, "", "", ""},
		{"", 6, "", "", ""},
		{"1.2.3", 6, "", "", ""},
		{"-1", 6, "", "", ""},
	} {
		got, err := displayToBase(tc.in, tc.decimals)
		if tc.base == "" {
			if err == nil {
				t.Errorf("displayToBase(%q, %d) = %s, want an error", tc.in, tc.decimals, got)
			}
			continue
		}
		if err != nil || got.String() != tc.base {
			t.Errorf("displayToBase(%q, %d) = %s, %v; want %s", tc.in, tc.decimals, got, err, tc.base)
			continue
		}
		if d := baseToDisplay(got, tc.decimals, false); d != tc.display {
			t.Errorf("baseToDisplay(%s, %d) = %q, want %q", got, tc.decimals, d, tc.display)
		}
		if d := baseToDisplay(got, tc.decimals, true); d != tc.grouped {
			t.Errorf("grouped baseToDisplay(%s, %d) = %q, want %q", got, tc.decimals, d, tc.grouped)
		}
	}
	if d := baseToDisplay(ledger.NewAmount(5), 3, false); d != "0.005" {
		t.Errorf("5 at 3 decimals = %q", d)
	}
}

func TestSplitAmountAsset(t *testing.T) {
	for _, tc := range []struct{ in, amount, asset string }{
		{"1.5RIFF", "1.5", "RIFF"},
		{"2500 ACME-1", "2500", "ACME-1"},
		{"100:ACME-1", "100", "ACME-1"},
		{"100", "100", ""},
		{"10RIFF", "10", "RIFF"},
	} {
		a, s := splitAmountAsset(tc.in)
		if a != tc.amount || s != tc.asset {
			t.Errorf("splitAmountAsset(%q) = %q, %q; want %q, %q", tc.in, a, s, tc.amount, tc.asset)
		}
	}
}
