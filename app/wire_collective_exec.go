package app

import (
	"fmt"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file wires collective execution ("collective/exec"): a batch of
// ordinary messages signed offline by k current members of a collective,
// run with the collective as signer through this router. Its codes are
// 137–141; its query is /collective-exec/ADDR.

// decodedCollectiveExec is a collective/exec message whose inner messages
// were decoded and validated by their own routes.
type decodedCollectiveExec struct {
	msg   *agreements.MsgCollectiveExec
	inner []any
}

// registerCollectiveExec adds the collective/exec route. The outer message
// is decoded strictly and validated as every message is (HandleDecoded);
// then every inner message is decoded with that message type's own route
// (strictly, tags and Check), so CheckTx refuses a malformed inner message
// as it would a top-level one. A nested collective/exec is refused.
func (w *agreementsWiring) registerCollectiveExec(r *Router) {
	decodeInner := func(m *agreements.MsgCollectiveExec) (*decodedCollectiveExec, error) {
		d := &decodedCollectiveExec{msg: m, inner: make([]any, len(m.Msgs))}
		for i, im := range m.Msgs {
			if im.Type == agreements.TypeCollectiveExec {
				return nil, fmt.Errorf("inner msg %d: %w", i, agreements.ErrExecNested)
			}
			v, err := r.decodeMsg("inner msg", i, im.Type, im.Value)
			if err != nil {
				return nil, err
			}
			d.inner[i] = v
		}
		return d, nil
	}
	HandleDecoded(r, agreements.TypeCollectiveExec, decodeInner, func(env *Env, signer ledger.Address, d *decodedCollectiveExec) (ledger.Output, error) {
		run := func(l *ledger.Ledger, as ledger.Address, i int, im agreements.ExecMsg) (ledger.Output, error) {
			inner := &Env{ChainID: env.ChainID, Block: env.Block, Ledger: l, Local: env.Local}
			return r.execMsg(inner, as, im.Type, d.inner[i])
		}
		return w.keeper(env).ExecCollectiveExec(env.Block, signer, d.msg, run)
	})
}

// CollectiveExecState is the value of "/collective-exec/ADDR".
type CollectiveExecState = agreements.CollectiveExecState

// SignatureCount is how many signatures a collective exec needs checked:
// its member signatures and those its inner messages carry (an agreement
// file's, a validator change's). Each is charged as a signature check in
// the tx's intrinsic gas (spec/gas.md).
func (d *decodedCollectiveExec) SignatureCount() int {
	n := d.msg.SignatureCount()
	for _, m := range d.inner {
		if sc, ok := m.(signatureCounter); ok {
			n += sc.SignatureCount()
		}
	}
	return n
}

// CheckChain runs the chain checks of the inner messages (an agreement
// file's signatures, ...), so that CheckTx refuses a collective exec whose
// inner message could never execute on this chain, as it refuses that
// message at top level.
func (d *decodedCollectiveExec) CheckChain(chainID string) error {
	for i, m := range d.inner {
		if cc, ok := m.(chainChecker); ok {
			if err := cc.CheckChain(chainID); err != nil {
				return fmt.Errorf("inner msg %d (%s): %w", i, d.msg.Msgs[i].Type, err)
			}
		}
	}
	return nil
}
