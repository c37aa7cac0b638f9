package app

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/riffchain/riffchain/ledger"
)

// Env is what a message executes against: the block, the transaction's
// branch of state and the ledger over it.
type Env struct {
	ChainID string
	Block   ledger.Block
	Ledger  *ledger.Ledger
	// Local is where modules write their node-local indexes for this
	// execution (a branch over the app's LocalStore, written when the
	// execution succeeds; spec/state.md "Local indexes"). Execution writes
	// it and never reads it, so it cannot change state.
	Local ledger.KV
}

// route decodes, validates and executes one message type.
type route struct {
	decode func(raw json.RawMessage) (any, error)
	exec   func(env *Env, signer ledger.Address, msg any) (ledger.Output, error)
}

// Router maps message type names to their routes. Each App builds its own
// from its module list (New).
type Router struct {
	routes map[string]route
	err    error // the first registration error (a duplicate type)
}

// NewRouter returns a router with the messages of every module of
// Modules() (for tools and benchmarks; an App has its own).
func NewRouter() *Router {
	as, err := assemble(Modules())
	if err != nil {
		panic(err) // the built-in module list is checked by the tests
	}
	return as.router
}

// register runs module's message registrations, failing on a message type
// already taken.
func (r *Router) register(module string, msgs func(*Router)) error {
	msgs(r)
	if r.err != nil {
		return fmt.Errorf("module %s: %w", module, r.err)
	}
	return nil
}

// Handle registers message type typ with its exec function. M is the
// message struct, decoded strictly and validated before exec runs.
func Handle[M any](r *Router, typ string, exec func(env *Env, signer ledger.Address, m *M) (ledger.Output, error)) {
	HandleDecoded(r, typ, func(m *M) (*M, error) { return m, nil }, exec)
}

// HandleDecoded is Handle for a message whose decoding goes on after M is
// decoded strictly and validated: then turns *M into the D that exec runs,
// at decode time, so that CheckTx refuses what then refuses (a collective
// exec decodes its inner messages with their own routes).
func HandleDecoded[M, D any](r *Router, typ string, then func(m *M) (D, error), exec func(env *Env, signer ledger.Address, d D) (ledger.Output, error)) {
	if _, dup := r.routes[typ]; dup {
		if r.err == nil {
			r.err = fmt.Errorf("duplicate message type %q", typ)
		}
		return
	}
	r.routes[typ] = route{
		decode: func(raw json.RawMessage) (any, error) {
			m := new(M)
			if len(raw) == 0 {
				return nil, fmt.Errorf("%w: message value missing", ErrInvalidField)
			}
			if err := StrictUnmarshal(raw, m); err != nil {
				return nil, err
			}
			if err := Validate(m); err != nil {
				return nil, err
			}
			return then(m)
		},
		exec: func(env *Env, signer ledger.Address, msg any) (ledger.Output, error) {
			return exec(env, signer, msg.(D))
		},
	}
}

// Types lists the registered message types in order.
func (r *Router) Types() []string {
	out := make([]string, 0, len(r.routes))
	for t := range r.routes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// decodeMsgs decodes and validates every message of a body.
func (r *Router) decodeMsgs(b *Body) ([]any, error) {
	out := make([]any, len(b.Msgs))
	for i, m := range b.Msgs {
		v, err := r.decodeMsg("msg", i, m.Type, m.Value)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// decodeMsg decodes and validates raw as a message of type typ with its
// route; errors name it as the i-th of what ("msg 2 (transfer): ...").
func (r *Router) decodeMsg(what string, i int, typ string, raw json.RawMessage) (any, error) {
	rt, ok := r.routes[typ]
	if !ok {
		return nil, fmt.Errorf("%s %d: %w: %q", what, i, ErrUnknownMsg, typ)
	}
	v, err := rt.decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %d (%s): %w", what, i, typ, err)
	}
	return v, nil
}

// execMsg executes msg, decoded by decodeMsg as type typ, with its route.
func (r *Router) execMsg(env *Env, signer ledger.Address, typ string, msg any) (ledger.Output, error) {
	return r.routes[typ].exec(env, signer, msg)
}

func registerLedger(r *Router) {
	Handle(r, "asset/create", func(env *Env, s ledger.Address, m *ledger.MsgCreateAsset) (ledger.Output, error) {
		return env.Ledger.ExecCreateAsset(s, m)
	})
	Handle(r, "asset/mint", func(env *Env, s ledger.Address, m *ledger.MsgMint) (ledger.Output, error) {
		return env.Ledger.ExecMint(s, m)
	})
	Handle(r, "asset/burn", func(env *Env, s ledger.Address, m *ledger.MsgBurn) (ledger.Output, error) {
		return env.Ledger.ExecBurn(s, m)
	})
	Handle(r, "asset/transfer-issuer", func(env *Env, s ledger.Address, m *ledger.MsgTransferIssuer) (ledger.Output, error) {
		return env.Ledger.ExecTransferIssuer(s, m)
	})
	Handle(r, "transfer", func(env *Env, s ledger.Address, m *ledger.MsgTransfer) (ledger.Output, error) {
		return env.Ledger.ExecTransfer(s, m)
	})
	Handle(r, "multi-transfer", func(env *Env, s ledger.Address, m *ledger.MsgMultiTransfer) (ledger.Output, error) {
		return env.Ledger.ExecMultiTransfer(s, m)
	})
}
