package agreements

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Hooks execute the action kinds that other modules own (the extension
// point of Action). Each hook runs against l, a ledger over the nested
// settlement branch: it must do all its reads and writes through l.KV()
// and l so that a failed settlement drops them. A nil hook makes
// agreements with that action kind unsupported.
type Hooks struct {
	PoolSwap     func(l *ledger.Ledger, blk ledger.Block, a *PoolSwapAction) error
	LensTransfer func(l *ledger.Ledger, blk ledger.Block, a *LensTransferAction) error
}

// Keeper executes agreement and collective messages over one transaction's
// state (or the block's state, for EndBlock).
type Keeper struct {
	l       *ledger.Ledger
	kv      ledger.KV
	index   ledger.KV
	events  *ledger.Events
	chainID string
	// Hooks is the extension point for pool swaps and Lens transfers; the
	// app sets it after New.
	Hooks Hooks
}

// New returns a keeper over l's state and events for chain chainID (which
// offline signatures and bodies must name) that keeps its party index in
// index: the app gives it the node-local store (spec/state.md, "Local
// indexes"), so that an agreement writes one state key, its record. A nil
// index keeps no party index. Execution only ever writes the index, never
// reads it, so where it lives cannot change the app hash's inputs; it is
// never consensus state unless a caller passes state itself (tests do, to
// read it back in one store).
func New(l *ledger.Ledger, chainID string, index ledger.KV) *Keeper {
	return &Keeper{l: l, kv: l.KV(), index: index, events: l.Events(), chainID: chainID}
}

// ChainID returns the chain id the keeper checks bodies against.
func (k *Keeper) ChainID() string { return k.chainID }

func (k *Keeper) load(id string) (*Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var r Record
	ok, err := ledger.GetJSON(k.kv, AgreementKey(id), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAgreement, id)
	}
	return &r, nil
}

// save writes rec, moves its party index entries (in the keeper's index
// store, when it keeps one) from prev to its status (prev "" = new record)
// and emits the "agreement" event with the full state.
func (k *Keeper) save(rec *Record, prev Status, action string) error {
	b, err := ledger.SetJSON(k.kv, AgreementKey(rec.ID), rec)
	if err != nil {
		return err
	}
	if prev != rec.Status && k.index != nil {
		for _, p := range rec.Parties {
			if prev != "" {
				if err := k.index.Delete(PartyIndexKey(p, prev, rec.CreatedHeight, rec.ID)); err != nil {
					return err
				}
			}
			if err := k.index.Set(PartyIndexKey(p, rec.Status, rec.CreatedHeight, rec.ID), []byte{}); err != nil {
				return err
			}
		}
	}
	k.events.EmitAttrs("agreement",
		ledger.Attr{Key: "id", Value: rec.ID, Index: true},
		ledger.Attr{Key: "status", Value: string(rec.Status), Index: true},
		ledger.Attr{Key: "action", Value: action, Index: true})
	// The full state goes with the block, not the tx result: the tx
	// indexer would otherwise store every record a second time. Nothing of
	// it is indexed (the tx event above is what one searches by).
	k.events.EmitBlockAttrs("agreement_state",
		ledger.Attr{Key: "id", Value: rec.ID},
		ledger.Attr{Key: "status", Value: string(rec.Status)},
		ledger.Attr{Key: "action", Value: action},
		ledger.Attr{Key: "state", Value: string(b)})
	return nil
}

func (k *Keeper) indexExpiry(rec *Record) error {
	if h := rec.Body.ExpiresAtHeight; h > 0 {
		if err := k.kv.Set(ExpiryHeightKey(h, rec.ID), []byte{}); err != nil {
			return err
		}
	}
	if t := rec.Body.ExpiresAtTime; t > 0 {
		if err := k.kv.Set(ExpiryTimeKey(t, rec.ID), []byte{}); err != nil {
			return err
		}
	}
	return nil
}

