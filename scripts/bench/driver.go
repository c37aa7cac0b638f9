package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
)

// tracker maps committed txs of a phase to their commit time and result,
// from the node's NewBlock events (block + FinalizeBlock results, published
// after the block is committed).
type tracker struct {
	mu       sync.Mutex
	index    map[[32]byte]int
	commitAt []time.Time
	code     []uint32
	data     [][]byte
	done     []bool
	pending  int // txs accepted by CheckTx (or not yet answered) and not committed
	heights  []int64
	blockTxs []int
	all      chan struct{} // closed when pending reaches 0 after submission ended
	ended    bool
}

func newTracker(w *workload) *tracker {
	t := &tracker{index: make(map[[32]byte]int, len(w.txs)), commitAt: make([]time.Time, len(w.txs)),
		code: make([]uint32, len(w.txs)), data: make([][]byte, len(w.txs)), done: make([]bool, len(w.txs)),
		pending: len(w.txs), all: make(chan struct{})}
	for i, tx := range w.txs {
		t.index[tx.hash] = i
	}
	return t
}

// onBlock records a committed block.
func (t *tracker) onBlock(ev cmttypes.EventDataNewBlock, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.heights = append(t.heights, ev.Block.Height)
	t.blockTxs = append(t.blockTxs, len(ev.Block.Txs))
	for i, tx := range ev.Block.Txs {
		idx, ok := t.index[sha256.Sum256(tx)]
		if !ok || t.done[idx] {
			continue
		}
		t.done[idx] = true
		t.commitAt[idx] = at
		if i < len(ev.ResultFinalizeBlock.TxResults) {
			r := ev.ResultFinalizeBlock.TxResults[i]
			t.code[idx], t.data[idx] = r.Code, r.Data
		}
		t.pending--
	}
	t.checkDone()
}

// rejected says tx idx will never commit (CheckTx refused it).
func (t *tracker) rejected(idx int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.done[idx] {
		t.done[idx] = true
		t.pending--
		t.checkDone()
	}
}

func (t *tracker) endSubmission() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = true
	t.checkDone()
}

func (t *tracker) checkDone() {
	if t.ended && t.pending == 0 {
		select {
		case <-t.all:
		default:
			close(t.all)
		}
	}
}

// phaseResult is what one phase measured.
type phaseResult struct {
	Phase     string
	Round     int
	Node      string
	Indexer   string
	Note      string
	Txs       int
	AvgBytes  int
	Committed int // code 0 in a block
	Failed    int // in a block with code != 0
	Rejected  int // refused by CheckTx / RPC
	Missing   int // accepted but not committed before the timeout
	Retries   int // mempool-full retries
	Elapsed   time.Duration
	TPS       float64
	P50, P99  time.Duration
	Max       time.Duration
	Blocks    int
	MaxBlock  int
	RPCCheck  string // cross-check against /block_results over RPC
	FirstErr  string
	Data      [][]byte // per tx FinalizeBlock data (kept for setup phases)
	Codes     []uint32
	Profile   *profileSummary
	CPU       cpuShare
	Agree     string // multi-validator mode: every node's block and app hash at the final height
	submitted []time.Time
}

