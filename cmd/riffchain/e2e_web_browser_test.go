package main

// Browser tests of the web explorer (package app/web): a real `riffchain
// dev` node with a scenario (assets, a DvP agreement with an obligation, a
// pool, three Lenses with weighted follows and media entries), driven in
// headless Chromium with chromedp. They check what a person would: the
// rendered text of each page, the order of Lens entries before and after
// moving a re-weight control, the agreement timeline, a video that plays
// from the gateway. A screenshot of each page goes to a folder the test
// prints (RIFFCHAIN_SCREENSHOTS to choose it).
//
// Chromium: Debian's package (`apt-get install -y chromium`), which
// .ci/run installs. Without it the test skips with a loud message, unless
// RIFFCHAIN_REQUIRE_BROWSER is set (CI sets it): then it fails.

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/web/apicheck"
)

// chromium finds a Chromium to drive, or skips (fails when required).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("RIFFCHAIN_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "BROWSER TESTS NOT RUN: no chromium on PATH (apt-get install -y chromium, as .ci/run does)"
	if os.Getenv("RIFFCHAIN_REQUIRE_BROWSER") != "" {
		t.Fatal(msg + "; RIFFCHAIN_REQUIRE_BROWSER is set, so this fails")
	}
	fmt.Fprintln(os.Stderr, "!!! "+msg)
	t.Skip(msg)
	return ""
}

// browser starts headless Chromium and returns a tab context.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"), chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1200, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 8*time.Minute) // a loaded CI box is slow
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// webScenario is the chain state the browser tests look at.
type webScenario struct {
	n          *devNode
	web, gw    string // http://host:port
	alice, bob string
	acme       string // fungible asset id
	agreement  string
	pool       string
	video      string // CID
	txhash     string
}