func (k *Keeper) unindexExpiry(rec *Record) error {
	if h := rec.Body.ExpiresAtHeight; h > 0 {
		if err := k.kv.Delete(ExpiryHeightKey(h, rec.ID)); err != nil {
			return err
		}
	}
	if t := rec.Body.ExpiresAtTime; t > 0 {
		if err := k.kv.Delete(ExpiryTimeKey(t, rec.ID)); err != nil {
			return err
		}
	}
	return nil
}

// checkNew runs the checks shared by submit and propose: a valid body for
// this chain, supported actions, an unused id, not expired.
// A non-empty id is the body's id as CheckChain established it (the body
// already validated for this chain).
func (k *Keeper) checkNew(blk ledger.Block, body *Body, id string) (string, error) {
	if id == "" {
		if err := body.Validate(k.chainID); err != nil {
			return "", err
		}
		var err error
		if id, err = body.ID(); err != nil {
			return "", err
		}
	}
	if err := k.checkSupported(body); err != nil {
		return "", err
	}
	var existing Record
	ok, err := ledger.GetJSON(k.kv, AgreementKey(id), &existing)
	if err != nil {
		return "", err
	}
	if ok {
		if settledStatus(existing.Status) {
			return "", fmt.Errorf("%w: %s is %s", ErrAlreadySettled, id, existing.Status)
		}
		return "", fmt.Errorf("%w: %s is %s", ErrAgreementExists, id, existing.Status)
	}
	if err := checkUnexpired(body, id, blk); err != nil {
		return "", err
	}
	return id, nil
}

// checkUnexpired fails with ErrExpired when agreement id's body has expired
// at blk.
func checkUnexpired(body *Body, id string, blk ledger.Block) error {
	if body.Expired(blk) {
		return fmt.Errorf("%w: %s at height %d time %d", ErrExpired, id, blk.Height, blk.Time)
	}
	return nil
}

