package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
	"github.com/riffchain/riffchain/lens"
)

// execFile builds a collective/exec of msgs signed by signers for testChain.
func execFile(t *testing.T, coll ledger.Address, version, nonce uint64, msgs []Msg, signers ...testKey) *agreements.MsgCollectiveExec {
	t.Helper()
	m := &agreements.MsgCollectiveExec{Collective: coll, Version: version, Nonce: nonce}
	for _, im := range msgs {
		m.Msgs = append(m.Msgs, agreements.ExecMsg{Type: im.Type, Value: im.Value})
	}
	for _, k := range signers {
		if err := agreements.SignExec(m, testChain, k.priv); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func TestCollectiveExecCodes(t *testing.T) {
	for err, want := range map[error]uint32{
		agreements.ErrExecNonce: 137, agreements.ErrExecNested: 138, agreements.ErrExecThreshold: 139,
		agreements.ErrExecSignature: 140, agreements.ErrExecDuplicate: 141,
	} {
		if got := CodeOf(err); got != want {
			t.Errorf("%v: code %d, want %d", err, got, want)
		}
	}
}

// TestCollectiveExecLens: a 2-of-3 collective that owns a Lens grants a
// role and adds an entry through collective/exec, all via FinalizeBlock.
func TestCollectiveExecLens(t *testing.T) {
	c := newLensChain(t)
	alice, bob, carol := c.alice, c.bob, c.carol
	dave := newTestKey("dave")
	out := c.ok(alice, agreements.TypeCreateCollective, agreements.MsgCreateCollective{
		Members: []ledger.Address{alice.addr, bob.addr, carol.addr}, Threshold: 2, Name: "coop"})
	coll, err := ledger.ParseAddress(out["collective"])
	if err != nil {
		t.Fatal(err)
	}
	c.ok(alice, lens.TypeCreate, lens.MsgCreate{Handle: "coop", Name: "Co-op"})
	c.ok(alice, "transfer", ledger.Move{To: coll, Asset: lens.AssetID, Item: "coop"})

	// Before: the collective owns the Lens but nobody can act for it.
	if _, res := c.run(alice, lens.TypeGrant, lens.MsgGrant{Lens: "coop", Address: dave.addr, Role: lens.RoleMember}); res.Code == 0 {
		t.Fatal("a member granted a role in the collective's Lens on its own")
	}

	r := c.query("/collective-exec/" + coll.String())
	var st CollectiveExecState
	if r.Code != 0 || json.Unmarshal(r.Value, &st) != nil || st.Version != 1 || st.NextNonce != 1 || st.Threshold != 2 || len(r.ProofOps.Ops) != 2 {
		t.Fatalf("exec state: code %d %s %+v", r.Code, r.Log, st)
	}

	inner := []Msg{
		mustMsg(t, lens.TypeGrant, lens.MsgGrant{Lens: "coop", Address: dave.addr, Role: lens.RoleMember}),
		mustMsg(t, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "coop", CID: cidOf("coop post"), Kind: "post", Title: "by the co-op"}),
	}
	// Any account may submit it (here dave's friend bob relays carol's and alice's signatures).
	m := execFile(t, coll, 1, 1, inner, carol, alice)
	out = c.ok(bob, agreements.TypeCollectiveExec, m)
	if out["collective"] != coll.String() || out["exec_nonce"] != "1" {
		t.Fatalf("exec output %v", out)
	}
	lk := lens.NewReader(c.app.tree)
	if role, err := lk.RoleOf("coop", dave.addr); err != nil || role != lens.RoleMember {
		t.Fatalf("dave's role %q %v", role, err)
	}
	if e, err := lk.Entry("coop", 1); err != nil || e.Author != coll || e.CID != cidOf("coop post") {
		t.Fatalf("entry %+v %v", e, err)
	}

	// Replaying the same signed batch is refused (nonce), as is a batch
	// whose second message fails: the first (a grant to carol) is not applied.
	if _, res := c.run(carol, agreements.TypeCollectiveExec, m); res.Code != 137 {
		t.Fatalf("replay: code %d %s", res.Code, res.Log)
	}
	bad := execFile(t, coll, 1, 2, []Msg{
		mustMsg(t, lens.TypeGrant, lens.MsgGrant{Lens: "coop", Address: carol.addr, Role: lens.RoleModerator}),
		mustMsg(t, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "coop", CID: cidOf("coop post"), Kind: "post"}), // duplicate CID
	}, alice, bob)
	if _, res := c.run(alice, agreements.TypeCollectiveExec, bad); res.Code != 317 || !strings.Contains(res.Log, "collective exec msg 1") {
		t.Fatalf("failing inner message: code %d %s", res.Code, res.Log)
	}
	if role, _ := lens.NewReader(c.app.tree).RoleOf("coop", carol.addr); role != lens.RoleNone {
		t.Fatalf("failed batch applied its first message: carol is %q", role)
	}
	if n, _ := agreements.ExecNonce(c.app.tree, coll); n != 1 {
		t.Fatalf("failed batch moved the nonce to %d", n)
	}

	// Refused in CheckTx: a nested exec, an unknown inner type, a malformed
	// inner value (strict decoding, validation), a below-threshold batch.
	nestedVal, _ := json.Marshal(execFile(t, coll, 1, 2, inner[:1], alice, bob))
	for name, tc := range map[string]struct {
		m    *agreements.MsgCollectiveExec
		code uint32
	}{
		"nested": {&agreements.MsgCollectiveExec{Collective: coll, Version: 1, Nonce: 2,
			Msgs: []agreements.ExecMsg{{Type: agreements.TypeCollectiveExec, Value: nestedVal}}}, 138},
		"unknown type":    {execFile(t, coll, 1, 2, []Msg{{Type: "lens/nope", Value: json.RawMessage(`{}`)}}, alice, bob), CodeOf(ErrUnknownMsg)},
		"unknown field":   {execFile(t, coll, 1, 2, []Msg{{Type: lens.TypeGrant, Value: json.RawMessage(`{"lens":"coop","address":"` + dave.addr.String() + `","role":"member","x":1}`)}}, alice, bob), CodeOf(ErrUnknownField)},
		"invalid value":   {execFile(t, coll, 1, 2, []Msg{{Type: lens.TypeGrant, Value: json.RawMessage(`{"lens":"coop","address":"` + dave.addr.String() + `","role":"king"}`)}}, alice, bob), CodeOf(ErrInvalidField)},
		"below threshold": {execFile(t, coll, 1, 2, inner[:1], alice), 139},
		"stale version":   {execFile(t, coll, 2, 2, inner[:1], alice, bob), 114},
		"non-member":      {execFile(t, coll, 1, 2, inner[:1], alice, dave), 135},
	} {
		_, res := c.run(alice, agreements.TypeCollectiveExec, tc.m)
		if res.Code != tc.code {
			t.Errorf("%s: code %d (%s), want %d", name, res.Code, res.Log, tc.code)
		}
	}
	if n, _ := agreements.ExecNonce(c.app.tree, coll); n != 1 {
		t.Fatalf("refused batches moved the nonce to %d", n)
	}

	// The next nonce works; the collective follows another Lens.
	c.ok(carol, lens.TypeCreate, lens.MsgCreate{Handle: "ccc", Name: "C"})
	c.ok(alice, agreements.TypeCollectiveExec, execFile(t, coll, 1, 2,
		[]Msg{mustMsg(t, lens.TypeFollow, lens.MsgFollow{Lens: "coop", Target: "ccc", Weight: 500_000})}, bob, carol))
	if n, _ := agreements.ExecNonce(c.app.tree, coll); n != 2 {
		t.Fatalf("nonce %d after the second exec", n)
	}
}

