package app

// Gas (spec/gas.md): every tx declares a gas limit (Body.Gas); execution
// charges the gas table of package ledger/gas for its work and fails with
// CodeOutOfGas when the limit is reached; a block's declared limits add up
// to at most the consensus parameter block.max_gas.

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// Gas errors. gas.ErrOutOfGas is the one execution returns; ErrGasLimit
// refuses a declared limit no block could hold; ErrQueryBudget is a query
// that needed more work than a query may do.
var (
	ErrGasLimit    = errs.New(34, "gas limit above the block's max gas")
	ErrQueryBudget = errs.New(35, "query exceeds its work budget")
)

// DefaultBlockMaxGas is block.max_gas in the genesis `riffchain init`,
// `dev` and `testnet` write, and the cap the app applies when genesis says
// -1 (no limit): a block's work stays bounded either way (spec/gas.md).
const DefaultBlockMaxGas int64 = 250_000_000

// MaxBlockGas returns the gas cap of a block: block.max_gas, or
// DefaultBlockMaxGas when that is not positive.
func (a *App) MaxBlockGas() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.blockMaxGas > 0 {
		return uint64(a.blockMaxGas)
	}
	return uint64(DefaultBlockMaxGas)
}

// SetBlockMaxGas sets the block.max_gas consensus parameter the app
// enforces (from InitChain, or the genesis file when a node restarts: the
// app never changes consensus parameters, so genesis holds the current
// value).
func (a *App) SetBlockMaxGas(v int64) {
	a.mu.Lock()
	a.blockMaxGas = v
	a.mu.Unlock()
}

// queryBudget is the gas one query may use: gas.QueryBudget, or
// queryBudgetOverride when a test sets one.
func (a *App) queryBudget() uint64 {
	if a.queryBudgetOverride > 0 {
		return a.queryBudgetOverride
	}
	return gas.QueryBudget
}

// signatureCounter is implemented by messages that carry offline signatures
// (agreement files, collective execs, validator changes): each is charged as
// a signature check.
type signatureCounter interface{ SignatureCount() int }

// intrinsicGas is what a tx costs before any message runs: the base, its
// wire bytes and every signature it needs checked.
func intrinsicGas(ct *checkedTx, wireLen int) uint64 {
	sigs := uint64(1)
	for _, m := range ct.msgs {
		if sc, ok := m.(signatureCounter); ok {
			sigs = gas.Add(sigs, uint64(sc.SignatureCount()))
		}
	}
	return gas.Add(gas.Add(gas.TxBase, gas.Mul(gas.TxByte, uint64(wireLen))), gas.Mul(gas.SigVerify, sigs))
}

// checkGasLimit refuses, in CheckTx, a tx whose declared limit no block can
// hold or which cannot pay even for its intrinsic cost.
func (a *App) checkGasLimit(ct *checkedTx, wireLen int) error {
	lim := ct.tx.Body.Gas
	if max := a.MaxBlockGas(); lim > max {
		return fmt.Errorf("%w: gas %d, block max_gas %d", ErrGasLimit, lim, max)
	}
	if need := intrinsicGas(ct, wireLen); lim < need {
		return fmt.Errorf("%w: gas %d is below the tx's intrinsic cost %d (base, bytes, signatures)", gas.ErrOutOfGas, lim, need)
	}
	return nil
}

// eventsGas is what the events a tx emitted cost: EventByte per byte of
// type, keys and values.
func eventsGas(list []ledger.Event) uint64 {
	n := 0
	for _, e := range list {
		n += len(e.Type)
		for _, at := range e.Attrs {
			n += len(at.Key) + len(at.Value)
		}
	}
	return gas.Mul(gas.EventByte, uint64(n))
}

// blockGas is what a tx counts for against the block's max gas: its
// declared limit, but at least what any tx of its size costs before a
// message runs (TxBase, its bytes and one signature; without the signature
// for bytes that do not decode). A tx whose limit is below its intrinsic
// cost fails in execution without its signatures being checked, so this
// floor bounds what a proposer can make validators do with txs that pay
// nothing: the work of a block is at most its max gas.
func (a *App) blockGas(raw []byte) uint64 {
	floor := gas.Add(gas.TxBase, gas.Mul(gas.TxByte, uint64(len(raw))))
	a.mu.Lock()
	ct, ok := a.cache.get(Hash(raw))
	a.mu.Unlock()
	var declared uint64
	if ok {
		declared = ct.tx.Body.Gas
	} else if tx, err := DecodeTx(raw); err == nil {
		// Only the body is needed: no message decoding or signature check.
		declared = tx.Body.Gas
	} else {
		return floor
	}
	return max(declared, gas.Add(floor, gas.SigVerify))
}

// capGas returns the longest prefix of txs whose gas (blockGas: declared,
// at least the intrinsic floor) adds up to at most the block's max gas (CometBFT's reaping already stops there
// when genesis sets block.max_gas; this also holds it when genesis says -1).
// A prefix keeps every signer's txs a nonce-ordered prefix of its own.
func (a *App) capGas(txs [][]byte) [][]byte {
	max, sum := a.MaxBlockGas(), uint64(0)
	for i, raw := range txs {
		g := a.blockGas(raw)
		if g > max-sum {
			return txs[:i]
		}
		sum += g
	}
	return txs
}

// ProcessProposal implements abci.Application: a proposal whose txs count
// more gas (blockGas) than the block's max gas is rejected (an honest
// proposer's PrepareProposal never makes one).
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	max, sum := a.MaxBlockGas(), uint64(0)
	for _, raw := range req.Txs {
		g := a.blockGas(raw)
		if g > max-sum {
			a.logger.Info("rejected proposal over the block's max gas", "height", req.Height, "max_gas", max)
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
		sum += g
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
