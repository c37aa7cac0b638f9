package app

import (
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
	"github.com/riffchain/riffchain/ledger/query"
	"github.com/riffchain/riffchain/lens"
)

// Modules returns riffchain: the modules of the app, in the order their
// hooks run. Reading this list and the Module value each constructor
// returns tells what the app does. Each module's rules, queries and codes
// live in its own package; app/ only routes and frames them:
//
//   - ledger (package ledger): accounts, assets, transfers; genesis; the
//     supply invariants; queries of accounts, balances, owners, holders
//     and raw state (ledger/queries.go);
//   - agreements (contracts/agreements): signed multi-party agreements,
//     escrow, collectives and their offline-signed execs; expiry at the end
//     of each block; the node-local party index (query_paths.go; wiring in
//     wire_agreements.go, wire_collective_exec.go);
//   - pools (contracts/pools): constant-product exchange pools (query.go);
//   - lens (package lens): Lenses, follows, views, seeding and hosts
//     (lens/query*.go); the Lens invariants; the node-local roles index
//     (lens/role_index.go);
//   - validators (contracts/validators): the validator set, its
//     offline-signed changes, evidence and jailing at the end of each block
//     (query.go; wiring in wire_validators.go).
//
// Agreements settle actions of other modules through the hooks given here
// (a pool swap, a Lens handed over): the agreements package imports neither.
//
// Every block: each tx's messages run through the router in tx order; then
// EndBlock of agreements (expiry); then FinishBlock of validators (evidence,
// validator updates).
func Modules() []Module {
	return []Module{
		ledgerModule(),
		agreementsModule(agreementHooks()),
		poolsModule(),
		lensModule(),
		validatorsModule(),
	}
}

// agreementHooks are the actions of other modules an agreement may settle:
// a pool swap (pools) and a Lens handed over (lens).
func agreementHooks() agreements.Hooks {
	return agreements.Hooks{PoolSwap: agreementPoolSwap, LensTransfer: agreementLensTransfer}
}

// agreementLensTransfer settles an agreement's lens_transfer action: the
// Lens is handed from the party to the recipient (lens.Keeper.Transfer).
func agreementLensTransfer(l *ledger.Ledger, _ ledger.Block, a *agreements.LensTransferAction) error {
	return lens.New(l).Transfer(a.From, a.To, a.Lens)
}

// frameCodes are the codes of what app itself does around the modules: tx
// framing and signatures (tx.go), admission (admission.go), gas (gas.go,
// package gas) and the errors every query may answer (package query).
func frameCodes() Module {
	return Module{Name: "app", Codes: append(append(errs.List(), gas.Codes()...), query.Codes()...)}
}

// ledgerModule is package ledger's messages and queries.
func ledgerModule() Module {
	return Module{
		Name:  "ledger",
		Codes: ledger.Codes(),
		Msgs:  registerLedger,
		Genesis: func(env *Env, gs *GenesisState) error {
			return env.Ledger.InitGenesis(gs.Ledger)
		},
		Invariants: ledger.CheckInvariants,
		Queries: []Query{
			StateQuery("account", ledger.QueryAccount),
			StateQuery("asset", ledger.QueryAsset),
			StateQuery("balance", ledger.QueryBalance),
			StateQuery("balances", ledger.QueryBalances),
			StateQuery("owner", ledger.QueryOwner),
			StateQuery("holders", ledger.QueryHolders),
			StateQuery("items", ledger.QueryItems),
			StateQuery("store", ledger.QueryStore),
		},
	}
}

// poolsModule is package contracts/pools (spec/pools.md).
func poolsModule() Module {
	return Module{
		Name:    "pools",
		Codes:   pools.Codes(),
		Metrics: poolMetrics,
		Msgs:    registerPools,
		Queries: []Query{
			StateQuery("pool", pools.QueryPool),
			StateQuery("pools", pools.QueryPools),
			StateQuery("quote", pools.QueryQuote),
		},
	}
}

// lensModule is package lens (spec/lenses.md).
func lensModule() Module {
	return Module{
		Name:       "lens",
		Codes:      lens.Codes(),
		Msgs:       registerLens,
		Invariants: lens.CheckInvariants,
		Queries: []Query{
			StateQuery("lens", lens.QueryLens),
			StateQuery("lenses", lens.QueryLenses),
			StateQuery("view", lens.QueryView),
			StateQuery("seeding", lens.QuerySeeding),
			StateQuery("manifest", lens.QueryManifest),
			StateQuery("hosts", lens.QueryHosts),
			{Path: "roles", Handler: lens.QueryRolesHeld},
		},
		LocalIndexes: []LocalIndex{{Name: "lens roles index", Rebuild: func(state ledger.Reader, local ledger.KV) error {
			_, err := lens.RebuildRoleIndex(state, local)
			return err
		}}},
	}
}

// validatorsModule is package contracts/validators (spec/validators.md).
func validatorsModule() Module {
	return Module{
		Name:      "validators",
		Codes:     validators.Codes(),
		Msgs:      registerValidators,
		InitChain: validatorsInitChain,
		// After EndBlock: evidence and queued changes become this block's
		// validator updates.
		FinishBlock: validatorsEndBlock,
		Queries: []Query{
			StateQuery("validators", validators.QueryValidators),
			StateQuery("evidence", validators.QueryEvidence),
			StateQuery("validator-change", validators.QueryChange),
		},
	}
}