// TestCollectiveExecSignaturesCharged: a collective exec's intrinsic gas
// counts its member signatures and its inner agreement file's signatures,
// and CheckTx runs the inner file's chain check (a file signed for another
// chain is refused before any block).
func TestCollectiveExecSignaturesCharged(t *testing.T) {
	c := newAgreementChain(t)
	out := mustOK(t, c.block(c.tx(c.alice, mustMsg(t, agreements.TypeCreateCollective, agreements.MsgCreateCollective{
		Members: []ledger.Address{c.alice.addr, c.bob.addr}, Threshold: 2, Name: "pair"}))))
	coll, err := ledger.ParseAddress(out["collective"])
	if err != nil {
		t.Fatal(err)
	}
	file := signedFile(t, c.swapBody(100, "inner"), c.alice, c.bob)
	exec := execFile(t, coll, 1, 1, []Msg{mustMsg(t, agreements.TypeSubmit, file)}, c.alice, c.bob)
	raw := c.tx(c.carol, mustMsg(t, agreements.TypeCollectiveExec, exec))
	ct, err := c.app.decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	// 1 tx signature + 2 member signatures + 2 file signatures.
	want := gas.Add(gas.Add(gas.TxBase, gas.Mul(gas.TxByte, uint64(len(raw)))), gas.Mul(gas.SigVerify, 5))
	if got := intrinsicGas(ct, len(raw)); got != want {
		t.Fatalf("intrinsic gas %d, want %d (5 signature checks)", got, want)
	}

	other, err := agreements.NewFile(c.swapBody(100, "other chain"), "riff-other")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []testKey{c.alice, c.bob} {
		if err := agreements.Sign(other, k.priv); err != nil {
			t.Fatal(err)
		}
	}
	bad := execFile(t, coll, 1, 1, []Msg{mustMsg(t, agreements.TypeSubmit, other)}, c.alice, c.bob)
	r := c.check(c.txNonce(c.carol, c.nonces[c.carol.addr]+1, mustMsg(t, agreements.TypeCollectiveExec, bad)))
	if r.Code != agreements.ErrWrongChain.Code() || !strings.Contains(r.Log, "inner msg 0") {
		t.Fatalf("CheckTx of an exec carrying another chain's file: code %d %s", r.Code, r.Log)
	}
}
