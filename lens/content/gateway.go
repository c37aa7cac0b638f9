package content

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/blockstore"
	"github.com/ipfs/boxo/gateway"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	"github.com/prometheus/client_golang/prometheus"
)

// Gateway limits: defaults of GatewayOptions (spec/content.md, section 4).
const (
	// DefaultGatewayMaxRanges is how many byte ranges one request may ask
	// for; more is refused with 416 before any content is read.
	DefaultGatewayMaxRanges = 16
	// DefaultGatewayMaxCARBytes caps a CAR or TAR response (1 GiB).
	DefaultGatewayMaxCARBytes = 1 << 30
	// DefaultGatewayMaxConcurrent is how many requests are served at once;
	// more get 429.
	DefaultGatewayMaxConcurrent = 256
	// DefaultGatewayRequestTimeout is the longest one request may take
	// (504 if no byte was sent yet, else the response is cut).
	// As kubo's default: long enough for a large download on a slow
	// link; a stalled one ends after GatewayRetrievalTimeout.
	DefaultGatewayRequestTimeout = time.Hour
	// GatewayRetrievalTimeout is the longest the gateway waits for the next
	// block while serving (boxo's RetrievalTimeout).
	GatewayRetrievalTimeout = 30 * time.Second
	// GatewayMaxHeaderBytes bounds a request's header block (the Range
	// header included); larger headers get 431 from net/http.
	GatewayMaxHeaderBytes = 64 << 10
)

// GatewayCSP is the Content-Security-Policy of every response served on a
// shared origin (the path gateway, /ipfs/CID on the node's host): the page
// renders, but no script runs and it has an opaque origin, so stored HTML
// can neither run script on the node's origin nor read other content as
// same-origin. Pages that need script are opened on their own origin, the
// subdomain gateway (http://CID.ipfs.localhost:PORT/).
const GatewayCSP = "sandbox"

// GatewayOptions tune NewGateway; zero fields take the defaults above.
type GatewayOptions struct {
	// SubdomainHosts are the host names (without port) served as subdomain
	// gateways, as kubo does for "localhost": http://HOST:PORT/ipfs/CID
	// redirects to http://CID.ipfs.HOST:PORT/, each CID its own browser
	// origin. nil means ["localhost"]; an empty non-nil slice means none.
	SubdomainHosts []string
	// MaxRanges is the number of byte ranges one request may list.
	MaxRanges int
	// MaxCARBytes caps CAR and TAR responses: a DAG known to be larger is
	// refused with 410 before anything is sent, and a stream that reaches
	// the cap anyway is cut (the client sees a truncated CAR).
	MaxCARBytes int64
	// MaxConcurrent is the number of requests served at once (429 beyond).
	MaxConcurrent int
	// RequestTimeout is the longest one request may take.
	RequestTimeout time.Duration
}

func (o GatewayOptions) withDefaults() GatewayOptions {
	if o.SubdomainHosts == nil {
		o.SubdomainHosts = []string{"localhost"}
	}
	if o.MaxRanges <= 0 {
		o.MaxRanges = DefaultGatewayMaxRanges
	}
	if o.MaxCARBytes <= 0 {
		o.MaxCARBytes = DefaultGatewayMaxCARBytes
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultGatewayMaxConcurrent
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultGatewayRequestTimeout
	}
	return o
}

// ErrGatewayBackend: the store cannot be served by the gateway.
var ErrGatewayBackend = errors.New("gateway backend")