// loadOpen loads agreement id and checks that it is still proposed.
func (k *Keeper) loadOpen(id string) (*Record, error) {
	rec, err := k.load(id)
	if err != nil {
		return nil, err
	}
	if err := requireOpen(rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func requireOpen(r *Record) error {
	switch {
	case r.Status == StatusProposed:
		return nil
	case settledStatus(r.Status):
		return fmt.Errorf("%w: %s is %s", ErrAlreadySettled, r.ID, r.Status)
	default:
		return fmt.Errorf("%w: %s is %s", ErrNotOpen, r.ID, r.Status)
	}
}

// ExecSubmit executes "agreement/submit": verify every party's offline
// signature and settle at once. A signer that is a party approves by
// signing the transaction. Any failure fails the transaction.
func (k *Keeper) ExecSubmit(blk ledger.Block, signer ledger.Address, m *MsgSubmit) (ledger.Output, error) {
	// Verified once (checkchain.go): CheckChain's verdict for this chain,
	// or a full check now.
	id, err := m.verdictFor(k.chainID)
	if err != nil {
		return nil, err
	}
	if id, err = k.checkNew(blk, &m.Body, id); err != nil {
		return nil, err
	}
	ap, err := m.approve(k.chainID, id, nil, k.currentCollective, &signer)
	if err != nil {
		return nil, err
	}
	if len(ap.Missing) > 0 {
		return nil, fmt.Errorf("%w: %d of %d parties have not signed, first %s", ErrMissingSignature, len(ap.Missing), len(m.Body.Parties), ap.Missing[0])
	}
	rec := newRecord(id, m.Body, ModeOffline, blk)
	rec.AcceptedBy = ap.Signed
	rec.Collectives = ap.Votes
	rec.Signatures = m.Signatures
	// One history entry, "settled" by the submitter: a submit that does
	// not settle leaves no record, so a "submitted" entry would only repeat it.
	if err := k.settleOrFail(blk, rec); err != nil {
		return nil, err
	}
	k.markSettled(blk, rec, &signer)
	if err := k.save(rec, "", "submit"); err != nil {
		return nil, err
	}
	return ledger.Output{"agreement_id": id, "status": string(rec.Status)}, nil
}

// ExecPropose executes "agreement/propose".
func (k *Keeper) ExecPropose(blk ledger.Block, signer ledger.Address, m *MsgPropose) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	id, err := k.checkNew(blk, &m.Body, "")
	if err != nil {
		return nil, err
	}
	if !m.Body.isParty(signer) {
		return nil, fmt.Errorf("%w: proposer %s", ErrNotParty, signer)
	}
	rec := newRecord(id, m.Body, ModeProposal, blk)
	rec.Status = StatusProposed
	p := signer
	rec.Proposer = &p
	rec.AcceptedBy = []ledger.Address{signer}
	for _, party := range rec.Parties {
		c, err := k.currentCollective(party)
		if err != nil {
			return nil, err
		}
		if c != nil {
			rec.Collectives = append(rec.Collectives, CollectiveVote{
				Collective: party, Version: c.Version, Threshold: c.Threshold, Approvals: []ledger.Address{},
			})
		}
	}
	rec.addHistory(blk, "proposed", &signer, "")
	out := ledger.Output{"agreement_id": id, "status": string(StatusProposed)}
	if m.Escrow {
		if err := k.lockEscrow(rec, signer); err != nil {
			return nil, err
		}
		if rec.Escrow != nil {
			out["escrow"] = rec.Escrow.Address.String()
			rec.addHistory(blk, "escrowed", &signer, fmt.Sprintf("%d actions", len(rec.Escrow.Actions)))
		}
	}
	if err := k.indexExpiry(rec); err != nil {
		return nil, err
	}
	if err := k.save(rec, "", "propose"); err != nil {
		return nil, err
	}
	return out, nil
}

// ExecAccept executes "agreement/accept". When it is the last acceptance
// the agreement settles in this transaction; if settlement fails, nothing
// moves, the acceptance is kept and the reason is recorded in last_error
// (the transaction itself succeeds). Accepting again once everyone has
// accepted retries the settlement like agreement/execute.
func (k *Keeper) ExecAccept(blk ledger.Block, signer ledger.Address, m *MsgAccept) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, err := k.loadOpen(m.ID)
	if err != nil {
		return nil, err
	}
	if err := checkUnexpired(&rec.Body, rec.ID, blk); err != nil {
		return nil, err
	}
	if m.As == nil {
		if !rec.Body.isParty(signer) {
			return nil, fmt.Errorf("%w: %s", ErrNotParty, signer)
		}
		if rec.vote(signer) != nil {
			return nil, fmt.Errorf("%w: %s is a collective; accept as a member with \"as\"", ErrNotParty, signer)
		}
		if rec.accepted(signer) {
			if rec.allAccepted() {
				return k.retry(blk, rec, signer)
			}
			return nil, fmt.Errorf("%w: %s", ErrAlreadyAccepted, signer)
		}
		rec.AcceptedBy = append(rec.AcceptedBy, signer)
		rec.addHistory(blk, "accepted", &signer, "")
	} else {
		v, err := k.memberVote(rec, *m.As, signer)
		if err != nil {
			return nil, err
		}
		if containsAddr(v.Approvals, signer) {
			if rec.allAccepted() {
				return k.retry(blk, rec, signer)
			}
			return nil, fmt.Errorf("%w: %s for %s", ErrAlreadyAccepted, signer, *m.As)
		}
		if containsAddr(v.Rejections, signer) {
			if err := changeVote(v, signer, *m.As); err != nil {
				return nil, err
			}
		}
		v.Rejections = removeAddr(v.Rejections, signer)
		v.Approvals = append(v.Approvals, signer)
		rec.addHistory(blk, "member_accepted", &signer, m.As.String())
		if uint32(len(v.Approvals)) >= v.Threshold && !rec.accepted(*m.As) {
			rec.AcceptedBy = append(rec.AcceptedBy, *m.As)
			rec.addHistory(blk, "accepted", m.As, fmt.Sprintf("%d of %d members at version %d", len(v.Approvals), v.Threshold, v.Version))
		}
	}
	out := ledger.Output{"agreement_id": rec.ID}
	if rec.allAccepted() {
		actErr, err := k.settle(blk, rec)
		if err != nil {
			return nil, err
		}
		if actErr != nil {
			rec.LastError = actErr.Error()
			rec.LastErrorHeight = blk.Height
			rec.addHistory(blk, "settle_failed", &signer, rec.LastError)
			out["last_error"] = rec.LastError
		} else {
			if err := k.closeSettled(blk, rec, signer); err != nil {
				return nil, err
			}
			out["status"] = string(rec.Status)
			return out, nil
		}
	}
	if err := k.save(rec, StatusProposed, "accept"); err != nil {
		return nil, err
	}
	out["status"] = string(rec.Status)
	return out, nil
}

