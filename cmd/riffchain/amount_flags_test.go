package main

import (
	"errors"
	"testing"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// TestParseAmountWith is the rule every amount flag follows (--min-out,
// --max-in, --shares, --min-shares, --min-a, --min-b, --max-supply, genesis
// add-balance): a whole number is base units and needs no decimals; a
// number with a decimal point is display units of the asset.
func TestParseAmountWith(t *testing.T) {
	gs := &app.GenesisState{Ledger: ledger.Genesis{Assets: []ledger.Asset{
		{ID: "RIFF", Decimals: 6}, {ID: "ACME-1", Decimals: 2}, {ID: "LP-1", Decimals: 0},
	}}}
	lookup := genesisDecimals(gs)
	for _, tc := range []struct {
		in, asset string
		want      string // "" = refused
		asks      bool   // the decimals are looked up
	}{
		{"1500000", "RIFF", "1500000", false}, // whole number: base units
		{"1.5", "RIFF", "1500000", true},
		{"0.000001", "RIFF", "1", true},
		{"1.", "RIFF", "1000000", true},
		{"2500.25", "ACME-1", "250025", true},
		{"7", "", "7", false},           // base units need no asset
		{"7", "NOPE-9", "7", false},     // ... nor a known one
		{"0.5", "", "", false},          // display units do
		{"0.5", "NOPE-9", "", true},     // an asset the genesis lacks
		{"1.0000001", "RIFF", "", true}, // more decimals than RIFF has
		{"1.5", "LP-1", "", true},       // LP-1 has none
		{"-1", "RIFF", "", false},
		{"abc", "RIFF", "", false},
	} {
		asked := false
		got, err := parseAmountWith(tc.in, tc.asset, func(a string) (uint8, error) {
			asked = true
			return lookup(a)
		})
		if asked != tc.asks {
			t.Errorf("parseAmountWith(%q, %q): looked decimals up = %v, want %v", tc.in, tc.asset, asked, tc.asks)
		}
		if tc.want == "" {
			if err == nil {
				t.Errorf("parseAmountWith(%q, %q) = %s, want an error", tc.in, tc.asset, got)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("parseAmountWith(%q, %q) = %s, %v; want %s", tc.in, tc.asset, got, err, tc.want)
		}
	}
}

// TestAmountFlagsOptionalOf: an empty optional flag is zero and never
// consults the node; an error names the flag and stops later parsing.
func TestAmountFlagsOptionalOf(t *testing.T) {
	var p amountFlags
	if a := p.optionalOf("min-a", "", "RIFF"); !a.IsZero() || p.err != nil {
		t.Fatalf("empty --min-a = %s, %v; want 0, nil", a, p.err)
	}
	if a := p.optionalOf("min-b", "42", ""); a.String() != "42" || p.err != nil {
		t.Fatalf("--min-b 42 = %s, %v", a, p.err)
	}
	p.optionalOf("min-shares", "1.5", "") // display units without an asset
	if !errors.Is(p.err, errBadDisplayAmount) || p.err.Error()[:13] != "--min-shares:" {
		t.Fatalf("--min-shares 1.5 with no asset: err = %v", p.err)
	}
	if a := p.optionalOf("min-a", "9", "RIFF"); !a.IsZero() {
		t.Fatalf("after an error nothing more is parsed, got %s", a)
	}
}
