package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChainQueriesEndToEnd: query tx decodes what was sent, query block
// lists it at its height with the hash status reports, query hosts lists
// (and proves) who announced a CID.
func TestChainQueriesEndToEnd(t *testing.T) {
	n := startDevNode(t)
	bob := str(n.ok("keys", "add", "bob"), "address")
	sent := n.ok("tx", "transfer", bob, "1234", "RIFF", "--from", "dev", "--memo", "hello bob")
	tx := n.ok("query", "tx", str(sent, "txhash"))
	msgs := list(tx, "msgs")
	if str(tx, "code") != "0" || str(tx, "height") != str(sent, "height") || str(tx, "memo") != "hello bob" ||
		str(tx, "signer") != str(n.ok("keys", "show", "dev"), "address") || len(msgs) != 1 {
		t.Fatalf("query tx: %v", tx)
	}
	m, _ := msgs[0].(map[string]any)
	if str(m, "type") != "transfer" || str(m, "summary") != "transfer 1234 RIFF to "+bob {
		t.Fatalf("decoded message: %v", m)
	}
	if len(list(tx, "events")) == 0 {
		t.Fatalf("no events: %v", tx)
	}
	n.fails("query", "tx", strings.Repeat("00", 32))

	blk := n.ok("query", "block", str(sent, "height"))
	txs := list(blk, "txs")
	if str(blk, "height") != str(sent, "height") || str(blk, "num_txs") != "1" || len(txs) != 1 || len(str(blk, "hash")) != 64 {
		t.Fatalf("query block: %v", blk)
	}
	if bt, _ := txs[0].(map[string]any); str(bt, "txhash") != str(sent, "txhash") {
		t.Fatalf("block txs: %v", txs)
	}
	latest := n.ok("query", "block")
	if str(latest, "hash") == "" || str(latest, "proposer") == "" || str(latest, "time") == "" {
		t.Fatalf("latest block: %v", latest)
	}

	file := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(file, []byte("hosted"), 0o644); err != nil {
		t.Fatal(err)
	}
	cid := str(n.ok("content", "add", file), "cid")
	if h := n.ok("query", "hosts", cid); str(h, "count") != "0" || len(list(h, "hosts")) != 0 {
		t.Fatalf("hosts before any announce: %v", h)
	}
	n.ok("tx", "seed", "announce", cid, "--from", "bob")
	n.ok("tx", "seed", "announce", cid, "--from", "dev")
	h := n.ok("query", "hosts", cid, "--prove")
	if str(h, "count") != "2" || len(list(h, "hosts")) != 2 || str(h, "proof_verified") != "true" {
		t.Fatalf("hosts: %v", h)
	}
	// Another spelling of the CID (base32 upper case) finds the same hosts, proven.
	if h := n.ok("query", "hosts", strings.ToUpper(cid), "--prove"); str(h, "count") != "2" || len(list(h, "hosts")) != 2 || str(h, "proof_verified") != "true" {
		t.Fatalf("hosts of %s: %v", strings.ToUpper(cid), h)
	}
	page := n.ok("query", "hosts", cid, "--limit", "1")
	if len(list(page, "hosts")) != 1 || str(page, "next") == "" {
		t.Fatalf("first page: %v", page)
	}
	rest := n.ok("query", "hosts", cid, "--limit", "1", "--after", str(page, "next"))
	if len(list(rest, "hosts")) != 1 || str(rest, "next") != "" {
		t.Fatalf("second page: %v", rest)
	}
	n.fails("query", "hosts", "not-a-cid")
}
