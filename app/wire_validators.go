package app

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
)

// This file wires contracts/validators into the app: the genesis validator
// set (InitChain hook), the "validator/change" message, its error codes
// (450–499), and the end-of-block step that records misbehaviour evidence
// and hands queued changes to CometBFT as ValidatorUpdates. Its query paths
// (/validators, /evidence, /validator-change/ID) are in
// contracts/validators/query.go, listed in validatorsModule (modules.go).

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
