package verify

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// wasmPath is the verifier the explorer serves (embedded in app/web).
const wasmPath = "../web/static/verify.wasm.gz"

// buildWasm builds cmd/verifywasm for js/wasm reproducibly (no paths, no
// build id, no VCS stamp) and gzips it without a name or time: the same source and Go
// version give the same bytes.
func buildWasm(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "verify.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out, "./cmd/verifywasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build js/wasm: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWasmUpToDate rebuilds the browser's verifier and wants the served
// copy to be exactly that build. RIFFCHAIN_UPDATE_WASM=1 (what
// scripts/build-verify-wasm sets) writes it instead.
func TestWasmUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the js/wasm verifier")
	}
	built := buildWasm(t)
	if os.Getenv("RIFFCHAIN_UPDATE_WASM") != "" {
		if err := os.WriteFile(wasmPath, built, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", wasmPath, len(built))
		return
	}
	served, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatalf("%v: run scripts/build-verify-wasm", err)
	}
	if !bytes.Equal(served, built) {
		t.Fatalf("%s (%d bytes) is not the build of this source (%d bytes): run scripts/build-verify-wasm and commit it", wasmPath, len(served), len(built))
	}
}
