package agreements

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Status is the state of an agreement.
type Status string

// Agreement statuses. Proposed is the only open one; settled may move on to
// completed or disputed (and disputed back to completed); the others are
// final.
const (
	StatusProposed  Status = "proposed"
	StatusSettled   Status = "settled"
	StatusLapsed    Status = "lapsed"
	StatusWithdrawn Status = "withdrawn"
	StatusRejected  Status = "rejected"
	StatusCompleted Status = "completed"
	StatusDisputed  Status = "disputed"
)

// Statuses lists every status, in index order.
var Statuses = []Status{StatusCompleted, StatusDisputed, StatusLapsed, StatusProposed, StatusRejected, StatusSettled, StatusWithdrawn}

// ParseStatus parses a status name ("" is allowed and means any).
func ParseStatus(s string) (Status, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("%w: unknown status %q", ErrInvalidBody, s)
}

// settledStatus reports whether s is a status reached through settlement.
func settledStatus(s Status) bool {
	return s == StatusSettled || s == StatusCompleted || s == StatusDisputed
}

// Settlement modes.
const (
	ModeOffline  = "offline"  // settled by agreement/submit
	ModeProposal = "proposal" // agreement/propose then accept
)

// Obligation attestation states.
const (
	ObligationPending   = "pending"
	ObligationFulfilled = "fulfilled"
	ObligationDisputed  = "disputed"
)

// Record is an agreement's on-ledger state. Records are never deleted.
type Record struct {
	ID              string            `json:"id"`
	Status          Status            `json:"status"`
	Mode            string            `json:"mode"`
	Parties         []ledger.Address  `json:"parties"`
	AcceptedBy      []ledger.Address  `json:"accepted_by"`
	RejectedBy      *ledger.Address   `json:"rejected_by,omitempty"`
	Proposer        *ledger.Address   `json:"proposer,omitempty"`
	Collectives     []CollectiveVote  `json:"collectives,omitempty"`
	Escrow          *Escrow           `json:"escrow,omitempty"`
	Obligations     []ObligationState `json:"obligations"`
	LastError       string            `json:"last_error,omitempty"`
	LastErrorHeight int64             `json:"last_error_height,omitempty"`
	CreatedHeight   int64             `json:"created_height"`
	SettledHeight   int64             `json:"settled_height,omitempty"`
	SettledTime     int64             `json:"settled_time,omitempty"`
	ClosedHeight    int64             `json:"closed_height,omitempty"`
	Body            Body              `json:"body"`
	Signatures      []Signature       `json:"signatures,omitempty"`
	History         []HistoryEntry    `json:"history"`
	// HistoryDropped counts the steps not appended to History because it
	// already held MaxHistory entries (their tx events still say what
	// happened).
	HistoryDropped uint64 `json:"history_dropped,omitempty"`
}

// Bounds of an agreement record (spec/agreements.md "Bounds"): what one
// record, and so one agreement_state event, can grow to.
const (
	// MaxHistory is how many steps a record's history keeps.
	MaxHistory = 128
	// MaxDisputes is how many times one obligation may be attested
	// disputed (a new reason each time) before it can only be fulfilled.
	MaxDisputes = 3
)

// Escrow is what a proposer locked at proposal: the transfer actions (by
// index) whose asset now sits in the escrow account.
type Escrow struct {
	Address  ledger.Address `json:"address"`
	Actions  []int          `json:"actions"`
	Returned bool           `json:"returned,omitempty"`
	Paid     bool           `json:"paid,omitempty"`
}

// CollectiveVote is a collective party's approval state in one agreement,
// pinned to the membership version and threshold of the collective when the
// agreement was proposed (or submitted).
type CollectiveVote struct {
	Collective ledger.Address   `json:"collective"`
	Version    uint64           `json:"version"`
	Threshold  uint32           `json:"threshold"`
	Approvals  []ledger.Address `json:"approvals"`
	Rejections []ledger.Address `json:"rejections,omitempty"`
	// Changed lists the members who changed their vote (accept after
	// reject, or reject after accept); each may do so once.
	Changed []ledger.Address `json:"changed,omitempty"`
}

