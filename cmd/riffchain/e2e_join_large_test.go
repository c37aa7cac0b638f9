package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	cmted "github.com/cometbft/cometbft/crypto/ed25519"
)

// TestJoinFortyValidators: `init --join` of a network whose genesis names
// 40 validators (more than /validators' default page of 30) verifies the
// trusted header's validator-set hash, which needs every page. One node
// runs: it holds more than 2/3 of the power, the 39 others are keys only.
func TestJoinFortyValidators(t *testing.T) {
	bin := riffBinary(t)
	home := t.TempDir()
	rpc := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	p2p := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	n := &devNode{t: t, bin: bin, home: home, rpc: rpc, p2p: p2p, logPath: filepath.Join(home, "node.log")}
	n.ok("init", "--chain-id", "riff-forty", "--rpc-laddr", rpc, "--p2p-laddr", p2p, "--timeout-commit", "200ms")

	gpath := filepath.Join(home, "config", "genesis.json")
	raw, err := os.ReadFile(gpath)
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]any
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	vals := g["validators"].([]any)
	vals[0].(map[string]any)["power"] = "1000"
	for i := 1; i < 40; i++ {
		seed := sha256.Sum256([]byte(fmt.Sprintf("forty-%d", i)))
		pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
		vals = append(vals, map[string]any{
			"address": cmted.PubKey(pub).Address().String(),
			"pub_key": map[string]any{"type": "tendermint/PubKeyEd25519", "value": base64.StdEncoding.EncodeToString(pub)},
			"power":   "1",
			"name":    fmt.Sprintf("v%d", i),
		})
	}
	g["validators"] = vals
	out, _ := json.MarshalIndent(g, "", "  ")
	if err := os.WriteFile(gpath, out, 0o644); err != nil {
		t.Fatal(err)
	}

	logf, err := os.Create(n.logPath)
	if err != nil {
		t.Fatal(err)
	}
	n.cmd = exec.Command(bin, "start", "--home", home)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.kill)
	n.waitHeight(3, 60*time.Second)
	if got := n.ok("query", "validators"); str(got, "count") != "40" {
		t.Fatalf("recorded validators: %v", got["count"])
	}

	jhome := t.TempDir()
	j := &devNode{t: t, bin: bin, home: jhome, rpc: fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))}
	joined := j.ok("init", "--join", rpc, "--rpc-laddr", j.rpc, "--p2p-laddr", fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)))
	if str(joined, "trust_hash") == "" || str(joined, "state_sync") != "true" {
		t.Fatalf("init --join: %v", joined)
	}
}
