package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfs/boxo/files"
	"github.com/ipfs/boxo/gateway"
	"github.com/ipfs/boxo/path"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	carstorage "github.com/ipld/go-car/v2/storage"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/lens/content"
)

// readCAR reads a CAR with go-car's reader, which verifies every block
// against its CID (WithTrustedCAR(false)); it returns roots and blocks.
func readCAR(t *testing.T, r io.Reader) ([]cid.Cid, []blocks.Block) {
	t.Helper()
	br, err := carv2.NewBlockReader(r, carv2.WithTrustedCAR(false))
	if err != nil {
		t.Fatal(err)
	}
	var out []blocks.Block
	for {
		b, err := br.Next()
		if errors.Is(err, io.EOF) {
			return br.Roots, out
		}
		if err != nil {
			t.Fatalf("go-car: block %d: %v", len(out), err)
		}
		out = append(out, b)
	}
}

// TestGatewayEndToEnd runs against a real `riffchain dev` node: CAR export
// read by go-car, a CAR written by go-car imported with the same CIDs, a
// trustless fetch of a Lens folder through the node's gateway verified by
// boxo's CAR client, origin isolation of a stored page, and the Range
// amplification request refused cheaply while the gateway keeps serving.
func TestGatewayEndToEnd(t *testing.T) {
	n := startDevNode(t)
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	_ = os.MkdirAll(filepath.Join(site, "media"), 0o755)
	song := testBytes("song", 900_000)
	page := []byte("<!DOCTYPE html><script>document.title='ran'</script>")
	_ = os.WriteFile(filepath.Join(site, "media", "song.mp3"), song, 0o644)
	_ = os.WriteFile(filepath.Join(site, "evil.html"), page, 0o644)
	root := str(n.ok("content", "add", site), "cid")
	ac, err := app.LoadAppConfig(n.home)
	if err != nil || ac.GatewayAddr == "" {
		t.Fatalf("no gateway: %v", err)
	}
	gw := "http://" + ac.GatewayAddr

	// export → go-car reads it, every block verified; roots printed.
	carPath := filepath.Join(dir, "site.car")
	res := n.ok("content", "export", root, "--out", carPath)
	f, err := os.Open(carPath)
	if err != nil {
		t.Fatal(err)
	}
	roots, blks := readCAR(t, f)
	f.Close()
	fi, _ := os.Stat(carPath)
	if len(roots) != 1 || roots[0].String() != root || str(res, "blocks") != fmt.Sprint(len(blks)) || str(res, "bytes") != fmt.Sprint(fi.Size()) {
		t.Fatalf("export %v: go-car read roots %v, %d blocks, file %d bytes", res, roots, len(blks), fi.Size())
	}

	// import into another store, content identical.
	other := filepath.Join(dir, "other-store")
	res = n.ok("content", "import", carPath, "--content-dir", other)
	if str(res, "blocks") != fmt.Sprint(len(blks)) || !strings.Contains(fmt.Sprint(res["roots"]), root) {
		t.Fatalf("import: %v", res)
	}
	got := filepath.Join(dir, "song.out")
	if songCID := str(n.ok("content", "add", "--only-hash", filepath.Join(site, "media", "song.mp3")), "cid"); songCID == "" {
		t.Fatal("no song cid")
	} else {
		n.ok("content", "get", songCID, "--out", got, "--content-dir", other)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, song) {
		t.Fatal("imported store returns other bytes")
	}

	// A CAR written by go-car (not by riffchain) imports with its CIDs;
	// a tampered one is refused (exit 1).
	blk := blocks.NewBlock([]byte("written by go-car"))
	foreign := filepath.Join(dir, "foreign.car")
	ff, _ := os.Create(foreign)
	w, err := carstorage.NewWritable(ff, []cid.Cid{blk.Cid()}, carv2.WriteAsCarV1(true))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(context.Background(), blk.Cid().KeyString(), blk.RawData()); err != nil {
		t.Fatal(err)
	}
	ff.Close()
	res = n.ok("content", "import", foreign)
	if fmt.Sprint(res["roots"]) != "["+blk.Cid().String()+"]" || str(res, "blocks") != "1" {
		t.Fatalf("foreign import: %v", res)
	}
	raw, _ := os.ReadFile(foreign)
	bad := bytes.Replace(raw, []byte("written by go-car"), []byte("written by mallet"), 1)
	badPath := filepath.Join(dir, "bad.car")
	_ = os.WriteFile(badPath, bad, 0o644)
	if code := n.exitCode("content", "import", badPath, "--content-dir", filepath.Join(dir, "third")); code != 1 {
		t.Fatalf("tampered CAR import: exit %d", code)
	}

	// Trustless fetch through the node's gateway, verified by boxo's CAR client.
	cb, err := gateway.NewRemoteCarBackend([]string{gw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := cid.Decode(root)
	p, _ := path.Join(path.FromCid(rc), "media", "song.mp3")
	ip, _ := path.NewImmutablePath(p)
	_, nd, err := cb.GetAll(context.Background(), ip)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(nd.(files.File))
	if err != nil || !bytes.Equal(b, song) {
		t.Fatalf("trustless fetch: %d bytes, %v", len(b), err)
	}

	// Range playback of the media file on the path gateway.
	req, _ := http.NewRequest("GET", gw+"/ipfs/"+root+"/media/song.mp3", nil)
	req.Header.Set("Range", "bytes=500000-500099")
	resp := mustDo(t, req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, song[500000:500100]) {
		t.Fatalf("range: %d", resp.StatusCode)
	}

	// A stored page never runs script on a shared origin.
	resp = mustDo(t, mustReq("GET", gw+"/ipfs/"+root+"/evil.html", ""))
	resp.Body.Close()
	if resp.Header.Get("Content-Security-Policy") != content.GatewayCSP {
		t.Fatalf("path gateway HTML without sandbox: %v", resp.Header)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, port, _ := strings.Cut(ac.GatewayAddr, ":")
	resp, err = noFollow.Do(mustReq("GET", gw+"/ipfs/"+root+"/evil.html", "localhost:"+port))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != "http://"+root+".ipfs.localhost:"+port+"/evil.html" {
		t.Fatalf("localhost: %d → %q", resp.StatusCode, loc)
	}

	// Range amplification: 50,000 one-byte ranges are refused (431 by the
	// server, 416 for a count over the limit below the header cap), and
	// the gateway keeps serving.
	var many strings.Builder
	many.WriteString("bytes=0-0")
	for i := 1; i < 50000; i++ {
		fmt.Fprintf(&many, ",%d-%d", i, i)
	}
	for _, tc := range []struct {
		rng  string
		code int
	}{
		{many.String(), http.StatusRequestHeaderFieldsTooLarge},
		{"bytes=0-0,2-2,4-4,6-6,8-8,10-10,12-12,14-14,16-16,18-18,20-20,22-22,24-24,26-26,28-28,30-30,32-32", http.StatusRequestedRangeNotSatisfiable},
		{"bytes=0-99,50-60", http.StatusRequestedRangeNotSatisfiable},
	} {
		req := mustReq("GET", gw+"/ipfs/"+root+"/media/song.mp3", "")
		req.Header.Set("Range", tc.rng)
		resp := mustDo(t, req)
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Fatalf("%.40s…: %d, want %d", tc.rng, resp.StatusCode, tc.code)
		}
	}
	if code, b := gatewayGet(t, n, root+"/media/song.mp3", "bytes=0-9"); code != http.StatusPartialContent || !bytes.Equal(b, song[:10]) {
		t.Fatalf("after the refusals: %d", code)
	}
}

func mustReq(method, url, host string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		panic(err)
	}
	if host != "" {
		req.Host = host
	}
	return req
}

func mustDo(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestContentLifecycleEndToEnd: against a dev node, content this home
// announces with `tx seed announce` stays pinned through `content unpin`
// and `content gc` (and the node's gateway keeps serving it) until `tx
// seed withdraw`; then gc removes it; the quota refuses an add with a clear
// error.
func TestContentLifecycleEndToEnd(t *testing.T) {
	n := startDevNode(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "seeded.bin")
	data := testBytes("seeded", 800_000)
	_ = os.WriteFile(file, data, 0o644)
	c := str(n.ok("content", "add", file), "cid")
	n.ok("tx", "seed", "announce", c, "--from", "dev")
	n.ok("content", "unpin", c)
	ls := n.ok("content", "ls")
	if !strings.Contains(fmt.Sprint(ls["pins"]), c) || !strings.Contains(fmt.Sprint(ls["pins"]), "seed") {
		t.Fatalf("announced content not pinned as seed: %v", ls)
	}
	if res := n.ok("content", "gc", "--grace", "0s"); str(res, "removed_blocks") != "0" {
		t.Fatalf("gc removed announced content: %v", res)
	}
	if code, b := gatewayGet(t, n, c, "bytes=0-9"); code != http.StatusPartialContent || !bytes.Equal(b, data[:10]) {
		t.Fatalf("gateway after gc: %d", code)
	}
	n.ok("tx", "seed", "withdraw", c, "--from", "dev")
	if res := n.ok("content", "gc", "--grace", "0s"); str(res, "removed_blocks") != "5" || str(res, "packs_deleted") != "1" {
		t.Fatalf("gc after withdraw: %v", res)
	}
	// The running node's gateway notices the pack is gone.
	if code, _ := gatewayGet(t, n, c, ""); code != http.StatusNotFound {
		t.Fatalf("gateway after collection: %d", code)
	}
	if res := n.fails("content", "unpin", c); res == nil {
		t.Fatal("unpin of an unpinned CID succeeded")
	}

	// Quota: a second add that would exceed content_max_bytes is refused.
	ac, err := app.LoadAppConfig(n.home)
	if err != nil {
		t.Fatal(err)
	}
	ac.ContentMaxBytes = 1_000_000
	if err := app.WriteAppConfig(n.home, ac); err != nil {
		t.Fatal(err)
	}
	n.ok("content", "add", file)
	_ = os.WriteFile(filepath.Join(dir, "other.bin"), testBytes("other", 800_000), 0o644)
	out, err := n.run("content", "add", filepath.Join(dir, "other.bin"))
	if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("add over the quota: %q %v", out, err)
	}
}
