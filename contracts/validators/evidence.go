package validators

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// Misbehaviour types as recorded.
const (
	EvidenceDuplicateVote     = "duplicate_vote"
	EvidenceLightClientAttack = "light_client_attack"
	EvidenceUnknown           = "unknown"
)

// Misbehavior is one piece of misbehaviour that CometBFT reports in a
// block (the app converts abci.Misbehavior into it).
type Misbehavior struct {
	Type             string
	Address          []byte // the offending validator's consensus address
	Power            int64  // its voting power at the offence
	Height           int64  // height of the offence
	Time             int64  // time of the offence, Unix seconds
	TotalVotingPower int64
}

// Evidence is the stored record of one reported misbehaviour.
type Evidence struct {
	BlockHeight      int64  `json:"block_height"` // block that reported it
	Index            uint32 `json:"index"`        // position in that block's list
	Type             string `json:"type"`
	Validator        string `json:"validator"` // consensus address, upper-case hex
	ValidatorPower   int64  `json:"validator_power"`
	Height           int64  `json:"height"` // of the offence
	Time             int64  `json:"time"`   // of the offence, Unix seconds
	TotalVotingPower int64  `json:"total_voting_power"`
	// Action is what the app did about it (JailRemoved, JailNotInSet,
	// JailKeptLast); empty for misbehaviour that is not double signing.
	Action string `json:"action,omitempty"`
}

// What RecordEvidence does about double signing (Evidence.Action).
const (
	// JailRemoved: the validator was removed from the set (an update to
	// power 0 at the end of this block); only a validator-change proposal
	// signed by more than 2/3 of the power can bring it back.
	JailRemoved = "removed"
	// JailNotInSet: the validator is no longer in the recorded set.
	JailNotInSet = "not_in_set"
	// JailKeptLast: the validator is the last one; removing it would halt
	// the chain.
	JailKeptLast = "kept_last_validator"
)

// Bounds of the evidence kept in state. Misbehaviour beyond them still
// jails the validator and emits its event; only the record is not kept.
const (
	// MaxEvidencePerValidator is how many evidence records are kept per
	// validator address.
	MaxEvidencePerValidator = 8
	// MaxEvidenceStored is how many evidence records are kept in all.
	MaxEvidenceStored = 4096
)

// Cursor is the evidence's position as used by EvidenceList's after
// parameter: "BLOCK_HEIGHT-INDEX".
func (e *Evidence) Cursor() string { return fmt.Sprintf("%d-%d", e.BlockHeight, e.Index) }

// RecordEvidence stores every misbehaviour reported in the block at
// blk.Height, under EvidenceKey(height, index) (at most
// MaxEvidencePerValidator per validator and MaxEvidenceStored in all),
// removes a validator that signed twice at one height from the set (jail),
// and emits a "validator_evidence" event for each — with "stored" saying
// whether the record was kept and "action" what was done.
func (k *Keeper) RecordEvidence(blk ledger.Block, list []Misbehavior) error {
	for i, mb := range list {
		e := Evidence{
			BlockHeight: blk.Height, Index: uint32(i), Type: mb.Type,
			Validator:      strings.ToUpper(fmt.Sprintf("%x", mb.Address)),
			ValidatorPower: mb.Power, Height: mb.Height, Time: mb.Time,
			TotalVotingPower: mb.TotalVotingPower,
		}
		if mb.Type == EvidenceDuplicateVote {
			action, err := k.jail(mb.Address)
			if err != nil {
				return fmt.Errorf("jail for evidence %d: %w", i, err)
			}
			e.Action = action
		}
		stored, err := k.countEvidence(mb.Address)
		if err != nil {
			return fmt.Errorf("record evidence %d: %w", i, err)
		}
		if stored {
			if err := setJSON(k.kv, EvidenceKey(blk.Height, uint32(i)), e); err != nil {
				return fmt.Errorf("record evidence %d: %w", i, err)
			}
		}
		k.events.Emit("validator_evidence",
			"type", e.Type,
			"validator", e.Validator,
			"validator_power", fmt.Sprint(e.ValidatorPower),
			"height", fmt.Sprint(e.Height),
			"time", fmt.Sprint(e.Time),
			"total_voting_power", fmt.Sprint(e.TotalVotingPower),
			"index", fmt.Sprint(i),
			"action", e.Action,
			"stored", fmt.Sprint(stored))
	}
	return nil
}

