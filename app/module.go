package app

import (
	"fmt"
	"net/url"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/codes"
)

// Module is one part of the application, declared in one value: what it
// adds to the app and when it runs. The app is the list of its modules
// (Modules, modules.go); nothing registers itself, and two Apps built from
// the same list share no state.
//
// Every field is optional. Hooks of the same kind run in list order.
type Module struct {
	// Name names the module in errors and logs.
	Name string
	// Codes are the module's coded errors (package codes): what a tx
	// result or query answer may carry. No two modules may declare the
	// same code (New checks); spec/errors.md lists them all.
	Codes []*codes.Error
	// Msgs registers the module's message types on the router (Handle).
	Msgs func(r *Router)
	// Queries are the module's query paths, each answering "/Path/...".
	Queries []Query
	// Genesis writes the module's part of genesis.json's app_state, in
	// InitChain, before any module's InitChain.
	Genesis func(env *Env, gs *GenesisState) error
	// InitChain runs in InitChain, after every module's Genesis (e.g. to
	// record the genesis validator set).
	InitChain func(env *Env, req *abci.RequestInitChain) error
	// EndBlock runs after a block's transactions, in the end-block branch.
	// It must not fail for one record's problem (record it instead): an
	// error halts the node.
	EndBlock func(env *Env) error
	// FinishBlock runs after every module's EndBlock and sees the block's
	// request and results (misbehaviour, votes); it may add validator
	// updates and events.
	FinishBlock func(env *Env, bc *BlockContext) error
	// Invariants checks, over a whole state, what the module promises
	// always holds (supply equals the sum of balances, ...); it returns an
	// error wrapping ledger.ErrInvariant when something does not. InitChain
	// runs every module's; tests run them after every block.
	Invariants func(r ledger.Reader) error
	// Metrics builds the module's metrics for one App (called once, when
	// its metrics are enabled).
	Metrics func() *EventMetrics
	// LocalIndexes are the module's node-local indexes (spec/state.md
	// "Local indexes"): each rebuilt from state when the local store lags.
	LocalIndexes []LocalIndex
}

// Query is one query path of a module: "/Path/..." answered by Handler
// over the queried state version and the node's local indexes.
type Query struct {
	Path    string
	Handler LocalQueryHandler
}

// StateQuery is a Query answered from state alone.
func StateQuery(path string, h QueryHandler) Query {
	return Query{Path: path, Handler: func(r, _ ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
		return h(r, parts, params)
	}}
}

// LocalIndex is a node-local index that Rebuild recreates from state.
// Name identifies it and its format: change the name (e.g. its version)
// when the format changes, and every node rebuilds its local store at the
// next start (syncLocal).
type LocalIndex struct {
	Name    string
	Rebuild func(state ledger.Reader, local ledger.KV) error
}

// assembled is what the app derives from its module list once, in New.
type assembled struct {
	modules []Module
	router  *Router
	queries map[string]LocalQueryHandler
	codes   map[uint32]*codes.Error
}

// assemble checks the module list (unique names, codes, message types and
// query paths) and builds the router and query table from it.
func assemble(mods []Module) (*assembled, error) {
	as := &assembled{modules: mods, router: &Router{routes: map[string]route{}},
		queries: map[string]LocalQueryHandler{}, codes: map[uint32]*codes.Error{}}
	names := map[string]bool{}
	for _, m := range mods {
		if m.Name == "" || names[m.Name] {
			return nil, fmt.Errorf("module list: empty or duplicate module name %q", m.Name)
		}
		names[m.Name] = true
		for _, e := range m.Codes {
			if prev, dup := as.codes[e.Code()]; dup {
				return nil, fmt.Errorf("module %s: code %d of %q is already %q", m.Name, e.Code(), e, prev)
			}
			as.codes[e.Code()] = e
		}
		if m.Msgs != nil {
			if err := as.router.register(m.Name, m.Msgs); err != nil {
				return nil, err
			}
		}
		for _, q := range m.Queries {
			if _, dup := as.queries[q.Path]; dup || q.Path == "" || q.Path == simulatePath {
				return nil, fmt.Errorf("module %s: empty, reserved or duplicate query path %q", m.Name, q.Path)
			}
			as.queries[q.Path] = q.Handler
		}
	}
	return as, nil
}

// CheckInvariants runs every module's Invariants over r, in list order.
func (a *App) CheckInvariants(r ledger.Reader) error {
	for _, m := range a.mods.modules {
		if m.Invariants == nil {
			continue
		}
		if err := m.Invariants(r); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return nil
}

// Codes returns every coded error the app's modules declare, by code.
func (a *App) Codes() map[uint32]*codes.Error {
	out := make(map[uint32]*codes.Error, len(a.mods.codes))
	for c, e := range a.mods.codes {
		out[c] = e
	}
	return out
}

// QueryPaths returns the first segment of every query path the app
// answers, "simulate" included.
func (a *App) QueryPaths() []string {
	out := []string{simulatePath}
	for p := range a.mods.queries {
		out = append(out, p)
	}
	return out
}
