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
}

// Cursor is the evidence's position as used by EvidenceList's after
// parameter: "BLOCK_HEIGHT-INDEX".
func (e *Evidence) Cursor() string { return fmt.Sprintf("%d-%d", e.BlockHeight, e.Index) }

// RecordEvidence stores every misbehaviour reported in the block at
// blk.Height, under EvidenceKey(height, index), and emits a
// "validator_evidence" event for each.
func (k *Keeper) RecordEvidence(blk ledger.Block, list []Misbehavior) error {
	for i, mb := range list {
		e := Evidence{
			BlockHeight: blk.Height, Index: uint32(i), Type: mb.Type,
			Validator:      strings.ToUpper(fmt.Sprintf("%x", mb.Address)),
			ValidatorPower: mb.Power, Height: mb.Height, Time: mb.Time,
			TotalVotingPower: mb.TotalVotingPower,
		}
		if err := setJSON(k.kv, EvidenceKey(blk.Height, uint32(i)), e); err != nil {
			return fmt.Errorf("record evidence %d: %w", i, err)
		}
		k.events.Emit("validator_evidence",
			"type", e.Type,
			"validator", e.Validator,
			"validator_power", fmt.Sprint(e.ValidatorPower),
			"height", fmt.Sprint(e.Height),
			"time", fmt.Sprint(e.Time),
			"total_voting_power", fmt.Sprint(e.TotalVotingPower),
			"index", fmt.Sprint(i))
	}
	return nil
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
