package app

// Wiring of the exchange pools module (contracts/pools): message routes
// pool/create, pool/add, pool/remove, pool/swap. Its codes (200–249) and
// its queries (/pool/ID, /pools, /quote: contracts/pools/query.go) are
// listed in poolsModule (modules.go). The rules are in spec/pools.md.

import "github.com/riffchain/riffchain/contracts/pools"

func registerPools(r *Router) {
	keeper := func(env *Env) *pools.Keeper { return pools.New(env.Ledger) }
	handleExec(r, pools.TypeCreate, keeper, (*pools.Keeper).ExecCreate)
	handleExec(r, pools.TypeAdd, keeper, (*pools.Keeper).ExecAdd)
	handleExec(r, pools.TypeRemove, keeper, (*pools.Keeper).ExecRemove)
	handleExec(r, pools.TypeSwap, keeper, (*pools.Keeper).ExecSwap)
}