// jail removes the validator with consensus address addr from the
// recorded set and queues its update to power 0 for the end of the block
// (replacing any change queued for it in this block), unless it is not in
// the set or is the last validator.
func (k *Keeper) jail(addr []byte) (string, error) {
	if len(addr) != len(ledger.Address{}) {
		return JailNotInSet, nil
	}
	var a ledger.Address
	copy(a[:], addr)
	v, err := k.Validator(a)
	if err != nil {
		return "", err
	}
	if v == nil {
		return JailNotInSet, nil
	}
	vals, err := Validators(k.kv)
	if err != nil {
		return "", err
	}
	if len(vals) <= 1 {
		return JailKeptLast, nil
	}
	if _, err := k.setPower(v.PubKey, 0); err != nil {
		return "", err
	}
	if err := setJSON(k.kv, PendingKey(a), Update{PubKey: v.PubKey, Power: 0}); err != nil {
		return "", err
	}
	k.events.Emit("validator_jailed", "address", v.Address, "power", fmt.Sprint(v.Power))
	return JailRemoved, nil
}

// countEvidence says whether one more record for addr fits the bounds,
// and counts it when it does.
func (k *Keeper) countEvidence(addr []byte) (bool, error) {
	per, err := k.counter(EvidenceCountKey(addr))
	if err != nil {
		return false, err
	}
	total, err := k.counter(EvidenceTotalKey())
	if err != nil {
		return false, err
	}
	if per >= MaxEvidencePerValidator || total >= MaxEvidenceStored {
		return false, nil
	}
	if err := k.kv.Set(EvidenceCountKey(addr), []byte(strconv.FormatUint(per+1, 10))); err != nil {
		return false, err
	}
	return true, k.kv.Set(EvidenceTotalKey(), []byte(strconv.FormatUint(total+1, 10)))
}

func (k *Keeper) counter(key []byte) (uint64, error) {
	raw, err := k.kv.Get(key)
	if err != nil || raw == nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: counter %x: %v", ErrCorruptState, key, err)
	}
	return n, nil
}

// ParseCursor parses "BLOCK_HEIGHT-INDEX".
func ParseCursor(s string) (int64, uint32, error) {
	h, i, ok := strings.Cut(s, "-")
	hv, err1 := strconv.ParseInt(h, 10, 64)
	iv, err2 := strconv.ParseUint(i, 10, 32)
	if !ok || err1 != nil || err2 != nil || hv < 0 {
		return 0, 0, fmt.Errorf("cursor %q: want BLOCK_HEIGHT-INDEX", s)
	}
	return hv, uint32(iv), nil
}

// EvidencePage is one page of evidence records with their stored bytes.
type EvidencePage struct {
	Entries []Evidence
	Raw     [][]byte // the stored JSON of each entry
	Keys    [][]byte
	Next    string // cursor of the last entry when more may follow
}

// EvidenceList returns up to limit records after the cursor (empty: from
// the start), in (block height, index) order.
func EvidenceList(r ledger.Reader, after string, limit int) (*EvidencePage, error) {
	start := EvidencePrefix()
	if after != "" {
		h, i, err := ParseCursor(after)
		if err != nil {
			return nil, err
		}
		start = append(EvidenceKey(h, i), 0) // strictly after
	}
	page := &EvidencePage{}
	var derr error
	more := false
	err := r.Iterate(start, ledger.PrefixEnd(EvidencePrefix()), func(k, v []byte) bool {
		if len(page.Entries) == limit {
			more = true
			return false
		}
		var e Evidence
		if derr = json.Unmarshal(v, &e); derr != nil {
			derr = fmt.Errorf("%w: evidence %x: %v", ErrCorruptState, k, derr)
			return false
		}
		page.Entries = append(page.Entries, e)
		page.Raw = append(page.Raw, append([]byte(nil), v...))
		page.Keys = append(page.Keys, append([]byte(nil), k...))
		return true
	})
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	if more {
		page.Next = page.Entries[len(page.Entries)-1].Cursor()
	}
	return page, nil
}