// memberVote checks that signer is a member of collective party c at the
// version pinned in rec and returns c's vote.
func (k *Keeper) memberVote(rec *Record, c, signer ledger.Address) (*CollectiveVote, error) {
	if !rec.Body.isParty(c) {
		return nil, fmt.Errorf("%w: %s", ErrNotParty, c)
	}
	v := rec.vote(c)
	if v == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotCollective, c)
	}
	col, err := CollectiveAt(k.kv, c, v.Version)
	if err != nil {
		return nil, err
	}
	if !col.HasMember(signer) {
		return nil, fmt.Errorf("%w: %s is not a member of %s at version %d", ErrNotMember, signer, c, v.Version)
	}
	if err := k.notCollective(signer); err != nil {
		return nil, err
	}
	return v, nil
}

// changeVote records that member changes its vote for collective c, which
// each member may do once per agreement (ErrVoteChanged): votes cannot
// toggle forever.
func changeVote(v *CollectiveVote, member, c ledger.Address) error {
	if containsAddr(v.Changed, member) {
		return fmt.Errorf("%w: %s already changed its vote for %s in this agreement", ErrVoteChanged, member, c)
	}
	v.Changed = append(v.Changed, member)
	return nil
}

func removeAddr(list []ledger.Address, a ledger.Address) []ledger.Address {
	out := list[:0]
	for _, x := range list {
		if x != a {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// retry settles a fully accepted agreement or fails the transaction.
func (k *Keeper) retry(blk ledger.Block, rec *Record, by ledger.Address) (ledger.Output, error) {
	if err := k.settleOrFail(blk, rec); err != nil {
		return nil, err
	}
	if err := k.closeSettled(blk, rec, by); err != nil {
		return nil, err
	}
	return ledger.Output{"agreement_id": rec.ID, "status": string(rec.Status)}, nil
}

// settleOrFail settles rec; an action that fails fails the transaction
// (ErrSettlementFailed).
func (k *Keeper) settleOrFail(blk ledger.Block, rec *Record) error {
	actErr, err := k.settle(blk, rec)
	if err != nil {
		return err
	}
	if actErr != nil {
		return fmt.Errorf("%w: %s: %w", ErrSettlementFailed, rec.ID, actErr)
	}
	return nil
}

// closeSettled records a successful settlement of a proposed agreement by
// by: marks it settled, drops its expiry index entries and saves it.
func (k *Keeper) closeSettled(blk ledger.Block, rec *Record, by ledger.Address) error {
	k.markSettled(blk, rec, &by)
	if err := k.unindexExpiry(rec); err != nil {
		return err
	}
	return k.save(rec, StatusProposed, "settle")
}

// isPartyOrMember reports whether signer is a party, or a member of a
// collective party at the version pinned in rec.
func (k *Keeper) isPartyOrMember(rec *Record, signer ledger.Address) (bool, error) {
	if rec.Body.isParty(signer) {
		return true, nil
	}
	for _, v := range rec.Collectives {
		col, err := CollectiveAt(k.kv, v.Collective, v.Version)
		if err != nil {
			return false, err
		}
		if col.HasMember(signer) {
			return true, k.notCollective(signer)
		}
	}
	return false, nil
}

// ExecExecute executes "agreement/execute": retry the settlement of a
// fully accepted, unexpired proposal. On failure the transaction fails
// (its error says why) and nothing changes.
func (k *Keeper) ExecExecute(blk ledger.Block, signer ledger.Address, m *MsgExecute) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, err := k.loadOpen(m.ID)
	if err != nil {
		return nil, err
	}
	ok, err := k.isPartyOrMember(rec, signer)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotParty, signer)
	}
	if err := checkUnexpired(&rec.Body, rec.ID, blk); err != nil {
		return nil, err
	}
	if !rec.allAccepted() {
		return nil, fmt.Errorf("%w: %d of %d", ErrNotAllAccepted, len(rec.AcceptedBy), len(rec.Parties))
	}
	return k.retry(blk, rec, signer)
}

