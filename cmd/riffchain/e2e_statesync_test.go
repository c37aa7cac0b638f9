package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app/client"
)

// TestStateSyncJoinEndToEnd: a validator takes snapshots every 10 heights;
// a second node joins with `init --join`, restores the snapshot by state
// sync, block-syncs the rest, and ends at the same app hash at the same
// height. Then light-client-verified queries against both, and against
// proxies that lie about a value or forge headers.
func TestStateSyncJoinEndToEnd(t *testing.T) {
	v := startDevNode(t)
	v.stop()
	ssSetSnapshotInterval(t, v.home, 10)
	v.start()

	bob := str(v.ok("keys", "add", "bob"), "address")
	for i := 1; i <= 4; i++ {
		v.ok("tx", "transfer", bob, fmt.Sprint(100*i), "RIFF", "--from", "dev")
	}
	asset := str(v.ok("tx", "asset", "create", "SYNC", "--from", "dev"), "asset_id")
	v.ok("tx", "asset", "mint", asset, "5000", "--from", "dev")
	v.ok("tx", "transfer", bob, "77", asset, "--from", "dev")
	v.waitHeight(22, 90*time.Second) // snapshot 20 exists, and headers 21, 22 to verify it
	ssWaitFile(t, filepath.Join(v.home, "data", "snapshots", "20", "metadata.json"), 30*time.Second)

	// Join.
	jhome := t.TempDir()
	jrpc := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	jp2p := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	j := &devNode{t: t, bin: v.bin, home: jhome, rpc: jrpc, p2p: jp2p, logPath: filepath.Join(jhome, "node.log")}
	joined := j.ok("init", "--join", v.rpc, "--moniker", "joiner", "--rpc-laddr", jrpc, "--p2p-laddr", jp2p)
	if str(joined, "state_sync") != "true" || str(joined, "trust_hash") == "" || !strings.Contains(str(joined, "persistent_peers"), "@127.0.0.1:") {
		t.Fatalf("init --join: %v", joined)
	}
	if str(joined, "addr_book_strict") != "false" || str(joined, "allow_duplicate_ip") != "true" {
		t.Fatalf("a loopback join keeps the loopback p2p settings: %v", joined)
	}
	if code := j.exitCode("init", "--join", v.rpc); code == 0 {
		t.Fatal("init --join over an existing home succeeded")
	}

	start := time.Now()
	logf, err := os.Create(j.logPath)
	if err != nil {
		t.Fatal(err)
	}
	j.cmd = exec.Command(j.bin, "start", "--home", jhome)
	j.cmd.Stdout, j.cmd.Stderr = logf, logf
	if err := j.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.kill)
	target := v.height()
	var caughtUp time.Duration
	for {
		st := ssStatusOf(j)
		if st != nil && !st.CatchingUp && st.Height >= target {
			caughtUp = time.Since(start)
			break
		}
		if time.Since(start) > 120*time.Second {
			t.Fatalf("joiner did not catch up to %d in 120 s; log tail:\n%s", target, j.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	log, _ := os.ReadFile(j.logPath)
	if !bytes.Contains(log, []byte("state sync: snapshot restored")) {
		t.Fatalf("joiner did not restore a snapshot; log tail:\n%s", j.logTail())
	}
	restored := ssLogValue(string(log), "state sync: snapshot restored", "height")
	msg := fmt.Sprintf("state sync e2e: joiner caught up to height %d in %s (snapshot at height %s restored in %s)",
		target, caughtUp.Round(time.Millisecond), restored, ssLogValue(string(log), "state sync: snapshot restored", "took"))
	t.Log(msg)
	fmt.Println(msg)

	// Same blocks and app hash at the same height; the joiner never had
	// the early blocks (it did not replay from genesis). The joiner may
	// have restored a snapshot newer than target (the validator kept
	// making blocks while it started): compare above whichever is higher.
	h := target + 1
	if r, err := strconv.ParseInt(restored, 10, 64); err == nil && r >= h {
		h = r + 1
	}
	j.waitHeight(h+1, 30*time.Second)
	vc, jc := ssClient(t, v.rpc), ssClient(t, jrpc)
	ctx := context.Background()
	vcom, err := vc.RPC.Commit(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	jcom, err := jc.RPC.Commit(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(vcom.Header.AppHash, jcom.Header.AppHash) || !bytes.Equal(vcom.Header.Hash(), jcom.Header.Hash()) {
		t.Fatalf("height %d: validator app hash %X, joiner %X", h, vcom.Header.AppHash, jcom.Header.AppHash)
	}
	jst, err := jc.RPC.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if jst.SyncInfo.EarliestBlockHeight <= 1 {
		t.Fatalf("joiner has blocks from %d: it replayed instead of state-syncing", jst.SyncInfo.EarliestBlockHeight)
	}
	log, _ = os.ReadFile(j.logPath)
	if took := ssLogValue(string(log), "caught up", "took"); took == "?" {
		t.Errorf("joiner did not log its catch-up time; log tail:\n%s", j.logTail())
	} else {
		t.Logf("joiner's own log: caught up at height %s in %s", ssLogValue(string(log), "caught up", "height"), took)
	}

	// Light-client-verified queries on the joiner (client.toml written by
	// init --join trusts the join header), with the validator as witness.
	// At height h, which the joiner has: a joiner lagging the validator by
	// more than --max-age blocks (a loaded machine) would rightly have its
	// "latest" answer refused as stale.
	bal := j.ok("query", "balance", bob, asset, "--prove", "--witness", v.rpc, "--height", strconv.FormatInt(h, 10))
	if str(bal, "amount") != "77" || str(bal, "proof_verified") != "true" {
		t.Fatalf("joiner proven balance: %v", bal)
	}
	// Explicit trust on the validator's side.
	th, thash := str(joined, "trust_height"), str(joined, "trust_hash")
	bal = v.ok("query", "balance", bob, "RIFF", "--prove", "--trust-height", th, "--trust-hash", thash)
	if str(bal, "amount") != "1000" || str(bal, "proof_verified") != "true" {
		t.Fatalf("validator proven balance: %v", bal)
	}
	// A node lying about a value, and one forging headers: exit status 3.
	for _, mode := range []string{"value", "header"} {
		proxy := ssLyingRPC(t, v.rpc, mode)
		out, err := v.run("--node", proxy, "query", "balance", bob, "RIFF", "--prove", "--trust-height", th, "--trust-hash", thash)
		if code := ssExitCode(err); code != 3 {
			t.Fatalf("%s liar: exit %d, want 3: %s %v", mode, code, out, err)
		}
		t.Logf("%s liar caught: %v", mode, err)
	}
	// Without --prove the lie goes through (that is what --prove is for).
	if got := str(v.ok("--node", ssLyingRPC(t, v.rpc, "value"), "query", "balance", bob, "RIFF"), "amount"); got != "999999" {
		t.Fatalf("unproven query through the value liar: %s", got)
	}
}

func ssSetSnapshotInterval(t *testing.T, home string, n int) {
	t.Helper()
	path := filepath.Join(home, "config", "app.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "snapshot_interval") {
			line = fmt.Sprintf("snapshot_interval = %d", n)
		}
		// Keep plenty: with 300 ms blocks a snapshot kept for only two
		// intervals can be pruned while a slow joiner still fetches it.
		if strings.HasPrefix(line, "snapshot_keep_recent") {
			line = "snapshot_keep_recent = 50"
		}
		out = append(out, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ssWaitFile(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not written in %s", path, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type ssStatus struct {
	Height     int64 `json:"height"`
	CatchingUp bool  `json:"catching_up"`
}

func ssStatusOf(n *devNode) *ssStatus {
	out, err := n.run("status")
	if err != nil {
		return nil
	}
	var st ssStatus
	if json.Unmarshal([]byte(out), &st) != nil {
		return nil
	}
	return &st
}

func ssClient(t *testing.T, addr string) *client.Client {
	t.Helper()
	c, err := client.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ssLogValue finds key=value on the first log line containing msg.
func ssLogValue(log, msg, key string) string {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, msg) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				return v
			}
		}
	}
	return "?"
}

func ssExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return -1
	}
	return ee.ExitCode()
}

// ssLyingRPC is a JSON-RPC proxy in front of a node that rewrites abci_query
// values ("value") or the app hash of every header ("header").
func ssLyingRPC(t *testing.T, target, mode string) string {
	t.Helper()
	up := strings.Replace(target, "tcp://", "http://", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		resp, err := http.Post(up, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var req struct {
			Method string `json:"method"`
		}
		_ = json.Unmarshal(body, &req)
		var msg map[string]any
		if json.Unmarshal(out, &msg) == nil {
			if res, ok := msg["result"].(map[string]any); ok {
				switch {
				case mode == "value" && req.Method == "abci_query":
					if rr, ok := res["response"].(map[string]any); ok {
						rr["value"] = base64.StdEncoding.EncodeToString([]byte("999999"))
					}
				case mode == "header" && req.Method == "commit":
					if sh, ok := res["signed_header"].(map[string]any); ok {
						if h, ok := sh["header"].(map[string]any); ok {
							h["app_hash"] = strings.Repeat("AB", 32)
						}
					}
				}
				out, _ = json.Marshal(msg)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
