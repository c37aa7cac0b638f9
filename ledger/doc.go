// Package ledger owns riffchain's state: the IAVL-backed store with its
// branches and proofs, accounts and their nonces, assets (fungible and
// unique), balances, unique-item owners, and the transfer, mint and burn
// primitives that every other package moves value through.
//
// It knows nothing of ABCI, the CLI, agreements or Lenses. Everything here is
// deterministic: no clocks, no randomness, no unordered iteration.
package ledger
