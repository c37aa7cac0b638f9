package agreements

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// checkSupported refuses extension actions whose hook is not wired.
func (k *Keeper) checkSupported(b *Body) error {
	for i := range b.Actions {
		a := &b.Actions[i]
		if a.PoolSwap != nil && k.Hooks.PoolSwap == nil {
			return fmt.Errorf("action %d: %w: pool_swap is not enabled", i, ErrUnsupportedAction)
		}
		if a.LensTransfer != nil && k.Hooks.LensTransfer == nil {
			return fmt.Errorf("action %d: %w: lens_transfer is not enabled", i, ErrUnsupportedAction)
		}
	}
	return nil
}

// execAction executes action i of rec through l. Escrowed transfers are
// paid from the escrow account.
func (k *Keeper) execAction(l *ledger.Ledger, blk ledger.Block, rec *Record, i int) error {
	a := &rec.Body.Actions[i]
	switch {
	case a.Transfer != nil:
		t := a.Transfer
		from := t.From
		if rec.escrowed(i) {
			from = rec.Escrow.Address
		}
		if t.Item != "" {
			return l.TransferItem(from, t.To, t.Asset, t.Item)
		}
		return l.Transfer(from, t.To, t.Asset, *t.Amount)
	case a.HandOver != nil:
		h := a.HandOver
		return l.HandOver(h.Asset, h.From, h.To, h.Holdings)
	// Extension point: actions executed by other modules.
	case a.PoolSwap != nil:
		if k.Hooks.PoolSwap == nil {
			return fmt.Errorf("%w: pool_swap", ErrUnsupportedAction)
		}
		return k.Hooks.PoolSwap(l, blk, a.PoolSwap)
	case a.LensTransfer != nil:
		if k.Hooks.LensTransfer == nil {
			return fmt.Errorf("%w: lens_transfer", ErrUnsupportedAction)
		}
		return k.Hooks.LensTransfer(l, blk, a.LensTransfer)
	}
	return fmt.Errorf("%w: empty action", ErrInvalidBody)
}

// settle executes every action of rec, in order, in a nested branch of the
// keeper's state. When all succeed the branch is written through and its
// events kept; when one fails the branch is dropped, so nothing moves, and
// the failure is returned as actErr. err is a store failure writing the
// branch through, which must fail the transaction.
func (k *Keeper) settle(blk ledger.Block, rec *Record) (actErr, err error) {
	br := ledger.NewBranch(k.kv)
	ev := &ledger.Events{}
	nl := ledger.New(br, ev)
	for i := range rec.Body.Actions {
		if e := k.execAction(nl, blk, rec, i); e != nil {
			return fmt.Errorf("action %d: %w", i, e), nil
		}
	}
	if err := br.Write(); err != nil {
		return nil, err
	}
	k.events.Append(ev)
	return nil, nil
}

// markSettled moves rec to settled after a successful settle.
func (k *Keeper) markSettled(blk ledger.Block, rec *Record, by *ledger.Address) {
	rec.Status = StatusSettled
	rec.SettledHeight = blk.Height
	rec.SettledTime = blk.Time
	rec.LastError = ""
	rec.LastErrorHeight = 0
	if rec.Escrow != nil && !rec.Escrow.Returned {
		rec.Escrow.Paid = true
	}
	rec.addHistory(blk, "settled", by, "")
}

// lockEscrow moves the proposer's own outgoing transfer actions into the
// agreement's escrow account.
func (k *Keeper) lockEscrow(rec *Record, proposer ledger.Address) error {
	esc := &Escrow{Address: EscrowAddress(rec.ID), Actions: []int{}}
	for i := range rec.Body.Actions {
		t := rec.Body.Actions[i].Transfer
		if t == nil || t.From != proposer {
			continue
		}
		var err error
		if t.Item != "" {
			err = k.l.TransferItem(proposer, esc.Address, t.Asset, t.Item)
		} else {
			err = k.l.Transfer(proposer, esc.Address, t.Asset, *t.Amount)
		}
		if err != nil {
			return fmt.Errorf("%w: action %d: %w", ErrEscrowInsufficient, i, err)
		}
		esc.Actions = append(esc.Actions, i)
	}
	if len(esc.Actions) > 0 {
		rec.Escrow = esc
	}
	return nil
}

// returnEscrow moves everything still escrowed for rec back to the
// proposer through l and marks it returned.
func (k *Keeper) returnEscrow(l *ledger.Ledger, rec *Record) error {
	if rec.Escrow == nil || rec.Escrow.Returned || rec.Escrow.Paid {
		return nil
	}
	for _, i := range rec.Escrow.Actions {
		t := rec.Body.Actions[i].Transfer
		var err error
		if t.Item != "" {
			err = l.TransferItem(rec.Escrow.Address, t.From, t.Asset, t.Item)
		} else {
			err = l.Transfer(rec.Escrow.Address, t.From, t.Asset, *t.Amount)
		}
		if err != nil {
			return fmt.Errorf("return escrow of action %d: %w", i, err)
		}
	}
	rec.Escrow.Returned = true
	return nil
}