func setupWebScenario(t *testing.T) *webScenario {
	t.Helper()
	n := startDevNodeWith(t, "--web-laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--gateway-laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	ac, err := app.LoadAppConfig(n.home)
	if err != nil {
		t.Fatal(err)
	}
	s := &webScenario{n: n, web: "http://" + ac.WebAddr, gw: "http://" + ac.GatewayAddr}
	s.alice = str(n.ok("keys", "add", "alice"), "address")
	s.bob = str(n.ok("keys", "add", "bob"), "address")
	carol := str(n.ok("keys", "add", "carol"), "address")
	for _, k := range []string{"alice", "bob", "carol"} {
		n.human().ok("dev", "fund", k, "5000") // display units: 5,000 RIFF
	}
	// Assets: Acme shares (2 decimals), Alice holds them.
	s.acme = str(n.ok("tx", "asset", "create", "ACME", "--name", "Acme shares", "--decimals", "2", "--from", "alice"), "asset_id")
	s.txhash = str(n.ok("tx", "asset", "mint", s.acme, "100000000", "--from", "alice"), "txhash")
	n.ok("tx", "transfer", s.bob, "250000", s.acme, "--from", "alice")
	// DvP: Bob pays 1,000 RIFF for 500.00 ACME, and owes Alice a signed certificate.
	file := filepath.Join(n.home, "deal.json")
	n.ok("agreement", "new", "--transfer", s.bob+":"+s.alice+":1000000000:RIFF", "--transfer", s.alice+":"+s.bob+":50000:"+s.acme,
		"--obligation", s.bob+":"+s.alice+":send the signed share certificate", "--title", "Share sale", "--expires-in", "500", "--out", file)
	s.agreement = str(n.ok("agreement", "propose", file, "--from", "alice"), "agreement_id")
	n.ok("agreement", "accept", s.agreement, "--from", "bob")
	n.ok("agreement", "attest", s.agreement, "0", "--fulfilled", "--from", "alice")
	// A pool ACME/RIFF.
	s.pool = str(n.ok("tx", "pool", "create", s.acme, "RIFF", "--amount-a", "1000000", "--amount-b", "4000000000", "--fee-bps", "30", "--from", "alice"), "pool_id")
	// Three Lenses: lens-a follows lens-b (0.8) and lens-c (0.3); lens-b follows lens-c (0.5).
	s.video = str(n.ok("content", "add", "testdata/clip.webm"), "cid")
	still := str(n.ok("content", "add", "testdata/still.png"), "cid")
	post := filepath.Join(n.home, "post.txt")
	if err := os.WriteFile(post, []byte("Bee's notes on film"), 0o644); err != nil {
		t.Fatal(err)
	}
	note := str(n.ok("content", "add", post), "cid")
	n.ok("tx", "lens", "create", "lens-a", "--name", "Alice's Lens", "--from", "alice")
	n.ok("tx", "lens", "create", "lens-b", "--name", "Bee", "--from", "bob")
	n.ok("tx", "lens", "create", "lens-c", "--name", "Sea", "--from", "carol")
	n.ok("tx", "lens", "add-entry", "lens-a", s.video, "--kind", "video", "--title", "Test pattern film", "--tag", "film", "--from", "alice")
	n.ok("tx", "lens", "add-entry", "lens-b", note, "--kind", "post", "--title", "Bee notes", "--tag", "film", "--from", "bob")
	n.ok("tx", "lens", "add-entry", "lens-c", still, "--kind", "image", "--title", "Sea still", "--tag", "photo", "--from", "carol")
	n.ok("tx", "lens", "follow", "lens-a", "lens-b", "--weight", "800000", "--from", "alice")
	n.ok("tx", "lens", "follow", "lens-a", "lens-c", "--weight", "300000", "--from", "alice")
	n.ok("tx", "lens", "follow", "lens-b", "lens-c", "--weight", "500000", "--from", "bob")
	n.ok("tx", "seed", "announce", s.video, "--from", "carol")
	// Bob moderates lens-a and shares a collective with Alice.
	n.ok("tx", "lens", "grant", "lens-a", "bob", "moderator", "--from", "alice")
	n.ok("tx", "collective", "create", "--member", "alice", "--member", "bob", "--threshold", "2", "--from", "bob")
	_ = carol
	return s
}

// shots saves full-page screenshots in one folder.
type shots struct {
	t   *testing.T
	dir string
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("RIFFCHAIN_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "riffchain-web-screenshots-"+time.Now().UTC().Format("20060102-150405"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", dir)
	fmt.Fprintln(os.Stderr, "web explorer screenshots:", dir)
	return &shots{t: t, dir: dir}
}

func (s *shots) take(ctx context.Context, name string) {
	s.t.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // PNG
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// open navigates and waits for the page's heading.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	octx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(octx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		c := http.Client{Timeout: 10 * time.Second}
		status := "no answer"
		if res, herr := c.Get(url); herr == nil {
			status = res.Status
			res.Body.Close()
		} else {
			status = herr.Error()
		}
		t.Fatalf("open %s: %v (the server answers the same URL: %s)", url, err, status)
	}
}

// text is the rendered text of the first element matching css ("" if none).
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return v
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func wantText(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not show %q; it shows:\n%s", what, w, got)
		}
	}
}

// entryTitles lists the Lens page's entry titles in rank order.
func entryTitles(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#entries .title")).map(e => e.innerText)`)
}

