package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/bytes"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// Server-side render time of pages, as p50/p99 over b.N requests served
// by the explorer's handler (no network): go test ./app/web -run XXX
// -bench Render -benchtime 1000x. Targets (issue 18): a Lens page over the
// 1,000 × 100 graph at depth 2, first page, p99 < 50 ms; the overview
// p99 < 20 ms.

// appChain answers ABCI queries straight from an App (what the node's
// local client does, minus CometBFT); the Lens page needs nothing else.
type appChain struct {
	Chain // other calls are not used and would panic
	a     *app.App
}

func (c appChain) ABCIQueryWithOptions(ctx context.Context, path string, _ bytes.HexBytes, o rpcclient.ABCIQueryOptions) (*coretypes.ResultABCIQuery, error) {
	res, err := c.a.Query(ctx, &abci.RequestQuery{Path: path, Height: o.Height, Prove: o.Prove})
	if err != nil {
		return nil, err
	}
	return &coretypes.ResultABCIQuery{Response: *res}, nil
}

// timeRequests serves path b.N times and reports p50 and p99 in ms.
func timeRequests(b *testing.B, h http.Handler, path string) {
	b.Helper()
	timePaths(b, h, path, func(int) string { return path })
}

// timePaths serves pathOf(i) for i < b.N and reports p50 and p99 in ms
// under the name shown.
func timePaths(b *testing.B, h http.Handler, shown string, pathOf func(i int) string) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, httptest.NewRequest("GET", pathOf(i), nil))
		d = append(d, time.Since(t0))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", pathOf(i), rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	// CPU time of the whole process (GC included) per request: unlike wall
	// time, it does not grow when other processes hold the cores.
	cpuMs := float64((cpuTime() - cpu0).Microseconds()) / 1000 / float64(b.N)
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	p := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(cpuMs, "cpu-ms/op")
	fmt.Printf("%s: %s over %d requests: p50 %.2f ms, p99 %.2f ms, CPU %.2f ms a request\n", b.Name(), shown, len(d), p(0.5), p(0.99), cpuMs)
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkRenderLensPage(b *testing.B) {
	tree, err := ledger.OpenTree("", "bench")
	if err != nil {
		b.Fatal(err)
	}
	k := lens.New(ledger.New(tree, nil))
	owner := func(i int) ledger.Address { return ledger.DeriveAddress("web-bench", []byte{byte(i % 250)}) }
	if err := lens.BenchGraph(k, 1000, 100, 10, owner); err != nil {
		b.Fatal(err)
	}
	if _, _, err := tree.Commit(); err != nil {
		b.Fatal(err)
	}
	s, err := New(appChain{a: app.New(tree, "bench", nil)}, Config{ChainID: "bench", GatewayAddr: "127.0.0.1:8080"})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	// Warm: the same page again at the same height (its view answer comes
	// from the explorer's per-height answer cache after the first).
	b.Run("depth2-first-page", func(b *testing.B) { timeRequests(b, h, "/lens/lens-0000?depth=2") })
	// Cold: every request another question (a weight no one asked
	// before), so the view is computed every time.
	b.Run("depth2-first-page-uncached", func(b *testing.B) {
		timePaths(b, h, "/lens/lens-0000?depth=2&w.lens-0031=N", func(i int) string {
			return fmt.Sprintf("/lens/lens-0000?depth=2&w.lens-0031=%d", 500000+i%500000)
		})
	})
	b.Run("depth2-reweighted", func(b *testing.B) {
		timeRequests(b, h, "/lens/lens-0000?depth=2&w.lens-0031=0&w.lens-0097=1000000&kind=video")
	})
	b.Run("depth2-json", func(b *testing.B) { timeRequests(b, h, "/api/v1/lens/lens-0000?depth=2") })
}

func BenchmarkRenderOverview(b *testing.B) {
	tn := startTestNode(b, Config{})
	for i := 0; i < 10; i++ { // txs for the overview to put into words
		tn.send(b, "transfer", ledger.MsgTransfer{To: tn.addr, Asset: app.NativeAsset, Amount: ptr(ledger.NewAmount(uint64(i + 1)))})
	}
	srv, err := New(tn.chain, Config{ChainID: "riff-web"})
	if err != nil {
		b.Fatal(err)
	}
	timeRequests(b, srv.Handler(), "/")
}
