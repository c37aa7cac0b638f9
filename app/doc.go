// Package app is the riffchain ABCI 2.0 application: the transaction codec,
// signature and nonce checks, message routing to the ledger, contracts and
// lens packages, events, query paths with Merkle proofs, and the wiring of
// an in-process CometBFT node around it.
//
// It owns no business rules of its own: every state change is made by a
// domain package inside a branch of state that is written only when the
// whole transaction succeeds.
//
// The app is a list of modules: Modules (modules.go) names them in order,
// and each Module value (module.go) declares in one place its messages,
// queries, coded errors, block hooks and node-local indexes. Nothing
// registers itself at init time and New builds every table an App uses
// from the list it is given, so two Apps in one process share nothing.
package app
