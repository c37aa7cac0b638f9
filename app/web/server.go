package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Limits of one request (spec/api.md "Limits").
const (
	// RequestTimeout bounds the node work of one page or API answer.
	RequestTimeout = 5 * time.Second
	// MaxPageSize is the largest page a list may ask for (limit=).
	MaxPageSize = 100
	// DefaultPageSize is a list's page size when limit= is absent.
	DefaultPageSize = 25
	// MaxLiveStreams bounds the concurrent /api/v1/live streams.
	MaxLiveStreams = 64
)

// Config is how the explorer is served.
type Config struct {
	// ChainID names the chain in CLI commands shown on pages.
	ChainID string
	// GatewayAddr is the node's IPFS gateway (host:port), where media on
	// Lens pages play from; empty = no media.
	GatewayAddr string
	// CORSOrigins may read the JSON API from other origins ("*" = any);
	// empty = same origin only (no CORS headers).
	CORSOrigins []string
	// NodeFlag is the --node value shown in CLI commands ("" = default).
	NodeFlag string
}

// Server is the explorer over one node.
type Server struct {
	chain Chain
	cfg   Config
	pages map[string]*template.Template
	live  chan struct{} // tokens for live streams
	cache *answerCache  // the node's answers at explicit heights
	bufs  sync.Pool     // render buffers
}

// New builds the explorer. chain is usually the node's local client.
func New(chain Chain, cfg Config) (*Server, error) {
	s := &Server{chain: chain, cfg: cfg, pages: map[string]*template.Template{}, live: make(chan struct{}, MaxLiveStreams),
		cache: newAnswerCache(cacheMaxItems, cacheMaxBytes), bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("web template %s: %w", base, err)
		}
		s.pages[base] = t
	}
	return s, nil
}

// endpoint is one resource: its page and its JSON share a loader.
type endpoint struct {
	path string // "/account/{addr}"
	page string // template name
	load func(ctx context.Context, rd *reader, r *http.Request) (view, error)
}

// view is what a loader returns: the JSON answer, which the page renders.
type view interface{ meta() *Meta }

// Meta is carried by every answer: the state height it shows and, with
// ?prove=true, the proofs of its queries. Title and CLI are for the page.
type Meta struct {
	Height int64    `json:"height"`
	Proofs []Proof  `json:"proofs,omitempty"`
	Title  string   `json:"-"`
	CLI    []string `json:"-"` // commands a user can run to act on or check what the page shows
}

func (m *Meta) meta() *Meta { return m }

// Handler is the explorer's HTTP handler: pages, /api/v1/..., /static/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, e := range s.endpoints() {
		e := e
		mux.HandleFunc("GET /api/v1"+e.path, func(w http.ResponseWriter, r *http.Request) { s.serveJSON(w, r, e) })
		if e.page != "" {
			mux.HandleFunc("GET "+pagePath(e.path), func(w http.ResponseWriter, r *http.Request) { s.servePage(w, r, e) })
		}
	}
	mux.HandleFunc("GET /api/v1/live", s.serveLive)
	mux.HandleFunc("GET /search", s.serveSearch)
	mux.HandleFunc("GET /api/v1/search", s.serveSearchJSON)
	mux.HandleFunc("GET /static/verify.wasm", serveVerifier)
	sub, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(http.FileServerFS(sub))))
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, fmt.Errorf("%w: no API path %s", ErrNotFound, r.URL.Path))
	})
	return s.secure(mux)
}

// pagePath maps an API path to its page path ("/overview" is "/").
func pagePath(p string) string {
	if p == "/overview" {
		return "/{$}"
	}
	return p
}

// serveVerifier serves the browser's verifier (package app/verify built
// for js/wasm), stored gzipped: browsers that take gzip get it as it is.
func serveVerifier(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/verify.wasm.gz")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		http.Error(w, "verifier: "+err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = io.Copy(w, zr)
}

func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

