package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// End-to-end tests build the real binary, start real nodes in temporary
// homes on free loopback ports, and drive them with the CLI exactly as a
// user would. They are skipped with -short.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func riffBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "riffchain-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "riffchain")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// devNode is a `riffchain dev` process.
type devNode struct {
	t       testing.TB
	bin     string
	home    string
	rpc     string
	p2p     string
	cmd     *exec.Cmd
	logPath string
	extra   []string // more dev flags
	// display runs the CLI with amounts in display units, as users write
	// them; otherwise run passes --base-units, so that the tests' amounts
	// are the exact base units the chain sees.
	display bool
}

// human is this node's CLI with amounts in display units (no --base-units).
func (n *devNode) human() *devNode {
	c := *n
	c.display = true
	return &c
}

func startDevNode(t testing.TB) *devNode {
	t.Helper()
	return startDevNodeWith(t)
}

// startDevNodeWith starts `riffchain dev` with more flags (e.g. --chain-id).
func startDevNodeWith(t testing.TB, extra ...string) *devNode {
	t.Helper()
	n := &devNode{t: t, bin: riffBinary(t), home: t.TempDir(), extra: extra}
	n.rpc = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	n.p2p = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	n.logPath = filepath.Join(n.home, "node.log")
	n.start()
	t.Cleanup(func() { n.kill() })
	return n
}

func (n *devNode) start() {
	n.t.Helper()
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	// The tests read the node's info lines: the whole log goes to node.log.
	args := []string{"dev", "--home", n.home, "--rpc-laddr", n.rpc, "--p2p-laddr", n.p2p, "--log-level", "info", "--log-file", "-"}
	n.cmd = exec.Command(n.bin, append(args, n.extra...)...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.waitHeight(2, 60*time.Second)
}

// kill sends SIGKILL and waits for the process to go.
func (n *devNode) kill() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	_, _ = n.cmd.Process.Wait()
	n.cmd = nil
}

// stop sends SIGTERM and waits.
func (n *devNode) stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _, _ = n.cmd.Process.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		n.kill()
	}
	n.cmd = nil
}

func (n *devNode) logTail() string {
	b, _ := os.ReadFile(n.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// height asks the node's RPC status for the latest height (0 if down).
func (n *devNode) height() int64 {
	h, _ := n.statusHeight()
	return h
}

// statusHeight is the latest height `riffchain status` reports, or the
// error that kept it from answering.
func (n *devNode) statusHeight() (int64, error) {
	res, err := n.run("status")
	if err != nil {
		return 0, err
	}
	var st struct {
		Height int64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(res), &st); err != nil {
		return 0, fmt.Errorf("status output: %w: %s", err, res)
	}
	return st.Height, nil
}

func (n *devNode) waitHeight(h int64, timeout time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		got, err := n.statusHeight()
		if err == nil && got >= h {
			return
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	n.t.Fatalf("node did not reach height %d in %s (last status error: %v); log tail:\n%s", h, timeout, last, n.logTail())
}

// run runs the CLI against this node with JSON output and the test
// keyring; it returns stdout and an error for a non-zero exit.
func (n *devNode) run(args ...string) (string, error) {
	full := []string{"--home", n.home, "--node", n.rpc, "--keyring-backend", "test", "-o", "json"}
	if !n.display {
		full = append(full, "--base-units")
	}
	cmd := exec.Command(n.bin, append(full, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("riffchain %s: %w: %s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// ok runs the CLI, fails the test on a non-zero exit, and decodes the JSON.
func (n *devNode) ok(args ...string) map[string]any {
	n.t.Helper()
	out, err := n.run(args...)
	if err != nil {
		n.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		n.t.Fatalf("riffchain %s: output is not one JSON object: %q", strings.Join(args, " "), out)
	}
	if err := checkSchemaIfAny(args, []byte(out)); err != nil { // schema_test.go
		n.t.Fatalf("riffchain %s: %v", strings.Join(args, " "), err)
	}
	return m
}

// fails runs the CLI expecting a non-zero exit and returns the JSON it
// printed on stdout (possibly empty).
func (n *devNode) fails(args ...string) map[string]any {
	n.t.Helper()
	out, err := n.run(args...)
	if err == nil {
		n.t.Fatalf("riffchain %s: succeeded, want failure: %s", strings.Join(args, " "), out)
	}
	m := map[string]any{}
	_ = json.Unmarshal([]byte(out), &m)
	return m
}

func (n *devNode) exitCode(args ...string) int {
	_, err := n.run(args...)
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return -1
	}
	return ee.ExitCode()
}

func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	case bool:
		return fmt.Sprint(v)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}
