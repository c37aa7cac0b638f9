package content

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/boxo/blockstore"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ds "github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
)

func gwDo(t *testing.T, h http.Handler, method, url string, hdr map[string]string) (*http.Response, []byte, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(method, srv.URL+url, nil)
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// TestGatewayRangeLimits is issue 14's Range amplification case: 50,000
// one-byte ranges in one request are refused (416) before any content is
// looked up, as are overlapping ranges; a few disjoint ranges are served
// (the first one, like kubo).
func TestGatewayRangeLimits(t *testing.T) {
	ctx := context.Background()
	s, _ := NewMemory(ProfileDefault)
	data := vectorData("ranges", 600000)
	fc, _ := s.Add(ctx, bytes.NewReader(data))
	h := mustGateway(t, s, GatewayOptions{MaxRanges: 16})
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("bytes=")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%d-%d", i, i)
		}
		return b.String()
	}
	// A CID the store does not hold: a 416 (not 404) shows the refusal
	// came before any block was looked up.
	absent := RawCID([]byte("absent")).String()
	for _, tc := range []struct {
		name, cid, rng string
		code           int
		body           []byte
	}{
		{"50,000 one-byte ranges", absent, many(50000), http.StatusRequestedRangeNotSatisfiable, nil},
		{"17 ranges", fc.String(), many(17), http.StatusRequestedRangeNotSatisfiable, nil},
		{"16 ranges", fc.String(), many(16), http.StatusPartialContent, data[:1]},
		{"overlapping", absent, "bytes=0-100,50-60", http.StatusRequestedRangeNotSatisfiable, nil},
		{"same range twice", absent, "bytes=5-5,5-5", http.StatusRequestedRangeNotSatisfiable, nil},
		{"open-ended overlap", absent, "bytes=10-,100-200", http.StatusRequestedRangeNotSatisfiable, nil},
		{"disjoint", fc.String(), "bytes=10-19,100-200", http.StatusPartialContent, data[10:20]},
		{"one range", fc.String(), "bytes=599990-", http.StatusPartialContent, data[599990:]},
	} {
		t0 := time.Now()
		resp, body, _ := gwDo(t, h, "GET", "/ipfs/"+tc.cid, map[string]string{"Range": tc.rng})
		if resp.StatusCode != tc.code || (tc.body != nil && !bytes.Equal(body, tc.body)) {
			t.Errorf("%s: status %d, body %.60q", tc.name, resp.StatusCode, body)
		}
		t.Logf("%s: %d in %v", tc.name, resp.StatusCode, time.Since(t0))
	}
}