// secure adds the headers every answer carries: a Content Security Policy
// that allows scripts and styles from this origin only and media from the
// gateway's origin, no framing, no sniffing; and CORS when configured.
func (s *Server) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		media := "'self'"
		if g := s.gatewayOrigin(r); g != "" {
			media += " " + g
		}
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "+
			"img-src 'self' "+media+"; media-src "+media+"; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		if o := r.Header.Get("Origin"); o != "" && strings.HasPrefix(r.URL.Path, "/api/") {
			if allow := s.corsAllowed(o); allow != "" {
				hd.Set("Access-Control-Allow-Origin", allow)
				hd.Add("Vary", "Origin")
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) corsAllowed(origin string) string {
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			return "*"
		}
		if o == origin {
			return origin
		}
	}
	return ""
}

// gatewayOrigin is the origin media load from: the gateway's host:port; an
// unspecified host (0.0.0.0, ::) is the host the browser used for this page.
func (s *Server) gatewayOrigin(r *http.Request) string {
	if s.cfg.GatewayAddr == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(s.cfg.GatewayAddr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// newReader starts a request's queries: ?height= and ?prove=true.
func (s *Server) newReader(r *http.Request) (*reader, error) {
	rd := &reader{chain: s.chain, cache: s.cache}
	q := r.URL.Query()
	if h := q.Get("height"); h != "" {
		n, err := strconv.ParseInt(h, 10, 64)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%w: height=%q, want a positive integer", ErrBadRequest, h)
		}
		rd.height = n
	}
	switch q.Get("prove") {
	case "", "false":
	case "true":
		rd.prove = true
	default:
		return nil, fmt.Errorf("%w: prove=%q, want true or false", ErrBadRequest, q.Get("prove"))
	}
	return rd, nil
}

func (s *Server) run(r *http.Request, e endpoint) (view, error) {
	ctx, cancel := context.WithTimeout(r.Context(), RequestTimeout)
	defer cancel()
	rd, err := s.newReader(r)
	if err != nil {
		return nil, err
	}
	v, err := e.load(ctx, rd, r)
	if err != nil {
		return nil, err
	}
	m := v.meta()
	if m.Height == 0 {
		m.Height = rd.height
	}
	m.Proofs = rd.proofs
	return v, nil
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, e endpoint) {
	v, err := s.run(r, e)
	if err != nil {
		writeJSONError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request, e endpoint) {
	v, err := s.run(r, e)
	if err != nil {
		s.renderError(w, r, statusOf(err), err)
		return
	}
	s.render(w, r, http.StatusOK, e.page, v)
}

// statusOf maps an error to its HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	default:
		return http.StatusBadGateway
	}
}

// apiError is the JSON body of every failed API request.
type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

func writeJSONError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, apiError{Error: err.Error(), Status: status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encode answer","status":500}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// pageData is what the layout renders around a page's view.
type pageData struct {
	Title    string
	Height   int64
	JSONURL  string
	CLI      []string
	ChainID  string
	Gateway  string // gateway origin for media, "" = none
	Query    url.Values
	View     any
	Error    string
	Status   int
	NodeFlag string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t := s.pages[page]
	m := v.meta()
	d := pageData{Title: m.Title, Height: m.Height, JSONURL: "/api/v1" + r.URL.Path + querySuffix(r), CLI: m.CLI,
		ChainID: s.cfg.ChainID, Gateway: s.gatewayOrigin(r), Query: r.URL.Query(), View: v, Status: status}
	if r.URL.Path == "/" {
		d.JSONURL = "/api/v1/overview" + querySuffix(r)
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			s.bufs.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout.html", d); err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// maxPooledPage bounds the render buffers kept for reuse.
const maxPooledPage = 1 << 20

func querySuffix(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// errorView is the page of a failed request.
type errorView struct{ Meta }

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	t := s.pages["error"]
	d := pageData{Title: http.StatusText(status), Error: err.Error(), Status: status, ChainID: s.cfg.ChainID, View: &errorView{}}
	var buf strings.Builder
	if e := t.ExecuteTemplate(&buf, "layout.html", d); e != nil {
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// Serve listens on addr and serves h until the process ends; it returns
// the bound address once the listener is up.
func Serve(addr string, h http.Handler) (net.Addr, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web: listen %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	go func() { _ = srv.Serve(l) }()
	return l.Addr(), nil
}
