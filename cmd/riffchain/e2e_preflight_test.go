package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPreflightEndToEnd: --dry-run asks CheckTx and sends nothing; an
// agreement that lacks an approval is not sent (code 112 as the chain
// would say, nothing on chain); a collective whose threshold is met
// checks complete (its members resolved on chain).
func TestPreflightEndToEnd(t *testing.T) {
	n := startDevNode(t)
	n.ok("keys", "add", "alice")
	bob := str(n.ok("keys", "add", "bob"), "address")
	h := n.human() // dev fund and 2.5RIFF in display units, as a user writes them
	h.ok("dev", "fund", "alice", "10")
	h.ok("dev", "fund", "bob", "10")

	dry := h.ok("tx", "transfer", bob, "2.5RIFF", "--from", "alice", "--dry-run")
	if str(dry, "dry_run") != "true" || str(dry, "code") != "0" || str(dry, "summary") == "" {
		t.Fatalf("dry run: %v", dry)
	}
	if got := str(n.ok("query", "balance", bob, "RIFF"), "amount"); got != "10000000" {
		t.Fatalf("a dry run moved funds: bob has %s", got)
	}
	n.ok("tx", "transfer", bob, "1", "RIFF", "--from", "alice") // alice's nonce moves on
	if bad := n.fails("tx", "transfer", bob, "1", "RIFF", "--from", "alice", "--nonce", "1", "--dry-run"); str(bad, "code") != "10" || str(bad, "dry_run") != "true" {
		t.Fatalf("dry run of a used nonce: %v", bad)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "deal.json")
	n.ok("agreement", "new", "--transfer", "alice:bob:1:RIFF", "--transfer", "bob:alice:1:RIFF", "--expires-in", "100", "--out", file)
	before := str(n.ok("query", "account", "alice"), "nonce")
	refused := n.fails("agreement", "submit", file, "--from", "alice")
	if str(refused, "code") != "112" || len(list(refused, "missing")) != 1 || str(refused, "error") == "" {
		t.Fatalf("pre-flight of an unsigned agreement: %v", refused)
	}
	if after := str(n.ok("query", "account", "alice"), "nonce"); after != before {
		t.Fatalf("the refused agreement was sent: nonce %s -> %s", before, after)
	}
	if forced := n.fails("agreement", "submit", file, "--from", "alice", "--skip-check"); str(forced, "code") != "112" || str(forced, "txhash") == "" {
		t.Fatalf("--skip-check should send it for the chain to refuse: %v", forced)
	}

	// A spec file may name accounts by key, as the flags do.
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte("parties: [alice, bob]\nactions:\n  - transfer: {from: alice, to: bob, asset: RIFF, amount: 1}\n"+
		"  - transfer: {from: bob, to: alice, asset: RIFF, amount: 1}\nexpires_at_height: 100000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := n.ok("agreement", "new", "--file", spec, "--out", filepath.Join(dir, "spec.json")); len(list(out, "parties")) != 2 {
		t.Fatalf("spec with key names: %v", out)
	}

	// A 2-of-2 collective of alice and bob buys from dev; both members sign.
	coll := str(n.ok("tx", "collective", "create", "--member", "alice", "--member", "bob", "--threshold", "2", "--from", "alice"), "collective")
	h.ok("dev", "fund", coll, "1")
	buy := filepath.Join(dir, "buy.json")
	n.ok("agreement", "new", "--transfer", coll+":dev:1:RIFF", "--transfer", "dev:"+coll+":1:RIFF", "--expires-in", "100", "--out", buy)
	n.ok("agreement", "sign", buy, "--from", "alice", "--as", coll)
	n.ok("agreement", "sign", buy, "--from", "bob", "--as", coll)
	chk := n.ok("agreement", "check", buy, "--submitter", "dev")
	if str(chk, "complete") != "true" || len(list(chk, "undecided")) != 0 {
		t.Fatalf("check of a collective whose threshold is met: %v", chk)
	}
	if out := n.ok("agreement", "submit", buy, "--from", "dev"); str(out, "status") != "settled" {
		t.Fatalf("submit: %v", out)
	}
}
