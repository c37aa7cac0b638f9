package app

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
)

// misbehave finalizes and commits a block reporting that val signed twice
// at height 1.
func (c *chain) misbehave(val testKey) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	addr := ledger.AddressFromPubKey(pub(val))
	c.height++
	res, err := c.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Height: c.height, Time: time.Unix(1_700_000_000+c.height, 0),
		Misbehavior: []abci.Misbehavior{{
			Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: addr[:], Power: 10},
			Height: 1, Time: time.Unix(1_700_000_001, 0), TotalVotingPower: 40,
		}},
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		c.t.Fatal(err)
	}
	return res
}

func (c *chain) lastEvidence() validators.Evidence {
	c.t.Helper()
	_, v := c.queryValue("/evidence?limit=1000")
	var list struct {
		Entries []validators.Evidence `json:"entries"`
	}
	if err := json.Unmarshal(v, &list); err != nil || len(list.Entries) == 0 {
		c.t.Fatalf("evidence: %s %v", v, err)
	}
	return list.Entries[len(list.Entries)-1]
}

// TestDoubleSignJails: evidence of a duplicate vote removes the validator
// (an update to power 0 in the same block, recorded with the evidence),
// deterministically; it comes back only through a validator change signed
// by more than 2/3 of the power.
func TestDoubleSignJails(t *testing.T) {
	user := newTestKey("user")
	vals := []testKey{newTestKey("v1"), newTestKey("v2"), newTestKey("v3"), newTestKey("v4")}
	run := func() (*chain, []*abci.ResponseFinalizeBlock) {
		c := newValidatorChain(t, user, vals...)
		var out []*abci.ResponseFinalizeBlock
		out = append(out, c.block())
		out = append(out, c.misbehave(vals[1]))
		return c, out
	}
	c, res := run()
	jailed := res[1]
	if len(jailed.ValidatorUpdates) != 1 || !bytes.Equal(jailed.ValidatorUpdates[0].PubKey.GetEd25519(), pub(vals[1])) ||
		jailed.ValidatorUpdates[0].Power != 0 {
		t.Fatalf("validator updates: %+v", jailed.ValidatorUpdates)
	}
	if !hasEvent(jailed.Events, "validator_jailed") {
		t.Fatal("no validator_jailed event")
	}
	if n := len(c.recordedSet().Entries); n != 3 {
		t.Fatalf("recorded set has %d validators, want 3", n)
	}
	if e := c.lastEvidence(); e.Action != validators.JailRemoved || e.Validator != validators.HexAddress(ledger.AddressFromPubKey(pub(vals[1]))) {
		t.Fatalf("evidence %+v", e)
	}
	// Same blocks, same app hash: the removal is deterministic.
	d, dres := run()
	if !bytes.Equal(dres[1].AppHash, jailed.AppHash) || !bytes.Equal(c.app.tree.CommittedHash(), d.app.tree.CommittedHash()) {
		t.Fatalf("app hashes differ: %X %X", jailed.AppHash, dres[1].AppHash)
	}

	// Evidence again (an older offence reported later): nothing more to do.
	again := c.misbehave(vals[1])
	if len(again.ValidatorUpdates) != 0 || c.lastEvidence().Action != validators.JailNotInSet {
		t.Fatalf("second evidence: updates %+v, action %q", again.ValidatorUpdates, c.lastEvidence().Action)
	}
	// Back only by > 2/3 of the remaining power (30): one signer is 10.
	back := []validators.Change{{PubKey: pub(vals[1]), Power: 10}}
	if r := c.block(c.tx(user, c.changeMsg(50, back, vals[0]))); r.TxResults[0].Code == 0 {
		t.Fatal("re-admitted by one third of the power")
	}
	if r := c.block(c.tx(user, c.changeMsg(50, back, vals[0], vals[2], vals[3]))); r.TxResults[0].Code != 0 {
		t.Fatalf("re-admission signed by all: %s", r.TxResults[0].Log)
	}
	if n := len(c.recordedSet().Entries); n != 4 {
		t.Fatalf("after re-admission %d validators, want 4", n)
	}
}

// TestDoubleSignLastValidatorKept: the only validator is not removed (the
// chain would halt); the evidence says so.
func TestDoubleSignLastValidatorKept(t *testing.T) {
	user, val := newTestKey("user"), newTestKey("val")
	c := newValidatorChain(t, user, val)
	c.block()
	res := c.misbehave(val)
	if len(res.ValidatorUpdates) != 0 || len(c.recordedSet().Entries) != 1 || c.lastEvidence().Action != validators.JailKeptLast {
		t.Fatalf("updates %+v, set %d, action %q", res.ValidatorUpdates, len(c.recordedSet().Entries), c.lastEvidence().Action)
	}
}
