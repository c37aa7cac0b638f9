package app

// Wiring of the exchange pools module (contracts/pools): message routes
// pool/create, pool/add, pool/remove, pool/swap, and its swap metric. Its codes (200–249) and
// its queries (/pool/ID, /pools, /quote: contracts/pools/query.go) are
// listed in poolsModule (modules.go). The rules are in spec/pools.md.

import (
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/riffchain/riffchain/contracts/pools"
)

func registerPools(r *Router) {
	keeper := func(env *Env) *pools.Keeper { return pools.New(env.Ledger) }
	handleExec(r, pools.TypeCreate, keeper, (*pools.Keeper).ExecCreate)
	handleExec(r, pools.TypeAdd, keeper, (*pools.Keeper).ExecAdd)
	handleExec(r, pools.TypeRemove, keeper, (*pools.Keeper).ExecRemove)
	handleExec(r, pools.TypeSwap, keeper, (*pools.Keeper).ExecSwap)
}

// poolMetrics counts pool swap hops (spec/network.md "Metrics").
func poolMetrics() *EventMetrics {
	swaps := prometheus.NewCounter(prometheus.CounterOpts{Namespace: MetricsNamespace, Name: "pool_swaps_total",
		Help: `Pool swap hops executed ("pool_swap" events; a multi-hop swap counts each hop).`})
	return &EventMetrics{
		Collectors: []prometheus.Collector{swaps},
		Count: func(e abci.Event) {
			if e.Type == "pool_swap" {
				swaps.Inc()
			}
		},
	}
}
