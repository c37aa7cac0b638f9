package validators

import (
	"encoding/base64"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Applied is the record of an applied proposal, kept forever under
// AppliedKey(id) so that the same proposal can never apply twice.
type Applied struct {
	ID          string   `json:"id"`
	Height      int64    `json:"height"`
	Changes     []Change `json:"changes"`
	Signers     []string `json:"signers"` // consensus addresses (hex), in signature order
	SignedPower int64    `json:"signed_power"`
	TotalPower  int64    `json:"total_power"` // before the change
	NewTotal    int64    `json:"new_total_power"`
}

// ExecChange applies a signed validator change proposal (message
// "validator/change", from any signer). It is valid only when every
// signature verifies, every signer is in the recorded set, the signers
// hold more than 2/3 of its total power, the proposal is for this chain,
// not expired and not applied before, and the resulting set is non-empty
// with a total power of at most MaxTotalVotingPower. The recorded set
// changes at once; the updates are handed to CometBFT at the end of the
// block (TakePending).
func (k *Keeper) ExecChange(blk ledger.Block, _ ledger.Address, m *MsgChange) (ledger.Output, error) {
	id, err := m.verify()
	if err != nil {
		return nil, err
	}
	p := &m.Proposal
	if p.ChainID != k.chainID {
		return nil, fmt.Errorf("%w: proposal names %q, this is %q", ErrWrongChain, p.ChainID, k.chainID)
	}
	if raw, err := k.kv.Get(AppliedKey(id)); err != nil {
		return nil, err
	} else if raw != nil {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyApplied, id)
	}
	if blk.Height > p.ExpiresAtHeight {
		return nil, fmt.Errorf("%w: expired at height %d, block is %d", ErrExpired, p.ExpiresAtHeight, blk.Height)
	}
	vals, err := Validators(k.kv)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, ErrNoValidatorSet
	}
	total, err := TotalPower(vals)
	if err != nil {
		return nil, err
	}
	power := make(map[ledger.Address]int64, len(vals))
	for _, v := range vals {
		power[v.Account] = v.Power
	}
	var signed int64
	signers := make([]string, 0, len(m.Signatures))
	for i, s := range m.Signatures {
		addr := AddressOf(s.PubKey)
		pw, ok := power[addr]
		if !ok {
			return nil, fmt.Errorf("%w: signature %d by %s", ErrNotValidator, i, HexAddress(addr))
		}
		signed += pw // each ≤ total ≤ MaxTotalVotingPower: no overflow
		signers = append(signers, HexAddress(addr))
	}
	// More than 2/3: signed/total > 2/3 ⇔ 3·signed > 2·total (both ≤ 2^60).
	if 3*signed <= 2*total {
		return nil, fmt.Errorf("%w: signed %d of %d", ErrInsufficientPower, signed, total)
	}
	// Apply the changes to a copy of the set first to check the result.
	newTotal := total
	for i, c := range p.Changes {
		addr := AddressOf(c.PubKey)
		if raw, err := k.kv.Get(PendingKey(addr)); err != nil {
			return nil, err
		} else if raw != nil {
			return nil, fmt.Errorf("%w: change %d: %s (submit in a later block)", ErrPendingChange, i, HexAddress(addr))
		}
		old, known := power[addr]
		if c.Power == 0 && !known {
			return nil, fmt.Errorf("%w: change %d removes %s", ErrUnknownValidator, i, HexAddress(addr))
		}
		newTotal -= old
		if c.Power > MaxTotalVotingPower-newTotal {
			return nil, fmt.Errorf("%w: change %d brings the total above %d", ErrTotalPowerTooHigh, i, MaxTotalVotingPower)
		}
		newTotal += c.Power
		power[addr] = c.Power
	}
	if newTotal <= 0 {
		return nil, fmt.Errorf("%w: total power after the change is 0", ErrEmptySet)
	}
	for _, c := range p.Changes {
		if _, err := k.setPower(c.PubKey, c.Power); err != nil {
			return nil, err
		}
		if err := setJSON(k.kv, PendingKey(AddressOf(c.PubKey)), Update{PubKey: c.PubKey, Power: c.Power}); err != nil {
			return nil, err
		}
	}
	rec := Applied{ID: id, Height: blk.Height, Changes: p.Changes, Signers: signers,
		SignedPower: signed, TotalPower: total, NewTotal: newTotal}
	if err := setJSON(k.kv, AppliedKey(id), rec); err != nil {
		return nil, err
	}
	k.events.Emit("validator_change",
		"id", id,
		"changes", fmt.Sprint(len(p.Changes)),
		"signed_power", fmt.Sprint(signed),
		"total_power", fmt.Sprint(total),
		"new_total_power", fmt.Sprint(newTotal))
	return ledger.Output{
		"proposal_id":     id,
		"signed_power":    fmt.Sprint(signed),
		"total_power":     fmt.Sprint(total),
		"new_total_power": fmt.Sprint(newTotal),
	}, nil
}
