// Package app is the riffchain ABCI 2.0 application: the transaction codec,
// signature and nonce checks, message routing to the ledger, contracts and
// lens packages, events, query paths with Merkle proofs, and the wiring of
// an in-process CometBFT node around it.
//
// It owns no business rules of its own: every state change is made by a
// domain package inside a branch of state that is written only when the
// whole transaction succeeds.
package app
