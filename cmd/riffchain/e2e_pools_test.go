package main

import (
	"math/big"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestPoolSwapSides checks how --in/--out and a positional asset combine.
func TestPoolSwapSides(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in, out     string
		rest        []string
		wantIn      side
		wantOut     side
		wantExactIn bool
		wantErr     bool
	}{
		{"issue form: --in 100 ACME-1", "100", "", []string{"ACME-1"}, side{"100", "ACME-1"}, side{}, true, false},
		{"colon form", "100:ACME-1", "", nil, side{"100", "ACME-1"}, side{}, true, false},
		{"quoted form", "100 ACME-1", "", nil, side{"100", "ACME-1"}, side{}, true, false},
		{"quote: --in 100 A --out B", "100", "BUCK-2", []string{"ACME-1"}, side{"100", "ACME-1"}, side{"", "BUCK-2"}, true, false},
		{"exact out", "", "5", []string{"ACME-1"}, side{}, side{"5", "ACME-1"}, false, false},
		{"exact out with --in ASSET", "BUCK-2", "5:ACME-1", nil, side{"", "BUCK-2"}, side{"5", "ACME-1"}, false, false},
		{"no amount", "ACME-1", "BUCK-2", nil, side{}, side{}, false, true},
		{"two amounts", "1:ACME-1", "2:BUCK-2", nil, side{}, side{}, false, true},
		{"missing asset", "100", "", nil, side{}, side{}, false, true},
		{"asset twice", "100:ACME-1", "", []string{"BUCK-2"}, side{}, side{}, false, true},
		{"extra args", "100", "", []string{"ACME-1", "X-2"}, side{}, side{}, false, true},
		{"garbage", "1 2 3", "", nil, side{}, side{}, false, true},
		{"asset first", "ACME-1 100", "", nil, side{}, side{}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, out, exactIn, err := sides(tc.in, tc.out, tc.rest)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (in != tc.wantIn || out != tc.wantOut || exactIn != tc.wantExactIn) {
				t.Fatalf("got %+v %+v %v, want %+v %+v %v", in, out, exactIn, tc.wantIn, tc.wantOut, tc.wantExactIn)
			}
		})
	}
}

func bigOf(t *testing.T, s string) *big.Int {
	t.Helper()
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("%q is not a decimal", s)
	}
	return b
}

// swapOut is the formula:
// floor(in·(10000−fee)·R_out / (R_in·10000 + in·(10000−fee))).
func swapOut(in, rIn, rOut *big.Int, fee int64) *big.Int {
	f := big.NewInt(10000 - fee)
	inF := new(big.Int).Mul(in, f)
	num := new(big.Int).Mul(inF, rOut)
	den := new(big.Int).Add(new(big.Int).Mul(rIn, big.NewInt(10000)), inF)
	return num.Quo(num, den)
}

func reserves(t *testing.T, p map[string]any) map[string]string {
	t.Helper()
	r, ok := p["reserves"].(map[string]any)
	if !ok || len(r) != 2 {
		t.Fatalf("pool output has no reserves map: %v", p)
	}
	out := map[string]string{}
	for k, v := range r {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("reserve %s is not a decimal string: %v", k, v)
		}
		out[k] = s
	}
	return out
}

