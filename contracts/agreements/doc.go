// Package agreements owns riffchain's signed multi-party agreements and
// collectives: the canonical agreement body and its id, offline signatures
// and the agreement file the CLI passes around, the on-ledger
// propose–accept–reject–withdraw flow with optional escrow, atomic
// settlement of an agreement's actions through the ledger, expiry at end of
// block, attestation of obligations after settlement, and collective
// (k-of-n) accounts that can be parties.
//
// State lives under the "agr/" key prefix (see keys.go and
// spec/agreements.md). Everything here is deterministic: no clocks, no
// randomness in state code, no unordered iteration.
package agreements
