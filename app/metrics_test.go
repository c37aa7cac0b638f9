package app

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

// scrape fetches url and returns the value of every sample line
// ("name{labels} value") keyed by "name{labels}".
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
	}
	out := map[string]float64{}
	line := regexp.MustCompile(`^([a-z_]+(?:\{[^}]*\})?) (\S+)$`)
	for _, l := range strings.Split(string(b), "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			v, err := strconv.ParseFloat(m[2], 64)
			if err == nil {
				out[m[1]] = v
			}
		}
	}
	return out
}

func TestMetricsCountTxsSwapsQueries(t *testing.T) {
	c := newPoolChain(t)
	m := EnableMetrics(c.app)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	before := scrape(t, srv.URL)
	if before["riffchain_pool_swaps_total"] != 0 || before[`riffchain_txs_total{code="0"}`] != 0 {
		t.Fatalf("fresh metrics not zero: %v", before)
	}

	out := c.ok(c.alice, pools.TypeCreate, pools.MsgCreate{AssetA: c.buck, AssetB: c.acme,
		AmountA: ledger.NewAmount(4_000_000), AmountB: ledger.NewAmount(1_000_000), FeeBps: 30})
	pool := out["pool_id"]
	c.ok(c.bob, pools.TypeSwap, pools.MsgSwap{Path: []string{pool}, AssetIn: c.acme, AmountIn: amtp(10_000), MinOut: amtp(1)})
	c.ok(c.bob, pools.TypeSwap, pools.MsgSwap{Path: []string{pool}, AssetIn: c.buck, AmountIn: amtp(10_000), MinOut: amtp(1)})
	// Two failing txs in one block: more RIFF than bob has (code 16).
	too := ledger.NewAmount(1_000_000_000_000)
	res := c.block(c.tx(c.bob, mustMsg(t, "transfer", ledger.Move{To: c.alice.addr, Asset: NativeAsset, Amount: &too})),
		c.tx(c.alice, mustMsg(t, "transfer", ledger.Move{To: c.bob.addr, Asset: NativeAsset, Amount: &too})))
	for _, r := range res.TxResults {
		if r.Code != CodeInsufficient {
			t.Fatalf("overdraft tx: code %d %s, want %d", r.Code, r.Log, CodeInsufficient)
		}
	}
	for range 3 {
		if r := c.query("/pool/" + pool); r.Code != 0 {
			t.Fatalf("pool query: %d %s", r.Code, r.Log)
		}
	}
	c.query("/no-such-route/x")

	got := scrape(t, srv.URL)
	want := map[string]float64{
		`riffchain_txs_total{code="0"}`:  3,
		`riffchain_txs_total{code="16"}`: 2,
		`riffchain_pool_swaps_total`:     2,
		`riffchain_blocks_total`:         4,
		`riffchain_block_height`:         float64(c.height),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// Query latency is process-wide (other tests query too): at least ours.
	if n := got[`riffchain_query_duration_seconds_count{result="ok",route="pool"}`]; n < 3 {
		t.Errorf("pool query count %v, want >= 3", n)
	}
	if n := got[`riffchain_query_duration_seconds_count{result="error",route="unknown"}`]; n < 1 {
		t.Errorf("unknown-route query count %v, want >= 1", n)
	}
}

func agreementEvent(action, status string) abci.Event {
	return abci.Event{Type: "agreement", Attributes: []abci.EventAttribute{
		{Key: "id", Value: "ab"}, {Key: "status", Value: status}, {Key: "action", Value: action}}}
}

func TestMetricsAgreements(t *testing.T) {
	tests := []struct {
		name            string
		tx              []abci.Event // in a successful tx
		failed          []abci.Event // in a failed tx: never counted
		block           []abci.Event // end-block events
		settled, lapsed float64
	}{
		{name: "submit fully signed", tx: []abci.Event{agreementEvent("submit", "settled")}, settled: 1},
		{name: "submit partly signed", tx: []abci.Event{agreementEvent("submit", "proposed")}},
		{name: "last acceptance settles", tx: []abci.Event{agreementEvent("accept", "proposed"), agreementEvent("settle", "settled")}, settled: 1},
		{name: "attest on settled", tx: []abci.Event{agreementEvent("attest", "settled")}},
		{name: "lapse at end block", block: []abci.Event{agreementEvent("lapse", "lapsed"), agreementEvent("escrow_returned", "lapsed")}, lapsed: 1},
		{name: "failed tx", failed: []abci.Event{agreementEvent("settle", "settled")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(memTree(t), testChain, nil)
			m := EnableMetrics(a)
			resp := &abci.ResponseFinalizeBlock{
				TxResults: []*abci.ExecTxResult{{Code: 0, Events: tt.tx}, {Code: 16, Events: tt.failed}},
				Events:    tt.block,
			}
			m.observeBlock(&abci.RequestFinalizeBlock{Height: 7}, resp)
			srv := httptest.NewServer(m.Handler())
			defer srv.Close()
			got := scrape(t, srv.URL)
			if got["riffchain_agreements_settled_total"] != tt.settled || got["riffchain_agreements_lapsed_total"] != tt.lapsed {
				t.Errorf("settled %v lapsed %v, want %v %v", got["riffchain_agreements_settled_total"],
					got["riffchain_agreements_lapsed_total"], tt.settled, tt.lapsed)
			}
			if got[`riffchain_txs_total{code="16"}`] != 1 || got["riffchain_block_height"] != 7 {
				t.Errorf("txs/height wrong: %v", got)
			}
			var events float64
			for k, v := range got {
				if strings.HasPrefix(k, "riffchain_agreement_events_total") {
					events += v
				}
			}
			if want := float64(len(tt.tx) + len(tt.block)); events != want {
				t.Errorf("agreement events %v, want %v", events, want)
			}
		})
	}
}

func TestMetricsServer(t *testing.T) {
	// A busy metrics_addr stops the node at start.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	a := New(memTree(t), testChain, nil)
	a.Config.MetricsAddr = busy.Addr().String()
	if err := startMetricsServer(a); err == nil {
		t.Fatal("metrics server started on a busy address")
	}

	// Off when empty.
	b := New(memTree(t), testChain, nil)
	if err := startMetricsServer(b); err != nil || MetricsOf(b) != nil {
		t.Fatalf("empty metrics_addr: err %v, metrics %v", err, MetricsOf(b))
	}

	// Served at /metrics on a free port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	b.Config.MetricsAddr = "tcp://" + addr
	if err := startMetricsServer(b); err != nil {
		t.Fatal(err)
	}
	b.Metrics().observeBlock(&abci.RequestFinalizeBlock{Height: 3}, &abci.ResponseFinalizeBlock{
		TxResults: []*abci.ExecTxResult{{Code: 0}}})
	got := scrape(t, fmt.Sprintf("http://%s/metrics", addr))
	if got[`riffchain_txs_total{code="0"}`] != 1 || got["riffchain_block_height"] != 3 {
		t.Fatalf("served metrics: %v", got)
	}
}
