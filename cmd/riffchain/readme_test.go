package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The README is a test: its ```sh blocks run top to bottom, exactly as
// written, against a fresh `riffchain dev` (```text blocks are synopses and
// are not run). A command line may end in a promise about its JSON output,
//
//	riffchain tx asset create ACME --from alice -o json   # → "asset_id":"ACME-1"
//
// which the test checks: every key is present with that value (numbers and
// their decimal strings compare equal; a string ending in … is a prefix).

// readmeBlock is one ```sh block of the README.
type readmeBlock struct {
	line  int // README line of the first command line
	lines []string
}

// readmeShellBlocks returns the ```sh blocks of the markdown in b.
func readmeShellBlocks(b []byte) []readmeBlock {
	var blocks []readmeBlock
	var cur *readmeBlock
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && trimmed == "```sh":
			cur = &readmeBlock{line: n + 1}
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		}
	}
	return blocks
}

// readmeCommand is one logical shell line (continuations joined) with the
// promise it makes, if any.
type readmeCommand struct {
	line    int
	shell   string
	promise string // the text after "# →"
}

const promiseMark = "# →"

// captured reports whether the test keeps the command's output: it makes a
// promise, or prints JSON (checked against its command's JSON Schema).
func (c readmeCommand) captured() bool {
	return c.promise != "" || c.json()
}

// json reports whether the command prints JSON for the test to check.
func (c readmeCommand) json() bool {
	return strings.Contains(c.shell, "-o json") && !strings.Contains(c.shell, "$(")
}

