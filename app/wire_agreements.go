package app

import (
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"fmt"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

// This file wires contracts/agreements into the app: the agreement and
// collective messages, their error codes (100–149), the end-of-block
// expiry step and the query paths /agreement, /agreements, /collective.

// agreementPoolSwap executes an agreement's pool_swap action through the
// pools module, against the settlement branch l.
func agreementPoolSwap(l *ledger.Ledger, blk ledger.Block, a *agreements.PoolSwapAction) error {
	_, err := pools.New(l).Swap(blk, a.Trader, []string{a.Pool}, a.AssetIn, a.AmountIn, a.MinOut)
	return err
}

// agreementsWiring builds the agreements keeper of each execution with the
// hooks the module list gave it.
type agreementsWiring struct{ hooks agreements.Hooks }

// keeper returns the agreements keeper over env, with the node-local party
// index in env.Local and every hook of the module list set.
func (w *agreementsWiring) keeper(env *Env) *agreements.Keeper {
	k := agreements.New(env.Ledger, env.ChainID, env.Local)
	k.Hooks = w.hooks
	return k
}

// agreementsModule is package contracts/agreements (spec/agreements.md):
// agreements, collectives and collective execs, with hooks for the actions
// of other modules an agreement may settle.
func agreementsModule(hooks agreements.Hooks) Module {
	w := &agreementsWiring{hooks: hooks}
	return Module{
		Name:    "agreements",
		Codes:   agreements.Codes(),
		Metrics: agreementMetrics,
		Msgs:    w.register,
		Queries: []Query{
			StateQuery("agreement", agreements.QueryAgreement),
			{Path: "agreements", Handler: agreements.QueryAgreements},
			StateQuery("collective", agreements.QueryCollective),
			StateQuery("collectives", agreements.QueryCollectivesOf),
			StateQuery("collective-exec", agreements.QueryCollectiveExec),
		},
		EndBlock: func(env *Env) error {
			if err := w.keeper(env).EndBlock(env.Block); err != nil {
				return fmt.Errorf("agreements end block: %w", err)
			}
			return nil
		},
		LocalIndexes: []LocalIndex{{Name: "agreements party index", Rebuild: func(state ledger.Reader, local ledger.KV) error {
			_, err := agreements.RebuildPartyIndex(state, local)
			return err
		}}},
	}
}

func (w *agreementsWiring) register(r *Router) {
	keeper := w.keeper
	w.registerCollectiveExec(r)
	handleExec(r, agreements.TypeSubmit, keeper, (*agreements.Keeper).ExecSubmit)
	handleExec(r, agreements.TypePropose, keeper, (*agreements.Keeper).ExecPropose)
	handleExec(r, agreements.TypeAccept, keeper, (*agreements.Keeper).ExecAccept)
	handleExec(r, agreements.TypeReject, keeper, (*agreements.Keeper).ExecReject)
	handleExec(r, agreements.TypeWithdraw, keeper, (*agreements.Keeper).ExecWithdraw)
	handleExec(r, agreements.TypeExecute, keeper, (*agreements.Keeper).ExecExecute)
	handleExec(r, agreements.TypeAttest, keeper, (*agreements.Keeper).ExecAttest)
	handleExec(r, agreements.TypeCreateCollective, keeper, (*agreements.Keeper).ExecCreateCollective)
	handleExec(r, agreements.TypeLeaveCollective, keeper, (*agreements.Keeper).ExecLeaveCollective)
}

// agreementMetrics counts "agreement" events by action and status, and the
// agreements that settled or lapsed (spec/network.md "Metrics").
func agreementMetrics() *EventMetrics {
	events := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: MetricsNamespace, Name: "agreement_events_total",
		Help: `"agreement" events, by action and resulting status.`}, []string{"action", "status"})
	settled := prometheus.NewCounter(prometheus.CounterOpts{Namespace: MetricsNamespace, Name: "agreements_settled_total",
		Help: "Agreements that became settled (submitted fully signed, or the last acceptance)."})
	lapsed := prometheus.NewCounter(prometheus.CounterOpts{Namespace: MetricsNamespace, Name: "agreements_lapsed_total",
		Help: "Agreements that lapsed at their expiry."})
	return &EventMetrics{
		Collectors: []prometheus.Collector{events, settled, lapsed},
		Count: func(e abci.Event) {
			if e.Type != "agreement" {
				return
			}
			action, status := attr(e, "action"), attr(e, "status")
			events.WithLabelValues(action, status).Inc()
			switch {
			case status == "settled" && (action == "submit" || action == "settle"):
				settled.Inc()
			case status == "lapsed" && action == "lapse":
				lapsed.Inc()
			}
		},
	}
}
