package app

import (
	"context"
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
	"github.com/riffchain/riffchain/ledger/query"
)

// simulatePath is the query path of /simulate (simulate.go), answered by
// the app itself.
const simulatePath = "simulate"

// ProofOpType is the type of every proof op riffchain returns: an ICS-23
// commitment proof against the IAVL root, which is the block's app hash.
const ProofOpType = "ics23:iavl"

// QueryResult is what a query handler answers (package query).
type QueryResult = query.Result

// KV is one state key and its value (nil when absent).
type KV = query.KV

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

// Helpers of the query handlers that still live in app/ (package query).
var (
	needArgs  = query.NeedArgs
	single    = query.Single
	pageLimit = query.PageLimit
)

// listResult is the envelope of a listing of raw JSON entries.
type listResult = query.List[json.RawMessage]

// Page sizes of every listing (spec/queries.md "Paging").
const (
	DefaultPageLimit = query.DefaultPageLimit
	MaxPageLimit     = query.MaxPageLimit
)

func parseAddr(s string) (ledger.Address, error) { return ledger.ParseAddress(s) }
