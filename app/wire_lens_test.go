package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/lens/content"
)

func TestLensCodes(t *testing.T) {
	seen := map[uint32]bool{}
	for _, ce := range lens.Codes() {
		e := struct {
			err  error
			code uint32
		}{ce, ce.Code()}
		if e.code < 300 || e.code > 349 || seen[e.code] {
			t.Errorf("%v: code %d outside 300-349 or reused", e.err, e.code)
		}
		seen[e.code] = true
		if got := CodeOf(fmt.Errorf("msg 0 (lens/x): %w", e.err)); got != e.code {
			t.Errorf("%v: code %d, want %d", e.err, got, e.code)
		}
	}
	// A manifest fault wrapping another lens error reports the manifest.
	if got := CodeOf(fmt.Errorf("%w: entry 3: %w", lens.ErrBadManifest, lens.ErrBadCID)); got != 300 {
		t.Errorf("bad manifest wrapping bad CID: code %d, want 300", got)
	}
	// Every sentinel of package lens has a code.
	for _, err := range []error{lens.ErrBadHandle, lens.ErrDuplicateHandle, lens.ErrUnknownLens, lens.ErrBadCID,
		lens.ErrBadKind, lens.ErrBadTag, lens.ErrBadText, lens.ErrBadWeight, lens.ErrSelfFollow, lens.ErrSelfBlock,
		lens.ErrUnauthorized, lens.ErrNotMember, lens.ErrNotModerator, lens.ErrBadRole, lens.ErrNoRole,
		lens.ErrUnknownEntry, lens.ErrDuplicateEntry, lens.ErrEmptyEdit, lens.ErrUnknownFollow, lens.ErrTooManyFollows,
		lens.ErrBadBlock, lens.ErrAlreadyBlocked, lens.ErrUnknownBlock, lens.ErrDepth,
		lens.ErrViewTooLarge, lens.ErrTooMany, lens.ErrBadManifest, lens.ErrRegistry, lens.ErrDuplicateSeq} {
		if c := CodeOf(err); c < 300 || c > 349 {
			t.Errorf("%v: code %d", err, c)
		}
	}
}

// lensChain is a chain with three keys, each owning a Lens.
type lensChain struct {
	*poolChain // run/ok/query helpers
	carol      testKey
}

func newLensChain(t *testing.T) *lensChain {
	alice, bob, carol := newTestKey("alice"), newTestKey("bob"), newTestKey("carol")
	c := &lensChain{poolChain: &poolChain{chain: newChain(t, fundedGenesis(alice, bob, carol)), alice: alice, bob: bob}, carol: carol}
	return c
}

func cidOf(s string) string { return content.RawCID([]byte(s)).String() }

func (c *lensChain) view(path string) lens.ViewResult {
	c.t.Helper()
	r := c.query(path)
	var v lens.ViewResult
	if r.Code != 0 || json.Unmarshal(r.Value, &v) != nil {
		c.t.Fatalf("%s: code %d %s", path, r.Code, r.Log)
	}
	return v
}

func scores(v lens.ViewResult) map[string]uint64 {
	out := map[string]uint64{}
	for _, e := range v.Entries {
		out[e.Lens+":"+e.CID] = e.Score
	}
	return out
}

