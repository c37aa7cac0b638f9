package app

import (
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

// SimulateResult is the value of the /simulate query: what executing the
// tx in the next block would use and answer, as of the last committed
// state (spec/gas.md "Simulation").
type SimulateResult struct {
	GasUsed uint64 `json:"gas_used"`
	// GasLimit is the limit the simulation ran under (the block's max gas).
	GasLimit uint64 `json:"gas_limit"`
	Code     uint32 `json:"code"`
	Log      string `json:"log,omitempty"`
}

// querySimulate answers "/simulate" with the tx bytes as the query's data:
// it runs the tx exactly as a block would — same gas table, same branches —
// on a throwaway copy of the last committed state, and answers the gas it
// used with the code and log it would get. The simulation ignores the tx's
// declared gas limit (it runs under the block's max gas), its signature
// (charged, not checked, so a client can simulate before signing) and how
// far its nonce is ahead of the committed one (txs still in the mempool).
func (a *App) querySimulate(req *abci.RequestQuery) *abci.ResponseQuery {
	fail := func(err error) *abci.ResponseQuery {
		return &abci.ResponseQuery{Code: CodeOf(err), Log: err.Error(), Codespace: "riffchain"}
	}
	if len(req.Data) == 0 {
		return fail(fmt.Errorf("%w: /simulate wants the tx bytes as the query data", ErrBadQuery))
	}
	ct, err := a.decode(req.Data)
	if err == nil {
		err = a.checkChain(ct)
	}
	if err != nil {
		return fail(fmt.Errorf("simulate: %w", err))
	}
	a.mu.Lock()
	snap, blk := a.checkSnap, a.lastBlock
	a.mu.Unlock()
	if snap == nil {
		return fail(fmt.Errorf("%w: no committed state to simulate on", ErrNotFound))
	}
	b := &ct.tx.Body
	b.Gas = a.MaxBlockGas()
	state := ledger.NewBranch(ledger.ReadOnly(snap))
	l := ledger.New(state, nil)
	acc, err := l.Account(b.Signer)
	if err != nil {
		return fail(err)
	}
	if b.Nonce > acc.Nonce+1 { // later than the next: as if the txs before it had run
		acc.Nonce = b.Nonce - 1
		if err := l.SetAccount(acc); err != nil {
			return fail(err)
		}
	}
	blk.Height = snap.Version + 1
	x := a.execute(state, ledger.NewBranch(a.local), blk, ledger.Address{}, ct, len(req.Data))
	res := SimulateResult{GasUsed: uint64(x.res.GasUsed), GasLimit: b.Gas, Code: x.res.Code, Log: x.res.Log}
	v, _ := json.Marshal(res)
	return &abci.ResponseQuery{Value: v, Height: snap.Version, Codespace: "riffchain"}
}
