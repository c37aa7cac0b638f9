package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
)

// newValidatorChain starts a chain whose genesis validator set is vals
// (each with power 10), with user funded.
func newValidatorChain(t *testing.T, user testKey, vals ...testKey) *chain {
	t.Helper()
	tree, err := ledger.OpenTree("", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	a := New(tree, testChain, nil)
	st, _ := json.Marshal(fundedGenesis(user))
	req := &abci.RequestInitChain{ChainId: testChain, AppStateBytes: st, InitialHeight: 1}
	for _, v := range vals {
		req.Validators = append(req.Validators, abci.Ed25519ValidatorUpdate(v.priv.Public().(ed25519.PublicKey), 10))
	}
	if _, err := a.InitChain(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, app: a, nonces: map[ledger.Address]uint64{}}
}

func pub(k testKey) []byte { return k.priv.Public().(ed25519.PublicKey) }

func (c *chain) changeMsg(expires int64, changes []validators.Change, signers ...testKey) Msg {
	c.t.Helper()
	m, err := validators.NewFile(validators.Proposal{ChainID: testChain, Changes: changes, ExpiresAtHeight: expires})
	if err != nil {
		c.t.Fatal(err)
	}
	for _, s := range signers {
		if err := validators.Sign(m, s.priv); err != nil {
			c.t.Fatal(err)
		}
	}
	return mustMsg(c.t, validators.TypeChange, m)
}

func (c *chain) queryValue(path string) (uint32, []byte) {
	c.t.Helper()
	res, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: path, Prove: true})
	if err != nil {
		c.t.Fatal(err)
	}
	return res.Code, res.Value
}

func (c *chain) recordedSet() validators.ValidatorSet {
	c.t.Helper()
	code, v := c.queryValue("/validators")
	if code != 0 {
		c.t.Fatalf("/validators: code %d", code)
	}
	var set validators.ValidatorSet
	if err := json.Unmarshal(v, &set); err != nil {
		c.t.Fatal(err)
	}
	return set
}

func TestMaxTotalVotingPowerMatchesCometBFT(t *testing.T) {
	if validators.MaxTotalVotingPower != cmttypes.MaxTotalVotingPower {
		t.Fatalf("validators.MaxTotalVotingPower %d, CometBFT %d", validators.MaxTotalVotingPower, cmttypes.MaxTotalVotingPower)
	}
}

func TestValidatorChangeThroughFinalizeBlock(t *testing.T) {
	user, val, newcomer := newTestKey("user"), newTestKey("val"), newTestKey("newcomer")
	c := newValidatorChain(t, user, val)
	c.block()
	if set := c.recordedSet(); len(set.Entries) != 1 || set.TotalPower != 10 {
		t.Fatalf("genesis set %+v", set)
	}

	// Signed only by the newcomer (not a validator): refused, no updates.
	bad := c.changeMsg(50, []validators.Change{{PubKey: pub(newcomer), Power: 1}}, newcomer)
	res := c.block(c.tx(user, bad))
	if res.TxResults[0].Code != 457 || len(res.ValidatorUpdates) != 0 {
		t.Fatalf("non-validator signer: code %d (%s), updates %v", res.TxResults[0].Code, res.TxResults[0].Log, res.ValidatorUpdates)
	}

	// Signed by the validator: the update is in this block's response.
	add := c.changeMsg(50, []validators.Change{{PubKey: pub(newcomer), Power: 1}}, val)
	res = c.block(c.tx(user, add))
	if res.TxResults[0].Code != 0 {
		t.Fatalf("add: code %d: %s", res.TxResults[0].Code, res.TxResults[0].Log)
	}
	if len(res.ValidatorUpdates) != 1 || !bytes.Equal(res.ValidatorUpdates[0].PubKey.GetEd25519(), pub(newcomer)) || res.ValidatorUpdates[0].Power != 1 {
		t.Fatalf("validator updates %v", res.ValidatorUpdates)
	}
	if !hasEvent(res.TxResults[0].Events, "validator_change") {
		t.Fatal("no validator_change event")
	}
	if set := c.recordedSet(); len(set.Entries) != 2 || set.TotalPower != 11 {
		t.Fatalf("set after add %+v", set)
	}
	// Nothing queued for the next block; the same tx again is a replay.
	res = c.block(c.tx(user, add))
	if res.TxResults[0].Code != 460 || len(res.ValidatorUpdates) != 0 {
		t.Fatalf("replay: code %d, updates %v", res.TxResults[0].Code, res.ValidatorUpdates)
	}

	// Remove it again: the validator's 10 of 11 is more than 2/3.
	rm := c.changeMsg(50, []validators.Change{{PubKey: pub(newcomer), Power: 0}}, val)
	res = c.block(c.tx(user, rm))
	if res.TxResults[0].Code != 0 || len(res.ValidatorUpdates) != 1 || res.ValidatorUpdates[0].Power != 0 {
		t.Fatalf("remove: code %d (%s), updates %v", res.TxResults[0].Code, res.TxResults[0].Log, res.ValidatorUpdates)
	}
	if set := c.recordedSet(); len(set.Entries) != 1 || set.TotalPower != 10 {
		t.Fatalf("set after remove %+v", set)
	}

	// Expired.
	exp := c.changeMsg(2, []validators.Change{{PubKey: pub(newcomer), Power: 1}}, val)
	if res = c.block(c.tx(user, exp)); res.TxResults[0].Code != 459 {
		t.Fatalf("expired: code %d", res.TxResults[0].Code)
	}
}