func (b readmeBlock) commands() []readmeCommand {
	var cmds []readmeCommand
	for i := 0; i < len(b.lines); i++ {
		start := i
		text := b.lines[i]
		for strings.HasSuffix(strings.TrimRight(text, " "), "\\") && i+1 < len(b.lines) {
			i++
			text = strings.TrimSuffix(strings.TrimRight(text, " "), "\\") + " " + strings.TrimSpace(b.lines[i])
		}
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		c := readmeCommand{line: b.line + start, shell: text}
		if j := strings.Index(text, promiseMark); j >= 0 {
			c.shell, c.promise = strings.TrimSpace(text[:j]), strings.TrimSpace(text[j+len(promiseMark):])
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// readmeScript renders the blocks as one bash script that stops at the
// first failing command, naming its README line; a command with a promise
// also writes its stdout to outDir/LINE.out.
func readmeScript(blocks []readmeBlock, outDir string) string {
	var s strings.Builder
	s.WriteString("set -euo pipefail\n__line=0\n")
	s.WriteString(`trap 'echo "README.md:$__line: exit status $?" >&2' ERR` + "\n")
	for _, b := range blocks {
		for _, c := range b.commands() {
			fmt.Fprintf(&s, "__line=%d\n", c.line)
			if !c.captured() {
				s.WriteString(c.shell + "\n")
				continue
			}
			out := filepath.Join(outDir, strconv.Itoa(c.line)+".out")
			fmt.Fprintf(&s, "%s > %q\ncat %q\n", c.shell, out, out)
		}
	}
	return s.String()
}

// checkPromise checks the JSON output out against promise, the inside of
// a JSON object ("k":v,...).
func checkPromise(promise string, out []byte) error {
	var want map[string]any
	if err := json.Unmarshal([]byte("{"+promise+"}"), &want); err != nil {
		return fmt.Errorf("the promise %q is not JSON members: %w", promise, err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		return fmt.Errorf("output is not one JSON object: %q", out)
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			return fmt.Errorf("promised field %q missing from %s", k, out)
		}
		ws, gs := str(want, k), str(got, k)
		if pre, cut := strings.CutSuffix(ws, "…"); cut && strings.HasPrefix(gs, pre) {
			continue
		}
		if ws != gs {
			return fmt.Errorf("field %q = %v, the README promises %v (output %s)", k, g, w, out)
		}
	}
	return nil
}

func TestReadmeBlocksParse(t *testing.T) {
	md := "x\n```sh\na \\\n  --b\n# c\nd -o json   # → \"k\":1\n```\n```text\nnot run\n```\n"
	blocks := readmeShellBlocks([]byte(md))
	if len(blocks) != 1 {
		t.Fatalf("blocks: %v", blocks)
	}
	cmds := blocks[0].commands()
	if len(cmds) != 2 || cmds[0].shell != "a  --b" || cmds[0].line != 3 || cmds[1].shell != "d -o json" || cmds[1].promise != `"k":1` || cmds[1].line != 6 {
		t.Fatalf("commands: %+v", cmds)
	}
	if err := checkPromise(`"k":1,"a":"riff1…"`, []byte(`{"k":"1","a":"riff1xyz"}`)); err != nil {
		t.Fatal(err)
	}
	if err := checkPromise(`"k":1`, []byte(`{"k":2}`)); err == nil {
		t.Fatal("a wrong value passed")
	}
	if err := checkPromise(`"k":1`, []byte(`{}`)); err == nil {
		t.Fatal("a missing field passed")
	}
}

// TestReadme runs every ```sh block of README.md, in order, against a fresh
// `riffchain dev` in a fresh HOME, with riffchain (and ./riffchain) being
// the binary under test and no RIFFCHAIN_* variables set.
func TestReadme(t *testing.T) {
	bin := riffBinary(t)
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeShellBlocks(readme)
	if len(blocks) < 5 {
		t.Fatalf("README has %d ```sh blocks; the walkthrough and the module examples should be runnable", len(blocks))
	}
	work, home, outDir := t.TempDir(), t.TempDir(), t.TempDir()
	binDir := filepath.Dir(bin)
	if err := os.Symlink(bin, filepath.Join(work, "riffchain")); err != nil {
		t.Fatal(err)
	}
	env := append(withoutRiffchainEnv(), "HOME="+home, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))

	// The node, as the README's first command starts it (on free ports).
	d := &devConsole{home: filepath.Join(home, ".riffchain"), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	d.rpc = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	d.cmd = exec.Command(bin, "dev", "--rpc-laddr", d.rpc, "--p2p-laddr", fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		"--gateway-laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	d.cmd.Env, d.cmd.Dir = env, work
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		_, _ = d.cmd.Process.Wait()
	})
	d.waitFor(t, d.stderr, "try ")

	script := readmeScript(blocks, outDir)
	sh := exec.Command("bash", "-c", script)
	sh.Env, sh.Dir = env, work
	var stdout, stderr bytes.Buffer
	sh.Stdout, sh.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := sh.Run()
	t.Logf("README blocks ran in %s", time.Since(start).Round(time.Millisecond))
	if runErr != nil {
		var captured string // the failing command's output, when it makes a promise
		var line int
		if _, err := fmt.Sscanf(stderr.String()[strings.LastIndex(stderr.String(), "README.md:"):], "README.md:%d:", &line); err == nil {
			if b, err := os.ReadFile(filepath.Join(outDir, strconv.Itoa(line)+".out")); err == nil {
				captured = "\n--- output of README.md:" + strconv.Itoa(line) + ":\n" + string(b)
			}
		}
		t.Fatalf("README does not run as written: %v\n--- stderr:\n%s%s\n--- stdout (tail):\n%s", runErr, stderr.String(), captured, tail(stdout.String(), 3000))
	}
	schemas := 0
	for _, b := range blocks {
		for _, c := range b.commands() {
			if !c.captured() {
				continue
			}
			out, err := os.ReadFile(filepath.Join(outDir, strconv.Itoa(c.line)+".out"))
			if err != nil {
				t.Errorf("README.md:%d: %v", c.line, err)
				continue
			}
			out = bytes.TrimSpace(out)
			if c.promise != "" {
				if err := checkPromise(c.promise, out); err != nil {
					t.Errorf("README.md:%d: %s: %v", c.line, c.shell, err)
				}
			}
			if c.json() { // schema_test.go
				name, ok := commandSchemaName(c.shell)
				if !ok {
					t.Errorf("README.md:%d: %s: no riffchain command found", c.line, c.shell)
					continue
				}
				if err := checkSchema(name, out); err != nil {
					t.Errorf("README.md:%d: %s: %v", c.line, c.shell, err)
				}
				schemas++
			}
		}
	}
	t.Logf("%d -o json outputs checked against their JSON Schemas", schemas)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