// TestPoolsEndToEnd drives pools through the CLI against a real dev node:
// create, add, swap exact in and out, remove, quotes, proofs, multi-hop,
// and the bad cases with their codes and unchanged state.
func TestPoolsEndToEnd(t *testing.T) {
	n := startDevNode(t)
	bob := str(n.ok("keys", "add", "bob"), "address")
	asset := func(sym string, flags ...string) string {
		id := str(n.ok(append([]string{"tx", "asset", "create", sym, "--from", "dev"}, flags...)...), "asset_id")
		n.ok("tx", "asset", "mint", id, "1000000000000", "--from", "dev")
		return id
	}
	// GOLD has 3 decimals; its --max-supply in display units (as a user
	// writes it, without --base-units) is 10^12 base units, exactly what is
	// minted.
	acme, buck := asset("ACME"), asset("BUCK")
	gold := str(n.human().ok("tx", "asset", "create", "GOLD", "--decimals", "3", "--max-supply", "1000000000", "--from", "dev"), "asset_id")
	n.ok("tx", "asset", "mint", gold, "1000000000000", "--from", "dev")
	if over := n.fails("tx", "asset", "mint", gold, "1", "--from", "dev"); str(over, "code") == "0" {
		t.Fatalf("minting past --max-supply 1000000000 (display) passed: %v", over)
	}
	art := str(n.ok("tx", "asset", "create", "ART", "--kind", "unique", "--from", "dev"), "asset_id")
	n.ok("tx", "asset", "mint", art, "--item", "mona", "--from", "dev")
	n.ok("tx", "multi-transfer", "--move", bob+":1000000:"+acme, "--move", bob+":1000000:"+buck, "--from", "dev")

	// Create: floor(sqrt(1e6·4e6)) = 2e6 shares, 1000 locked.
	created := n.ok("tx", "pool", "create", acme, buck, "--amount-a", "1000000", "--amount-b", "4000000", "--fee-bps", "30", "--from", "dev")
	pool := str(created, "pool_id")
	if pool == "" || str(created, "shares") != "1999000" || str(created, "code") != "0" {
		t.Fatalf("create: %v", created)
	}
	p := n.ok("query", "pool", pool, "--prove")
	shareAsset := str(p, "share_asset")
	if r := reserves(t, p); r[acme] != "1000000" || r[buck] != "4000000" || str(p, "fee_bps") != "30" ||
		str(p, "total_shares") != "2000000" || shareAsset == "" || str(p, "proof_verified") != "true" {
		t.Fatalf("pool after create: %v", p)
	}

	// Add in the pool's ratio: min(5e5·2e6/1e6, 2e6·2e6/4e6) = 1e6 shares.
	added := n.ok("tx", "pool", "add", pool, "--amount-a", "500000", "--amount-b", "2500000", "--min-shares", "1000000", "--from", "dev")
	if str(added, "shares") != "1000000" || str(added, "amount_a") != "500000" || str(added, "amount_b") != "2000000" {
		t.Fatalf("add: %v", added)
	}

	// Exact in, in the literal form; amount_out is the formula, and
	// the quote just before says the same.
	p = n.ok("query", "pool", pool)
	r := reserves(t, p)
	want := swapOut(big.NewInt(10000), bigOf(t, r[acme]), bigOf(t, r[buck]), 30).String()
	q := n.ok("query", "quote", "--in", "10000", acme, "--out", buck)
	if str(q, "amount_out") != want || str(q, "path") != `["`+pool+`"]` {
		t.Fatalf("quote %v, want amount_out %s", q, want)
	}
	swapped := n.ok("tx", "pool", "swap", pool, "--in", "10000", acme, "--min-out", "1", "--from", "bob")
	if str(swapped, "amount_out") != want || str(swapped, "asset_out") != buck || str(swapped, "amount_in") != "10000" {
		t.Fatalf("swap exact in: %v, want amount_out %s", swapped, want)
	}
	if got := str(n.ok("query", "balance", bob, buck), "amount"); got != bigOf(t, want).Add(bigOf(t, want), big.NewInt(1000000)).String() {
		t.Fatalf("bob's %s after the swap: %s", buck, got)
	}

	// Exact out (AMOUNT:ASSET form): takes exactly the quoted input.
	q = n.ok("query", "quote", "--out", "5000", acme, "--in", buck)
	needIn := str(q, "amount_in")
	swapped = n.ok("tx", "pool", "swap", pool, "--out", "5000:"+acme, "--max-in", needIn, "--from", "bob")
	if str(swapped, "amount_in") != needIn || str(swapped, "amount_out") != "5000" || str(swapped, "asset_in") != buck {
		t.Fatalf("swap exact out: %v, quote amount_in %s", swapped, needIn)
	}

	// Remove pays floor(shares·X/S) of each side.
	p = n.ok("query", "pool", pool)
	r = reserves(t, p)
	s := bigOf(t, str(p, "total_shares"))
	wantA := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(100000), bigOf(t, r[acme])), s).String()
	wantB := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(100000), bigOf(t, r[buck])), s).String()
	removed := n.ok("tx", "pool", "remove", pool, "--shares", "100000", "--min-a", "1", "--min-b", "1", "--from", "dev")
	if str(removed, "amount_a") != wantA || str(removed, "amount_b") != wantB || str(removed, "shares") != "100000" {
		t.Fatalf("remove: %v, want %s and %s", removed, wantA, wantB)
	}

	// Reserves are proven and equal the pool account's balances.
	p = n.ok("query", "pool", pool, "--prove")
	r = reserves(t, p)
	for _, a := range []string{acme, buck} {
		bal := n.ok("query", "balance", str(p, "account"), a, "--prove")
		if str(bal, "amount") != r[a] || str(bal, "proof_verified") != "true" {
			t.Fatalf("reserve of %s is %s, pool account holds %v", a, r[a], bal)
		}
	}
	if str(p, "proof_verified") != "true" || str(p, "total_shares") != "2900000" {
		t.Fatalf("proven pool: %v", p)
	}
	if got := str(n.ok("query", "asset", shareAsset), "supply"); got != "2900000" {
		t.Fatalf("share supply %s, total_shares %s", got, str(p, "total_shares"))
	}

	// Multi-hop ACME → BUCK → GOLD equals the quote's best (two-hop) path.
	pool2 := str(n.ok("tx", "pool", "create", gold, buck, "--amount-a", "3000000", "--amount-b", "3000000", "--fee-bps", "5", "--from", "dev"), "pool_id")
	q = n.ok("query", "quote", "--in", "1000", acme, "--out", gold)
	if str(q, "path") != `["`+pool+`","`+pool2+`"]` {
		t.Fatalf("two-hop quote: %v", q)
	}
	// --min-out in display units of the asset out (GOLD, 3 decimals): one
	// base unit more than the quote is refused, exactly the quote passes.
	quoted, err := ledger.ParseAmount(str(q, "amount_out"))
	if err != nil {
		t.Fatalf("quote amount_out: %v", err)
	}
	display := func(a ledger.Amount) string { return baseToDisplay(a, 3, false) }
	h := n.human() // amounts in display units, as a user writes them
	over, err := quoted.Add(ledger.NewAmount(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.fails("tx", "pool", "swap", "--path", pool+","+pool2, "--in", "1000", acme, "--min-out", display(over), "--from", "bob"); str(got, "code") != "203" {
		t.Fatalf("--min-out %s (one base unit over the quote): %v, want code 203", display(over), got)
	}
	minOut := display(quoted)
	multi := h.ok("tx", "pool", "swap", "--path", pool+","+pool2, "--in", "1000", acme, "--min-out", minOut, "--from", "bob")
	if str(multi, "amount_out") != str(q, "amount_out") || str(multi, "asset_out") != gold {
		t.Fatalf("multi-hop swap %v, quote %v", multi, q)
	}
	if got := str(n.ok("query", "balance", bob, gold), "amount"); got != str(q, "amount_out") {
		t.Fatalf("bob holds %s %s", got, gold)
	}
	list := n.ok("query", "pools", "--asset", buck, "--prove")
	if ps, _ := list["pools"].([]any); len(ps) != 2 || str(list, "proof_verified") != "true" {
		t.Fatalf("pools --asset: %v", list)
	}
	if ps, _ := n.ok("query", "pools", "--asset", gold)["pools"].([]any); len(ps) != 1 {
		t.Fatalf("pools holding %s: %v", gold, ps)
	}

	// Bad cases: code, non-zero exit, nothing moved.
	before := func() []string {
		p := n.ok("query", "pool", pool)
		r := reserves(t, p)
		return []string{r[acme], r[buck], str(p, "total_shares"),
			str(n.ok("query", "balance", bob, acme), "amount"), str(n.ok("query", "balance", bob, buck), "amount")}
	}
	start := before()
	for _, tc := range []struct {
		name string
		args []string
		code string
	}{
		{"same asset", []string{"tx", "pool", "create", acme, acme, "--amount-a", "5000", "--amount-b", "5000", "--from", "bob"}, "200"},
		{"unknown asset", []string{"tx", "pool", "create", acme, "NOPE-99", "--amount-a", "5000", "--amount-b", "5000", "--from", "bob"}, "15"},
		{"unique asset", []string{"tx", "pool", "create", acme, art, "--amount-a", "5000", "--amount-b", "1", "--from", "bob"}, "20"},
		{"zero amount", []string{"tx", "pool", "create", acme, buck, "--amount-a", "0", "--amount-b", "5000", "--fee-bps", "5", "--from", "bob"}, "201"},
		{"fee outside the set", []string{"tx", "pool", "create", acme, buck, "--amount-a", "5000", "--amount-b", "5000", "--fee-bps", "25", "--from", "bob"}, "202"},
		{"min-out not met", []string{"tx", "pool", "swap", pool, "--in", "1000", acme, "--min-out", "1000000", "--from", "bob"}, "203"},
		{"max-in exceeded", []string{"tx", "pool", "swap", pool, "--out", "1000", acme, "--max-in", "1", "--from", "bob"}, "204"},
		{"expired", []string{"tx", "pool", "swap", pool, "--in", "1000", acme, "--min-out", "1", "--expiry", "1", "--from", "bob"}, "205"},
		{"more shares than owned", []string{"tx", "pool", "remove", pool, "--shares", "1", "--from", "bob"}, "206"},
		{"path does not connect", []string{"tx", "pool", "swap", "--path", pool2, "--in", "1000", acme, "--min-out", "1", "--from", "bob"}, "207"},
		{"unknown pool", []string{"tx", "pool", "swap", "POOL-99", "--in", "1000", acme, "--min-out", "1", "--from", "bob"}, "209"},
		{"unknown pool, exact out", []string{"tx", "pool", "swap", "POOL-99", "--out", "1000", acme, "--max-in", "5", "--from", "bob"}, "209"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := n.fails(tc.args...)
			if str(got, "code") != tc.code {
				t.Fatalf("code %s (%v), want %s", str(got, "code"), got, tc.code)
			}
		})
	}
	if now := before(); str(map[string]any{"v": now}, "v") != str(map[string]any{"v": start}, "v") {
		t.Fatalf("bad cases moved state: %v → %v", start, now)
	}
	if got := n.fails("query", "pool", "POOL-99", "--prove"); str(got, "found") != "false" || str(got, "proof_verified") != "true" {
		t.Fatalf("missing pool: %v", got)
	}
	if got := n.fails("query", "quote", "--in", "10", acme, "--out", acme); str(got, "code") != "200" {
		t.Fatalf("quote same asset: %v", got)
	}
}
