// Package pools owns riffchain's constant-product exchange pools (Uniswap v2
// style): creating a pool for a pair of fungible assets and a fee tier,
// adding and removing liquidity against fungible share assets, exact-in and
// exact-out swaps along a path of pools, and read-only quotes.
//
// A pool's reserves are not stored separately: they are the ledger balances
// of the pool's derived account (ledger.DeriveAddress("pool", id)), so every
// reserve is provable with the ledger's balance keys. All arithmetic is done
// with math/big integers and rounds in the pool's favour. The rules are in
// spec/pools.md.
package pools