// TestGatewayOriginIsolation is issue 14's stored-script case: a page in a
// Lens folder never runs script on an origin shared with anything else.
// On the path gateway it is served with CSP sandbox (no script, opaque
// origin); on "localhost" /ipfs/CID redirects to the CID's own origin
// CID.ipfs.localhost, where the page runs as its own site.
func TestGatewayOriginIsolation(t *testing.T) {
	ctx := context.Background()
	d := filepath.Join(t.TempDir(), "site")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	evil := []byte("<!DOCTYPE html><script>fetch('/ipfs/').then(r=>r.text()).then(alert)</script>")
	if err := os.WriteFile(filepath.Join(d, "evil.html"), evil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := NewMemory(ProfileDefault)
	dc, err := s.AddPath(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	h := mustGateway(t, s, GatewayOptions{})

	// Path gateway on the node's address: sandboxed.
	resp, body, _ := gwDo(t, h, "GET", "/ipfs/"+dc.String()+"/evil.html", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, evil) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("path gateway: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("no CORS: %v", resp.Header)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != GatewayCSP {
		t.Fatalf("path gateway serves HTML without sandbox: CSP %q", csp)
	}
	// The directory listing and trustless responses are sandboxed too.
	for _, u := range []string{"/ipfs/" + dc.String() + "/", "/ipfs/" + dc.String() + "/evil.html?format=raw"} {
		resp, _, _ = gwDo(t, h, "GET", u, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != GatewayCSP {
			t.Errorf("%s: %d, CSP %q", u, resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
		}
	}
	// localhost: redirected to the CID's own origin.
	resp, _, _ = gwDo(t, h, "GET", "/ipfs/"+dc.String()+"/evil.html", map[string]string{"Host": "localhost:8080"})
	want := "http://" + dc.String() + ".ipfs.localhost:8080/evil.html"
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Fatalf("localhost: %d Location %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	// On its own origin the page is served as a site, without sandbox.
	resp, body, _ = gwDo(t, h, "GET", "/evil.html", map[string]string{"Host": dc.String() + ".ipfs.localhost:8080"})
	if resp.StatusCode != 200 || !bytes.Equal(body, evil) || resp.Header.Get("Content-Security-Policy") != "" {
		t.Fatalf("subdomain: %d CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	// A look-alike host is not an isolated origin.
	for _, host := range []string{"ipfs.localhost", "a.b.ipfs.localhost", dc.String() + ".ipfs.localhost.evil.example"} {
		resp, _, _ = gwDo(t, h, "GET", "/ipfs/"+dc.String()+"/evil.html", map[string]string{"Host": host})
		if resp.StatusCode == 200 && resp.Header.Get("Content-Security-Policy") != GatewayCSP {
			t.Errorf("host %s: HTML served without sandbox", host)
		}
	}
	// Only /ipfs/ is served: no IPNS, no DNSLink, nothing else.
	for _, u := range []string{"/ipns/en.wikipedia-on-ipfs.org/", "/", "/api/v0/add"} {
		resp, _, _ = gwDo(t, h, "GET", u, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
}

// TestGatewayCARLimit: a CAR of a DAG larger than the cap is refused with
// 410 before anything is sent; a CAR whose size boxo cannot tell in
// advance is cut at the cap, and the client sees a broken stream.
func TestGatewayCARLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := NewMemory(ProfileDefault)
	data := vectorData("car-limit", 3_000_000)
	fc, _ := s.Add(ctx, bytes.NewReader(data))
	h := mustGateway(t, s, GatewayOptions{MaxCARBytes: 1_000_000})
	resp, _, _ := gwDo(t, h, "GET", "/ipfs/"+fc.String()+"?format=car", nil)
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("whole CAR over the cap: %d, want 410", resp.StatusCode)
	}
	resp, body, err := gwDo(t, h, "GET", "/ipfs/"+fc.String()+"?format=car&dag-scope=entity&entity-bytes=0:*", nil)
	if resp.StatusCode != 200 || err == nil || len(body) > 1_000_000 {
		t.Fatalf("entity CAR over the cap: %d, %d bytes, read error %v", resp.StatusCode, len(body), err)
	}
	// Under the cap: served whole; deserialized responses are not capped.
	resp, body, err = gwDo(t, h, "GET", "/ipfs/"+fc.String()+"?format=car&dag-scope=entity&entity-bytes=0:100", nil)
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("small entity CAR: %d %v", resp.StatusCode, err)
	}
	resp, body, err = gwDo(t, h, "GET", "/ipfs/"+fc.String(), nil)
	if resp.StatusCode != 200 || err != nil || !bytes.Equal(body, data) {
		t.Fatalf("file: %d %v", resp.StatusCode, err)
	}
}

// blockingBlockstore holds every Get until release is closed.
type blockingBlockstore struct {
	blockstore.Blockstore
	release chan struct{}
	entered sync.Once
	in      chan struct{}
}

func (b *blockingBlockstore) Get(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	b.entered.Do(func() { close(b.in) })
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.Blockstore.Get(ctx, c)
}

func newBlockingStore(t *testing.T) (*blockingBlockstore, Store, blocks.Block) {
	t.Helper()
	mem := blockstore.NewBlockstore(dssync.MutexWrap(ds.NewMapDatastore()))
	b := RawBlock([]byte("slow"))
	if err := mem.Put(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	bs := &blockingBlockstore{Blockstore: mem, release: make(chan struct{}), in: make(chan struct{})}
	s, err := newDAGStore(bs, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	return bs, s, b
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestGatewayConcurrencyAndTimeout: beyond MaxConcurrent requests the
// gateway answers 429; a request that takes longer than RequestTimeout
// gets 504.
func TestGatewayConcurrencyAndTimeout(t *testing.T) {
	t.Run("concurrency", func(t *testing.T) {
		bs, s, b := newBlockingStore(t)
		srv := httptest.NewServer(mustGateway(t, s, GatewayOptions{MaxConcurrent: 1, RequestTimeout: time.Minute}))
		defer srv.Close()
		first := make(chan int, 1)
		go func() {
			resp, err := http.Get(srv.URL + "/ipfs/" + b.Cid().String())
			if err != nil {
				first <- 0
				return
			}
			resp.Body.Close()
			first <- resp.StatusCode
		}()
		<-bs.in // the first request is inside the store, and stays there
		if code := getStatus(t, srv.URL+"/ipfs/"+b.Cid().String()); code != http.StatusTooManyRequests {
			t.Fatalf("second concurrent request: %d, want 429", code)
		}
		close(bs.release)
		if code := <-first; code != 200 {
			t.Fatalf("first request: %d", code)
		}
		if code := getStatus(t, srv.URL+"/ipfs/"+b.Cid().String()); code != 200 {
			t.Fatalf("after release: %d", code)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		_, s, b := newBlockingStore(t) // never released
		srv := httptest.NewServer(mustGateway(t, s, GatewayOptions{RequestTimeout: 200 * time.Millisecond}))
		defer srv.Close()
		if code := getStatus(t, srv.URL+"/ipfs/"+b.Cid().String()); code != http.StatusGatewayTimeout {
			t.Fatalf("request past the timeout: %d, want 504", code)
		}
	})
}
