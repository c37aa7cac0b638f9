package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/lens/content"
)

// testBytes are n deterministic bytes (SHA-256 of seed||counter, chained).
func testBytes(seed string, n int) []byte {
	var out []byte
	for i := uint64(0); len(out) < n; i++ {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], i)
		h := sha256.Sum256(append([]byte(seed), c[:]...))
		out = append(out, h[:]...)
	}
	return out[:n]
}

// viewScores runs `query view` and returns "lens/title" -> score.
func viewScores(t *testing.T, n *devNode, args ...string) (map[string]string, map[string]any) {
	t.Helper()
	res := n.ok(append([]string{"query", "view"}, args...)...)
	out := map[string]string{}
	entries, ok := res["entries"].([]any)
	if !ok {
		t.Fatalf("view has no entries list: %v", res)
	}
	for _, e := range entries {
		m := e.(map[string]any)
		for _, k := range []string{"cid", "lens", "author", "kind", "title", "score"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("view entry without %s: %v", k, m)
			}
		}
		out[str(m, "lens")+"/"+str(m, "title")] = str(m, "score")
	}
	return out, res
}

func wantScores(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

func gatewayGet(t *testing.T, n *devNode, c, rng string) (int, []byte) {
	t.Helper()
	ac, err := app.LoadAppConfig(n.home)
	if err != nil || ac.GatewayAddr == "" {
		t.Fatalf("dev app.toml has no gateway_addr (%v)", err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+ac.GatewayAddr+"/ipfs/"+c, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestLensEndToEnd runs the scenario against real dev nodes: three
// Lenses with different keys, content stored then anchored, weighted
// follows and views, reweighting, blocks, unfollowing, a transfer of a
// Lens, bad input, the gateway, seeding, a fork, and export → import on a
// second fresh node.
func TestLensEndToEnd(t *testing.T) {
	n := startDevNode(t)
	dir := t.TempDir()
	addrs := map[string]string{}
	for _, k := range []string{"alice", "bob", "carol", "dave", "erin"} {
		addrs[k] = str(n.ok("keys", "add", k), "address")
	}

	// Content first: files (one of several chunks) and a folder.
	files := map[string][]byte{
		"a1": testBytes("a1", 700_000), "a2": testBytes("a2", 1000),
		"b1": testBytes("b1", 2000), "b2": testBytes("b2", 3000), "c1": testBytes("c1", 4000),
	}
	cids := map[string]string{}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res := n.ok("content", "add", p)
		cids[name] = str(res, "cid")
		want, err := content.ComputeCID(context.Background(), bytes.NewReader(data), content.ProfileDefault)
		if err != nil || cids[name] != want.String() || str(res, "size") != strconv.Itoa(len(data)) {
			t.Fatalf("content add %s: %v (want cid %s)", name, res, want)
		}
	}
	if c1m := str(n.ok("content", "add", filepath.Join(dir, "a1"), "--profile", "1mib"), "cid"); c1m == cids["a1"] || c1m == "" {
		t.Fatalf("1mib profile gave %q", c1m)
	}
	sub := filepath.Join(dir, "folder")
	_ = os.MkdirAll(sub, 0o755)
	_ = os.WriteFile(filepath.Join(sub, "x.txt"), []byte("x"), 0o644)
	if res := n.ok("content", "add", sub); str(res, "directory") != "true" || str(res, "cid") == "" {
		t.Fatalf("folder add: %v", res)
	}
	got := filepath.Join(dir, "a1.out")
	if res := n.ok("content", "get", cids["a1"], "--out", got); str(res, "size") != "700000" {
		t.Fatalf("content get: %v", res)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, files["a1"]) {
		t.Fatal("content get returned other bytes")
	}

	// The node's gateway serves the same store, with ranges.
	code, body := gatewayGet(t, n, cids["a1"], "bytes=262140-262149")
	if code != http.StatusPartialContent || !bytes.Equal(body, files["a1"][262140:262150]) {
		t.Fatalf("gateway range: %d %q", code, body)
	}
	if code, _ := gatewayGet(t, n, "not-a-cid", ""); code != http.StatusBadRequest {
		t.Fatalf("gateway bad cid: %d", code)
	}

	// Three Lenses, three owners; entries anchored by their authors.
	for k, h := range map[string]string{"alice": "lens-a", "bob": "lens-b", "carol": "lens-c"} {
		if res := n.ok("tx", "lens", "create", h, "--name", "Lens of "+k, "--from", k); str(res, "lens") != h {
			t.Fatalf("create %s: %v", h, res)
		}
	}
	add := func(h, name, from string, extra ...string) {
		res := n.ok(append([]string{"tx", "lens", "add-entry", h, cids[name], "--kind", "document", "--title", name, "--from", from}, extra...)...)
		if str(res, "cid") != cids[name] || str(res, "seq") == "" {
			t.Fatalf("add-entry %s: %v", name, res)
		}
	}
	add("lens-a", "a1", "alice", "--tag", "film", "--size", "700000")
	add("lens-b", "b1", "bob")
	add("lens-b", "b2", "bob")
	add("lens-c", "c1", "carol")
	n.ok("tx", "lens", "follow", "lens-a", "lens-b", "--weight", "500000", "--from", "alice")
	n.ok("tx", "lens", "follow", "lens-b", "lens-c", "--weight", "500000", "--from", "bob")

	// query lenses names its list "lenses" (the node answers {entries, next}).
	page := n.ok("query", "lenses", "--limit", "2", "--prove")
	if ls := list(page, "lenses"); len(ls) != 2 || str(ls[0].(map[string]any), "handle") != "lens-a" || str(page, "next") != "lens-b" || str(page, "proof_verified") != "true" {
		t.Fatalf("query lenses: %v", page)
	}
	if last := n.ok("query", "lenses", "--after", "lens-b"); len(list(last, "lenses")) != 1 || str(list(last, "lenses")[0].(map[string]any), "handle") != "lens-c" || last["next"] != "" {
		t.Fatalf("query lenses --after lens-b: %v", last)
	}

	info := n.ok("query", "lens", "lens-a", "--prove")
	follows, _ := info["follows"].([]any)
	if str(info, "owner") != addrs["alice"] || len(follows) != 1 || str(info, "proof_verified") != "true" {
		t.Fatalf("query lens: %v", info)
	}
	if f := follows[0].(map[string]any); str(f, "target") != "lens-b" || str(f, "weight") != "500000" {
		t.Fatalf("follow: %v", f)
	}

	s, res := viewScores(t, n, "lens-a")
	wantScores(t, "view", s, map[string]string{"lens-a/a1": "1000000", "lens-b/b1": "500000", "lens-b/b2": "500000", "lens-c/c1": "250000"})
	for _, e := range res["entries"].([]any) {
		m := e.(map[string]any)
		if str(m, "lens") == "lens-c" && str(m, "author") != addrs["carol"] {
			t.Fatalf("author of c1 through two follows: %v", m)
		}
	}
	s, _ = viewScores(t, n, "lens-a", "--reweight", "lens-c=0")
	wantScores(t, "reweight C=0", s, map[string]string{"lens-a/a1": "1000000", "lens-b/b1": "500000", "lens-b/b2": "500000"})
	s, _ = viewScores(t, n, "lens-a", "--tag", "film")
	wantScores(t, "tag", s, map[string]string{"lens-a/a1": "1000000"})
	_, res = viewScores(t, n, "lens-a", "--limit", "2")
	s, _ = viewScores(t, n, "lens-a", "--limit", "2", "--after", str(res, "next"))
	if len(s) != 2 || s["lens-c/c1"] != "250000" {
		t.Fatalf("second page: %v", s)
	}

	// A blocks one CID: it disappears from A's view.
	n.ok("tx", "lens", "block", "lens-a", cids["b2"], "--from", "alice")
	s, _ = viewScores(t, n, "lens-a")
	wantScores(t, "after block", s, map[string]string{"lens-a/a1": "1000000", "lens-b/b1": "500000", "lens-c/c1": "250000"})

	// B unfollows C: A's view changes at the next height.
	un := n.ok("tx", "lens", "unfollow", "lens-b", "lens-c", "--from", "bob")
	h, _ := strconv.Atoi(str(un, "height"))
	s, _ = viewScores(t, n, "lens-a", "--height", strconv.Itoa(h-1))
	if s["lens-c/c1"] != "250000" {
		t.Fatalf("view before the unfollow's height: %v", s)
	}
	s, _ = viewScores(t, n, "lens-a", "--height", strconv.Itoa(h))
	wantScores(t, "after unfollow", s, map[string]string{"lens-a/a1": "1000000", "lens-b/b1": "500000"})

	// Bad input through the CLI: non-zero exit, the Lens code, nothing changes.
	for _, tc := range []struct {
		code string
		args []string
	}{
		{"302", []string{"tx", "lens", "create", "lens-a", "--name", "again", "--from", "bob"}},
		{"301", []string{"tx", "lens", "create", "No", "--name", "x", "--from", "bob"}},
		{"308", []string{"tx", "lens", "follow", "lens-a", "lens-c", "--weight", "0", "--from", "alice"}},
		{"308", []string{"tx", "lens", "follow", "lens-a", "lens-c", "--weight", "1000001", "--from", "alice"}},
		{"309", []string{"tx", "lens", "follow", "lens-a", "lens-a", "--weight", "1", "--from", "alice"}},
		{"311", []string{"tx", "lens", "follow", "lens-a", "lens-c", "--weight", "1", "--from", "bob"}},
		{"311", []string{"tx", "lens", "unfollow", "lens-a", "lens-b", "--from", "carol"}},
		{"312", []string{"tx", "lens", "add-entry", "lens-a", cids["c1"], "--kind", "post", "--from", "carol"}},
		{"304", []string{"tx", "lens", "add-entry", "lens-a", "bafy-not-a-cid", "--kind", "post", "--from", "alice"}},
		{"317", []string{"tx", "lens", "add-entry", "lens-a", cids["a1"], "--kind", "post", "--from", "alice"}},
		{"312", []string{"tx", "lens", "remove-entry", "lens-b", "1", "--from", "carol"}},
		{"324", []string{"query", "view", "lens-a", "--depth", "9"}},
	} {
		if out := n.fails(tc.args...); str(out, "code") != tc.code {
			t.Errorf("%v: code %s, want %s (%v)", tc.args, str(out, "code"), tc.code, out)
		}
	}
	// Ownership of lens-b moves to dave; bob's grant to erin lapses and
	// the new owner decides the roles.
	n.ok("tx", "lens", "grant", "lens-b", "erin", "moderator", "--from", "bob")
	n.ok("tx", "transfer", "dave", "LENS/lens-b", "--from", "bob")
	info = n.ok("query", "lens", "lens-b", "--prove")
	if str(info, "owner") != addrs["dave"] || str(info, "proof_verified") != "true" {
		t.Fatalf("after transfer: %v", info)
	}
	roles, _ := info["roles"].([]any)
	if len(roles) != 1 || str(roles[0].(map[string]any), "active") == "true" {
		t.Fatalf("roles after transfer: %v", info["roles"])
	}
	if out := n.fails("tx", "lens", "follow", "lens-b", "lens-c", "--weight", "1", "--from", "bob"); str(out, "code") != "311" {
		t.Fatalf("old owner follows: %v", out)
	}
	if out := n.fails("tx", "lens", "block", "lens-b", cids["c1"], "--from", "erin"); str(out, "code") != "311" {
		t.Fatalf("lapsed moderator blocks: %v", out)
	}
	n.ok("tx", "lens", "grant", "lens-b", "carol", "member", "--from", "dave")
	add("lens-b", "c1", "carol")
	n.ok("tx", "lens", "follow", "lens-b", "lens-c", "--weight", "1000000", "--from", "dave")
	if out := n.fails("tx", "lens", "remove-entry", "lens-b", "1", "--from", "carol"); str(out, "code") != "313" {
		t.Fatalf("member removes another's entry: %v", out)
	}

	// Seeding: what needs hosts.
	n.ok("tx", "seed", "announce", cids["a1"], "--from", "erin")
	seed := n.ok("query", "seeding", "lens-a", "--target", "1")
	if e, _ := seed["entries"].([]any); len(e) != 0 {
		t.Fatalf("seeding target 1: %v", seed)
	}
	seed = n.ok("query", "seeding", "lens-a", "--target", "2")
	if e, _ := seed["entries"].([]any); len(e) != 1 || str(e[0].(map[string]any), "hosts") != "1" {
		t.Fatalf("seeding target 2: %v", seed)
	}
	n.ok("tx", "seed", "withdraw", cids["a1"], "--from", "erin")

	// Fork: the asker's own Lens seeded from A's view.
	fk := n.ok("tx", "lens", "fork", "lens-f", "--from-view", "lens-a", "--from", "erin")
	if str(fk, "lens") != "lens-f" || str(fk, "entries") != "3" {
		t.Fatalf("fork: %v", fk)
	}

	// Export A; import it on a second, fresh node.
	car := filepath.Join(dir, "lens-a.car")
	trusted := n.ok("status") // a source-chain header the importer trusts
	ex := n.ok("lens", "export", "lens-a", "--out", car)
	if str(ex, "proof_verified") != "true" || str(ex, "missing") != "0" || str(ex, "entries") != "1" || str(ex, "follows") != "1" {
		t.Fatalf("export: %v", ex)
	}
	armored := str(n.ok("keys", "export", "alice"), "private_key")

	n2 := startDevNode(t)
	keyFile := filepath.Join(dir, "alice.key")
	if err := os.WriteFile(keyFile, []byte(armored), 0o600); err != nil {
		t.Fatal(err)
	}
	n2.ok("keys", "import", "alice", keyFile)
	n2.ok("keys", "add", "mallory")
	n2.fails("lens", "import", car, "--recreate", "--from", "mallory") // not the owner
	im := n2.ok("lens", "import", car, "--recreate", "--from", "alice")
	if str(im, "verified") != "true" || str(im, "content_missing") != "0" || str(im, "recreated_lens") != "lens-a" ||
		str(im, "recreated_follows_skipped") != "1" || str(im, "source_chain_id") != str(trusted, "chain_id") ||
		im["recreated_entries"] != float64(1) || im["recreate_txs"] != float64(1) || str(im, "code") != "0" || !strings.HasPrefix(str(im, "summary"), "recreated Lens lens-a") {
		t.Fatalf("import: %v", im)
	}
	if str(im, "source_checked") != "none" {
		t.Fatalf("import without --source-node: %v", im)
	}
	// Checked against the source chain: its node has the export's header;
	// n2 runs another chain under the same chain id, whose header at that
	// height differs (the case a self-consistent export cannot rule out).
	srcHeight, _ := strconv.ParseInt(str(ex, "height"), 10, 64)
	if chk := n2.ok("lens", "import", car, "--source-node", n.rpc); str(chk, "source_checked") != "source-node" {
		t.Fatalf("import checked against the source node: %v", chk)
	}
	lc := n2.ok("lens", "import", car, "--source-node", n.rpc, "--trust-height", str(trusted, "height"), "--trust-hash", str(trusted, "block_hash"))
	if str(lc, "source_checked") != "light-client" {
		t.Fatalf("import verified by the light client: %v", lc)
	}
	n2.waitHeight(srcHeight+2, 30*time.Second)
	if out, err := n2.run("lens", "import", car, "--source-node", n2.rpc); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("import checked against another chain: %v %s", err, out)
	}
	info = n2.ok("query", "lens", "lens-a", "--prove")
	if str(info, "owner") != addrs["alice"] || str(info, "entry_count") != "1" {
		t.Fatalf("imported lens: %v", info)
	}
	s, res = viewScores(t, n2, "lens-a")
	wantScores(t, "imported view", s, map[string]string{"lens-a/a1": "1000000"})
	if e := res["entries"].([]any)[0].(map[string]any); str(e, "author") != addrs["alice"] {
		t.Fatalf("imported author: %v", e)
	}
	got2 := filepath.Join(dir, "a1.n2")
	n2.ok("content", "get", cids["a1"], "--out", got2)
	if b, _ := os.ReadFile(got2); !bytes.Equal(b, files["a1"]) {
		t.Fatal("imported content differs")
	}
	if code, body := gatewayGet(t, n2, cids["a1"], "bytes=0-3"); code != http.StatusPartialContent || !bytes.Equal(body, files["a1"][:4]) {
		t.Fatalf("second node's gateway: %d", code)
	}
	n2.fails("lens", "import", car, "--recreate", "--from", "alice") // handle taken now

	// Batched: with a message limit that fits the bare lens/import but not
	// its entry too, the entry follows in a lens/import-entries tx.
	cf, err := os.Open(car)
	if err != nil {
		t.Fatal(err)
	}
	exp, _, err := readExportRecord(context.Background(), cf)
	cf.Close()
	if err != nil {
		t.Fatal(err)
	}
	bare := exp.Manifest
	bare.Keys, bare.Entries = nil, []lens.Entry{}
	b1, _ := json.Marshal(lens.MsgImport{Manifest: bare, Handle: "lens-a2"})
	b2, _ := json.Marshal(lens.MsgImportEntries{Lens: "lens-a2", Entries: exp.Manifest.Entries})
	limit := max(len(b1), len(b2))
	im = n2.ok("lens", "import", car, "--recreate", "--from", "alice", "--handle", "lens-a2", "--batch-bytes", strconv.Itoa(limit))
	if str(im, "recreated_lens") != "lens-a2" || str(im, "recreated_entries") != "1" || str(im, "recreate_txs") != "2" {
		t.Fatalf("batched import: %v", im)
	}
	info = n2.ok("query", "lens", "lens-a2")
	if str(info, "owner") != addrs["alice"] || str(info, "entry_count") != "1" || str(info, "origin") != "import:"+str(trusted, "chain_id")+"/lens-a" {
		t.Fatalf("batched imported lens: %v", info)
	}

	// Tampered CARs are refused before anything is stored.
	raw, err := os.ReadFile(car)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-10] ^= 1 // inside the last content block
	bad := filepath.Join(dir, "flipped.car")
	_ = os.WriteFile(bad, flipped, 0o644)
	if out, err := n2.run("lens", "import", bad); err == nil {
		t.Fatalf("CAR with a flipped content byte imported: %s", out)
	}
	f, _ := os.Open(car)
	e, _, err := readExportRecord(context.Background(), f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	e.Manifest.Entries[0].Title = "forged"
	rec, _ := json.Marshal(e.Manifest.Entries[0])
	e.Records[2] = rec // consistent with the manifest, but not with the proof
	if _, err := e.verify(); err == nil {
		t.Fatal("forged manifest verified")
	}
	forged, _ := json.Marshal(e)
	mem, _ := content.NewMemory(content.ProfileDefault)
	var buf bytes.Buffer
	if _, err := content.ExportCAR(context.Background(), mem, &buf, nil, content.ExportOptions{Manifest: forged}); err != nil {
		t.Fatal(err)
	}
	bad = filepath.Join(dir, "forged.car")
	_ = os.WriteFile(bad, buf.Bytes(), 0o644)
	if out, err := n2.run("lens", "import", bad); err == nil {
		t.Fatalf("CAR with a forged manifest imported: %s", out)
	}

	// A store that returns wrong bytes: the bytes of a1's leaf blocks on disk
	// are damaged (a whole-block file in the flat layout, the data region of a
	// pack in the pack layout); content get fails and leaves no file behind.
	damaged := 0
	_ = filepath.WalkDir(filepath.Join(n2.home, "data", "content"), func(p string, d os.DirEntry, err error) error {
		ext := filepath.Ext(p)
		if err == nil && !d.IsDir() && (ext == ".data" || ext == ".pack") {
			if b, rerr := os.ReadFile(p); rerr == nil && len(b) >= 262144 {
				// Every 64 KiB, so each 256 KiB leaf is hit whatever the
				// file's layout, sparing a pack's trailing index.
				for off := 1000; off < len(b)-4096 || off == 1000; off += 65536 {
					b[off] ^= 0xff
				}
				damaged++
				return os.WriteFile(p, b, 0o644)
			}
		}
		return nil
	})
	if damaged == 0 {
		t.Fatal("found no leaf block to damage")
	}
	out3 := filepath.Join(dir, "a1.damaged")
	if out, err := n2.run("content", "get", cids["a1"], "--out", out3); err == nil {
		t.Fatalf("content get of damaged blocks succeeded: %s", out)
	}
	if _, err := os.Stat(out3); !os.IsNotExist(err) {
		t.Fatalf("content get left %s behind: %v", out3, err)
	}
}
