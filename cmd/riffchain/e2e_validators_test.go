package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/cometbft/cometbft/privval"
)

// statusValidators returns the validator set CometBFT reports at the
// latest height (riffchain status).
func statusValidators(n *devNode) []map[string]any {
	n.t.Helper()
	st := n.ok("status")
	var vals []map[string]any
	b, _ := json.Marshal(st["validators"])
	_ = json.Unmarshal(b, &vals)
	return vals
}

// waitValidators waits until CometBFT's validator set has want members.
func waitValidators(n *devNode, want int) {
	n.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if len(statusValidators(n)) == want {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	n.t.Fatalf("validator set did not reach %d members: %v", want, statusValidators(n))
}

func TestValidatorChangeE2E(t *testing.T) {
	n := startDevNode(t)
	dir := t.TempDir()

	dev := n.ok("validator", "show-key")
	devPub := str(dev, "pub_key")
	set := n.ok("query", "validators", "--prove")
	if str(set, "count") != "1" || str(set, "total_power") != "10" || str(set, "proof_verified") != "true" {
		t.Fatalf("genesis set: %v", set)
	}
	if len(statusValidators(n)) != 1 {
		t.Fatal("status does not show one validator")
	}

	// A fresh consensus key, as a joining operator's node would have.
	newKeyFile := filepath.Join(dir, "new_priv_validator_key.json")
	privval.GenFilePV(newKeyFile, filepath.Join(dir, "new_state.json")).Save()
	newPub := str(n.ok("validator", "show-key", "--key-file", newKeyFile), "pub_key")
	if newPub == "" || newPub == devPub {
		t.Fatalf("new key %q", newPub)
	}

	// Signed only by the newcomer (not a validator): refused with 457.
	bad := filepath.Join(dir, "bad.json")
	n.ok("validator", "propose", "--add", newPub+":1", "--expires-in", "200", "--out", bad)
	n.ok("validator", "sign", bad, "--key-file", newKeyFile)
	if res := n.fails("validator", "submit", bad, "--from", "dev"); str(res, "code") != "457" {
		t.Fatalf("non-validator signature: %v", res)
	}

	// The dev validator (10 of 10) adds the newcomer with power 1.
	add := filepath.Join(dir, "add.json")
	p := n.ok("validator", "propose", "--add", newPub+":1", "--expires-in", "200", "--out", add)
	if chk := n.ok("validator", "check", add); str(chk, "enough") != "false" || str(chk, "signatures") != "0" {
		t.Fatalf("unsigned check: %v", chk)
	}
	n.ok("validator", "sign", add)
	if chk := n.ok("validator", "check", add); str(chk, "enough") != "true" || str(chk, "signed_power") != "10" {
		t.Fatalf("signed check: %v", chk)
	}
	res := n.ok("validator", "submit", add, "--from", "dev")
	if str(res, "code") != "0" || str(res, "proposal_id") != str(p, "id") || str(res, "new_total_power") != "11" {
		t.Fatalf("submit: %v", res)
	}
	if set := n.ok("query", "validators"); str(set, "count") != "2" || str(set, "total_power") != "11" {
		t.Fatalf("recorded set after add: %v", set)
	}
	waitValidators(n, 2)
	// 10 of 11 is more than 2/3: blocks keep coming without the newcomer.
	h := n.height()
	n.waitHeight(h+3, 30*time.Second)
	if rec := n.ok("query", "validator-change", str(p, "id"), "--prove"); str(rec, "proof_verified") != "true" {
		t.Fatalf("validator-change: %v", rec)
	}
	// Replay of the same file: refused with 460.
	if res := n.fails("validator", "submit", add, "--from", "dev"); str(res, "code") != "460" {
		t.Fatalf("replay: %v", res)
	}

	// Remove it again.
	rm := filepath.Join(dir, "rm.json")
	n.ok("validator", "propose", "--remove", newPub, "--expires-in", "200", "--out", rm)
	n.ok("validator", "sign", rm)
	if res := n.ok("validator", "submit", rm, "--from", "dev"); str(res, "code") != "0" {
		t.Fatalf("remove: %v", res)
	}
	waitValidators(n, 1)
	h = n.height()
	n.waitHeight(h+3, 30*time.Second)
	if set := n.ok("query", "validators"); str(set, "count") != "1" || str(set, "total_power") != "10" {
		t.Fatalf("recorded set after remove: %v", set)
	}
	if ev := n.ok("query", "evidence", "--prove"); str(ev, "evidence") != "[]" {
		t.Fatalf("evidence on a healthy chain: %v", ev)
	}
}
