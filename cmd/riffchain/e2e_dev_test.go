package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// devConsole is a `riffchain dev` started as a newcomer starts it: default
// log level and log file, stdout and stderr captured apart.
type devConsole struct {
	home, rpc      string
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
}

func startDevConsole(t *testing.T, bin string, extra ...string) *devConsole {
	t.Helper()
	d := &devConsole{home: t.TempDir(), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	d.rpc = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	args := append([]string{"dev", "--home", d.home, "--rpc-laddr", d.rpc,
		"--p2p-laddr", fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		"--gateway-laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t))}, extra...)
	d.cmd = exec.Command(bin, args...)
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		_, _ = d.cmd.Process.Wait()
	})
	return d
}

// waitFor waits until the captured stream holds want.
func (d *devConsole) waitFor(t *testing.T, b *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("dev did not print %q in 60 s; stdout:\n%s\nstderr:\n%s", want, d.stdout.String(), d.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cli runs the CLI against the dev home with no --node and no keyring
// flag or environment: client.toml must be enough.
func (d *devConsole) cli(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(riffBinary(t), append([]string{"--home", d.home}, args...)...)
	cmd.Env = withoutRiffchainEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("riffchain %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func withoutRiffchainEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RIFFCHAIN_") {
			env = append(env, kv)
		}
	}
	return env
}

func TestDevConsole(t *testing.T) {
	bin := riffBinary(t)

	t.Run("text", func(t *testing.T) {
		d := startDevConsole(t, bin)
		d.waitFor(t, d.stderr, "try ")
		summary := d.stderr.String()
		for _, want := range []string{"riffchain dev is running", "RPC      " + d.rpc, "1,000,000,000 RIFF", "http://127.0.0.1:", "dev fund alice 100", "riff-dev-"} {
			if !strings.Contains(summary, want) {
				t.Errorf("summary lacks %q:\n%s", want, summary)
			}
		}
		if lines := strings.Count(summary, "\n"); lines > 15 {
			t.Errorf("stderr has %d lines, want only the summary:\n%s", lines, summary)
		}
		if d.stdout.Len() != 0 {
			t.Errorf("text mode wrote to stdout: %q", d.stdout.String())
		}
		if _, err := os.Stat(filepath.Join(d.home, "logs", "dev.log")); err != nil {
			t.Errorf("no log file: %v", err)
		}
		client, err := os.ReadFile(filepath.Join(d.home, "config", "client.toml"))
		if err != nil || !bytes.Contains(client, []byte("keyring-backend = 'test'")) || !bytes.Contains(client, []byte(d.rpc)) {
			t.Fatalf("client.toml: %v\n%s", err, client)
		}

		// No exports, no --node: fund a new key in display units.
		var fund map[string]any
		if err := json.Unmarshal([]byte(d.cli(t, "-o", "json", "dev", "fund", "alice", "1.5")), &fund); err != nil {
			t.Fatal(err)
		}
		if str(fund, "amount") != "1500000" || str(fund, "display") != "1.5 RIFF" || str(fund, "created") != "true" || str(fund, "code") != "0" {
			t.Fatalf("dev fund: %v", fund)
		}
		if out := d.cli(t, "query", "balance", "alice", "RIFF"); !strings.Contains(out, "amount: 1500000") {
			t.Fatalf("alice's balance after dev fund 1.5:\n%s", out)
		}
		if out := d.cli(t, "-o", "json", "dev", "fund", "alice", "2RIFF"); !strings.Contains(out, `"created":false`) || !strings.Contains(out, `"amount":"2000000"`) {
			t.Fatalf("second dev fund: %s", out)
		}
	})

	t.Run("json", func(t *testing.T) {
		d := startDevConsole(t, bin, "-o", "json", "--chain-id", "my-dev-chain")
		d.waitFor(t, d.stdout, "}\n")
		sc := bufio.NewScanner(strings.NewReader(d.stdout.String()))
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		var out map[string]any
		if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &out) != nil {
			t.Fatalf("stdout is not exactly one JSON object: %q", d.stdout.String())
		}
		if err := checkSchema("dev", []byte(lines[0])); err != nil { // schema_test.go
			t.Fatal(err)
		}
		if str(out, "chain_id") != "my-dev-chain" || str(out, "dev_balance") != "1000000000000000" || str(out, "rpc") != d.rpc || str(out, "gateway_serving") != "true" {
			t.Fatalf("summary: %v", out)
		}
		if d.stderr.Len() != 0 {
			t.Fatalf("json mode wrote to stderr: %q", d.stderr.String())
		}
	})
}

// lockedBuffer is a bytes.Buffer a process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}
