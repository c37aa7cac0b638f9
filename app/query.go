package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// simulatePath is the query path of /simulate (simulate.go), answered by
// the app itself.
const simulatePath = "simulate"

// ProofOpType is the type of every proof op riffchain returns: an ICS-23
// commitment proof against the IAVL root, which is the block's app hash.
const ProofOpType = "ics23:iavl"

// QueryResult is what a query handler answers. Value is returned to the
// client; Proven lists the state keys and values that back it, each of
// which gets a Merkle proof when the client asks for one. A nil value in
// Proven asks for a proof of absence.
type QueryResult struct {
	Value  []byte
	Proven []KV
}

// KV is one state key and its value (nil when absent).
type KV struct {
	Key   []byte `json:"key"`
	Value []byte `json:"value"`
}

// QueryHandler answers one query path over a committed version. parts are
// the path segments after the route name, params its URL query.
type QueryHandler func(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error)

// LocalQueryHandler answers a query that also reads the node's local
// indexes (spec/state.md "Local indexes"): r is state at the query height,
// local the index as of the latest commit. What it returns as proven must
// come from r.
type LocalQueryHandler func(r, local ledger.Reader, parts []string, params url.Values) (*QueryResult, error)

// Query implements abci.Application. Paths are "/route/arg/...?param=v".
func (a *App) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	start := time.Now()
	resp, err := a.query(ctx, req)
	if resp != nil {
		if m := a.Metrics(); m != nil {
			m.observeQuery(a, req.Path, time.Since(start), resp.Code)
		}
	}
	return resp, err
}

func (a *App) query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	fail := func(err error) (*abci.ResponseQuery, error) {
		return &abci.ResponseQuery{Code: CodeOf(err), Log: err.Error(), Codespace: "riffchain"}, nil
	}
	u, err := url.Parse(req.Path)
	if err != nil {
		return fail(fmt.Errorf("%w: path %q: %v", ErrBadQuery, req.Path, err))
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) == 1 && parts[0] == simulatePath {
		return a.querySimulate(req), nil
	}
	h, ok := a.mods.queries[parts[0]]
	if !ok {
		return fail(fmt.Errorf("%w: unknown path %q", ErrBadQuery, req.Path))
	}
	snap, err := a.tree.At(req.Height)
	if errors.Is(err, ledger.ErrPruned) {
		return fail(err)
	}
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrNotFound, err))
	}
	// The work budget (spec/gas.md "Queries"): every read of state and of
	// the local indexes, every loop step and every proof is charged.
	budget := a.queryBudget()
	meter := gas.NewMeter(budget)
	res, err := h(gas.NewStore(ledger.ReadOnly(snap), meter), gas.NewStore(ledger.ReadOnly(a.local), meter), parts[1:], u.Query())
	if meter.Exhausted() {
		return fail(overBudget(u.Path, budget, err))
	}
	resp := &abci.ResponseQuery{Height: snap.Version, Codespace: "riffchain"}
	if err != nil {
		resp.Code, resp.Log = CodeOf(err), err.Error()
		if res == nil {
			return resp, nil
		}
	} else {
		resp.Value = res.Value
	}
	if len(res.Proven) == 1 {
		resp.Key = res.Proven[0].Key
	}
	if req.Prove {
		ops := make([]cmtcrypto.ProofOp, 0, len(res.Proven))
		if err := meter.Consume(gas.Mul(gas.QueryProof, uint64(len(res.Proven))), "proofs"); err != nil {
			return fail(overBudget(u.Path, budget, err))
		}
		for _, kv := range res.Proven {
			p, err := snap.Proof(kv.Key)
			if err != nil {
				return fail(err)
			}
			bz, err := p.Marshal()
			if err != nil {
				return fail(fmt.Errorf("%w: marshal proof: %v", ErrInternal, err))
			}
			ops = append(ops, cmtcrypto.ProofOp{Type: ProofOpType, Key: kv.Key, Data: bz})
		}
		resp.ProofOps = &cmtcrypto.ProofOps{Ops: ops}
	}
	resp.Info = "gas_used=" + strconv.FormatUint(meter.Used(), 10)
	return resp, nil
}

// overBudget is the error of a query that ran out of its work budget.
func overBudget(path string, budget uint64, err error) error {
	if err == nil {
		err = gas.ErrOutOfGas
	}
	return fmt.Errorf("%w: %s needs more than %d gas of work (%v): narrow it (a more specific path or filter) or page it (limit, after)",
		ErrQueryBudget, path, budget, err)
}

func needArgs(parts []string, n int, usage string) error {
	if len(parts) != n {
		return fmt.Errorf("%w: want %s", ErrBadQuery, usage)
	}
	return nil
}

func parseAddr(s string) (ledger.Address, error) {
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return a, err
	}
	return a, nil
}

// single answers a one-key query: the value, or ErrNotFound with a proof of
// absence.
func single(r ledger.Reader, key []byte, what string) (*QueryResult, error) {
	v, err := r.Get(key)
	if err != nil {
		return nil, err
	}
	res := &QueryResult{Value: v, Proven: []KV{{Key: key, Value: v}}}
	if v == nil {
		return res, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return res, nil
}

func queryAccount(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/account/ADDR"); err != nil {
		return nil, err
	}
	addr, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	return single(r, ledger.AccountKey(addr), "account "+parts[0])
}

