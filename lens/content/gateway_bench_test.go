package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkGatewayGet100MB reads a 100 MB file back through the node's
// HTTP gateway (a real loopback HTTP server, the whole body read and
// hashed by the client) from the default embedded store, and prints MB/s
// next to a plain SHA-256 pass over the same bytes in the same run (the
// ceiling: the gateway hashes every block once to verify it).
//
//	go test -run XXX -bench GatewayGet100MB -benchtime 3x ./lens/content/
func BenchmarkGatewayGet100MB(b *testing.B) {
	const size = 100_000_000
	data := benchData(size)
	s, err := OpenDisk(b.TempDir(), ProfileDefault)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, err := s.Add(context.Background(), bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	want := sha256.Sum256(data)
	srv := httptest.NewServer(mustGateway(b, s, GatewayOptions{}))
	defer srv.Close()
	var bestGet, bestSHA float64
	for b.Loop() {
		t0 := time.Now()
		_ = sha256.Sum256(data)
		bestSHA = max(bestSHA, mbps(size, time.Since(t0)))
		t0 = time.Now()
		resp, err := http.Get(srv.URL + "/ipfs/" + c.String())
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, resp.Body)
		resp.Body.Close()
		if err != nil || n != size || resp.StatusCode != http.StatusOK || !bytes.Equal(h.Sum(nil), want[:]) {
			b.Fatalf("GET: %d bytes, status %d, %v", n, resp.StatusCode, err)
		}
		bestGet = max(bestGet, mbps(size, time.Since(t0)))
	}
	b.ReportMetric(bestSHA, "sha256_MB/s")
	b.ReportMetric(bestGet, "http_get_MB/s")
	b.Log(fmt.Sprintf("gateway GET of 100 MB (best of %d): %.1f MB/s; sha256 %.1f MB/s; ratio %.2f", b.N, bestGet, bestSHA, bestGet/bestSHA))
}

func mbps(n int, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }
