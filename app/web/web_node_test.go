package web

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/rpc/client/local"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/app/testnode"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// testNode is a one-validator chain run in-process, its explorer served
// by httptest over the node's local client, and a funded key.
type testNode struct {
	node  *app.Node
	chain Chain // the node's local client
	rpc   *client.Client
	web   *httptest.Server
	priv  ed25519.PrivateKey
	addr  ledger.Address
}

func startTestNode(t testing.TB, cfg Config) *testNode {
	t.Helper()
	n := testnode.Start(t, testnode.Options{ChainID: "riff-web", KeySeed: "web-test", Balance: 5_000_000,
		TimeoutCommit: 100 * time.Millisecond, MinHeight: 2})
	tn := &testNode{node: n.Node, priv: n.Key, addr: n.Addr}
	var err error
	if tn.rpc, err = client.New(n.RPC); err != nil {
		t.Fatal(err)
	}
	cfg.ChainID = "riff-web"
	tn.chain = local.New(tn.node.CMT)
	srv, err := New(tn.chain, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tn.web = httptest.NewServer(srv.Handler())
	t.Cleanup(tn.web.Close)
	return tn
}

// send signs and commits one tx of msgs from the funded key.
func (tn *testNode) send(t testing.TB, typ string, value any) *client.TxResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := client.NewMsg(typ, value)
	if err != nil {
		t.Fatal(err)
	}
	body, err := tn.rpc.BuildBody(ctx, tn.addr, []app.Msg{m}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tn.rpc.SignAndBroadcast(ctx, body, tn.priv, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return res
}

// get fetches path and returns status, headers and body.
func (tn *testNode) get(t *testing.T, path string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", tn.web.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestExplorerPagesAndAPI(t *testing.T) {
	tn := startTestNode(t, Config{GatewayAddr: "127.0.0.1:9"})
	tx := tn.send(t, "transfer", ledger.MsgTransfer{To: tn.addr, Asset: app.NativeAsset, Amount: ptr(ledger.NewAmount(2_500_000))})
	evil := `<script>alert("x")</script>`
	tn.send(t, lens.TypeCreate, lens.MsgCreate{Handle: "webtest", Name: evil})
	tn.send(t, lens.TypeCreate, lens.MsgCreate{Handle: "other", Name: "Other"})
	tn.send(t, lens.TypeFollow, lens.MsgFollow{Lens: "webtest", Target: "other", Weight: 250000})
	tn.send(t, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "webtest", CID: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", Kind: "video", Title: "clip " + evil})
	me := tn.addr.String()

	t.Run("overview", func(t *testing.T) {
		code, h, body := tn.get(t, "/")
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "media-src 'self' http://127.0.0.1:9") {
			t.Fatalf("CSP %q", csp)
		}
		for _, want := range []string{"riff-web", "Validators", "transferred 2.5 RIFF to", `href="/api/v1/overview"`} {
			if !strings.Contains(body, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<script>\n") {
			t.Fatal("overview carries an inline script")
		}
	})
	t.Run("account json at height with proofs", func(t *testing.T) {
		code, _, body := tn.get(t, "/api/v1/account/"+me+"?prove=true")
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		var a Account
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			t.Fatal(err)
		}
		if a.Address != me || a.Nonce != 5 || len(a.Balances) != 2 || a.Balances[1].Display != "5 RIFF" || a.Balances[0].Display != "2 LENS" || a.Height < tx.Height {
			t.Fatalf("account %+v", a)
		}
		if len(a.Lenses) != 2 || a.Lenses[1] != "webtest" || len(a.Txs) != 5 {
			t.Fatalf("lenses %v txs %d", a.Lenses, len(a.Txs))
		}
		if len(a.Proofs) < 3 || len(a.Proofs[0].Ops) != 1 || a.Proofs[0].Ops[0].Type != app.ProofOpType {
			t.Fatalf("proofs %+v", a.Proofs)
		}
		_, _, old := tn.get(t, "/api/v1/account/"+me+"?height=1")
		var o Account
		_ = json.Unmarshal([]byte(old), &o)
		if o.Height != 1 || o.Nonce != 0 || len(o.Lenses) != 0 {
			t.Fatalf("at height 1: %s", old)
		}
	})
	t.Run("escaped everywhere", func(t *testing.T) {
		code, _, body := tn.get(t, "/lens/webtest")
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Fatal("a Lens name is not escaped")
		}
		if !strings.Contains(body, "other</a> with weight <span data-f=\"weight\">25%</span>") || !strings.Contains(body, `name="w.other"`) {
			t.Fatal("the follow and its re-weight control are not shown")
		}
		if !strings.Contains(body, `<video controls preload="metadata" src="http://127.0.0.1:9/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy">`) {
			t.Fatal("the video entry does not play from the gateway")
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			path string
			code int
		}{
			{"/api/v1/lens/nope", 404}, {"/lens/nope", 404}, {"/api/v1/account/riff1bad", 400},
			{"/api/v1/lens/webtest?w.a=2000000", 400}, {"/api/v1/asset/RIFF?limit=1000", 400},
			{"/api/v1/overview?height=x", 400}, {"/api/v1/nothing", 404}, {"/api/v1/block/999999", 404},
			{"/api/v1/tx/" + tx.TxHash, 200}, {"/api/v1/asset/RIFF", 200}, {"/block/1", 200},
		} {
			code, h, body := tn.get(t, c.path)
			if code != c.code {
				t.Errorf("%s: status %d, want %d: %s", c.path, code, c.code, body)
			}
			if strings.HasPrefix(c.path, "/api/") && !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("%s: content type %q", c.path, h.Get("Content-Type"))
			}
		}
	})
	t.Run("search", func(t *testing.T) {
		for q, want := range map[string]string{"webtest": "/lens/webtest", "RIFF": "/asset/RIFF", me: "/account/" + me, "3": "/block/3", tx.TxHash: "/tx/" + tx.TxHash} {
			_, _, body := tn.get(t, "/api/v1/search?q="+q)
			var r SearchResult
			_ = json.Unmarshal([]byte(body), &r)
			if r.URL != want {
				t.Errorf("search %q: %s, want %s", q, body, want)
			}
		}
	})
	t.Run("cors off by default", func(t *testing.T) {
		_, h, _ := tn.get(t, "/api/v1/overview", "Origin", "http://elsewhere.example")
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Fatal("CORS header without configuration")
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestCORSConfigured(t *testing.T) {
	s, err := New(nil, Config{CORSOrigins: []string{"http://ok.example"}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	for origin, want := range map[string]string{"http://ok.example": "http://ok.example", "http://evil.example": ""} {
		req := httptest.NewRequest("GET", "/api/v1/nothing", nil)
		req.Header.Set("Origin", origin)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("origin %s: allowed %q, want %q", origin, got, want)
		}
	}
}
