package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// SearchResult is the answer of /api/v1/search?q=...: what q names and
// where its page is. Kind is one of block, tx, agreement, account, asset,
// lens, pool, content; an empty Kind found nothing.
type SearchResult struct {
	Meta
	Query string `json:"query"`
	Kind  string `json:"kind,omitempty"`
	URL   string `json:"url,omitempty"`
}

// maxQueryLen bounds what the search box accepts.
const maxQueryLen = 256

// search finds what q names: a block height, a tx hash, an agreement id,
// an address, a CID, an asset id, a Lens handle or a pool id, trying the
// cheap readings first and asking the node at most a few questions.
func (s *Server) search(ctx context.Context, q string) (*SearchResult, error) {
	q = strings.TrimSpace(q)
	res := &SearchResult{Query: q}
	res.Title = "Search"
	if q == "" {
		return res, nil
	}
	if len(q) > maxQueryLen {
		return nil, fmt.Errorf("%w: query longer than %d characters", ErrBadRequest, maxQueryLen)
	}
	rd := &reader{chain: s.chain}
	found := func(kind, u string) (*SearchResult, error) {
		res.Kind, res.URL = kind, u
		return res, nil
	}
	if n, err := strconv.ParseInt(q, 10, 64); err == nil && n > 0 {
		return found("block", "/block/"+q)
	}
	if isHex(q, 64) {
		hash, _ := hex.DecodeString(q)
		if _, err := s.chain.Tx(ctx, hash, false); err == nil {
			return found("tx", "/tx/"+strings.ToUpper(q))
		}
		if ans, err := rd.lookup(ctx, "/agreement/"+strings.ToLower(q)); err == nil && ans.found {
			return found("agreement", "/agreement/"+strings.ToLower(q))
		}
		return res, nil
	}
	if a, err := ledger.ParseAddress(q); err == nil {
		return found("account", "/account/"+a.String())
	}
	if ledger.ValidAssetID(q) {
		if ans, err := rd.lookup(ctx, "/asset/"+url.PathEscape(q)); err == nil && ans.found {
			return found("asset", "/asset/"+url.PathEscape(q))
		}
	}
	if lens.ValidHandle(q) {
		if ans, err := rd.lookup(ctx, "/lens/"+q); err == nil && ans.found {
			return found("lens", "/lens/"+q)
		}
	}
	if len(q) <= 64 && !strings.ContainsAny(q, "/?#") {
		if ans, err := rd.lookup(ctx, "/pool/"+url.PathEscape(q)); err == nil && ans.found {
			return found("pool", "/pool/"+url.PathEscape(q))
		}
	}
	if c, err := lens.CanonicalCID(q); err == nil {
		return found("content", "/ipfs/"+c)
	}
	return res, nil
}

func (s *Server) runSearch(r *http.Request) (*SearchResult, error) {
	ctx, cancel := context.WithTimeout(r.Context(), RequestTimeout)
	defer cancel()
	return s.search(ctx, r.URL.Query().Get("q"))
}

func (s *Server) serveSearchJSON(w http.ResponseWriter, r *http.Request) {
	res, err := s.runSearch(r)
	if err != nil {
		writeJSONError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// serveSearch sends the browser to what it found, or shows the search
// page (with nothing found, or a CID to open on the gateway).
func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request) {
	res, err := s.runSearch(r)
	if err != nil {
		s.renderError(w, r, statusOf(err), err)
		return
	}
	if res.Kind != "" && res.Kind != "content" {
		http.Redirect(w, r, res.URL, http.StatusSeeOther)
		return
	}
	status := http.StatusOK
	if res.Query != "" && res.Kind == "" {
		status = http.StatusNotFound
	}
	s.render(w, r, status, "search", res)
}
