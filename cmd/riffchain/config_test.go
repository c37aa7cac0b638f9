package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestConfigPrecedence: flag > RIFFCHAIN_* env > client.toml > default.
func TestConfigPrecedence(t *testing.T) {
	bin := riffBinary(t)
	home := t.TempDir()
	run := func(env []string, args ...string) map[string]string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--home", home, "-o", "json"}, args...)...)
		cmd.Env = append(cmd.Environ(), env...)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("%q: %v", out.String(), err)
		}
		if err := checkSchemaIfAny(args, out.Bytes()); err != nil { // schema_test.go
			t.Fatal(err)
		}
		return m
	}
	if got := run(nil, "config", "node")["node"]; got != "tcp://127.0.0.1:26657" {
		t.Fatalf("default node %q", got)
	}
	set := run(nil, "config", "node", "tcp://10.0.0.1:1")
	if set["file"] != filepath.Join(home, "config", "client.toml") {
		t.Fatalf("config set wrote %q", set["file"])
	}
	if got := run(nil, "config", "node")["node"]; got != "tcp://10.0.0.1:1" {
		t.Fatalf("file value %q", got)
	}
	if got := run([]string{"RIFFCHAIN_NODE=tcp://10.0.0.2:2"}, "config", "node")["node"]; got != "tcp://10.0.0.2:2" {
		t.Fatalf("env value %q", got)
	}
	if got := run([]string{"RIFFCHAIN_NODE=tcp://10.0.0.2:2"}, "--node", "tcp://10.0.0.3:3", "config", "node")["node"]; got != "tcp://10.0.0.3:3" {
		t.Fatalf("flag value %q", got)
	}
}
