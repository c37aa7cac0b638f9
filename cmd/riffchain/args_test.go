package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestIsDecimalAndParseFee(t *testing.T) {
	knownDecimals(t, map[string]uint8{"RIFF": 6, "ACME-1": 0})
	for _, tc := range []struct {
		s       string
		decimal bool
		fee     string // "AMOUNT ASSET" parsed by parseFee, or "" for an error
	}{
		{"10", true, ""},
		{"0", true, ""},
		{"", false, ""},
		{"10RIFF", false, "10000000 RIFF"}, // display units
		{"0.01RIFF", false, "10000 RIFF"},
		{"25ACME-1", false, "25 ACME-1"},
		{"RIFF", false, ""},
		{"10 RIFF", false, "10000000 RIFF"}, // one amount syntax: AMOUNT[ ]ASSET
		{"10:RIFF", false, "10000000 RIFF"},
		{"10!", false, ""},
	} {
		if got := isDecimal(tc.s); got != tc.decimal {
			t.Errorf("isDecimal(%q) = %v, want %v", tc.s, got, tc.decimal)
		}
		fee, err := parseFee(tc.s)
		switch {
		case tc.fee == "" && err == nil:
			t.Errorf("parseFee(%q) = %v, want an error", tc.s, fee)
		case tc.fee != "" && err != nil:
			t.Errorf("parseFee(%q): %v", tc.s, err)
		case tc.fee != "" && fee.Amount.String()+" "+fee.Asset != tc.fee:
			t.Errorf("parseFee(%q) = %s %s, want %s", tc.s, fee.Amount, fee.Asset, tc.fee)
		}
	}
}

func TestAmountFlagsKeepsFirstError(t *testing.T) {
	knownDecimals(t, map[string]uint8{"RIFF": 6, "ACME-1": 0})
	for _, tc := range []struct {
		name       string
		a, b, c    string
		wantErr    string // substring of the error, "" for none
		wantValues string
	}{
		{"all given", "5", "7", "9", "", "5000000 7 9"},
		{"optional left out", "5", "7", "", "", "5000000 7 0"},
		{"fractional", "0.5", "7", "1", "", "500000 7 1"},
		{"first required missing", "", "x", "y", "--a is required", ""},
		{"second bad", "5", "x", "y", "--b:", ""},
		{"optional bad", "5", "7", "y", "--c:", ""},
		{"too fine for ACME-1", "5", "7.5", "", "--b:", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p amountFlags
			a, b, c := p.requiredOf("a", tc.a, "RIFF"), p.requiredOf("b", tc.b, "ACME-1"), p.optionalOf("c", tc.c, "ACME-1")
			if tc.wantErr != "" {
				if p.err == nil || !strings.Contains(p.err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", p.err, tc.wantErr)
				}
				return
			}
			if p.err != nil {
				t.Fatal(p.err)
			}
			if got := a.String() + " " + b.String() + " " + c.String(); got != tc.wantValues {
				t.Fatalf("values = %s, want %s", got, tc.wantValues)
			}
		})
	}
}

// TestBaseUnitsFlag: with --base-units every amount is a whole number of
// base units, read without the node; a decimal point is refused.
func TestBaseUnitsFlag(t *testing.T) {
	baseUnitsOn(t)
	knownDecimals(t, nil) // a lookup would need a node: none is asked
	to := ledger.Address{1}
	m, err := parseMove(to, []string{"1500000", "RIFF"})
	if err != nil || m.Amount.String() != "1500000" {
		t.Fatalf("parseMove(1500000 RIFF) = %+v, %v", m, err)
	}
	if fee, err := parseFee("10RIFF"); err != nil || fee.Amount.String() != "10" {
		t.Fatalf("parseFee(10RIFF) = %+v, %v", fee, err)
	}
	if _, err := parseMove(to, []string{"1.5RIFF"}); !errors.Is(err, errBadDisplayAmount) || !strings.Contains(err.Error(), "--base-units") {
		t.Fatalf("parseMove(1.5RIFF) with --base-units: err = %v", err)
	}
}

// TestOneAmountSyntax: AMOUNT ASSET, AMOUNTASSET and AMOUNT:ASSET mean the
// same everywhere.
func TestOneAmountSyntax(t *testing.T) {
	knownDecimals(t, map[string]uint8{"ACME-1": 0})
	to := ledger.Address{1}
	for _, args := range [][]string{{"25", "ACME-1"}, {"25ACME-1"}, {"25:ACME-1"}} {
		m, err := parseMove(to, args)
		if err != nil || m.Amount == nil || m.Amount.String() != "25" || m.Asset != "ACME-1" || m.Item != "" {
			t.Errorf("parseMove(%q) = %+v, %v", args, m, err)
		}
	}
	if m, err := parseMove(to, []string{"ART-2/mona"}); err != nil || m.Asset != "ART-2" || m.Item != "mona" {
		t.Errorf("item move: %+v, %v", m, err)
	}
	for _, s := range []string{"25 ACME-1", "25:ACME-1", "25ACME-1", "1.5RIFF"} {
		sd, err := parseSide("in", s)
		if err != nil || sd.amount == "" || sd.asset == "" {
			t.Errorf("parseSide(%q) = %+v, %v", s, sd, err)
		}
	}
	if sd, err := parseSide("in", "0.5"); err != nil || sd.amount != "0.5" || sd.asset != "" {
		t.Errorf("parseSide(0.5) = %+v, %v", sd, err)
	}
}