// NewGateway returns the node's read-only IPFS HTTP gateway over s: boxo's
// gateway (the one kubo serves), so paths, headers and status codes are
// kubo's:
//
//   - path gateway: GET|HEAD /ipfs/{cid}[/path], UnixFS files (with HTTP
//     Range), directories (index.html or a listing), symlinks;
//   - trustless gateway: ?format=raw|car or Accept:
//     application/vnd.ipld.raw|car, with dag-scope and entity-bytes;
//   - subdomain gateway on opts.SubdomainHosts (origin isolation).
//
// Every block is read through the store's verifying blockstore, so a
// backend returning wrong bytes fails the request, never serves them.
// /ipns/ and DNSLink are not served. See GatewayOptions for the limits.
func NewGateway(s Store, opts GatewayOptions) (http.Handler, error) {
	ds, ok := s.(*dagStore)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not a block store", ErrGatewayBackend, s)
	}
	o := opts.withDefaults()
	// The gateway's own view of the store: the verifying blockstore, with
	// a verification failure answered 502 (the backend gave wrong bytes).
	bserv := blockservice.New(gatewayBlockstore{ds.vbs}, nil)
	backend, err := gateway.NewBlocksBackend(bserv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGatewayBackend, err)
	}
	public := make(map[string]*gateway.PublicGateway, len(o.SubdomainHosts))
	for _, h := range o.SubdomainHosts {
		public[h] = &gateway.PublicGateway{Paths: []string{"/ipfs"}, UseSubdomains: true, NoDNSLink: true, DeserializedResponses: true}
	}
	cfg := gateway.Config{
		DeserializedResponses: true,
		// X-Ipfs-Path, as the hand-written handler and kubo's clients
		// expect (boxo sends Ipfs-Uri too).
		DeprecatedXIpfsPath:   true,
		NoDNSLink:             true,
		PublicGateways:        public,
		RetrievalTimeout:      GatewayRetrievalTimeout,
		MaxConcurrentRequests: o.MaxConcurrent,
		MaxRequestDuration:    o.RequestTimeout,
		// Each handler gets its own registry: several gateways may run
		// in one process (tests), and the node does not export boxo's
		// metrics.
		MetricsRegistry: prometheus.NewRegistry(),
	}
	paths := http.NewServeMux()
	paths.Handle("/ipfs/", gateway.NewHandler(cfg, backend))
	// CAR and TAR requests for a whole DAG go through a second handler
	// that refuses DAGs larger than the cap up front (boxo measures the
	// DAG from its root block).
	carCfg := cfg
	carCfg.MaxUnixFSDAGResponseSize = o.MaxCARBytes
	carCfg.MetricsRegistry = prometheus.NewRegistry()
	carPaths := http.NewServeMux()
	carPaths.Handle("/ipfs/", gateway.NewHandler(carCfg, backend))
	// CORS as kubo sets it: any origin may read public content (the
	// explorer embeds and fetches from here).
	cors := gateway.NewHeaders(nil).ApplyCors().WithDeprecatedXIpfsPath()
	g := &gatewayLimits{
		opts:     o,
		paths:    cors.Wrap(gateway.NewHostnameHandler(cfg, backend, paths)),
		carPaths: cors.Wrap(gateway.NewHostnameHandler(carCfg, backend, carPaths)),
	}
	return g, nil
}

// gatewayLimits applies riffchain's checks before boxo sees a request.
type gatewayLimits struct {
	opts            GatewayOptions
	paths, carPaths http.Handler
}

func (g *gatewayLimits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rh := r.Header.Get("Range"); rh != "" {
		if err := checkRanges(rh, g.opts.MaxRanges); err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			_, _ = fmt.Fprintln(w, err.Error())
			return
		}
	}
	if !g.isolatedOrigin(r) {
		w.Header().Set("Content-Security-Policy", GatewayCSP)
	}
	if kind := archiveRequest(r); kind != "" {
		cw := &cappedWriter{ResponseWriter: w, left: g.opts.MaxCARBytes}
		if kind == "whole" {
			g.carPaths.ServeHTTP(cw, r)
		} else {
			g.paths.ServeHTTP(cw, r)
		}
		if cw.cut {
			// Out of boxo's recover: net/http drops the connection
			// without ending the body, so the client cannot take the
			// cut stream for a whole one.
			panic(http.ErrAbortHandler)
		}
		return
	}
	g.paths.ServeHTTP(w, r)
}