func queryAsset(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/asset/ID"); err != nil {
		return nil, err
	}
	return single(r, ledger.AssetKey(parts[0]), "asset "+parts[0])
}

// queryBalance answers "/balance/ADDR/ASSET": the decimal amount; an absent
// key means zero (and is proven absent).
func queryBalance(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 2, "/balance/ADDR/ASSET"); err != nil {
		return nil, err
	}
	addr, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	if _, err := ledger.New(ledger.ReadOnly(r), nil).Asset(parts[1]); err != nil {
		return nil, err
	}
	key := ledger.BalanceKey(addr, parts[1])
	v, err := r.Get(key)
	if err != nil {
		return nil, err
	}
	return &QueryResult{Value: v, Proven: []KV{{Key: key, Value: v}}}, nil
}

func queryOwner(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if len(parts) == 1 {
		if i := strings.IndexByte(parts[0], ':'); i > 0 {
			parts = []string{parts[0][:i], parts[0][i+1:]}
		}
	}
	if err := needArgs(parts, 2, "/owner/ASSET/ITEM"); err != nil {
		return nil, err
	}
	return single(r, ledger.ItemKey(parts[0], parts[1]), "item "+parts[0]+"/"+parts[1])
}

// listResult encodes a page of entries with the keys that back them.
type listResult struct {
	Entries []json.RawMessage `json:"entries"`
	Next    string            `json:"next,omitempty"`
}

// Page sizes of every listing query (spec/queries.md "Paging").
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// pageLimit reads a listing's limit parameter: DefaultPageLimit when
// absent, refused (code 27, with how to page) above MaxPageLimit.
func pageLimit(params url.Values) (int, error) {
	limit := DefaultPageLimit
	if s := params.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 1:
			return 0, fmt.Errorf("%w: limit=%q: want a page size of 1..%d", ErrBadQuery, s, MaxPageLimit)
		case n > MaxPageLimit:
			return 0, fmt.Errorf("%w: limit=%d is over the page size limit %d: ask for at most %d and page with after=<the answer's next>", ErrBadQuery, n, MaxPageLimit, MaxPageLimit)
		}
		limit = n
	}
	return limit, nil
}

// queryBalances answers "/balances/ADDR?after=ASSET&limit=N": a page of
// the account's balances in asset id order (listResult), each proven.
func queryBalances(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/balances/ADDR?after=ASSET&limit=N"); err != nil {
		return nil, err
	}
	addr, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	hs, err := ledger.New(ledger.ReadOnly(r), nil).Balances(addr, params.Get("after"), limit+1)
	if err != nil {
		return nil, err
	}
	res := &QueryResult{}
	var lr listResult
	if len(hs) > limit {
		hs = hs[:limit]
		lr.Next = hs[limit-1].Asset
	}
	for _, h := range hs {
		b, _ := json.Marshal(h)
		lr.Entries = append(lr.Entries, b)
		res.Proven = append(res.Proven, KV{Key: ledger.BalanceKey(addr, h.Asset), Value: []byte(h.Amount.String())})
	}
	res.Value, _ = json.Marshal(lr)
	return res, nil
}

func queryHolders(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/holders/ASSET"); err != nil {
		return nil, err
	}
	l := ledger.New(ledger.ReadOnly(r), nil)
	if _, err := l.Asset(parts[0]); err != nil {
		return nil, err
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	var after *ledger.Address
	if s := params.Get("after"); s != "" {
		a, err := parseAddr(s)
		if err != nil {
			return nil, err
		}
		after = &a
	}
	hs, err := l.Holders(parts[0], after, limit+1)
	if err != nil {
		return nil, err
	}
	var lr listResult
	if len(hs) > limit {
		hs = hs[:limit]
		lr.Next = hs[limit-1].Address.String()
	}
	res := &QueryResult{}
	for _, h := range hs {
		b, _ := json.Marshal(h)
		lr.Entries = append(lr.Entries, b)
		res.Proven = append(res.Proven, KV{Key: ledger.HolderKey(parts[0], h.Address), Value: []byte(h.Amount.String())})
	}
	res.Value, _ = json.Marshal(lr)
	return res, nil
}

func queryItems(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 2, "/items/ADDR/ASSET"); err != nil {
		return nil, err
	}
	addr, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	ids, err := ledger.New(ledger.ReadOnly(r), nil).OwnedItems(addr, parts[1], params.Get("after"), limit+1)
	if err != nil {
		return nil, err
	}
	var lr listResult
	if len(ids) > limit {
		ids = ids[:limit]
		lr.Next = ids[limit-1]
	}
	res := &QueryResult{}
	for _, id := range ids {
		b, _ := json.Marshal(id)
		lr.Entries = append(lr.Entries, b)
		res.Proven = append(res.Proven, KV{Key: ledger.OwnedKey(addr, parts[1], id), Value: []byte("1")})
	}
	res.Value, _ = json.Marshal(lr)
	return res, nil
}

// queryStore answers "/store/HEXKEY": any raw state key, for tools.
func queryStore(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/store/HEXKEY"); err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(parts[0])
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: key must be non-empty hex", ErrBadQuery)
	}
	return single(r, key, "key "+parts[0])
}
