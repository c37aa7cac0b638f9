package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
)

// TestDoubleSignEndToEnd: on a 4-validator localnet, a second process
// started with a copy of node3's validator key (and no record of what it
// signed) signs conflicting votes; CometBFT commits the evidence, the app
// removes node3's key from the set, the three others keep committing and
// their app hashes agree.
func TestDoubleSignEndToEnd(t *testing.T) {
	nw := startNetwork(t, nil, nil, nil)
	victim := nw.nodes[3]
	valAddr := nw.sum.Nodes[3].Validator

	// The copy: node3's genesis, config and validator key, a fresh signing
	// state, its own node key and ports.
	home := filepath.Join(nw.sum.Dir, "copy")
	for _, d := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"genesis.json", "priv_validator_key.json", "app.toml"} {
		b, err := os.ReadFile(filepath.Join(victim.home, "config", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, "config", f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, "data", "priv_validator_state.json"),
		[]byte(`{"height":"0","round":0,"step":0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfig(victim.home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SetRoot(home)
	rpc := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	cfg.RPC.ListenAddress = rpc
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	cfg.Instrumentation.Prometheus = false
	cfg.Moniker = "node3-copy"
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	ac, err := app.LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	ac.MetricsAddr, ac.GatewayAddr, ac.WebAddr = "", "", ""
	if err := app.WriteAppConfig(home, ac); err != nil {
		t.Fatal(err)
	}
	if _, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile()); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	cp := &netNode{i: 4, home: home, rpc: rpc, logPath: filepath.Join(home, "node.log"), c: c}
	nw.joined = append(nw.joined, cp) // killed and logged with the others
	cp.start(t, nw.bin)

	// Evidence of node3 committed, with the action taken.
	q := func(args ...string) map[string]any {
		t.Helper()
		full := append([]string{"--home", nw.nodes[0].home, "--node", nw.nodes[0].rpc, "-o", "json"}, args...)
		out, err := exec.Command(nw.bin, full...).Output()
		if err != nil {
			t.Fatalf("riffchain %s: %v %s", strings.Join(args, " "), err, out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("riffchain %s: %q", strings.Join(args, " "), out)
		}
		return m
	}
	deadline := time.Now().Add(150 * time.Second)
	var ev map[string]any
	for ev == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no evidence of %s committed; copy at height %d", valAddr, cp.height())
		}
		time.Sleep(time.Second)
		list, _ := q("query", "evidence", "--prove")["evidence"].([]any)
		// The copy may double-sign more than once before it is gone: one
		// offence removes the validator, any other finds it no longer in
		// the set.
		var mine []map[string]any
		for _, e := range list {
			if m, _ := e.(map[string]any); m != nil && strings.EqualFold(str(m, "validator"), valAddr) {
				mine = append(mine, m)
			}
		}
		removed := 0
		for _, m := range mine {
			switch str(m, "action") {
			case "removed":
				removed++
				ev = m
			case "not_in_set":
			default:
				t.Fatalf("evidence %v: want action removed or not_in_set", m)
			}
		}
		if removed > 1 || (len(mine) > 0 && removed == 0) {
			t.Fatalf("evidence of %s: %v: want exactly one that removed it", valAddr, mine)
		}
	}
	t.Logf("evidence: %v", ev)
	if str(ev, "type") != "duplicate_vote" || str(ev, "action") != "removed" {
		t.Fatalf("evidence %v: want duplicate_vote, removed", ev)
	}
	set := q("query", "validators", "--prove")
	if str(set, "count") != "3" || strings.Contains(strings.ToUpper(str(set, "validators")), strings.ToUpper(valAddr)) {
		t.Fatalf("recorded set after jailing: %v", set)
	}
	// CometBFT's set follows two blocks later; the three others go on.
	cp.kill()
	from := nw.maxHeight(nw.nodes[:3]...)
	for _, n := range nw.nodes[:3] {
		nw.waitHeight(n, from+4, 60*time.Second)
	}
	h := from + 3
	var hash string
	for i, n := range nw.nodes[:3] {
		com, err := n.c.RPC.Commit(context.Background(), &h)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			hash = com.Header.AppHash.String()
		} else if got := com.Header.AppHash.String(); got != hash {
			t.Fatalf("height %d: node%d app hash %s, node0 %s", h, i, got, hash)
		}
		vals, err := n.c.ValidatorsAt(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) != 3 {
			t.Fatalf("height %d: CometBFT's set on node%d has %d validators, want 3", h, i, len(vals))
		}
	}
}
