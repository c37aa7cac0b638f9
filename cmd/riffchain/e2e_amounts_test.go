package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDisplayAmountsEndToEnd: every amount the CLI takes is in display
// units of its asset, whole or fractional (RIFF has 6 decimals: "1 RIFF" is
// 1,000,000 base units); --base-units reads whole base units; an amount
// finer than the asset's smallest unit or of an unknown asset is refused
// before anything is sent, with a hint; signed agreement files keep base
// units.
func TestDisplayAmountsEndToEnd(t *testing.T) {
	n := startDevNode(t)
	h := n.human()
	bob := str(n.ok("keys", "add", "bob"), "address")
	balance := func(who, asset string) string { return str(n.ok("query", "balance", who, asset), "amount") }

	// Whole and fractional display amounts; the fee too.
	if out := h.ok("tx", "transfer", bob, "1", "RIFF", "--from", "dev"); str(out, "code") != "0" {
		t.Fatalf("transfer 1 RIFF: %v", out)
	}
	if got := balance(bob, "RIFF"); got != "1000000" {
		t.Fatalf("after `tx transfer bob 1 RIFF` bob has %s base units, want 1000000", got)
	}
	h.ok("tx", "transfer", bob, "0.25RIFF", "--fee", "0.5 RIFF", "--from", "dev")
	if got := balance(bob, "RIFF"); got != "1250000" {
		t.Fatalf("after 0.25RIFF more bob has %s, want 1250000", got)
	}
	// --base-units (the harness's default): as written.
	n.ok("tx", "transfer", bob, "7", "RIFF", "--from", "dev")
	if got := balance(bob, "RIFF"); got != "1250007" {
		t.Fatalf("after --base-units 7 RIFF bob has %s, want 1250007", got)
	}
	h.ok("dev", "fund", "bob", "2")
	n.ok("dev", "fund", "bob", "3") // --base-units
	if got := balance(bob, "RIFF"); got != "3250010" {
		t.Fatalf("after dev fund 2 (display) and 3 (--base-units) bob has %s, want 3250010", got)
	}

	// Refused before sending: too many decimals, unknown asset, a point
	// with --base-units. The dev key's nonce does not move.
	nonce := str(n.ok("query", "account", "dev"), "nonce")
	for _, tc := range []struct {
		node      *devNode
		args      []string
		err, hint string
	}{
		{h, []string{"tx", "transfer", bob, "0.0000001", "RIFF"}, "too many decimals", "--base-units"},
		{h, []string{"tx", "transfer", bob, "1", "NOPE-9"}, "no such asset", "tx asset create"},
		{h, []string{"tx", "transfer", bob, "1,5", "RIFF"}, "the decimal separator is a point", "display units"},
		{h, []string{"tx", "transfer", bob, "1RIFF", "--fee", "0.0000001RIFF"}, "too many decimals", "smallest amount is 0.000001"},
		{n, []string{"tx", "transfer", bob, "1.5", "RIFF"}, "--base-units takes whole base units", "leave --base-units out"},
	} {
		out := tc.node.fails(append(tc.args, "--from", "dev")...)
		if !strings.Contains(str(out, "error"), tc.err) || !strings.Contains(str(out, "hint"), tc.hint) || str(out, "txhash") != "" {
			t.Errorf("%q: %v; want error with %q, hint with %q, nothing sent", tc.args, out, tc.err, tc.hint)
		}
	}
	if got := str(n.ok("query", "account", "dev"), "nonce"); got != nonce {
		t.Fatalf("a refused amount was sent: dev nonce %s -> %s", nonce, got)
	}

	// An asset with 2 decimals: mint, pool, quote and swap in display units.
	acme := str(h.ok("tx", "asset", "create", "ACME", "--decimals", "2", "--from", "dev"), "asset_id")
	h.ok("tx", "asset", "mint", acme, "10000", "--from", "dev")
	if b := n.ok("query", "balance", "dev", acme); str(b, "amount") != "1000000" || str(b, "display") != "10000 "+acme {
		t.Fatalf("after minting 10000 %s: %v", acme, b)
	}
	created := h.ok("tx", "pool", "create", acme, "RIFF", "--amount-a", "1000", "--amount-b", "4000.5", "--from", "dev")
	pool := str(created, "pool_id")
	p := n.ok("query", "pool", pool)
	if str(p, "reserve_a") != "100000" || str(p, "reserve_b") != "4000500000" {
		t.Fatalf("pool created with 1000 %s and 4000.5 RIFF: %v", acme, p)
	}
	q := h.ok("query", "quote", "--in", "1.5", acme, "--out", "RIFF")
	if str(q, "amount_in") != "150" {
		t.Fatalf("quote --in 1.5 %s: %v", acme, q)
	}
	swap := h.ok("tx", "pool", "swap", pool, "--in", "1.5", acme, "--min-out", "0.000001", "--from", "dev")
	if str(swap, "amount_in") != "150" || str(swap, "amount_out") != str(q, "amount_out") {
		t.Fatalf("swap --in 1.5 %s: %v (quote %v)", acme, swap, q)
	}
	if bad := h.fails("tx", "pool", "add", pool, "--amount-a", "0.001", "--amount-b", "1", "--from", "dev"); !strings.Contains(str(bad, "error"), "--amount-a") {
		t.Fatalf("pool add --amount-a 0.001 (ACME has 2 decimals): %v", bad)
	}

	// Agreement action flags in display units; the file holds base units.
	file := filepath.Join(t.TempDir(), "deal.json")
	h.ok("agreement", "new", "--transfer", "dev:"+bob+":1.5:RIFF", "--pool-swap", bob+":"+pool+":2:"+acme+":0.5",
		"--expires-in", "100", "--out", file)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var deal struct {
		Body struct {
			Actions []struct {
				Transfer *struct{ Amount string } `json:"transfer"`
				PoolSwap *struct {
					AmountIn string `json:"amount_in"`
					MinOut   string `json:"min_out"`
				} `json:"pool_swap"`
			} `json:"actions"`
		} `json:"body"`
	}
	if err := json.Unmarshal(raw, &deal); err != nil || len(deal.Body.Actions) != 2 || deal.Body.Actions[0].Transfer == nil || deal.Body.Actions[1].PoolSwap == nil {
		t.Fatalf("agreement file: %v\n%s", err, raw)
	}
	if a, s := deal.Body.Actions[0].Transfer, deal.Body.Actions[1].PoolSwap; a.Amount != "1500000" || s.AmountIn != "200" || s.MinOut != "500000" {
		t.Fatalf("agreement file amounts: transfer %s, swap in %s min out %s; want 1500000, 200, 500000 (base units)\n%s", a.Amount, s.AmountIn, s.MinOut, raw)
	}
}