// ObligationState is an obligation and its attestation.
type ObligationState struct {
	Index          int             `json:"index"`
	By             ledger.Address  `json:"by"`
	To             ledger.Address  `json:"to"`
	What           string          `json:"what"`
	State          string          `json:"state"`
	ReasonCID      string          `json:"reason_cid,omitempty"`
	AttestedBy     *ledger.Address `json:"attested_by,omitempty"`
	AttestedHeight int64           `json:"attested_height,omitempty"`
	// Disputes counts the attestations "disputed" (at most MaxDisputes).
	Disputes uint32 `json:"disputes,omitempty"`
}

// HistoryEntry is one step in an agreement's life.
type HistoryEntry struct {
	Height int64           `json:"height"`
	Time   int64           `json:"time"`
	Event  string          `json:"event"`
	By     *ledger.Address `json:"by,omitempty"`
	Detail string          `json:"detail,omitempty"`
}

// Collective is a k-of-n account: approvals on its behalf need Threshold
// member signatures. Every membership change bumps Version; each version
// is kept.
type Collective struct {
	Address       ledger.Address   `json:"address"`
	Name          string           `json:"name,omitempty"`
	Members       []ledger.Address `json:"members"`
	Threshold     uint32           `json:"threshold"`
	Version       uint64           `json:"version"`
	Creator       ledger.Address   `json:"creator"`
	CreatedHeight int64            `json:"created_height"`
	UpdatedHeight int64            `json:"updated_height"`
}

// HasMember reports whether a is a member.
func (c *Collective) HasMember(a ledger.Address) bool { return containsAddr(c.Members, a) }

func containsAddr(list []ledger.Address, a ledger.Address) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func (r *Record) accepted(a ledger.Address) bool { return containsAddr(r.AcceptedBy, a) }

func (r *Record) allAccepted() bool {
	for _, p := range r.Parties {
		if !r.accepted(p) {
			return false
		}
	}
	return true
}

func (r *Record) vote(c ledger.Address) *CollectiveVote {
	for i := range r.Collectives {
		if r.Collectives[i].Collective == c {
			return &r.Collectives[i]
		}
	}
	return nil
}

func (r *Record) escrowed(action int) bool {
	if r.Escrow == nil || r.Escrow.Returned {
		return false
	}
	for _, i := range r.Escrow.Actions {
		if i == action {
			return true
		}
	}
	return false
}

func (r *Record) addHistory(blk ledger.Block, event string, by *ledger.Address, detail string) {
	var b *ledger.Address
	if by != nil {
		x := *by
		b = &x
	}
	if len(r.History) >= MaxHistory {
		r.HistoryDropped++
		return
	}
	r.History = append(r.History, HistoryEntry{Height: blk.Height, Time: blk.Time, Event: event, By: b, Detail: detail})
}

// recomputeCompletion sets a settled agreement's status from its
// obligations: disputed if any is disputed, completed if all are
// fulfilled (and there is at least one), settled otherwise.
func (r *Record) recomputeCompletion() {
	if !settledStatus(r.Status) || len(r.Obligations) == 0 {
		return
	}
	all := true
	for _, o := range r.Obligations {
		if o.State == ObligationDisputed {
			r.Status = StatusDisputed
			return
		}
		if o.State != ObligationFulfilled {
			all = false
		}
	}
	if all {
		r.Status = StatusCompleted
	} else {
		r.Status = StatusSettled
	}
}

func newRecord(id string, body Body, mode string, blk ledger.Block) *Record {
	r := &Record{
		ID: id, Mode: mode, Body: body,
		Parties:       append([]ledger.Address(nil), body.Parties...),
		AcceptedBy:    []ledger.Address{},
		Obligations:   make([]ObligationState, len(body.Obligations)),
		CreatedHeight: blk.Height,
		History:       []HistoryEntry{},
	}
	for i, o := range body.Obligations {
		r.Obligations[i] = ObligationState{Index: i, By: o.By, To: o.To, What: o.What, State: ObligationPending}
	}
	return r
}
