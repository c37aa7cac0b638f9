package content

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
)

// MaxRequestPathLen bounds the /ipfs/... request path the gateway accepts.
const MaxRequestPathLen = 4096

// ParseRequestPath splits a gateway request path "/ipfs/{cid}[/name/...]"
// into the root CID and the link names after it. It rejects (ErrInvalidCID)
// paths without the /ipfs/ prefix, malformed CIDs, "." or ".." segments,
// NUL bytes and paths longer than MaxRequestPathLen. Empty segments (double
// or trailing slashes) are ignored.
func ParseRequestPath(p string) (cid.Cid, []string, error) {
	if len(p) > MaxRequestPathLen {
		return cid.Undef, nil, fmt.Errorf("request path of %d bytes: %w", len(p), ErrInvalidCID)
	}
	rest, ok := strings.CutPrefix(p, "/ipfs/")
	if !ok {
		return cid.Undef, nil, fmt.Errorf("request path %q: want /ipfs/{cid}: %w", truncate(p, 100), ErrInvalidCID)
	}
	if strings.IndexByte(rest, 0) >= 0 {
		return cid.Undef, nil, fmt.Errorf("request path contains NUL: %w", ErrInvalidCID)
	}
	cidStr, tail, _ := strings.Cut(rest, "/")
	c, err := ParseCID(cidStr)
	if err != nil {
		return cid.Undef, nil, err
	}
	var segs []string
	for _, s := range strings.Split(tail, "/") {
		switch s {
		case "":
			continue
		case ".", "..":
			return cid.Undef, nil, fmt.Errorf("request path segment %q: %w", s, ErrInvalidCID)
		}
		segs = append(segs, s)
	}
	return c, segs, nil
}

// NewGateway returns a read-only HTTP handler serving s under /ipfs/:
//
//	GET|HEAD /ipfs/{cid}[/path/in/directory]
//
// Files are served with http.ServeContent (Range, If-Range, If-None-Match),
// ETag "\"{cid}\"" of the served node, Content-Type from the last path
// segment's extension or else sniffed from the first 512 bytes, and an
// immutable Cache-Control. A directory is served as its index.html if it
// has one, else as an HTML listing. Status codes: 400 malformed path or CID,
// 404 unknown CID or missing link, 405 other methods, 502 content that fails
// verification, 500 other errors.
func NewGateway(s Store) http.Handler {
	return &gateway{s: s}
}

type gateway struct{ s Store }

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	root, segs, err := ParseRequestPath(r.URL.Path)
	if err != nil {
		gatewayError(w, err)
		return
	}
	ctx := r.Context()
	c := root
	if len(segs) > 0 {
		c, err = g.s.Resolve(ctx, root, strings.Join(segs, "/"))
		if err != nil {
			gatewayError(w, err)
			return
		}
	}
	name := ""
	if len(segs) > 0 {
		name = segs[len(segs)-1]
	}
	f, err := g.s.Get(ctx, c)
	if errors.Is(err, ErrIsDirectory) {
		g.serveDirectory(w, r, root, segs, c)
		return
	}
	if err != nil {
		gatewayError(w, err)
		return
	}
	defer f.Close()
	g.serveFile(w, r, root, segs, c, name, f)
}

func (g *gateway) serveFile(w http.ResponseWriter, r *http.Request, root cid.Cid, segs []string, c cid.Cid, name string, f File) {
	h := w.Header()
	h.Set("Etag", `"`+c.String()+`"`)
	h.Set("Cache-Control", "public, max-age=29030400, immutable")
	h.Set("X-Ipfs-Path", "/ipfs/"+path.Join(append([]string{root.String()}, segs...)...))
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent sets Content-Type from name's extension, else sniffs.
	http.ServeContent(w, r, name, time.Time{}, f)
}

func (g *gateway) serveDirectory(w http.ResponseWriter, r *http.Request, root cid.Cid, segs []string, c cid.Cid) {
	ctx := r.Context()
	if ic, err := g.s.Resolve(ctx, c, "index.html"); err == nil {
		if f, err := g.s.Get(ctx, ic); err == nil {
			defer f.Close()
			g.serveFile(w, r, root, segs, ic, "index.html", f)
			return
		}
	}
	ents, err := g.s.List(ctx, c)
	if err != nil {
		gatewayError(w, err)
		return
	}
	etag := `"DirIndex-` + c.String() + `"`
	h := w.Header()
	h.Set("Etag", etag)
	h.Set("Cache-Control", "public, max-age=29030400, immutable")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if inm := r.Header.Get("If-None-Match"); inm == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	base := "/ipfs/" + path.Join(append([]string{root.String()}, segs...)...)
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<title>%s</title>\n<ul>\n", html.EscapeString(base))
	for _, e := range ents {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> %s %d</li>\n",
			html.EscapeString(base+"/"+url.PathEscape(e.Name)), html.EscapeString(e.Name), e.CID, e.Size)
	}
	b.WriteString("</ul>\n")
	_, _ = w.Write([]byte(b.String()))
}

// gatewayError maps sentinel errors to HTTP status codes.
func gatewayError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrInvalidCID):
		code = http.StatusBadRequest
	case errors.Is(err, ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, ErrUnsupported):
		code = http.StatusNotImplemented
	case errors.Is(err, ErrCorrupt), errors.Is(err, ErrBackend), errors.Is(err, ErrCIDMismatch):
		code = http.StatusBadGateway
	}
	http.Error(w, http.StatusText(code)+": "+err.Error(), code)
}