// ExecReject executes "agreement/reject".
func (k *Keeper) ExecReject(blk ledger.Block, signer ledger.Address, m *MsgReject) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, err := k.loadOpen(m.ID)
	if err != nil {
		return nil, err
	}
	var rejecter ledger.Address
	if m.As == nil {
		if !rec.Body.isParty(signer) {
			return nil, fmt.Errorf("%w: %s", ErrNotParty, signer)
		}
		rejecter = signer
	} else {
		v, err := k.memberVote(rec, *m.As, signer)
		if err != nil {
			return nil, err
		}
		if containsAddr(v.Rejections, signer) {
			return nil, fmt.Errorf("%w: %s already voted to reject for %s", ErrDuplicateSignature, signer, *m.As)
		}
		if containsAddr(v.Approvals, signer) {
			if err := changeVote(v, signer, *m.As); err != nil {
				return nil, err
			}
		}
		v.Approvals = removeAddr(v.Approvals, signer)
		if v.Approvals == nil {
			v.Approvals = []ledger.Address{}
		}
		if uint32(len(v.Approvals)) < v.Threshold {
			// A member taking back its approval can undo the collective's acceptance.
			rec.AcceptedBy = removeAddr(rec.AcceptedBy, *m.As)
			if rec.AcceptedBy == nil {
				rec.AcceptedBy = []ledger.Address{}
			}
		}
		v.Rejections = append(v.Rejections, signer)
		rec.addHistory(blk, "member_rejected", &signer, m.As.String())
		if uint32(len(v.Rejections)) < v.Threshold {
			if err := k.save(rec, StatusProposed, "reject_vote"); err != nil {
				return nil, err
			}
			return ledger.Output{"agreement_id": rec.ID, "status": string(rec.Status)}, nil
		}
		rejecter = *m.As
	}
	rec.Status = StatusRejected
	rec.RejectedBy = &rejecter
	rec.ClosedHeight = blk.Height
	rec.addHistory(blk, "rejected", &rejecter, m.ReasonCID)
	if err := k.closeOpen(rec); err != nil {
		return nil, err
	}
	if err := k.save(rec, StatusProposed, "reject"); err != nil {
		return nil, err
	}
	return ledger.Output{"agreement_id": rec.ID, "status": string(rec.Status)}, nil
}

// closeOpen returns any escrow (failing the transaction if it cannot) and
// removes the expiry index entries of an agreement leaving "proposed".
func (k *Keeper) closeOpen(rec *Record) error {
	if err := k.returnEscrow(k.l, rec); err != nil {
		return err
	}
	return k.unindexExpiry(rec)
}