// isolatedOrigin reports whether r arrived on a subdomain gateway origin
// (CID.ipfs.HOST for one of the subdomain hosts), the only origins where
// stored pages may run script: each is its own origin and serves one DAG.
func (g *gatewayLimits) isolatedOrigin(r *http.Request) bool {
	host := r.Host
	if xh := r.Header.Get("X-Forwarded-Host"); xh != "" {
		host = xh // as boxo's hostname handler does
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, sh := range g.opts.SubdomainHosts {
		label, ok := strings.CutSuffix(host, ".ipfs."+strings.ToLower(sh))
		if ok && label != "" && !strings.Contains(label, ".") {
			return true
		}
	}
	return false
}

// archiveRequest classifies a CAR or TAR request: "whole" when it asks for
// a whole DAG (boxo can refuse it up front by size), "part" for a CAR of a
// byte range or a single block/entity, "" for anything else.
func archiveRequest(r *http.Request) string {
	q := r.URL.Query()
	f := q.Get("format")
	isCAR := f == "car" || (f == "" && acceptsPrefix(r, "application/vnd.ipld.car"))
	isTAR := f == "tar" || (f == "" && acceptsPrefix(r, "application/x-tar"))
	switch {
	case isTAR:
		return "whole"
	case !isCAR:
		return ""
	case q.Get("dag-scope") == "block", q.Get("dag-scope") == "entity" && q.Get("entity-bytes") != "":
		return "part"
	}
	return "whole"
}

func acceptsPrefix(r *http.Request, prefix string) bool {
	for _, h := range r.Header.Values("Accept") {
		for v := range strings.SplitSeq(h, ",") {
			if strings.HasPrefix(strings.TrimSpace(v), prefix) {
				return true
			}
		}
	}
	return false
}

// ErrTooManyRanges: a Range header lists more ranges than the gateway
// serves, or ranges that overlap (RFC 9110 section 14.2 lets a server
// reject both: they are signs of a denial-of-service attempt).
var ErrTooManyRanges = errors.New("range request refused")

// checkRanges looks at a Range header without reading content: at most
// max ranges, and no two of them overlapping. It stops counting at max+1,
// so its cost does not grow with the header. Malformed headers are left
// to boxo (which answers 400 or ignores them as HTTP allows).
func checkRanges(h string, max int) error {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return nil
	}
	n := 0
	type iv struct{ start, end int64 }
	var ivs []iv
	for part := range strings.SplitSeq(spec, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		n++
		if n > max {
			return fmt.Errorf("%w: more than %d ranges in one request", ErrTooManyRanges, max)
		}
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseInt(a, 10, 64)
		end, err2 := strconv.ParseInt(b, 10, 64)
		switch {
		case a == "" || err1 != nil:
			// A suffix range "-N" (the last N bytes) cannot be placed
			// without the size; boxo serves only the first range anyway.
			continue
		case b == "" || err2 != nil: // "N-": to the end
			ivs = append(ivs, iv{start, 1<<63 - 1})
		default:
			ivs = append(ivs, iv{start, end})
		}
	}
	if len(ivs) < 2 {
		return nil
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].start < ivs[j].start })
	for i := 1; i < len(ivs); i++ {
		if ivs[i].start <= ivs[i-1].end {
			return fmt.Errorf("%w: overlapping ranges", ErrTooManyRanges)
		}
	}
	return nil
}

// errResponseCap stops a CAR or TAR stream at the response cap.
var errResponseCap = errors.New("gateway: response size cap reached")

// cappedWriter passes at most left bytes of a response body, then fails
// every write and records that the response was cut (ServeHTTP then
// aborts the connection).
type cappedWriter struct {
	http.ResponseWriter
	left int64
	cut  bool
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		n, _ := c.ResponseWriter.Write(p[:c.left])
		c.left -= int64(n)
		c.cut = true
		return n, errResponseCap
	}
	n, err := c.ResponseWriter.Write(p)
	c.left -= int64(n)
	return n, err
}

// Flush lets streaming responses reach the client as they are written.
func (c *cappedWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *cappedWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// gatewayBlockstore marks blocks that fail verification so that boxo
// answers 502 Bad Gateway for them (the store's backend, an IPFS node or
// the disk, returned bytes that do not hash to the CID).
type gatewayBlockstore struct{ blockstore.Blockstore }

func (g gatewayBlockstore) Get(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	b, err := g.Blockstore.Get(ctx, c)
	if err != nil && (errors.Is(err, ErrCorrupt) || errors.Is(err, ErrBackend)) {
		return nil, gateway.NewErrorStatusCode(err, http.StatusBadGateway)
	}
	return b, err
}