func TestLensWired(t *testing.T) {
	c := newLensChain(t)
	keys := map[string]testKey{"aaa": c.alice, "bbb": c.bob, "ccc": c.carol}
	for _, h := range []string{"aaa", "bbb", "ccc"} {
		out := c.ok(keys[h], lens.TypeCreate, lens.MsgCreate{Handle: h, Name: "Lens " + h})
		if out["lens"] != h {
			t.Fatalf("create %s: %v", h, out)
		}
		c.ok(keys[h], lens.TypeAddEntry, lens.MsgAddEntry{Lens: h, CID: cidOf(h), Kind: "post", Title: "by " + h, Tags: []string{"t"}})
	}
	c.ok(c.alice, lens.TypeFollow, lens.MsgFollow{Lens: "aaa", Target: "bbb", Weight: 500_000})
	c.ok(c.bob, lens.TypeFollow, lens.MsgFollow{Lens: "bbb", Target: "ccc", Weight: 500_000})

	v := c.view("/view/aaa")
	s := scores(v)
	if len(v.Entries) != 3 || s["aaa:"+cidOf("aaa")] != 1_000_000 || s["bbb:"+cidOf("bbb")] != 500_000 || s["ccc:"+cidOf("ccc")] != 250_000 {
		t.Fatalf("view: %+v", v.Entries)
	}
	if v.Entries[0].Author != c.alice.addr || v.Entries[2].Author != c.carol.addr {
		t.Fatalf("authors: %+v", v.Entries)
	}
	v = c.view("/view/aaa?reweight=ccc:0,bbb:1000000")
	s = scores(v)
	if len(v.Entries) != 2 || s["bbb:"+cidOf("bbb")] != 1_000_000 {
		t.Fatalf("reweighted view: %+v", v.Entries)
	}
	if v = c.view("/view/aaa?depth=1&limit=1"); len(v.Entries) != 1 || v.Next == "" {
		t.Fatalf("paged view: %+v", v)
	}
	if v = c.view("/view/aaa?depth=1&limit=1&after=" + v.Next); len(v.Entries) != 1 || v.Entries[0].Lens != "bbb" || v.Next != "" {
		t.Fatalf("second page: %+v", v)
	}

	// Bad queries and messages carry the Lens codes.
	for path, code := range map[string]uint32{
		"/view/aaa?depth=9":          324,
		"/view/aaa?reweight=ccc:2e6": 308,
		"/view/zzz":                  CodeNotFound,
		"/view/A":                    301,
		"/seeding/aaa?target=0":      CodeBadQuery,
		"/manifest/zzz":              CodeNotFound,
		"/lens/zzz":                  CodeNotFound,
	} {
		if r := c.query(path); r.Code != code {
			t.Errorf("%s: code %d (%s), want %d", path, r.Code, r.Log, code)
		}
	}
	for _, tc := range []struct {
		k    testKey
		typ  string
		msg  any
		code uint32
	}{
		{c.bob, lens.TypeCreate, lens.MsgCreate{Handle: "aaa", Name: "again"}, 302},
		{c.bob, lens.TypeCreate, lens.MsgCreate{Handle: "No", Name: "x"}, 301},
		{c.alice, lens.TypeFollow, lens.MsgFollow{Lens: "aaa", Target: "ccc", Weight: 0}, 308},
		{c.alice, lens.TypeFollow, lens.MsgFollow{Lens: "aaa", Target: "ccc", Weight: 1_000_001}, 308},
		{c.alice, lens.TypeFollow, lens.MsgFollow{Lens: "aaa", Target: "aaa", Weight: 1}, 309},
		{c.bob, lens.TypeFollow, lens.MsgFollow{Lens: "aaa", Target: "ccc", Weight: 1}, 311},
		{c.bob, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "aaa", CID: cidOf("x"), Kind: "post"}, 312},
		{c.alice, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "aaa", CID: "not-a-cid", Kind: "post"}, 304},
		{c.alice, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "aaa", CID: cidOf("aaa"), Kind: "post"}, 317},
		{c.alice, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "aaa", CID: cidOf("y"), Kind: "film"}, 305},
	} {
		_, res := c.run(tc.k, tc.typ, tc.msg)
		if res.Code != tc.code {
			t.Errorf("%s %+v: code %d (%s), want %d", tc.typ, tc.msg, res.Code, res.Log, tc.code)
		}
	}
	if v := c.view("/view/aaa"); len(v.Entries) != 3 || v.Lenses != 3 {
		t.Fatalf("failed messages changed the view: %+v", v)
	}

	// /lens/HANDLE is proven: record, owner item, follows.
	root := c.app.tree.CommittedHash()
	r := c.query("/lens/aaa")
	var info lens.InfoAnswer
	if r.Code != 0 || json.Unmarshal(r.Value, &info) != nil {
		t.Fatalf("lens query: %d %s", r.Code, r.Log)
	}
	if info.Owner == nil || *info.Owner != c.alice.addr || len(info.Follows) != 1 || info.Follows[0].Target != "bbb" || info.Follows[0].Weight != 500_000 {
		t.Fatalf("lens info %+v", info)
	}
	kvs, err := info.KVs()
	if err != nil || len(kvs) != 3 || len(r.ProofOps.Ops) != 3 {
		t.Fatalf("kvs %v (%v), %d proofs", kvs, err, len(r.ProofOps.Ops))
	}
	for i, kv := range kvs {
		if err := verifyOp(root, r.ProofOps.Ops[i].Data, kv.Key, kv.Value); err != nil {
			t.Fatalf("proof %d (%q): %v", i, kv.Key, err)
		}
	}
	bad := info
	bad.Follows = nil
	if _, err := bad.KVs(); err == nil {
		t.Fatal("a lens answer hiding a follow passed its own check")
	}
	r = c.query("/lens/zzz")
	if r.Code != CodeNotFound || verifyOp(root, r.ProofOps.Ops[0].Data, lens.LensKey("zzz"), nil) != nil {
		t.Fatalf("missing lens: %d %s", r.Code, r.Log)
	}

	// /manifest proves every record; the records match the manifest.
	c.ok(c.alice, lens.TypeGrant, lens.MsgGrant{Lens: "aaa", Address: c.carol.addr, Role: lens.RoleMember})
	c.ok(c.alice, lens.TypeBlock, lens.MsgBlock{Lens: "aaa", Target: "zzz"})
	root = c.app.tree.CommittedHash()
	r = c.query("/manifest/aaa")
	var ans lens.ManifestAnswer
	if r.Code != 0 || json.Unmarshal(r.Value, &ans) != nil {
		t.Fatalf("manifest: %d %s", r.Code, r.Log)
	}
	m := ans.Manifest
	if len(m.Entries) != 1 || len(m.Follows) != 1 || len(m.Roles) != 1 || len(m.Blocks) != 1 || len(r.ProofOps.Ops) != 6 {
		t.Fatalf("manifest %+v with %d proofs", m, len(r.ProofOps.Ops))
	}
	if err := m.CheckRecords(ans.Records); err != nil {
		t.Fatal(err)
	}
	for i, k := range m.ManifestKeys() {
		if err := verifyOp(root, r.ProofOps.Ops[i].Data, k, ans.Records[i]); err != nil {
			t.Fatalf("manifest proof %d: %v", i, err)
		}
	}
	m.Entries[0].Title = "forged"
	if err := m.CheckRecords(ans.Records); err == nil {
		t.Fatal("a forged entry title passed CheckRecords")
	}

	// Seeding: announce one CID twice (idempotent), list under-seeded.
	c.ok(c.bob, lens.TypeAnnounce, lens.MsgAnnounce{CIDs: []string{cidOf("aaa")}})
	c.ok(c.bob, lens.TypeAnnounce, lens.MsgAnnounce{CIDs: []string{cidOf("aaa")}})
	r = c.query("/seeding/aaa?target=1")
	var sa lens.SeedingAnswer
	if r.Code != 0 || json.Unmarshal(r.Value, &sa) != nil || len(sa.Entries) != 0 {
		t.Fatalf("seeding target 1: %d %s", r.Code, r.Value)
	}
	if r = c.query("/seeding/aaa?target=2"); json.Unmarshal(r.Value, &sa) != nil || len(sa.Entries) != 1 || sa.Entries[0].Hosts != 1 {
		t.Fatalf("seeding target 2: %s", r.Value)
	}

	// The LENS item moves with an ordinary transfer; the new owner rules.
	c.ok(c.bob, "transfer", ledger.Move{To: c.carol.addr, Asset: lens.AssetID, Item: "bbb"})
	if _, res := c.run(c.bob, lens.TypeUnfollow, lens.MsgUnfollow{Lens: "bbb", Target: "ccc"}); res.Code != 311 {
		t.Fatalf("old owner unfollow: %d %s", res.Code, res.Log)
	}
	c.ok(c.carol, lens.TypeUnfollow, lens.MsgUnfollow{Lens: "bbb", Target: "ccc"})
	if v := c.view("/view/aaa"); len(v.Entries) != 2 {
		t.Fatalf("after unfollow: %+v", v.Entries)
	}

	// Fork: the asker's own Lens seeded from a view.
	out := c.ok(c.bob, lens.TypeFork, lens.MsgFork{Handle: "mine", Name: "Mine", Source: "aaa", Follows: true})
	if out["lens"] != "mine" || out["entries"] != "2" || out["follows"] != "1" {
		t.Fatalf("fork: %v", out)
	}
}

