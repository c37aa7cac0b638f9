package main

import (
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestIsDecimalAndParseFee(t *testing.T) {
	for _, tc := range []struct {
		s       string
		decimal bool
		fee     string // "AMOUNT ASSET" parsed by parseFee, or "" for an error
	}{
		{"10", true, ""},
		{"0", true, ""},
		{"", false, ""},
		{"10RIFF", false, "10 RIFF"},
		{"25ACME-1", false, "25 ACME-1"},
		{"RIFF", false, ""},
		{"10 RIFF", false, "10 RIFF"}, // one amount syntax: AMOUNT[ ]ASSET
		{"10:RIFF", false, "10 RIFF"},
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
	for _, tc := range []struct {
		name       string
		a, b, c    string
		wantErr    string // substring of the error, "" for none
		wantValues string
	}{
		{"all given", "5", "7", "9", "", "5 7 9"},
		{"optional left out", "5", "7", "", "", "5 7 0"},
		{"first required missing", "", "x", "y", "--a is required", ""},
		{"second bad", "5", "x", "y", "--b:", ""},
		{"optional bad", "5", "7", "y", "--c:", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p amountFlags
			a, b, c := p.required("a", tc.a), p.required("b", tc.b), p.optional("c", tc.c)
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

// TestOneAmountSyntax: AMOUNT ASSET, AMOUNTASSET and AMOUNT:ASSET mean the
// same everywhere (whole numbers here: display amounts need the node).
func TestOneAmountSyntax(t *testing.T) {
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
