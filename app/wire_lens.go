package app

// Wiring of the Lens module (package lens): the lens/* and seed/* message
// routes. Its codes (300–349), queries (lens/query*.go) and the agreements'
// lens_transfer action (lens.Keeper.Transfer) live in package lens and are
// listed in lensModule and agreementHooks (modules.go). The rules are in
// spec/lenses.md.

import "github.com/riffchain/riffchain/lens"

func registerLens(r *Router) {
	keeper := func(env *Env) *lens.Keeper {
		k := lens.New(env.Ledger)
		if env.Local != nil {
			k.SetRoleIndex(env.Local) // the node-local roles index (lens/role_index.go)
		}
		return k
	}
	handleExec(r, lens.TypeCreate, keeper, (*lens.Keeper).ExecCreate)
	handleExec(r, lens.TypeGrant, keeper, (*lens.Keeper).ExecGrant)
	handleExec(r, lens.TypeRevoke, keeper, (*lens.Keeper).ExecRevoke)
	handleExec(r, lens.TypeAddEntry, keeper, (*lens.Keeper).ExecAddEntry)
	handleExec(r, lens.TypeEditEntry, keeper, (*lens.Keeper).ExecEditEntry)
	handleExec(r, lens.TypeRemoveEntry, keeper, (*lens.Keeper).ExecRemoveEntry)
	handleExec(r, lens.TypeFollow, keeper, (*lens.Keeper).ExecFollow)
	handleExec(r, lens.TypeUnfollow, keeper, (*lens.Keeper).ExecUnfollow)
	handleExec(r, lens.TypeBlock, keeper, (*lens.Keeper).ExecBlock)
	handleExec(r, lens.TypeUnblock, keeper, (*lens.Keeper).ExecUnblock)
	handleExec(r, lens.TypeFork, keeper, (*lens.Keeper).ExecFork)
	handleExec(r, lens.TypeImport, keeper, (*lens.Keeper).ExecImport)
	handleExec(r, lens.TypeImportEntries, keeper, (*lens.Keeper).ExecImportEntries)
	handleExec(r, lens.TypeAnnounce, keeper, (*lens.Keeper).ExecAnnounce)
	handleExec(r, lens.TypeWithdraw, keeper, (*lens.Keeper).ExecWithdraw)
}
