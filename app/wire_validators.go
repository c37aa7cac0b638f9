package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
)

// This file wires contracts/validators into the app: the genesis validator
// set (InitChain hook), the "validator/change" message, its error codes
// (450–499), the end-of-block step that hands queued changes to CometBFT
// as ValidatorUpdates and records misbehaviour evidence, and the query
// paths /validators, /evidence and /validator-change.

// registerValidators adds the validator/change message.
func registerValidators(r *Router) {
	Handle(r, validators.TypeChange, func(env *Env, s ledger.Address, m *validators.MsgChange) (ledger.Output, error) {
		return validators.New(env.Ledger, env.ChainID).ExecChange(env.Block, s, m)
	})
}

// toUpdates converts ABCI validator updates; non-ed25519 keys keep an
// empty PubKey (InitGenesis refuses them, RecordExternal skips them).
func toUpdates(list []abci.ValidatorUpdate) []validators.Update {
	out := make([]validators.Update, 0, len(list))
	for _, u := range list {
		out = append(out, validators.Update{PubKey: u.PubKey.GetEd25519(), Power: u.Power})
	}
	return out
}

// validatorsInitChain records the genesis validator set.
func validatorsInitChain(env *Env, req *abci.RequestInitChain) error {
	return validators.New(env.Ledger, env.ChainID).InitGenesis(toUpdates(req.Validators))
}

// misbehaviorType names an ABCI misbehaviour type as recorded.
func misbehaviorType(t abci.MisbehaviorType) string {
	switch t {
	case abci.MisbehaviorType_DUPLICATE_VOTE:
		return validators.EvidenceDuplicateVote
	case abci.MisbehaviorType_LIGHT_CLIENT_ATTACK:
		return validators.EvidenceLightClientAttack
	default:
		return validators.EvidenceUnknown
	}
}

// validatorsEndBlock records the block's misbehaviour evidence, records
// updates other hooks already added, and appends the updates queued by
// this block's applied proposals to bc.ValidatorUpdates.
func validatorsEndBlock(env *Env, bc *BlockContext) error {
	k := validators.New(env.Ledger, env.ChainID)
	if n := len(bc.Req.Misbehavior); n > 0 {
		list := make([]validators.Misbehavior, 0, n)
		for _, mb := range bc.Req.Misbehavior {
			list = append(list, validators.Misbehavior{
				Type: misbehaviorType(mb.Type), Address: mb.Validator.Address, Power: mb.Validator.Power,
				Height: mb.Height, Time: mb.Time.Unix(), TotalVotingPower: mb.TotalVotingPower,
			})
		}
		if err := k.RecordEvidence(env.Block, list); err != nil {
			return err
		}
	}
	// Updates another hook added win over a queued change of the same key
	// (CometBFT takes one update per key per block).
	var skip map[string]bool
	if len(bc.ValidatorUpdates) > 0 {
		ext := toUpdates(bc.ValidatorUpdates)
		skip = make(map[string]bool, len(ext))
		for _, u := range ext {
			skip[string(u.PubKey)] = true
		}
		if err := k.RecordExternal(ext); err != nil {
			return fmt.Errorf("record validator updates: %w", err)
		}
	}
	ups, err := k.TakePending(skip)
	if err != nil {
		return fmt.Errorf("validator updates: %w", err)
	}
	for _, u := range ups {
		bc.ValidatorUpdates = append(bc.ValidatorUpdates, abci.Ed25519ValidatorUpdate(u.PubKey, u.Power))
	}
	return nil
}

// ValidatorSet is the value of "/validators": the recorded set in address
// order (each entry the exact stored JSON, proven by its ValidatorKey) and
// its total power.
type ValidatorSet struct {
	Validators []json.RawMessage `json:"validators"`
	TotalPower int64             `json:"total_power"`
}

func queryValidators(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 0, "/validators"); err != nil {
		return nil, err
	}
	vals, err := validators.Validators(r)
	if err != nil {
		return nil, err
	}
	total, err := validators.TotalPower(vals)
	if err != nil {
		return nil, err
	}
	set := ValidatorSet{Validators: []json.RawMessage{}, TotalPower: total}
	res := &QueryResult{}
	for _, v := range vals {
		key := validators.ValidatorKey(v.Account)
		raw, err := r.Get(key)
		if err != nil {
			return nil, err
		}
		set.Validators = append(set.Validators, raw)
		res.Proven = append(res.Proven, KV{Key: key, Value: raw})
	}
	if res.Value, err = json.Marshal(set); err != nil {
		return nil, fmt.Errorf("%w: encode validators: %v", ErrInternal, err)
	}
	return res, nil
}

// EvidenceList is the value of "/evidence": one page of records (each the
// exact stored JSON, proven by its EvidenceKey) and the next cursor.
type EvidenceList struct {
	Entries []json.RawMessage `json:"entries"`
	Next    string            `json:"next,omitempty"`
}

func queryEvidence(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 0, "/evidence?after=CURSOR&limit=N"); err != nil {
		return nil, err
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	page, err := validators.EvidenceList(r, params.Get("after"), limit)
	if err != nil {
		if !errors.Is(err, validators.ErrCorruptState) {
			return nil, fmt.Errorf("%w: %v", ErrBadQuery, err)
		}
		return nil, err
	}
	list := EvidenceList{Entries: []json.RawMessage{}, Next: page.Next}
	res := &QueryResult{}
	for i, raw := range page.Raw {
		list.Entries = append(list.Entries, raw)
		res.Proven = append(res.Proven, KV{Key: page.Keys[i], Value: raw})
	}
	if res.Value, err = json.Marshal(list); err != nil {
		return nil, fmt.Errorf("%w: encode evidence: %v", ErrInternal, err)
	}
	return res, nil
}

// queryValidatorChange answers "/validator-change/ID": the record of an
// applied proposal (absent → code 26 with an absence proof).
func queryValidatorChange(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/validator-change/ID"); err != nil {
		return nil, err
	}
	if !validAgreementID(parts[0]) {
		return nil, fmt.Errorf("%w: proposal id must be 64 lowercase hex characters", ErrBadQuery)
	}
	return single(r, validators.AppliedKey(parts[0]), "validator change "+parts[0])
}