func TestValidatorChangeCheckTxCodes(t *testing.T) {
	user, val, newcomer := newTestKey("user"), newTestKey("val"), newTestKey("newcomer")
	c := newValidatorChain(t, user, val)
	c.block()
	m, _ := validators.NewFile(validators.Proposal{ChainID: testChain,
		Changes: []validators.Change{{PubKey: pub(newcomer), Power: 1}}, ExpiresAtHeight: 9})
	_ = validators.Sign(m, val.priv)
	m.Signatures[0].Signature[3] ^= 0xff
	if res := c.check(c.tx(user, mustMsg(t, validators.TypeChange, m))); res.Code != 455 {
		t.Fatalf("bad signature in CheckTx: code %d (%s)", res.Code, res.Log)
	}
	neg := validators.MsgChange{Proposal: validators.Proposal{ChainID: testChain,
		Changes: []validators.Change{{PubKey: pub(newcomer), Power: -1}}, ExpiresAtHeight: 9}}
	if res := c.check(c.txNonce(user, 1, mustMsg(t, validators.TypeChange, neg))); res.Code != 454 {
		t.Fatalf("negative power in CheckTx: code %d (%s)", res.Code, res.Log)
	}
}

func TestEvidenceRecordedFromFinalizeBlock(t *testing.T) {
	user, val := newTestKey("user"), newTestKey("val")
	c := newValidatorChain(t, user, val)
	c.block()
	addr := ledger.AddressFromPubKey(pub(val))
	c.height++
	res, err := c.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Height: c.height, Time: time.Unix(1_700_000_100, 0),
		Misbehavior: []abci.Misbehavior{{
			Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: addr[:], Power: 10},
			Height: 1, Time: time.Unix(1_700_000_001, 0), TotalVotingPower: 10,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if !hasEvent(res.Events, "validator_evidence") {
		t.Fatalf("no validator_evidence event in %v", res.Events)
	}
	code, v := c.queryValue("/evidence?limit=10")
	if code != 0 {
		t.Fatalf("/evidence code %d", code)
	}
	var list struct {
		Entries []validators.Evidence `json:"entries"`
	}
	if err := json.Unmarshal(v, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Entries) != 1 {
		t.Fatalf("entries %+v", list.Entries)
	}
	e := list.Entries[0]
	if e.Type != "duplicate_vote" || e.Validator != validators.HexAddress(addr) || e.BlockHeight != c.height ||
		e.Height != 1 || e.Time != 1_700_000_001 || e.TotalVotingPower != 10 || e.ValidatorPower != 10 {
		t.Fatalf("evidence %+v", e)
	}
	if code, _ := c.queryValue("/evidence?after=bad"); code != CodeBadQuery {
		t.Fatalf("bad cursor: code %d", code)
	}
}

func TestValidatorChangeQuery(t *testing.T) {
	user, val, newcomer := newTestKey("user"), newTestKey("val"), newTestKey("newcomer")
	c := newValidatorChain(t, user, val)
	c.block()
	m, _ := validators.NewFile(validators.Proposal{ChainID: testChain,
		Changes: []validators.Change{{PubKey: pub(newcomer), Power: 2}}, ExpiresAtHeight: 9})
	if code, _ := c.queryValue("/validator-change/" + m.ID); code != CodeNotFound {
		t.Fatalf("before: code %d", code)
	}
	_ = validators.Sign(m, val.priv)
	if res := c.block(c.tx(user, mustMsg(t, validators.TypeChange, m))); res.TxResults[0].Code != 0 {
		t.Fatalf("apply: %s", res.TxResults[0].Log)
	}
	code, v := c.queryValue("/validator-change/" + m.ID)
	var rec validators.Applied
	if code != 0 || json.Unmarshal(v, &rec) != nil || rec.ID != m.ID || rec.NewTotal != 12 {
		t.Fatalf("after: code %d %s", code, v)
	}
}

func hasEvent(evs []abci.Event, typ string) bool {
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}