func TestWebExplorer(t *testing.T) {
	s := setupWebScenario(t)
	t.Run("api matches openapi", func(t *testing.T) { checkOpenAPI(t, s) })
	path := chromium(t) // from here on, in a browser
	ctx := browser(t, path)
	sh := newShots(t)

	t.Run("overview", func(t *testing.T) {
		open(t, ctx, s.web+"/")
		body := text(t, ctx, "main")
		wantText(t, "overview", body, "Overview", "Validators", "Latest blocks", "Latest transactions", "at height ", "Lens lens-b follows lens-c with weight 50%")
		if h := text(t, ctx, "#chain-id"); !strings.HasPrefix(h, "riff-dev-") {
			t.Errorf("chain id %q", h)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#validators tbody tr").length`); n != 1 {
			t.Errorf("%d validators listed", n)
		}
		// Live: a new block appears without a reload.
		first := text(t, ctx, "#latest-height")
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector("#latest-height").innerText !== %q && document.querySelectorAll("#blocks-body tr.new").length > 0`, first),
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Errorf("no new block appeared live after height %s: %v", first, err)
		}
		// Live: a new tx appears in words without a reload.
		s.n.human().ok("dev", "fund", "carol", "1")
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Array.from(document.querySelectorAll("#txs li.new")).some(li => li.innerText.includes(" at ") && li.innerText.includes("RIFF"))`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Errorf("no new tx appeared live: %v", err)
		}
		sh.take(ctx, "01-overview")
	})
	t.Run("account", func(t *testing.T) {
		open(t, ctx, s.web+"/account/"+s.alice)
		body := text(t, ctx, "main")
		// 1,000,000.00 minted − 2,500.00 to Bob − 500.00 sold − 10,000.00 into the pool
		wantText(t, "account", body, "Balances", s.acme, "987000 "+s.acme, "lens-a", "Share sale", "completed", "riffchain query balances "+s.alice)
		sh.take(ctx, "02-account")
	})
	t.Run("asset", func(t *testing.T) {
		open(t, ctx, s.web+"/asset/"+s.acme)
		wantText(t, "asset", text(t, ctx, "main"), "Acme shares", "1000000 "+s.acme, "Holders", "History", "mint")
		open(t, ctx, s.web+"/asset/LENS")
		wantText(t, "unique asset", text(t, ctx, "#holders"), "lens-a", "lens-b", "lens-c")
		sh.take(ctx, "03-asset")
	})
	t.Run("agreement timeline", func(t *testing.T) {
		open(t, ctx, s.web+"/agreement/"+s.agreement)
		wantText(t, "agreement", text(t, ctx, "main"), "Share sale", "completed", "pays 1000 RIFF to", "pays 500 "+s.acme+" to", "send the signed share certificate", "fulfilled")
		var rec struct {
			History []struct {
				Event string `json:"event"`
			} `json:"history"`
		}
		getJSON(t, s.web+"/api/v1/agreement/"+s.agreement, &rec)
		events := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#timeline .event")).map(e => e.innerText)`)
		if len(events) < 3 || len(events) != len(rec.History) {
			t.Fatalf("timeline %v, history %v", events, rec.History)
		}
		for i, h := range rec.History {
			if events[i] != h.Event {
				t.Errorf("timeline step %d: %q, want %q", i, events[i], h.Event)
			}
		}
		sh.take(ctx, "04-agreement")
	})
	t.Run("lens re-weighting and video", func(t *testing.T) {
		open(t, ctx, s.web+"/lens/lens-a")
		wantText(t, "lens", text(t, ctx, "main"), "Alice's Lens", "lens-b with weight 80%", "lens-c with weight 30%", "The world through lens-a", "riffchain query view lens-a")
		before := entryTitles(t, ctx)
		if strings.Join(before, "|") != "Test pattern film|Bee notes|Sea still" {
			t.Fatalf("entries before re-weighting: %v", before)
		}
		// Move lens-b's control to 10%: the page re-ranks (nothing is written).
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const r = document.querySelector("input[name='w.lens-b']"); r.value = "100000"; r.dispatchEvent(new Event("input")); r.dispatchEvent(new Event("change")); })()`)); err != nil {
			t.Fatal(err)
		}
		if !waitJS(ctx, `location.search.includes("w.lens-b=100000") && document.readyState === "complete" && !!document.querySelector("#entries")`, 15*time.Second) {
			t.Fatal("the page did not re-rank")
		}
		after := entryTitles(t, ctx)
		if strings.Join(after, "|") != "Test pattern film|Sea still|Bee notes" {
			t.Fatalf("entries after lens-b → 10%%: %v", after)
		}
		wantText(t, "re-weighted lens", text(t, ctx, "main"), "--reweight lens-b=100000")
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if !strings.HasSuffix(loc, "/lens/lens-a?w.lens-b=100000") {
			t.Errorf("the address after moving one control is %s; it should carry only that weight", loc)
		}
		sh.take(ctx, "05-lens-reweighted")
		// The link carries the view: another visitor sees the same order.
		open(t, ctx, loc)
		if got := entryTitles(t, ctx); strings.Join(got, "|") != strings.Join(after, "|") {
			t.Fatalf("shared link %s shows %v", loc, got)
		}
		// The video plays from the gateway's origin.
		src := eval[string](t, ctx, `document.querySelector("video").src`)
		if src != s.gw+"/ipfs/"+s.video {
			t.Fatalf("video src %q, want %s/ipfs/%s", src, s.gw, s.video)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const v = document.querySelector("video"); v.muted = true; v.play(); })()`)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("video").currentTime > 1`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			st := eval[string](t, ctx, `(() => { const v = document.querySelector("video"); return "currentTime=" + v.currentTime + " readyState=" + v.readyState + " error=" + (v.error && v.error.message); })()`)
			t.Fatalf("the video does not play: %v (%s)", err, st)
		}
		// Seeking: jump to 4 s.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const v = document.querySelector("video"); if (v.currentTime < 3.5) v.currentTime = 4; return v.currentTime >= 4; })()`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("the video does not seek: %v", err)
		}
		sh.take(ctx, "06-lens-video")
	})
	t.Run("pool quote", func(t *testing.T) {
		open(t, ctx, s.web+"/pool/"+s.pool)
		wantText(t, "pool", text(t, ctx, "main"), "10000 "+s.acme, "4000 RIFF", "0.4 RIFF per "+s.acme, "30 basis points", "riffchain tx pool swap "+s.pool)
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#quote-form input[name=in]"), "100"), chromedp.Submit(chromedp.CSS("#quote-form input[name=in]")),
			chromedp.WaitVisible(chromedp.CSS("#quote"))); err != nil {
			t.Fatal(err)
		}
		q := text(t, ctx, "#quote")
		wantText(t, "quote", q, "Pay 100 "+s.acme, "RIFF", s.pool)
		sh.take(ctx, "07-pool-quote")
	})
	t.Run("tx, block, search", func(t *testing.T) {
		open(t, ctx, s.web+"/tx/"+s.txhash)
		wantText(t, "tx", text(t, ctx, "main"), "minted 1000000 "+s.acme, "ok", s.alice)
		sh.take(ctx, "08-tx")
		h := text(t, ctx, "main a[href^='/block/']")
		open(t, ctx, s.web+"/block/"+h)
		wantText(t, "block", text(t, ctx, "main"), "Block "+h, "minted 1000000 "+s.acme)
		sh.take(ctx, "09-block")
		open(t, ctx, s.web+"/")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("input[name=q]"), "lens-b"), chromedp.Submit(chromedp.CSS("input[name=q]")),
			chromedp.WaitVisible(chromedp.CSS("#lens-handle"))); err != nil {
			t.Fatal(err)
		}
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/lens/lens-b") {
			t.Fatalf("search lens-b went to %s", loc)
		}
		open(t, ctx, s.web+"/search?q=nothing-called-this")
		wantText(t, "search miss", text(t, ctx, "main"), "Nothing on this chain is called")
		sh.take(ctx, "10-search")
	})
	t.Run("verified in the browser, not verified through a lying proxy", func(t *testing.T) {
		res := verifyResult(t, ctx, s.web+"/account/"+s.alice)
		if !res.ok || res.text != "verified" {
			t.Fatalf("honest node: %q (%s)", res.text, res.detail)
		}
		wasm := wasmSize(t, s.web)
		t.Logf("verifier: %d bytes gzipped; load %s ms, fetch %s ms, verify %s ms", wasm, res.loadMs, res.fetchMs, res.verifyMs)
		fmt.Fprintf(os.Stderr, "browser verifier: %d bytes gzipped, load %s ms, fetch %s ms, verify %s ms\n", wasm, res.loadMs, res.fetchMs, res.verifyMs)
		sh.take(ctx, "11-account-verified")
		// Every value the verifier covers carries a ✓, none is struck out.
		for _, p := range []struct{ page, proven string }{
			{"/account/" + s.alice, "#nonce .proven, #balances .proven, #lenses .proven, #agreements .proven"},
			{"/account/" + s.bob, "#roles-held .proven, #collectives .proven"},
			{"/asset/" + s.acme, "#asset-facts .proven, #holders .proven"},
			{"/asset/LENS", "#asset-facts .proven, #holders td.items.proven"},
			{"/agreement/" + s.agreement, "#agreement-facts .proven, #parties .proven, #obligations .proven, #timeline .proven"},
			{"/lens/lens-a", "#lens-facts .proven, #roles .proven, #follows .proven, #entries .proven"},
			{"/pool/" + s.pool, "#pool-facts .proven"},
		} {
			if p.page != "/account/"+s.alice {
				res = verifyResult(t, ctx, s.web+p.page)
				if !res.ok || res.text != "verified" {
					t.Errorf("honest node, %s: %q (%s)", p.page, res.text, res.detail)
				}
			}
			fmt.Fprintf(os.Stderr, "browser verifier, %s: fetch %s ms, verify %s ms\n", p.page, res.fetchMs, res.verifyMs)
			n := eval[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, p.proven))
			bad := eval[int](t, ctx, `document.querySelectorAll(".unproven, .claim-bad").length`)
			if n < 4 || bad != 0 {
				t.Errorf("%s: %d values marked proven, %d not", p.page, n, bad)
			}
			if strings.HasPrefix(p.page, "/lens/") || strings.HasPrefix(p.page, "/pool/") || p.page == "/account/"+s.bob {
				sh.take(ctx, "11-"+strings.Split(p.page, "/")[1]+"-verified")
			}
		}
		var acc struct {
			Nonce    uint64                            `json:"nonce"`
			Balances []struct{ Asset, Display string } `json:"balances"`
		}
		getJSON(t, s.web+"/api/v1/account/"+s.alice, &acc)
		var shown string
		for _, b := range acc.Balances {
			if b.Asset == s.acme {
				shown = b.Display
			}
		}
		var pool struct {
			ReserveB string `json:"reserve_b_display"`
			Price    string `json:"price_display"`
		}
		getJSON(t, s.web+"/api/v1/pool/"+s.pool, &pool)
		var asset struct {
			Supply string `json:"supply_display"`
		}
		getJSON(t, s.web+"/api/v1/asset/"+s.acme, &asset)
		// Each lie: the page, what the proxy says instead of what, and
		// whether it lies in the page's text only (the JSON and proofs
		// stay honest); the value that must be struck out ("" = none:
		// the lie is in the proofs or the header).
		lies := []struct {
			mode, page, from, to string
			textOnly             bool
			struck               string
		}{
			{"amount", "/account/" + s.alice, `data-f="amount">` + shown + "<", `data-f="amount">1` + shown + "<", true, "#balances"},
			{"nonce", "/account/" + s.alice, fmt.Sprintf(`data-f="nonce">%d<`, acc.Nonce), fmt.Sprintf(`data-f="nonce">%d<`, acc.Nonce+1), true, "#nonce"},
			{"key", "/account/" + s.alice, "", "", false, ""},
			{"height", "/account/" + s.alice, "", "", false, ""},
			{"holder", "/asset/" + s.acme, s.bob, s.alice, false, "#holders"},
			{"item", "/asset/LENS", ">lens-b<", ">lens-c<", true, "#holders"},
			{"supply", "/asset/" + s.acme, ">" + asset.Supply + " ", ">1" + asset.Supply + " ", true, "#asset-facts"},
			{"status", "/agreement/" + s.agreement, "completed", "disputed", false, "#agreement-facts"},
			{"owner", "/lens/lens-a", s.alice, s.bob, false, "#lens-facts"},
			{"follow", "/lens/lens-a", `data-f="weight">80%<`, `data-f="weight">90%<`, true, "#follows"},
			{"entry", "/lens/lens-a", ">Bee notes<", ">Bee news<", true, "#entries"},
			{"role", "/account/" + s.bob, `data-f="role">moderator<`, `data-f="role">admin<`, true, "#roles-held"},
			{"reserve", "/pool/" + s.pool, ">" + pool.ReserveB + "<", ">1" + pool.ReserveB + "<", true, "#pool-facts"},
			{"price", "/pool/" + s.pool, ">" + pool.Price + "<", ">9" + pool.Price + "<", true, "#pool-facts"},
		}
		for _, l := range lies {
			mode := l.mode
			proxy := lyingWebProxy(t, s.web, mode, l.from, l.to, l.textOnly)
			res := verifyResult(t, ctx, proxy+l.page)
			if res.ok || res.text != "not verified" {
				t.Errorf("proxy lying about the %s: %q (%s)", mode, res.text, res.detail)
			}
			if c := eval[string](t, ctx, `getComputedStyle(document.getElementById("verify")).color`); c != "rgb(179, 38, 30)" {
				t.Errorf("proxy lying about the %s: \"not verified\" is %s, not red", mode, c)
			}
			if l.struck != "" {
				// The lying value itself is struck out, in red, with "not verified" beside it.
				js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); const b = document.querySelector(%q);
					return !!e && !!b && getComputedStyle(e).color === "rgb(179, 38, 30)" && b.innerText.startsWith("not verified"); })()`,
					l.struck+" .unproven", l.struck+" .claim-bad")
				if !eval[bool](t, ctx, js) {
					t.Errorf("proxy lying about the %s: the value is not marked \"not verified\" in %s", mode, l.struck)
				}
			}
			t.Logf("lie about the %s: %s", mode, res.detail)
			sh.take(ctx, "12-not-verified-"+mode)
		}
	})
	t.Run("pages name their height and JSON", func(t *testing.T) {
		for _, p := range []string{"/", "/account/" + s.alice, "/asset/" + s.acme, "/agreement/" + s.agreement, "/lens/lens-a", "/pool/" + s.pool} {
			open(t, ctx, s.web+p)
			hs := eval[string](t, ctx, `document.querySelector("#shown-height").dataset.height`)
			h, err := strconv.ParseInt(hs, 10, 64)
			if err != nil || h < 2 {
				t.Errorf("%s: height %q", p, hs)
			}
			href := eval[string](t, ctx, `document.querySelector("#json-link").getAttribute("href")`)
			var m map[string]any
			getJSON(t, s.web+href+sep(href)+"height="+hs, &m)
			if fmt.Sprint(m["height"]) != hs {
				t.Errorf("%s: JSON at height %s says height %v", p, hs, m["height"])
			}
		}
	})
}

// waitJS evaluates js until it is true (errors, as while the page
// navigates, count as false) or timeout passes.
func waitJS(ctx context.Context, js string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

// checkOpenAPI fetches every API path of the scenario and checks each
// answer against the OpenAPI document in spec/api.md.
func checkOpenAPI(t *testing.T, s *webScenario) {
	doc, err := apicheck.LoadMarkdown("../../spec/api.md")
	if err != nil {
		t.Fatal(err)
	}
	var blk struct {
		Height int64 `json:"height"`
	}
	getJSON(t, s.web+"/api/v1/tx/"+s.txhash, &blk)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/api/v1/overview", 200},
		{"/api/v1/overview?prove=true", 200},
		{"/api/v1/account/" + s.alice + "?prove=true", 200},
		{"/api/v1/account/" + s.bob, 200},
		{"/api/v1/asset/" + s.acme + "?limit=1", 200},
		{"/api/v1/asset/RIFF", 200},
		{"/api/v1/asset/LENS", 200},
		{"/api/v1/agreement/" + s.agreement + "?prove=true", 200},
		{"/api/v1/lens/lens-a?prove=true", 200},
		{"/api/v1/lens/lens-a?depth=1&w.lens-b=100000&tag=film&kind=video", 200},
		{"/api/v1/lens/lens-c", 200},
		{"/api/v1/pool/" + s.pool + "?in=100&asset_in=" + s.acme + "&asset_out=RIFF", 200},
		{"/api/v1/quote?out=1&asset_out=RIFF&asset_in=" + s.acme, 200},
		{"/api/v1/tx/" + s.txhash, 200},
		{"/api/v1/block/" + strconv.FormatInt(blk.Height, 10), 200},
		{"/api/v1/search?q=lens-b", 200},
		{"/api/v1/light/3", 200},
		{"/api/v1/search?q=nothing-called-this", 200},
		{"/api/v1/lens/nope", 404},
		{"/api/v1/account/riff1nope", 400},
		{"/api/v1/asset/" + s.acme + "?limit=1000", 400},
	} {
		res, err := http.Get(s.web + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.path, res.StatusCode, c.status, body)
			continue
		}
		if err := doc.Check(strings.SplitN(c.path, "?", 2)[0], res.StatusCode, body); err != nil {
			t.Errorf("%v\n%s", err, body)
		}
	}
}

// verdict is what the page's verifier showed.
type verdict struct {
	ok                        bool
	text, detail              string
	loadMs, fetchMs, verifyMs string
}

// verifyResult opens an account page and waits for its verifier.
func verifyResult(t *testing.T, ctx context.Context, url string) verdict {
	t.Helper()
	open(t, ctx, url)
	if !waitJS(ctx, `(() => { const v = document.getElementById("verify"); return !!v && /\b(ok|fail)\b/.test(v.className); })()`, 60*time.Second) {
		t.Fatalf("%s: the verifier gave no verdict: %q", url, text(t, ctx, "#verify"))
	}
	var v verdict
	v.ok = eval[bool](t, ctx, `document.getElementById("verify").classList.contains("ok")`)
	v.text = text(t, ctx, "#verify")
	v.detail = eval[string](t, ctx, `document.getElementById("verify").title`)
	v.loadMs = eval[string](t, ctx, `document.getElementById("verify").dataset.loadMs || ""`)
	v.fetchMs = eval[string](t, ctx, `document.getElementById("verify").dataset.fetchMs || ""`)
	v.verifyMs = eval[string](t, ctx, `document.getElementById("verify").dataset.verifyMs || ""`)
	return v
}

func wasmSize(t *testing.T, web string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", web+"/static/verify.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Type") != "application/wasm" || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("verifier served as %q %q", res.Header.Get("Content-Type"), res.Header.Get("Content-Encoding"))
	}
	return len(b)
}

// lyingWebProxy serves the explorer at target through lies: "key" moves
// the RIFF balance's proof to another key; "height" answers every signed
// header request with the header of the height before; any other mode
// says to wherever the node said from (an amount, a holder, a status, an
// owner), in pages only (textOnly: what the person reads) or in pages and
// JSON alike.
func lyingWebProxy(t *testing.T, target, mode, from, to string, textOnly bool) string {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	director := rp.Director
	rp.Director = func(r *http.Request) {
		director(r)
		r.Header.Del("Accept-Encoding")
		if mode == "height" && strings.HasPrefix(r.URL.Path, "/api/v1/light/") {
			if n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/api/v1/light/")); err == nil {
				r.URL.Path = "/api/v1/light/" + strconv.Itoa(n-1)
			}
		}
	}
	rp.ModifyResponse = func(res *http.Response) error {
		if strings.HasPrefix(res.Request.URL.Path, "/static/") {
			return nil
		}
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		res.Body.Close()
		switch mode {
		case "key":
			if strings.HasPrefix(res.Request.URL.Path, "/api/v1/account/") {
				b = bytes.ReplaceAll(b, []byte(hex.EncodeToString([]byte("RIFF"))+`"`), []byte(hex.EncodeToString([]byte("RIFG"))+`"`))
			}
		case "height":
		default: // say to instead of from
			if !textOnly || strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				b = bytes.ReplaceAll(b, []byte(from), []byte(to))
			}
		}
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
		res.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