func TestLensTransferAgreementHook(t *testing.T) {
	c := newLensChain(t)
	c.ok(c.alice, lens.TypeCreate, lens.MsgCreate{Handle: "aaa", Name: "A"})
	l := ledger.New(ledger.NewBranch(c.app.tree), nil)
	k := (&agreementsWiring{hooks: agreementHooks()}).keeper(&Env{ChainID: testChain, Ledger: l})
	if k.Hooks.LensTransfer == nil {
		t.Fatal("lens_transfer hook not set")
	}
	act := &agreements.LensTransferAction{From: c.alice.addr, To: c.bob.addr, Lens: "aaa"}
	if err := k.Hooks.LensTransfer(l, ledger.Block{}, act); err != nil {
		t.Fatal(err)
	}
	if it, err := l.Item(lens.AssetID, "aaa"); err != nil || it.Owner != c.bob.addr {
		t.Fatalf("after lens_transfer: %+v %v", it, err)
	}
	act = &agreements.LensTransferAction{From: c.alice.addr, To: c.bob.addr, Lens: "aaa"}
	if err := k.Hooks.LensTransfer(l, ledger.Block{}, act); err == nil {
		t.Fatal("lens_transfer by a non-owner succeeded")
	}
}

func TestContentGateway(t *testing.T) {
	dir := t.TempDir()
	store, err := content.Open(content.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB, several chunks
	c, err := store.Add(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	addr, err := ServeGateway(ContentConfig(AppConfig{ContentDir: dir}, "unused"), GatewayOptions(DefaultAppConfig()), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr.String()+"/ipfs/"+c.String(), nil)
	req.Header.Set("Range", "bytes=300000-300009")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[300000:300010]) {
		t.Fatalf("range: %d %q", resp.StatusCode, body)
	}
	// Only /ipfs/ is served.
	if resp, err := http.Get("http://" + addr.String() + "/other"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/other: %v %v", resp, err)
	}
	// A Range header of 50,000 ranges (~600 KB) is refused by the server
	// before it reaches the gateway: 431.
	var rng strings.Builder
	rng.WriteString("bytes=0-0")
	for i := 1; i < 50000; i++ {
		fmt.Fprintf(&rng, ",%d-%d", i, i)
	}
	req, _ = http.NewRequest(http.MethodGet, "http://"+addr.String()+"/ipfs/"+c.String(), nil)
	req.Header.Set("Range", rng.String())
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("50,000 ranges: %v %v", resp, err)
	}
	// A gateway that cannot bind is an error, not a panic.
	if _, err := ServeGateway(ContentConfig(AppConfig{ContentDir: dir}, ""), content.GatewayOptions{}, addr.String()); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("second bind: %v", err)
	}
	// The node hook does not stop the node when the port is taken.
	a := &App{Config: AppConfig{ContentDir: dir, GatewayAddr: addr.String()}}
	a.logger = New(mustTree(t), testChain, nil).logger
	if err := startContentGateway(a); err != nil {
		t.Fatalf("hook: %v", err)
	}
}

