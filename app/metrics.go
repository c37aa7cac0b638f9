package app

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// App metrics (Prometheus), served on app.toml metrics_addr at /metrics.
// CometBFT's own metrics (consensus, p2p, mempool) are separate: config.toml
// [instrumentation]. Names are listed in spec/network.md "Metrics".

// MetricsNamespace prefixes every app metric name.
const MetricsNamespace = "riffchain"

// ErrMetrics is returned when the metrics endpoint cannot be started.
var ErrMetrics = errors.New("app metrics")

// Metrics are one App's Prometheus collectors, in their own registry (so
// several apps in one process, as in tests, do not collide): the app's own
// (txs, blocks, height, query latency) and those its modules declare
// (Module.Metrics).
type Metrics struct {
	Registry *prometheus.Registry

	Txs    *prometheus.CounterVec // by result code
	Blocks prometheus.Counter
	Height prometheus.Gauge
	// QueryLatency is abci_query handling time by route and result.
	QueryLatency *prometheus.HistogramVec

	modules []*EventMetrics // each module's, in list order
}

// EventMetrics are a module's metrics: its collectors, and Count, which
// sees every event of a finished block (of its successful txs and of the
// block's own steps) and moves them.
type EventMetrics struct {
	Collectors []prometheus.Collector
	Count      func(e abci.Event)
}

// newMetrics builds the collectors of the app and of mods, and their
// registry.
func newMetrics(mods []Module) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Txs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: MetricsNamespace, Name: "txs_total",
			Help: "Transactions executed in blocks, by ABCI result code (0 = success; spec/errors.md)."}, []string{"code"}),
		Blocks: prometheus.NewCounter(prometheus.CounterOpts{Namespace: MetricsNamespace, Name: "blocks_total",
			Help: "Blocks finalized by this node."}),
		Height: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: MetricsNamespace, Name: "block_height",
			Help: "Height of the last finalized block."}),
		QueryLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: MetricsNamespace,
			Name:      "query_duration_seconds",
			Help:      "abci_query handling time by route (first path segment) and result (ok or error).",
			Buckets:   []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
		}, []string{"route", "result"}),
	}
	m.Registry.MustRegister(m.Txs, m.Blocks, m.Height, m.QueryLatency)
	for _, mod := range mods {
		if mod.Metrics == nil {
			continue
		}
		em := mod.Metrics()
		m.Registry.MustRegister(em.Collectors...)
		m.modules = append(m.modules, em)
	}
	return m
}

// EnableMetrics starts counting for a (idempotent) and returns its metrics.
func EnableMetrics(a *App) *Metrics {
	a.metrics.CompareAndSwap(nil, newMetrics(a.mods.modules))
	return a.metrics.Load()
}

// MetricsOf returns a's metrics, or nil when they are not enabled.
func MetricsOf(a *App) *Metrics { return a.Metrics() }

// Metrics returns the app's metrics, or nil when they are not enabled.
func (a *App) Metrics() *Metrics { return a.metrics.Load() }

// MetricsHandler serves m in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// startMetricsServer is the node hook: with metrics_addr set it enables the
// app's metrics and serves them at http://metrics_addr/metrics. The
// listener is opened here so a busy address stops the node at start.
func startMetricsServer(a *App) error {
	addr := strings.TrimPrefix(a.Config.MetricsAddr, "tcp://")
	if addr == "" {
		return nil
	}
	m := EnableMetrics(a)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%w: listen on metrics_addr %s: %v", ErrMetrics, addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Logger().Error("app metrics server stopped", "addr", addr, "err", err)
		}
	}()
	a.Logger().Info("serving app metrics", "addr", "http://"+l.Addr().String()+"/metrics")
	return nil
}

// observeBlock counts a finished block's txs and module events.
func (m *Metrics) observeBlock(req *abci.RequestFinalizeBlock, resp *abci.ResponseFinalizeBlock) {
	m.Blocks.Inc()
	m.Height.Set(float64(req.Height))
	for _, r := range resp.TxResults {
		m.Txs.WithLabelValues(strconv.FormatUint(uint64(r.Code), 10)).Inc()
		if r.Code == CodeOK {
			m.countEvents(r.Events)
		}
	}
	m.countEvents(resp.Events)
}

func (m *Metrics) countEvents(evs []abci.Event) {
	for _, e := range evs {
		for _, em := range m.modules {
			em.Count(e)
		}
	}
}

// attr returns the value of e's attribute key ("" when absent).
func attr(e abci.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// observeQuery records a query's latency under its route; paths a's
// modules do not answer count as "unknown" so labels stay few.
func (m *Metrics) observeQuery(a *App, path string, took time.Duration, code uint32) {
	route := strings.TrimPrefix(path, "/")
	if i := strings.IndexAny(route, "/?"); i >= 0 {
		route = route[:i]
	}
	if _, ok := a.mods.queries[route]; !ok && route != simulatePath {
		route = "unknown"
	}
	result := "ok"
	if code != CodeOK {
		result = "error"
	}
	m.QueryLatency.WithLabelValues(route, result).Observe(took.Seconds())
}
