package app

import (
	"encoding/json"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Helpers shared by the module wiring files (wire_*.go).

// handleExec registers message type typ with exec, a keeper method
// expression such as (*pools.Keeper).ExecSwap, run on the keeper that
// keeper builds over each transaction's env.
func handleExec[K, M any](r *Router, typ string, keeper func(*Env) K,
	exec func(k K, blk ledger.Block, signer ledger.Address, m *M) (ledger.Output, error)) {
	Handle(r, typ, func(env *Env, s ledger.Address, m *M) (ledger.Output, error) {
		return exec(keeper(env), env.Block, s, m)
	})
}

// provenResult is the answer of a query whose value v carries the state
// keys and values that back it: v as JSON, proven by v.KVs(). what names v
// in an encoding error.
func provenResult(v interface{ KVs() ([]KV, error) }, what string) (*QueryResult, error) {
	kvs, err := v.KVs()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encode %s: %v", ErrInternal, what, err)
	}
	return &QueryResult{Value: b, Proven: kvs}, nil
}