func mustTree(t *testing.T) *ledger.Tree {
	tree, err := ledger.OpenTree("", "x")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	return tree
}

// TestLensImportBatched recreates a Lens of 600 entries, exported from one
// chain, on another: the whole manifest is too large for one tx, so it goes
// as lens/import with the first entries plus lens/import-entries batches.
func TestLensImportBatched(t *testing.T) {
	const n = 600
	src := newLensChain(t)
	src.ok(src.alice, lens.TypeCreate, lens.MsgCreate{Handle: "big", Name: "Big lens"})
	src.ok(src.alice, lens.TypeGrant, lens.MsgGrant{Lens: "big", Address: src.bob.addr, Role: lens.RoleMember})
	for i := 0; i < n; i += 60 {
		byAlice, byBob := []Msg{}, []Msg{}
		for j := i; j < i+60 && j < n; j++ {
			m := mustMsg(t, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "big", CID: cidOf(fmt.Sprint("entry ", j)), Kind: "post",
				Title: fmt.Sprintf("entry number %d of the big lens", j), Tags: []string{"bulk", "t" + fmt.Sprint(j%5)}, Size: uint64(j)})
			if j%4 == 3 {
				byBob = append(byBob, m)
			} else {
				byAlice = append(byAlice, m)
			}
		}
		for _, r := range src.block(src.tx(src.alice, byAlice...), src.tx(src.bob, byBob...)).TxResults {
			if r.Code != 0 {
				t.Fatalf("add entries: code %d %s", r.Code, r.Log)
			}
		}
	}
	r := src.query("/manifest/big")
	var ans lens.ManifestAnswer
	if r.Code != 0 || json.Unmarshal(r.Value, &ans) != nil {
		t.Fatalf("manifest: code %d %s", r.Code, r.Log)
	}
	man := ans.Manifest
	man.ChainID, man.Height = "riff-src", r.Height
	if len(man.Entries) != n {
		t.Fatalf("manifest has %d entries", len(man.Entries))
	}

	dst := newLensChain(t)
	// The whole manifest in one tx is over the limit.
	if whole := dst.tx(dst.alice, mustMsg(t, lens.TypeImport, lens.MsgImport{Manifest: man})); len(whole) <= MaxTxBytes {
		t.Fatalf("whole manifest fits one tx (%d bytes); test needs a bigger lens", len(whole))
	} else if chk := dst.check(whole); chk.Code == 0 {
		t.Fatal("oversized import admitted")
	}
	dst.nonces[dst.alice.addr]--

	first, rest, err := lens.SplitImport(man, "", 48*1024)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) == 0 {
		t.Fatal("no batches")
	}
	sizeOK := func(typ string, v any) {
		if tx := dst.tx(dst.alice, mustMsg(t, typ, v)); len(tx) > MaxTxBytes {
			t.Fatalf("%s tx of %d bytes", typ, len(tx))
		}
		dst.nonces[dst.alice.addr]--
	}
	sizeOK(lens.TypeImport, first)
	total := 0
	out := dst.ok(dst.alice, lens.TypeImport, first)
	total += atoi(t, out["entries"])
	// Only the owner appends; a seq already there is refused.
	if _, res := dst.run(dst.bob, lens.TypeImportEntries, rest[0]); res.Code != 311 {
		t.Fatalf("import-entries by bob: code %d %s", res.Code, res.Log)
	}
	again := lens.MsgImportEntries{Lens: "big", Entries: first.Manifest.Entries[len(first.Manifest.Entries)-1:]}
	if _, res := dst.run(dst.alice, lens.TypeImportEntries, again); res.Code != 329 {
		t.Fatalf("import-entries of an existing seq: code %d %s", res.Code, res.Log)
	}
	for _, b := range rest {
		sizeOK(lens.TypeImportEntries, b)
		out := dst.ok(dst.alice, lens.TypeImportEntries, b)
		total += atoi(t, out["entries"])
	}
	if total != n {
		t.Fatalf("imported %d entries, want %d", total, n)
	}

	r = dst.query("/manifest/big")
	var got lens.ManifestAnswer
	if r.Code != 0 || json.Unmarshal(r.Value, &got) != nil {
		t.Fatalf("manifest here: code %d %s", r.Code, r.Log)
	}
	g := got.Manifest
	if len(g.Entries) != n || g.Lens.EntryCount != n || g.Lens.NextSeq != man.Lens.NextSeq || len(g.Roles) != 1 ||
		g.Lens.Origin != "import:riff-src/big" || g.Owner != dst.alice.addr {
		t.Fatalf("recreated lens %+v, %d entries, %d roles", g.Lens, len(g.Entries), len(g.Roles))
	}
	for i, e := range g.Entries {
		w := man.Entries[i]
		if e.Seq != w.Seq || e.CID != w.CID || e.Author != w.Author || e.Title != w.Title ||
			e.Origin == nil || e.Origin.Chain != "riff-src" || e.Origin.Seq != w.Seq {
			t.Fatalf("entry %d: %+v, want %+v", i, e, w)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return n
}
