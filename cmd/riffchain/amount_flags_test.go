package main

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// knownDecimals makes decimalsFor answer from decimals, without a node, for
// the rest of the test.
func knownDecimals(t *testing.T, decimals map[string]uint8) {
	t.Helper()
	saved := decimalsCache
	decimalsCache = maps.Clone(decimals)
	t.Cleanup(func() { decimalsCache = saved })
}

// baseUnitsOn turns --base-units on for the rest of the test.
func baseUnitsOn(t *testing.T) {
	t.Helper()
	cfg.Set(flagBaseUnits, true)
	t.Cleanup(func() { cfg.Set(flagBaseUnits, false) })
}

// TestParseAmountWith is the rule every amount the CLI takes follows
// (arguments, --fee, pool and quote flags, agreement action flags, dev
// fund, genesis add-balance, asset create --max-supply): display units of
// the asset, whole or fractional; with --base-units whole base units, and
// the decimals are never asked for.
func TestParseAmountWith(t *testing.T) {
	gs := &app.GenesisState{Ledger: ledger.Genesis{Assets: []ledger.Asset{
		{ID: "RIFF", Decimals: 6}, {ID: "ACME-1", Decimals: 2}, {ID: "LP-1", Decimals: 0},
	}}}
	lookup := genesisDecimals(gs)
	for _, tc := range []struct {
		in, asset string
		base      bool
		want      string // "" = refused
		wantErr   error  // when refused, errors.Is this (nil: any error)
		asks      bool   // the decimals are looked up
	}{
		{"1", "RIFF", false, "1000000", nil, true}, // a whole number is display units too
		{"1.5", "RIFF", false, "1500000", nil, true},
		{"0.000001", "RIFF", false, "1", nil, true},
		{"1.", "RIFF", false, "1000000", nil, true},
		{"2500", "ACME-1", false, "250000", nil, true},
		{"2500.25", "ACME-1", false, "250025", nil, true},
		{"1,000", "LP-1", false, "1000", nil, true},
		{"0", "RIFF", false, "0", nil, true},
		{"1500000", "RIFF", true, "1500000", nil, false}, // --base-units: as written
		{"7", "", true, "7", nil, false},                 // base units need no asset
		{"7", "NOPE-9", true, "7", nil, false},           // ... nor a known one
		{"1.5", "RIFF", true, "", errBadDisplayAmount, false},
		{"0.5", "", false, "", errBadDisplayAmount, false}, // display units need the asset
		{"5", "", false, "", errBadDisplayAmount, false},
		{"0.5", "NOPE-9", false, "", nil, true}, // an asset the genesis lacks
		{"1.0000001", "RIFF", false, "", errTooManyDecimals, true},
		{"1.5", "LP-1", false, "", errTooManyDecimals, true}, // LP-1 has none
		{"-1", "RIFF", false, "", errBadDisplayAmount, false},
		{"abc", "RIFF", false, "", errBadDisplayAmount, false},
		{"1.2.3", "RIFF", false, "", errBadDisplayAmount, false},
		{"-1", "RIFF", true, "", nil, false},
	} {
		asked := false
		got, err := parseAmountWith(tc.in, tc.asset, tc.base, func(a string) (uint8, error) {
			asked = true
			return lookup(a)
		})
		if asked != tc.asks {
			t.Errorf("parseAmountWith(%q, %q, base %v): looked decimals up = %v, want %v", tc.in, tc.asset, tc.base, asked, tc.asks)
		}
		if tc.want == "" {
			if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("parseAmountWith(%q, %q, base %v) = %s, %v; want an error (%v)", tc.in, tc.asset, tc.base, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("parseAmountWith(%q, %q, base %v) = %s, %v; want %s", tc.in, tc.asset, tc.base, got, err, tc.want)
		}
	}
}

// TestTooManyDecimalsHint: an amount finer than the asset's smallest unit
// names the asset and its decimals, and the hint says what the smallest
// amount is and how to give base units.
func TestTooManyDecimalsHint(t *testing.T) {
	knownDecimals(t, map[string]uint8{"RIFF": 6})
	_, err := parseAmountOf("0.0000001", "RIFF")
	if !errors.Is(err, errTooManyDecimals) || !strings.Contains(err.Error(), "RIFF") || !strings.Contains(err.Error(), "only 6") {
		t.Fatalf("err = %v", err)
	}
	if h := errorHint(err); !strings.Contains(h, "--base-units") || !strings.Contains(h, "decimals") {
		t.Fatalf("hint = %q", h)
	}
}

// TestAmountFlagsOptionalOf: an empty optional flag is zero and never
// consults the node; an error names the flag and stops later parsing.
func TestAmountFlagsOptionalOf(t *testing.T) {
	knownDecimals(t, map[string]uint8{"RIFF": 6})
	var p amountFlags
	if a := p.optionalOf("min-a", "", "NOPE-9"); !a.IsZero() || p.err != nil {
		t.Fatalf("empty --min-a = %s, %v; want 0, nil", a, p.err)
	}
	if a := p.optionalOf("min-b", "42", "RIFF"); a.String() != "42000000" || p.err != nil {
		t.Fatalf("--min-b 42 = %s, %v", a, p.err)
	}
	p.optionalOf("min-shares", "1.5", "") // display units without an asset
	if !errors.Is(p.err, errBadDisplayAmount) || !strings.HasPrefix(p.err.Error(), "--min-shares:") {
		t.Fatalf("--min-shares 1.5 with no asset: err = %v", p.err)
	}
	if a := p.optionalOf("min-a", "9", "RIFF"); !a.IsZero() {
		t.Fatalf("after an error nothing more is parsed, got %s", a)
	}
}

// TestShortfallWords: an insufficient-funds failure says in display units
// what the chain's log says in base units.
func TestShortfallWords(t *testing.T) {
	knownDecimals(t, map[string]uint8{"RIFF": 6})
	log := "msg 0 (transfer): debit 1000000000000 RIFF from riff1t4h6: insufficient funds: have 30159215, need 1000000000000"
	if got, want := shortfallWords(log), "it holds 30.159215 RIFF and needs 1,000,000 RIFF"; got != want {
		t.Fatalf("shortfallWords = %q, want %q", got, want)
	}
	if got := shortfallWords("something else"); got != "" {
		t.Fatalf("shortfallWords of another log = %q", got)
	}
}
