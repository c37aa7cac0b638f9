package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestJSONErrors: with -o json a failure is exactly one JSON object on
// stdout ({"error","code","hint"}), nothing on stderr, exit status 1; in
// text the error and the hint go to stderr and stdout stays empty. None of
// these needs a node.
func TestJSONErrors(t *testing.T) {
	bin := riffBinary(t)
	home := t.TempDir()
	dead := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"--home", home, "--node", dead}, args...)...)
		cmd.Env = withoutRiffchainEnv()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return stdout.String(), stderr.String(), code
	}
	added, stderr, code := run("--keyring-backend", "test", "-o", "json", "keys", "add", "dev")
	var key map[string]any
	if code != 0 || json.Unmarshal([]byte(added), &key) != nil {
		t.Fatalf("keys add dev: %s%s", added, stderr)
	}
	devAddr := str(key, "address")
	for _, tc := range []struct {
		name string
		args []string
		hint string // "" = no hint expected
	}{
		{"no node", []string{"status"}, "is a node running at " + dead},
		{"usage", []string{"tx", "transfer", "alice", "--from", "dev"}, ""},
		{"unknown subcommand", []string{"tx", "trnsfer"}, "riffchain --help"},
		{"unknown key", []string{"query", "balance", "nobody", "RIFF"}, "keys add"},
		{"display amount offline", []string{"tx", "transfer", devAddr, "1.5", "RIFF", "--from", "dev", "--keyring-backend", "test", "--generate-only"}, "--base-units"},
		{"base units with a point", []string{"--base-units", "tx", "transfer", devAddr, "1.5", "RIFF", "--from", "dev", "--keyring-backend", "test", "--generate-only"}, "leave --base-units out"},
		{"disputed not a CID", []string{"agreement", "attest", strings.Repeat("ab", 32), "1", "--disputed", "because", "--from", "dev"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(append([]string{"-o", "json"}, tc.args...)...)
			var out map[string]any
			if code != 1 || stderr != "" || json.Unmarshal([]byte(stdout), &out) != nil || strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q: want exit 1 and one JSON object on stdout only", code, stdout, stderr)
			}
			if err := checkSchema("error", []byte(stdout)); err != nil { // schema_test.go
				t.Fatal(err)
			}
			if str(out, "error") == "" || str(out, "code") != "1" {
				t.Fatalf("failure object %v lacks error or code 1", out)
			}
			if tc.hint != "" && !strings.Contains(str(out, "hint"), tc.hint) {
				t.Fatalf("hint %q lacks %q", str(out, "hint"), tc.hint)
			}
			stdout, stderr, code = run(tc.args...)
			if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "Error: ") {
				t.Fatalf("text: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			if tc.hint != "" && !strings.Contains(stderr, "Hint:") {
				t.Fatalf("text error without its hint: %q", stderr)
			}
		})
	}
}