// ExecWithdraw executes "agreement/withdraw". On a lapsed agreement whose
// escrow could not be returned at expiry, it retries the return.
func (k *Keeper) ExecWithdraw(blk ledger.Block, signer ledger.Address, m *MsgWithdraw) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, err := k.load(m.ID)
	if err != nil {
		return nil, err
	}
	if rec.Proposer == nil || *rec.Proposer != signer {
		return nil, fmt.Errorf("%w: %s", ErrNotProposer, signer)
	}
	if rec.Status == StatusLapsed && rec.Escrow != nil && !rec.Escrow.Returned && !rec.Escrow.Paid {
		if err := k.returnEscrow(k.l, rec); err != nil {
			return nil, err
		}
		rec.LastError = ""
		rec.addHistory(blk, "escrow_returned", &signer, "")
		if err := k.save(rec, StatusLapsed, "escrow_returned"); err != nil {
			return nil, err
		}
		return ledger.Output{"agreement_id": rec.ID, "status": string(rec.Status)}, nil
	}
	if err := requireOpen(rec); err != nil {
		return nil, err
	}
	rec.Status = StatusWithdrawn
	rec.ClosedHeight = blk.Height
	rec.addHistory(blk, "withdrawn", &signer, "")
	if err := k.closeOpen(rec); err != nil {
		return nil, err
	}
	if err := k.save(rec, StatusProposed, "withdraw"); err != nil {
		return nil, err
	}
	return ledger.Output{"agreement_id": rec.ID, "status": string(rec.Status)}, nil
}

// ExecAttest executes "agreement/attest".
func (k *Keeper) ExecAttest(blk ledger.Block, signer ledger.Address, m *MsgAttest) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, err := k.load(m.ID)
	if err != nil {
		return nil, err
	}
	if !settledStatus(rec.Status) {
		return nil, fmt.Errorf("%w: %s is %s", ErrNotSettled, rec.ID, rec.Status)
	}
	if int(m.Obligation) >= len(rec.Obligations) {
		return nil, fmt.Errorf("%w: %d of %d", ErrUnknownObligation, m.Obligation, len(rec.Obligations))
	}
	o := &rec.Obligations[m.Obligation]
	entitled := o.To == signer
	if !entitled {
		c, err := k.currentCollective(o.To)
		if err != nil {
			return nil, err
		}
		entitled = c != nil && c.HasMember(signer)
		if entitled {
			if err := k.notCollective(signer); err != nil {
				return nil, err
			}
		}
	}
	if !entitled {
		return nil, fmt.Errorf("%w: obligation %d is owed to %s, not %s", ErrNotEntitled, m.Obligation, o.To, signer)
	}
	if o.State == ObligationFulfilled {
		return nil, fmt.Errorf("%w: obligation %d", ErrAlreadyAttested, m.Obligation)
	}
	prev := rec.Status
	by := signer
	o.AttestedBy = &by
	o.AttestedHeight = blk.Height
	if m.Fulfilled {
		o.State = ObligationFulfilled
		o.ReasonCID = ""
		rec.addHistory(blk, "fulfilled", &signer, fmt.Sprintf("obligation %d", m.Obligation))
	} else {
		if o.Disputes >= MaxDisputes {
			return nil, fmt.Errorf("%w: obligation %d disputed %d times; it can now only be attested fulfilled", ErrTooManyDisputes, m.Obligation, o.Disputes)
		}
		o.Disputes++
		o.State = ObligationDisputed
		o.ReasonCID = m.Disputed
		rec.addHistory(blk, "disputed", &signer, fmt.Sprintf("obligation %d: %s", m.Obligation, m.Disputed))
	}
	rec.recomputeCompletion()
	if err := k.save(rec, prev, "attest"); err != nil {
		return nil, err
	}
	return ledger.Output{"agreement_id": rec.ID, "status": string(rec.Status)}, nil
}
