package main

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLedgerEndToEnd: create asset → mint → transfer → query with proof →
// history → SIGKILL the node → restart → state and proofs still there.
func TestLedgerEndToEnd(t *testing.T) {
	n := startDevNode(t)
	bob := str(n.ok("keys", "add", "bob"), "address")
	if len(bob) < 10 {
		t.Fatalf("keys add printed no address")
	}
	if out := n.ok("keys", "show", "bob", "--address"); str(out, "address") != bob || len(out) != 1 { // -o json: one object
		t.Fatalf("keys show --address -o json: %v", out)
	}
	if out, err := n.run("keys", "show", "bob", "--field", "address"); err != nil || out != bob+"\n" {
		t.Fatalf("keys show --field address: %q %v", out, err)
	}

	created := n.ok("tx", "asset", "create", "ACME", "--name", "Acme shares", "--decimals", "2", "--from", "dev")
	asset := str(created, "asset_id")
	if asset == "" || str(created, "code") != "0" || str(created, "txhash") == "" || str(created, "height") == "0" {
		t.Fatalf("asset create output: %v", created)
	}
	n.ok("tx", "asset", "mint", asset, "1000000", "--from", "dev")
	sent := n.ok("tx", "transfer", bob, "2500", asset, "--from", "dev")
	checkGasAuto(t, n, sent)

	bal := n.ok("query", "balance", bob, asset, "--prove")
	if str(bal, "amount") != "2500" || str(bal, "proof_verified") != "true" {
		t.Fatalf("proven balance: %v", bal)
	}

	// Failures: exit status non-zero, code in the JSON, state unchanged.
	failed := n.fails("tx", "transfer", bob, "99999999999", asset, "--from", "dev")
	if str(failed, "code") != "16" {
		t.Fatalf("overdraft: %v", failed)
	}
	n.fails("tx", "asset", "mint", asset, "5", "--from", "bob") // not the issuer
	if code := n.exitCode("query", "asset", "NOPE-1"); code == 0 {
		t.Fatal("query of a missing asset exited 0")
	}

	// Unique items.
	art := str(n.ok("tx", "asset", "create", "ART", "--kind", "unique", "--from", "dev"), "asset_id")
	n.ok("tx", "asset", "mint", art, "--item", "mona", "--from", "dev")
	n.ok("tx", "transfer", bob, art+"/mona", "--from", "dev")
	owner := n.ok("query", "owner", art+"/mona", "--prove")
	if str(owner, "owner") != bob || str(owner, "proof_verified") != "true" {
		t.Fatalf("owner: %v", owner)
	}
	n.fails("tx", "transfer", bob, art+"/mona", "--from", "dev") // no longer dev's

	// Offline signing: generate-only → sign → broadcast.
	out, err := n.run("tx", "transfer", bob, "10", asset, "--from", "dev", "--generate-only")
	if err != nil {
		t.Fatal(err)
	}
	file := n.home + "/unsigned.json"
	if err := writeFile(file, out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `\"gas\":`) && !strings.Contains(out, `"gas":`) {
		t.Fatalf("--generate-only file has no gas limit: %s", out)
	}
	n.ok("tx", "sign", file, "--from", "dev")
	n.ok("tx", "broadcast", file)
	if got := str(n.ok("query", "balance", bob, asset), "amount"); got != "2510" {
		t.Fatalf("after offline-signed transfer bob has %s", got)
	}

	hist := n.ok("query", "history", asset)
	if transfers, _ := hist["transfers"].([]any); len(transfers) < 3 {
		t.Fatalf("history: %v", hist)
	}
	holders := n.ok("query", "holders", asset, "--prove")
	if hs, _ := holders["holders"].([]any); len(hs) != 2 || str(holders, "proof_verified") != "true" {
		t.Fatalf("holders: %v", holders)
	}

	// Hand over the company: issuer rights plus all holdings.
	n.ok("tx", "asset", "transfer-issuer", asset, bob, "--holdings", "--from", "dev")
	a := n.ok("query", "asset", asset, "--prove")
	if str(a, "issuer") != bob {
		t.Fatalf("issuer after hand-over: %v", a)
	}
	if got := str(n.ok("query", "balance", bob, asset), "amount"); got != "1000000" {
		t.Fatalf("bob holds %s after hand-over, want all 1000000", got)
	}

	// SIGKILL at an arbitrary moment, restart, state is still there.
	before := n.height()
	n.kill()
	n.start()
	n.waitHeight(before+2, 60*time.Second)
	bal = n.ok("query", "balance", bob, asset, "--prove")
	if str(bal, "amount") != "1000000" || str(bal, "proof_verified") != "true" {
		t.Fatalf("after restart: %v", bal)
	}
	n.ok("tx", "transfer", "dev", "1", asset, "--from", "bob")
}

// checkGasAuto: a tx sent with the default --gas auto reports gas_wanted
// (the simulation times 1.3) and gas_used (at most that); an explicit
// --gas below what the tx needs runs out of gas (code 33) and consumes the
// nonce, one below its intrinsic cost is refused by CheckTx (code 33 too).
func checkGasAuto(t *testing.T, n *devNode, sent map[string]any) {
	t.Helper()
	wanted, _ := strconv.ParseUint(str(sent, "gas_wanted"), 10, 64)
	used, _ := strconv.ParseUint(str(sent, "gas_used"), 10, 64)
	if used == 0 || wanted < used || float64(wanted) > 1.4*float64(used) {
		t.Fatalf("--gas auto: gas_wanted %d, gas_used %d: %v", wanted, used, sent)
	}
	bob := str(n.ok("keys", "show", "bob"), "address")
	tight := strconv.FormatUint(used*9/10, 10)
	out := n.fails("tx", "transfer", bob, "1", "RIFF", "--from", "dev", "--gas", tight)
	if str(out, "code") != "33" || str(out, "gas_used") != tight || str(out, "height") == "0" {
		t.Fatalf("--gas %s (of %d needed): %v", tight, used, out)
	}
	if out := n.fails("tx", "transfer", bob, "1", "RIFF", "--from", "dev", "--gas", "1000"); str(out, "code") != "33" || str(out, "height") != "0" {
		t.Fatalf("--gas 1000: %v", out)
	}
	if out := n.ok("tx", "transfer", bob, "1", "RIFF", "--from", "dev", "--gas", strconv.FormatUint(wanted, 10)); str(out, "gas_wanted") != str(sent, "gas_wanted") {
		t.Fatalf("--gas %d: %v", wanted, out)
	}
}
