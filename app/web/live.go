package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Live updates: /api/v1/live is a stream of server-sent events, one
// "block" event per new block ({"height":N,"time":...,"txs":K}), then one
// "tx" event per tx of that block (a TxSummary: hash, height, code,
// words; at most overviewTxs per block). Pages work without it;
// static/explorer.js uses it to show new blocks and txs on the overview
// without a reload.

// Live stream limits.
const (
	livePoll      = 500 * time.Millisecond
	liveMaxLength = 10 * time.Minute // a stream ends; EventSource reconnects
)

func (s *Server) serveLive(w http.ResponseWriter, r *http.Request) {
	select {
	case s.live <- struct{}{}:
		defer func() { <-s.live }()
	default:
		writeJSONError(w, http.StatusServiceUnavailable, fmt.Errorf("%w: too many live streams", ErrUnavailable))
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeJSONError(w, http.StatusInternalServerError, fmt.Errorf("streaming unsupported"))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	ctx, cancel := context.WithTimeout(r.Context(), liveMaxLength)
	defer cancel()
	var last int64
	t := time.NewTicker(livePoll)
	defer t.Stop()
	for {
		qctx, qcancel := context.WithTimeout(ctx, RequestTimeout)
		st, err := s.chain.Status(qctx)
		qcancel()
		if err == nil && st.SyncInfo.LatestBlockHeight > last {
			h := st.SyncInfo.LatestBlockHeight
			from := max(last+1, h-overviewBlocks+1)
			qctx, qcancel := context.WithTimeout(ctx, RequestTimeout)
			info, err := s.chain.BlockchainInfo(qctx, from, h)
			qcancel()
			if err == nil {
				for i := len(info.BlockMetas) - 1; i >= 0; i-- { // oldest first
					m := info.BlockMetas[i]
					b, _ := json.Marshal(blockSummary(m))
					if _, err := fmt.Fprintf(w, "event: block\ndata: %s\n\n", b); err != nil {
						return
					}
					if m.NumTxs == 0 {
						continue
					}
					qctx, qcancel := context.WithTimeout(ctx, RequestTimeout)
					txs, err := s.blockTxs(qctx, &reader{chain: s.chain}, m.Header.Height, overviewTxs)
					qcancel()
					if err != nil {
						continue // the block is shown; its txs are on the next page load
					}
					for _, tx := range txs {
						b, _ := json.Marshal(tx)
						if _, err := fmt.Fprintf(w, "event: tx\ndata: %s\n\n", b); err != nil {
							return
						}
					}
				}
				fl.Flush()
				last = h
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
