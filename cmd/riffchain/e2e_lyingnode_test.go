package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app/client/lyingnode"
)

// refusedBy runs the CLI against a lying proxy in front of n and expects
// exit status 3 with want in the message.
func (n *devNode) refusedBy(t *testing.T, lies lyingnode.Lies, want string, args ...string) {
	t.Helper()
	url, stop := lyingnode.Start(n.rpc, lies)
	defer stop()
	out, err := n.run(append(args, "--node", url)...)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("riffchain %s through a lying node (%+v): want exit 3, got %v: %s", strings.Join(args, " "), lies, err, out)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("riffchain %s: the message does not say %q: %v", strings.Join(args, " "), want, err)
	}
	t.Logf("refused: %v", err)
}

// TestLyingNodeEndToEnd: `query ... --prove` through an RPC proxy that
// rewrites questions and answers exits 3 naming what failed, for every
// lie; through an honest proxy the same commands succeed.
func TestLyingNodeEndToEnd(t *testing.T) {
	n := startDevNode(t)
	bob := str(n.ok("keys", "add", "bob"), "address")
	carol := str(n.ok("keys", "add", "carol"), "address")
	dev := str(n.ok("keys", "show", "dev"), "address")
	n.ok("tx", "transfer", bob, "777", "RIFF", "--from", "dev")
	if got := n.ok("query", "balance", bob, "RIFF", "--prove"); str(got, "amount") != "777" || str(got, "proof_verified") != "true" {
		t.Fatalf("honest proven balance: %v", got)
	}
	url, stop := lyingnode.Start(n.rpc, lyingnode.Lies{})
	if got := n.ok("query", "account", dev, "--prove", "--node", url); str(got, "proof_verified") != "true" {
		t.Fatalf("honest proxy: %v", got)
	}
	stop()
	n.waitHeight(12, time.Minute) // enough history for a stale answer
	h := strconv.FormatInt(n.height()-1, 10)

	swap := func(from, to string) func(string) string {
		return func(p string) string { return strings.Replace(p, from, to, 1) }
	}
	n.refusedBy(t, lyingnode.Lies{Path: swap(bob, dev)}, "the question needs", "query", "balance", bob, "RIFF", "--prove")
	n.refusedBy(t, lyingnode.Lies{Path: swap(bob, carol)}, "the question needs", "query", "balance", bob, "RIFF", "--prove")
	n.refusedBy(t, lyingnode.Lies{Path: swap(carol, dev)}, "the question needs", "query", "account", carol, "--prove")
	n.refusedBy(t, lyingnode.Lies{Path: swap("RIFF", "NOPE")}, "the question needs", "query", "asset", "RIFF", "--prove")
	n.refusedBy(t, lyingnode.Lies{Value: []byte("999999")}, "does not verify", "query", "balance", bob, "RIFF", "--prove")
	n.refusedBy(t, lyingnode.Lies{Height: 2}, "stale", "query", "balance", bob, "RIFF", "--prove")
	n.refusedBy(t, lyingnode.Lies{Height: 2}, "asked for height "+h, "query", "balance", bob, "RIFF", "--prove", "--height", h)

	// Headers: the first --prove above stored the chain's root of trust.
	b, err := os.ReadFile(filepath.Join(n.home, "config", "client.toml"))
	chainID := str(n.ok("status"), "chain_id")
	if err != nil || !strings.Contains(string(b), "trust_chain_id = '"+chainID+"'") || !strings.Contains(string(b), "trust_hash") {
		t.Fatalf("client.toml after first contact: %s %v", b, err)
	}
	// The root moves up to each newer header the light client verified.
	rootHeight := func() int64 {
		var h int64
		b, _ := os.ReadFile(filepath.Join(n.home, "config", "client.toml"))
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "trust_height = "); ok {
				h, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			}
		}
		return h
	}
	before := rootHeight()
	n.waitHeight(before+3, time.Minute)
	n.ok("query", "balance", bob, "RIFF", "--prove")
	if after := rootHeight(); after <= before {
		t.Fatalf("root of trust stayed at %d (was %d)", after, before)
	}
	n.refusedBy(t, lyingnode.Lies{AppHash: make([]byte, 32)}, "light client", "query", "balance", bob, "RIFF", "--prove")
	fork := startDevNodeWith(t, "--chain-id", chainID) // same chain id, its own validator
	other := startDevNodeWith(t)                       // another chain
	other.waitHeight(rootHeight()+2, time.Minute)
	n.refusedBy(t, lyingnode.Lies{Other: fork.rpc}, "light client", "query", "balance", dev, "RIFF", "--prove")
	n.refusedBy(t, lyingnode.Lies{Other: other.rpc}, "this home trusts chain", "query", "balance", dev, "RIFF", "--prove")
	// Headers and answers from another chain, with the node's status made
	// to name this chain: the light client still refuses them.
	n.refusedBy(t, lyingnode.Lies{Other: other.rpc, ChainID: chainID}, "light client", "query", "balance", dev, "RIFF", "--prove")
	// --trust-node takes the fork's validators at its word: the risk it is for.
	url, stop = lyingnode.Start(n.rpc, lyingnode.Lies{Other: fork.rpc})
	defer stop()
	if got := n.ok("query", "balance", dev, "RIFF", "--prove", "--trust-node", "--node", url); str(got, "proof_verified") != "true" {
		t.Fatalf("--trust-node through a fork: %v", got)
	}
}