// rpcResp is the part of a broadcast_tx_sync answer the driver reads.
type rpcResp struct {
	Result *struct {
		Code uint32 `json:"code"`
		Log  string `json:"log"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// run drives w against n: one goroutine per client list, each sending its
// txs in order with broadcast_tx_sync, then waits for every accepted tx to
// commit (or the timeout).
func run(ctx context.Context, s *Settings, n *benchNode, w *workload, profilePath string) (*phaseResult, error) {
	t := newTracker(w)
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	subscriber := fmt.Sprintf("bench-%s-%d", w.name, time.Now().UnixNano())
	sub, err := n.cmt.EventBus().Subscribe(subCtx, subscriber, cmttypes.EventQueryNewBlock, 10000)
	if err != nil {
		return nil, fmt.Errorf("subscribe new blocks: %w", err)
	}
	defer func() { _ = n.cmt.EventBus().UnsubscribeAll(context.Background(), subscriber) }()
	subErr := make(chan error, 1)
	go func() {
		for {
			select {
			case msg := <-sub.Out():
				if ev, ok := msg.Data().(cmttypes.EventDataNewBlock); ok {
					t.onBlock(ev, time.Now())
				}
			case <-sub.Canceled():
				subErr <- fmt.Errorf("%w: block subscription cancelled: %v", ErrPhase, sub.Err())
				return
			case <-subCtx.Done():
				return
			}
		}
	}()

	var prof *profiler
	if profilePath != "" {
		if prof, err = startProfile(profilePath); err != nil {
			return nil, err
		}
	}
	res := &phaseResult{Phase: w.name, Node: n.kind, Indexer: n.indexer, Txs: len(w.txs), AvgBytes: w.avgBytes()}
	res.submitted = make([]time.Time, len(w.txs))
	var retries atomic.Int64
	var firstErr atomic.Value
	transport := &http.Transport{MaxIdleConnsPerHost: len(w.clients) + 1, DisableCompression: true}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	cpu0 := takeCPU()
	start := time.Now()
	batch := max(1, s.Batch)
	for ci, list := range w.clients {
		url := n.loadURL(ci)
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("role", "bench-client"), func(ctx context.Context) {
			defer wg.Done()
			for off := 0; off < len(list); {
				chunk := list[off:min(off+batch, len(list))]
				now := time.Now()
				for _, idx := range chunk {
					if res.submitted[idx].IsZero() {
						res.submitted[idx] = now
					}
				}
				reqs := make([][]byte, len(chunk))
				for i, idx := range chunk {
					reqs[i] = w.txs[idx].req
				}
				answers := broadcast(ctx, hc, url, reqs)
				done := 0
				for i, a := range answers {
					if a.retry && ctx.Err() == nil {
						break // resend from here: later txs of the chunk may depend on this one's nonce
					}
					if !a.ok {
						firstErr.CompareAndSwap(nil, a.msg)
						t.rejected(chunk[i])
					}
					done++
				}
				if done < len(chunk) {
					retries.Add(1)
					time.Sleep(5 * time.Millisecond)
				}
				off += done
			}
		})
	}
	wg.Wait()
	t.endSubmission()
	select {
	case <-t.all:
	case <-time.After(s.PhaseTimeout):
	case err := <-subErr:
		if prof != nil {
			_, _ = prof.stop()
		}
		return nil, err
	case <-ctx.Done():
		if prof != nil {
			_, _ = prof.stop()
		}
		return nil, ctx.Err()
	}
	res.CPU = cpuSince(cpu0)
	if prof != nil {
		if res.Profile, err = prof.stop(); err != nil {
			return nil, err
		}
	}
	cancel()

	t.mu.Lock()
	defer t.mu.Unlock()
	var lat []time.Duration
	var last time.Time
	for i := range w.txs {
		switch {
		case !t.done[i]:
			res.Missing++
		case t.commitAt[i].IsZero():
			res.Rejected++
		case t.code[i] != 0:
			res.Failed++
		default:
			res.Committed++
			lat = append(lat, t.commitAt[i].Sub(res.submitted[i]))
			if t.commitAt[i].After(last) {
				last = t.commitAt[i]
			}
		}
	}
	res.Data, res.Codes = t.data, t.code
	res.Retries = int(retries.Load())
	if v, ok := firstErr.Load().(string); ok {
		res.FirstErr = v
	}
	if res.Failed > 0 && res.FirstErr == "" {
		res.FirstErr = fmt.Sprintf("first failing code %d", firstFailCode(t.code, t.commitAt))
	}
	if res.Committed > 0 {
		res.Elapsed = last.Sub(start)
		res.TPS = float64(res.Committed) / res.Elapsed.Seconds()
		slices.Sort(lat)
		res.P50 = lat[len(lat)/2]
		res.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		res.Max = lat[len(lat)-1]
	}
	for i := range t.heights {
		if t.blockTxs[i] > 0 {
			res.Blocks++
		}
		res.MaxBlock = max(res.MaxBlock, t.blockTxs[i])
	}
	res.RPCCheck = crossCheck(ctx, hc, n.rpcURL, t)
	return res, nil
}

func firstFailCode(codes []uint32, at []time.Time) uint32 {
	for i, c := range codes {
		if c != 0 && !at[i].IsZero() {
			return c
		}
	}
	return 0
}

// answer is the outcome of one broadcast_tx_sync call. retry is true when
// the mempool was full.
type answer struct {
	ok, retry bool
	msg       string
}

// broadcast posts pre-encoded broadcast_tx_sync requests, one per HTTP
// request or, with several, as one JSON-RPC batch (answered in order).
func broadcast(ctx context.Context, hc *http.Client, url string, reqs [][]byte) []answer {
	fail := func(msg string) []answer {
		out := make([]answer, len(reqs))
		for i := range out {
			out[i] = answer{msg: msg}
		}
		return out
	}
	var body []byte
	if len(reqs) == 1 {
		body = reqs[0]
	} else {
		body = append([]byte{'['}, bytes.Join(reqs, []byte{','})...)
		body = append(body, ']')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fail(err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fail(err.Error())
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fail(err.Error())
	}
	var rs []rpcResp
	if len(reqs) == 1 {
		rs = make([]rpcResp, 1)
		err = json.Unmarshal(raw, &rs[0])
	} else if err = json.Unmarshal(raw, &rs); err != nil {
		var one rpcResp // the server refused the batch as a whole
		if json.Unmarshal(raw, &one) == nil && one.Error != nil {
			return fail(one.Error.Message + ": " + one.Error.Data)
		}
	}
	if err != nil {
		return fail(fmt.Sprintf("decode rpc answer: %v", err))
	}
	if len(rs) != len(reqs) {
		return fail(fmt.Sprintf("rpc answered %d of %d requests", len(rs), len(reqs)))
	}
	out := make([]answer, len(rs))
	for i, r := range rs {
		switch {
		case r.Error != nil:
			m := r.Error.Message + ": " + r.Error.Data
			out[i] = answer{retry: strings.Contains(m, "mempool is full"), msg: m}
		case r.Result == nil:
			out[i] = answer{msg: "empty rpc answer"}
		case r.Result.Code != 0:
			out[i] = answer{msg: fmt.Sprintf("CheckTx code %d: %s", r.Result.Code, r.Result.Log)}
		default:
			out[i] = answer{ok: true}
		}
	}
	return out
}

// crossCheck counts code-0 results of this phase's txs over RPC
// (/block and /block_results per height) and compares with the events.
func crossCheck(ctx context.Context, hc *http.Client, url string, t *tracker) string {
	ok := 0
	for _, h := range t.heights {
		var blk struct {
			Result struct {
				Block struct {
					Data struct {
						Txs [][]byte `json:"txs"`
					} `json:"data"`
				} `json:"block"`
			} `json:"result"`
		}
		var br struct {
			Result struct {
				TxsResults []struct {
					Code uint32 `json:"code"`
				} `json:"txs_results"`
			} `json:"result"`
		}
		if err := getJSON(ctx, hc, fmt.Sprintf("%s/block?height=%d", url, h), &blk); err != nil {
			return "rpc error: " + err.Error()
		}
		if len(blk.Result.Block.Data.Txs) == 0 {
			continue
		}
		if err := getJSON(ctx, hc, fmt.Sprintf("%s/block_results?height=%d", url, h), &br); err != nil {
			return "rpc error: " + err.Error()
		}
		for i, tx := range blk.Result.Block.Data.Txs {
			if _, mine := t.index[sha256.Sum256(tx)]; mine && i < len(br.Result.TxsResults) && br.Result.TxsResults[i].Code == 0 {
				ok++
			}
		}
	}
	return fmt.Sprintf("%d ok in /block_results", ok)
}

func getJSON(ctx context.Context, hc *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
