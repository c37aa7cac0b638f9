package app

import (
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
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
func provenResult(v query.Provable, what string) (*QueryResult, error) { return query.Proven(v, what) }
