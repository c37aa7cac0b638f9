package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app/client"
)

// state_keep_recent and min_retain_blocks on a running node: after a
// restart it keeps only the newest heights of state and blocks; a query at
// a dropped height fails with code 32, the latest state still proves, old
// blocks are gone, and blocks go on. The restarted node also runs with a
// 50-node state cache (state_cache_nodes), so its reads of state go to disk.
func TestStatePruningEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	n := startDevNode(t)
	dev := str(n.ok("keys", "show", "dev"), "address")
	if got := str(n.ok("query", "balance", dev, "RIFF", "--height", "2"), "height"); got != "2" {
		t.Fatalf("archive node at height 2: %v", got)
	}
	stopped := n.height()
	n.stop()
	path := filepath.Join(n.home, "config", "app.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "state_keep_recent = 0") {
		t.Fatalf("app.toml does not default to keeping every height:\n%s", b)
	}
	edited := strings.Replace(string(b), "state_keep_recent = 0", "state_keep_recent = 10", 1)
	edited = strings.Replace(edited, "min_retain_blocks = 0", "min_retain_blocks = 5", 1)
	if !strings.Contains(edited, "state_cache_nodes = 100000") {
		t.Fatalf("app.toml does not give the default state cache:\n%s", b)
	}
	edited = strings.Replace(edited, "state_cache_nodes = 100000", "state_cache_nodes = 50", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	n.start()
	if log, _ := os.ReadFile(n.logPath); !strings.Contains(string(log), "cache_nodes=50") {
		t.Fatalf("the restarted node does not report its 50-node state cache:\n%s", n.logTail())
	}
	// Blocks committed (and pruned) since the restart, well past 2 + 10.
	n.waitHeight(max(stopped, 12)+3, 30*time.Second)
	out, err := n.run("query", "balance", dev, "RIFF", "--height", "2")
	if err == nil || !strings.Contains(err.Error(), "32") || !strings.Contains(err.Error(), "no longer kept") {
		t.Fatalf("query at a pruned height: %v %s\n%s", err, out, n.logTail())
	}
	bal := n.ok("query", "balance", dev, "RIFF", "--prove")
	if str(bal, "proof_verified") != "true" {
		t.Fatalf("latest proven balance: %v", bal)
	}
	latest, _ := strconv.ParseInt(str(bal, "height"), 10, 64)
	// Blocks: CometBFT dropped those older than the newest 5.
	c, err := client.New(n.rpc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.RPC.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if base := st.SyncInfo.EarliestBlockHeight; base <= 1 || base < st.SyncInfo.LatestBlockHeight-10 {
		t.Fatalf("earliest block %d at latest %d", base, st.SyncInfo.LatestBlockHeight)
	}
	if got := str(n.ok("status"), "earliest_block_height"); got == "1" || got == "" {
		t.Fatalf("status earliest_block_height %q after block pruning", got)
	}
	one := int64(1)
	if _, err := c.RPC.Block(context.Background(), &one); err == nil {
		t.Fatal("block 1 is still served")
	}
	// A height within the newest 10, read just before asking (on a loaded
	// machine seconds pass between CLI calls, and the window is ~3 s).
	recent := max(n.height()-2, latest)
	if got := str(n.ok("query", "balance", dev, "RIFF", "--height", strconv.FormatInt(recent, 10)), "amount"); got == "" {
		t.Fatal("a recent height is not queryable")
	}
}
