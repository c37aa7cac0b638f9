package content

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGateway(t *testing.T) {
	ctx := context.Background()
	s, _ := NewMemory(ProfileDefault)
	data := vectorData("gateway", 600000) // 3 chunks: ranges cross blocks
	fc, err := s.Add(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	html := []byte("<!DOCTYPE html><html><body>hi</body></html>")
	hc, _ := s.Add(ctx, bytes.NewReader(html))
	dc, err := s.AddPath(ctx, writeVectorDir(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mustGateway(t, s, GatewayOptions{}))
	defer srv.Close()

	get := func(method, path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}

	t.Run("whole file", func(t *testing.T) {
		resp, body := get("GET", "/ipfs/"+fc.String(), nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, data) {
			t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
		}
		if et := resp.Header.Get("Etag"); et != `"`+fc.String()+`"` {
			t.Fatalf("ETag %q", et)
		}
		if resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("headers %v", resp.Header)
		}
	})
	t.Run("ranges", func(t *testing.T) {
		for _, tc := range []struct {
			rng        string
			start, end int // inclusive
		}{
			{"bytes=0-9", 0, 9},
			{"bytes=262140-262150", 262140, 262150}, // across the first leaf boundary
			{"bytes=599990-", 599990, 599999},
			{"bytes=-5", 599995, 599999},
		} {
			resp, body := get("GET", "/ipfs/"+fc.String(), map[string]string{"Range": tc.rng})
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[tc.start:tc.end+1]) {
				t.Errorf("%s: status %d, body %d bytes", tc.rng, resp.StatusCode, len(body))
			}
		}
		resp, _ := get("GET", "/ipfs/"+fc.String(), map[string]string{"Range": "bytes=700000-"})
		if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
			t.Errorf("unsatisfiable range: status %d", resp.StatusCode)
		}
		// Like kubo, only the first of several ranges is served.
		resp, body := get("GET", "/ipfs/"+fc.String(), map[string]string{"Range": "bytes=0-1,10-11"})
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[:2]) {
			t.Errorf("multi-range: status %d, body %q", resp.StatusCode, body)
		}
	})
	t.Run("conditional", func(t *testing.T) {
		resp, body := get("GET", "/ipfs/"+fc.String(), map[string]string{"If-None-Match": `"` + fc.String() + `"`})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Fatalf("If-None-Match: status %d", resp.StatusCode)
		}
	})
	t.Run("sniffing and names", func(t *testing.T) {
		resp, _ := get("GET", "/ipfs/"+hc.String(), nil)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("sniffed type %q", ct)
		}
		resp, body := get("GET", "/ipfs/"+dc.String()+"/a.txt", nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || len(body) != 1000 {
			t.Fatalf("a.txt: status %d type %q len %d", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		resp, body = get("HEAD", "/ipfs/"+dc.String()+"/sub/b.bin", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != "300000" || len(body) != 0 {
			t.Fatalf("HEAD b.bin: status %d len %q", resp.StatusCode, resp.Header.Get("Content-Length"))
		}
	})
	t.Run("directory listing", func(t *testing.T) {
		resp, body := get("GET", "/ipfs/"+dc.String()+"/sub", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("b.bin")) || !bytes.Contains(body, []byte("empty")) {
			t.Fatalf("listing: status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			method, path string
			code         int
		}{
			{"GET", "/ipfs/" + RawCID([]byte("unknown")).String(), 404},
			{"GET", "/ipfs/" + dc.String() + "/nope", 404},
			{"GET", "/ipfs/" + dc.String() + "/a.txt/deeper", 404},
			{"GET", "/ipfs/bafy-not-a-cid", 400},
			{"GET", "/ipfs/", 400},
			{"GET", "/elsewhere", 404},
			{"POST", "/ipfs/" + fc.String(), 405},
		} {
			resp, _ := get(tc.method, tc.path, nil)
			if resp.StatusCode != tc.code {
				t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.code)
			}
		}
	})
}

func mustGateway(t testing.TB, s Store, o GatewayOptions) http.Handler {
	t.Helper()
	h, err := NewGateway(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
