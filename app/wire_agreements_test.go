package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

func TestAgreementCodes(t *testing.T) {
	seen := map[uint32]error{}
	for _, ce := range agreements.Codes() {
		e := struct {
			err  error
			code uint32
		}{ce, ce.Code()}
		if e.code < 100 || e.code > 149 {
			t.Errorf("%v: code %d outside 100..149", e.err, e.code)
		}
		if prev, dup := seen[e.code]; dup {
			t.Errorf("code %d used by %v and %v", e.code, prev, e.err)
		}
		seen[e.code] = e.err
		if got := CodeOf(fmt.Errorf("msg 0 (x): %w", e.err)); got != e.code {
			t.Errorf("CodeOf(%v) = %d, want %d", e.err, got, e.code)
		}
	}
	wrapped := []struct {
		name string
		err  error
		want uint32
	}{
		{"settlement short of funds", fmt.Errorf("%w: id: %w", agreements.ErrSettlementFailed, ledger.ErrInsufficientFunds), 124},
		{"settlement item moved", fmt.Errorf("%w: id: %w", agreements.ErrSettlementFailed, ledger.ErrNotOwner), 124},
		{"settlement unsupported", fmt.Errorf("%w: id: %w", agreements.ErrSettlementFailed, agreements.ErrUnsupportedAction), 124},
		{"escrow short", fmt.Errorf("%w: action 0: %w", agreements.ErrEscrowInsufficient, ledger.ErrInsufficientFunds), 123},
		{"plain ledger error keeps its code", ledger.ErrInsufficientFunds, CodeInsufficient},
		{"tag error stays invalid field", fmt.Errorf("%w: body.title", ErrInvalidField), CodeInvalidField},
	}
	for _, tc := range wrapped {
		if got := CodeOf(tc.err); got != tc.want {
			t.Errorf("%s: code %d, want %d", tc.name, got, tc.want)
		}
	}
}

// agreementChain is a chain with alice holding shares of SHR and bob RIFF.
type agreementChain struct {
	*chain
	alice, bob, carol testKey
	shares            string
}

func newAgreementChain(t *testing.T) *agreementChain {
	alice, bob, carol := newTestKey("alice"), newTestKey("bob"), newTestKey("carol")
	c := newChain(t, fundedGenesis(alice, bob, carol))
	res := c.block(c.tx(alice, mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "SHR"})))
	var out map[string]string
	if err := json.Unmarshal(res.TxResults[0].Data, &out); err != nil || res.TxResults[0].Code != 0 {
		t.Fatalf("create asset: %d %s", res.TxResults[0].Code, res.TxResults[0].Log)
	}
	amt := ledger.NewAmount(10_000)
	mustOK(t, c.block(c.tx(alice, mustMsg(t, "asset/mint", ledger.MsgMint{Asset: out["asset_id"], Amount: &amt}))))
	return &agreementChain{chain: c, alice: alice, bob: bob, carol: carol, shares: out["asset_id"]}
}

func mustOK(t *testing.T, res *abci.ResponseFinalizeBlock) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i, r := range res.TxResults {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
		if len(r.Data) > 0 {
			if err := json.Unmarshal(r.Data, &out); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// swapBody: alice gives 1000 SHR to bob, bob pays 50000 RIFF to alice.
func (c *agreementChain) swapBody(expiry int64, salt string) agreements.Body {
	n1000, n50000 := ledger.NewAmount(1000), ledger.NewAmount(50_000)
	return agreements.Body{
		Parties: []ledger.Address{c.alice.addr, c.bob.addr},
		Title:   "shares for cash",
		Actions: []agreements.Action{
			{Transfer: &agreements.TransferAction{From: c.alice.addr, To: c.bob.addr, Asset: c.shares, Amount: &n1000}},
			{Transfer: &agreements.TransferAction{From: c.bob.addr, To: c.alice.addr, Asset: NativeAsset, Amount: &n50000}},
		},
		ExpiresAtHeight: expiry,
		Salt:            salt,
	}
}

func (c *agreementChain) record(id string) *agreements.Record {
	c.t.Helper()
	rec, err := agreements.GetAgreement(c.app.tree, id)
	if err != nil {
		c.t.Fatal(err)
	}
	return rec
}

// signedFile is the agreement file of body, signed by each of keys.
func signedFile(t testing.TB, body agreements.Body, keys ...testKey) *agreements.File {
	t.Helper()
	f, err := agreements.NewFile(body, testChain)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := agreements.Sign(f, k.priv); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestAgreementSubmitThroughFinalizeBlock(t *testing.T) {
	c := newAgreementChain(t)
	f := signedFile(t, c.swapBody(100, "s1"), c.alice, c.bob)
	submit := mustMsg(t, agreements.TypeSubmit, f)
	if r := c.check(c.txNonce(c.carol, c.nonces[c.carol.addr]+1, submit)); r.Code != 0 {
		t.Fatalf("CheckTx: %d %s", r.Code, r.Log)
	}
	// Carol, not a party, submits the fully signed file.
	out := mustOK(t, c.block(c.tx(c.carol, submit)))
	if out["agreement_id"] != f.ID || out["status"] != "settled" {
		t.Fatalf("submit output %v, want id %s settled", out, f.ID)
	}
	if got := c.balance(c.bob.addr, c.shares); got != "1000" {
		t.Fatalf("bob has %s shares", got)
	}
	if got := c.balance(c.alice.addr, NativeAsset); got != "1050000" {
		t.Fatalf("alice has %s RIFF", got)
	}
	// Settling twice fails with its code and moves nothing.
	res := c.block(c.tx(c.carol, submit))
	if res.TxResults[0].Code != 117 {
		t.Fatalf("second submit: code %d %s", res.TxResults[0].Code, res.TxResults[0].Log)
	}
	if got := c.balance(c.bob.addr, c.shares); got != "1000" {
		t.Fatalf("after second submit bob has %s shares", got)
	}

	// Missing signature, and a signature by a non-party, are refused.
	g, _ := agreements.NewFile(c.swapBody(100, "s2"), testChain)
	_ = agreements.Sign(g, c.alice.priv)
	if r := c.block(c.tx(c.carol, mustMsg(t, agreements.TypeSubmit, g))).TxResults[0]; r.Code != 112 {
		t.Fatalf("missing signature: code %d %s", r.Code, r.Log)
	}
	// A settlement that cannot be paid reports 124 (not the ledger's 16).
	big := c.swapBody(100, "s3")
	huge := ledger.NewAmount(1 << 40)
	big.Actions[1].Transfer.Amount = &huge
	h, _ := agreements.NewFile(big, testChain)
	_ = agreements.Sign(h, c.alice.priv)
	_ = agreements.Sign(h, c.bob.priv)
	if r := c.block(c.tx(c.carol, mustMsg(t, agreements.TypeSubmit, h))).TxResults[0]; r.Code != 124 {
		t.Fatalf("short settlement: code %d %s", r.Code, r.Log)
	}
}

func TestAgreementLapseThroughFinalizeBlock(t *testing.T) {
	c := newAgreementChain(t)
	expiry := c.height + 4
	f, _ := agreements.NewFile(c.swapBody(expiry, "lapse"), testChain)
	out := mustOK(t, c.block(c.tx(c.alice, mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: f.Body, Escrow: true}))))
	if out["agreement_id"] != f.ID || out["escrow"] == "" {
		t.Fatalf("propose output %v", out)
	}
	if got := c.balance(c.alice.addr, c.shares); got != "9000" {
		t.Fatalf("alice has %s shares after escrow", got)
	}
	if got := c.balance(agreements.EscrowAddress(f.ID), c.shares); got != "1000" {
		t.Fatalf("escrow holds %s", got)
	}
	// Empty blocks only: nobody sends a transaction. The proposal can still
	// settle in block expiry; its end of block lapses it.
	for c.height < expiry-1 {
		c.block()
		if st := c.record(f.ID).Status; st != agreements.StatusProposed {
			t.Fatalf("height %d (expiry %d): status %s", c.height, expiry, st)
		}
	}
	res := c.block()
	if c.height != expiry {
		t.Fatalf("height %d, expiry %d", c.height, expiry)
	}
	rec := c.record(f.ID)
	if rec.Status != agreements.StatusLapsed || rec.Escrow == nil || !rec.Escrow.Returned {
		t.Fatalf("after expiry: %+v", rec)
	}
	if got := c.balance(c.alice.addr, c.shares); got != "10000" {
		t.Fatalf("alice has %s shares after lapse", got)
	}
	found := false
	for _, ev := range res.Events {
		if ev.Type == "agreement" {
			for _, a := range ev.Attributes {
				if a.Key == "status" && a.Value == "lapsed" {
					found = true
				}
			}
		}
	}
	if !found {
		t.Fatalf("no lapsed agreement event in end block events %v", res.Events)
	}
	// Accepting after expiry: 118 (no longer open).
	if r := c.block(c.tx(c.bob, mustMsg(t, agreements.TypeAccept, agreements.MsgAccept{ID: f.ID}))).TxResults[0]; r.Code != 118 {
		t.Fatalf("accept after lapse: code %d %s", r.Code, r.Log)
	}
}

func TestAgreementQueries(t *testing.T) {
	c := newAgreementChain(t)
	f, _ := agreements.NewFile(c.swapBody(100, "q"), testChain)
	mustOK(t, c.block(c.tx(c.alice, mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: f.Body}))))
	coll := mustOK(t, c.block(c.tx(c.carol, mustMsg(t, agreements.TypeCreateCollective,
		agreements.MsgCreateCollective{Members: []ledger.Address{c.alice.addr, c.bob.addr}, Threshold: 2}))))["collective"]
	root := c.app.tree.CommittedHash()
	q := func(path string) *abci.ResponseQuery {
		t.Helper()
		r, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: path, Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	r := q("/agreement/" + f.ID)
	if r.Code != 0 || string(r.Key) != string(agreements.AgreementKey(f.ID)) {
		t.Fatalf("agreement: %d %s", r.Code, r.Log)
	}
	var rec agreements.Record
	if err := json.Unmarshal(r.Value, &rec); err != nil || rec.Status != agreements.StatusProposed || len(rec.AcceptedBy) != 1 {
		t.Fatalf("agreement record %s (%v)", r.Value, err)
	}
	if err := verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, r.Value); err != nil {
		t.Fatalf("agreement proof: %v", err)
	}
	tampered := append([]byte(nil), r.Value...)
	tampered[len(tampered)-2] ^= 1
	if err := verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, tampered); err == nil {
		t.Fatal("tampered agreement verified")
	}

	missing := "00" + f.ID[2:]
	if r := q("/agreement/" + missing); r.Code != CodeNotFound || verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, nil) != nil {
		t.Fatalf("missing agreement: code %d, absence proof must verify", r.Code)
	}
	if r := q("/agreement/XYZ"); r.Code != CodeBadQuery {
		t.Fatalf("malformed id: code %d", r.Code)
	}

	for _, tc := range []struct {
		query string
		n     int
	}{
		{"/agreements/" + c.bob.addr.String(), 1},
		{"/agreements/" + c.bob.addr.String() + "?status=proposed", 1},
		{"/agreements/" + c.bob.addr.String() + "?status=settled", 0},
		{"/agreements/" + c.carol.addr.String(), 0},
	} {
		r := q(tc.query)
		var list query.List[json.RawMessage]
		if r.Code != 0 || json.Unmarshal(r.Value, &list) != nil || len(list.Entries) != tc.n || len(r.ProofOps.Ops) != tc.n {
			t.Fatalf("%s: code %d %s value %s", tc.query, r.Code, r.Log, r.Value)
		}
		for i, e := range list.Entries {
			if err := verifyOp(root, r.ProofOps.Ops[i].Data, agreements.AgreementKey(f.ID), e); err != nil {
				t.Fatalf("%s entry %d proof: %v", tc.query, i, err)
			}
		}
	}
	if r := q("/agreements/" + c.bob.addr.String() + "?status=bogus"); r.Code != CodeBadQuery {
		t.Fatalf("bad status: code %d", r.Code)
	}

	r = q("/collective/" + coll)
	var col agreements.Collective
	if r.Code != 0 || json.Unmarshal(r.Value, &col) != nil || col.Threshold != 2 || len(col.Members) != 2 {
		t.Fatalf("collective: %d %s", r.Code, r.Value)
	}
	if err := verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, r.Value); err != nil {
		t.Fatalf("collective proof: %v", err)
	}
	if r := q("/collective/" + coll + "/1"); r.Code != 0 {
		t.Fatalf("collective version 1: %d %s", r.Code, r.Log)
	}
	if r := q("/collective/" + c.bob.addr.String()); r.Code != CodeNotFound {
		t.Fatalf("not a collective: code %d", r.Code)
	}
}

func TestAgreementRoutesRegistered(t *testing.T) {
	types := map[string]bool{}
	for _, typ := range NewRouter().Types() {
		types[typ] = true
	}
	for _, want := range []string{agreements.TypeSubmit, agreements.TypePropose, agreements.TypeAccept,
		agreements.TypeReject, agreements.TypeWithdraw, agreements.TypeExecute, agreements.TypeAttest,
		agreements.TypeCreateCollective, agreements.TypeLeaveCollective} {
		if !types[want] {
			t.Errorf("message type %s not routed", want)
		}
	}
	if !errors.Is(fmt.Errorf("x: %w", agreements.ErrExpired), agreements.ErrExpired) {
		t.Fatal("sanity")
	}
}

// TestAgreementPoolSwapAction: a pool swap is an agreement action executed
// by the pools module, atomically with the other actions.
func TestAgreementPoolSwapAction(t *testing.T) {
	c := newAgreementChain(t)
	pool := mustOK(t, c.block(c.tx(c.alice, mustMsg(t, "pool/create", map[string]any{
		"asset_a": c.shares, "asset_b": NativeAsset, "amount_a": "5000", "amount_b": "5000", "fee_bps": 30}))))["pool_id"]
	if pool == "" {
		t.Fatal("no pool id")
	}
	// Bob sells 100 RIFF in the pool for shares and passes 50 shares on to
	// carol, all in one agreement.
	body := func(minOut uint64, salt string) agreements.Body {
		n50 := ledger.NewAmount(50)
		return agreements.Body{
			Parties: []ledger.Address{c.bob.addr, c.carol.addr},
			Actions: []agreements.Action{
				{PoolSwap: &agreements.PoolSwapAction{Trader: c.bob.addr, Pool: pool, AssetIn: NativeAsset,
					AmountIn: ledger.NewAmount(100), MinOut: ledger.NewAmount(minOut)}},
				{Transfer: &agreements.TransferAction{From: c.bob.addr, To: c.carol.addr, Asset: c.shares, Amount: &n50}},
			},
			ExpiresAtHeight: 100, Salt: salt,
		}
	}
	signed := func(b agreements.Body) Msg {
		return mustMsg(t, agreements.TypeSubmit, signedFile(t, b, c.bob, c.carol))
	}
	// Slippage: the swap cannot meet min_out, so nothing moves (code 124).
	if r := c.block(c.tx(c.alice, signed(body(1000, "slip")))).TxResults[0]; r.Code != 124 {
		t.Fatalf("slippage: code %d %s", r.Code, r.Log)
	}
	if got := c.balance(c.bob.addr, NativeAsset); got != "1000000" {
		t.Fatalf("bob has %s RIFF after a failed settlement", got)
	}
	mustOK(t, c.block(c.tx(c.alice, signed(body(90, "ok")))))
	if got := c.balance(c.bob.addr, NativeAsset); got != "999900" {
		t.Fatalf("bob has %s RIFF, want 999900", got)
	}
	if got := c.balance(c.carol.addr, c.shares); got != "50" {
		t.Fatalf("carol has %s shares, want 50", got)
	}
	// 100 in at 30 bps against 5000/5000 gives floor(97.75) = 97 out; bob keeps 47.
	if got := c.balance(c.bob.addr, c.shares); got != "47" {
		t.Fatalf("bob has %s shares, want 47", got)
	}
}

// TestAgreementBadSignatureRefusedInCheckTx: an offline-signed agreement
// whose party signature does not verify never reaches a block.
func TestAgreementBadSignatureRefusedInCheckTx(t *testing.T) {
	c := newAgreementChain(t)
	f := signedFile(t, c.swapBody(100, "bad-sig"), c.alice, c.bob)
	f.Signatures[1].Signature[0] ^= 0xff
	r := c.check(c.txNonce(c.carol, c.nonces[c.carol.addr]+1, mustMsg(t, agreements.TypeSubmit, f)))
	if want := CodeOf(agreements.ErrBadSignature); r.Code != want || want == CodeInternal {
		t.Fatalf("CheckTx code %d (%s), want %d", r.Code, r.Log, want)
	}
}

// The party index lives in the node-local store, not in state: an
// agreement writes no agr/p/ key to the tree, listings follow status
// changes, and an app over the same state with an empty local store (a
// restart after a crash, state sync) rebuilds the same listings.
func TestAgreementPartyIndexIsLocal(t *testing.T) {
	c := newAgreementChain(t)
	f1, _ := agreements.NewFile(c.swapBody(100, "one"), testChain)
	f2, _ := agreements.NewFile(c.swapBody(100, "two"), testChain)
	mustOK(t, c.block(
		c.tx(c.alice, mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: f1.Body})),
		c.tx(c.alice, mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: f2.Body}))))
	mustOK(t, c.block(c.tx(c.bob, mustMsg(t, agreements.TypeAccept, agreements.MsgAccept{ID: f1.ID}))))

	if err := c.app.tree.Iterate([]byte("agr/p/"), ledger.PrefixEnd([]byte("agr/p/")), func(k, _ []byte) bool {
		t.Fatalf("party index key in state: %q", k)
		return false
	}); err != nil {
		t.Fatal(err)
	}
	list := func(a *App, path string) []string {
		t.Helper()
		r, err := a.Query(context.Background(), &abci.RequestQuery{Path: path})
		if err != nil || r.Code != 0 {
			t.Fatalf("%s: %v %d %s", path, err, r.Code, r.Log)
		}
		var l query.List[json.RawMessage]
		if err := json.Unmarshal(r.Value, &l); err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, e := range l.Entries {
			var rec agreements.Record
			if err := json.Unmarshal(e, &rec); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rec.ID+":"+string(rec.Status))
		}
		return ids
	}
	bob := "/agreements/" + c.bob.addr.String()
	want := map[string][]string{
		bob:                       {f2.ID + ":proposed", f1.ID + ":settled"},
		bob + "?status=proposed":  {f2.ID + ":proposed"},
		bob + "?status=settled":   {f1.ID + ":settled"},
		bob + "?status=withdrawn": {},
	}
	for q, w := range want {
		if got := list(c.app, q); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("%s: %v, want %v", q, got, w)
		}
	}
	// A historical query lists what the state at that height holds.
	r, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: bob + "?status=settled", Height: c.height - 1})
	if err != nil || r.Code != 0 || !strings.Contains(string(r.Value), `"entries":[]`) {
		t.Fatalf("settled at the height before: %v %d %s", err, r.Code, r.Value)
	}

	// Rebuilt one entry per batch: the streamed rebuild gives the same index.
	defer func(n int) { localRebuildBatch = n }(localRebuildBatch)
	localRebuildBatch = 1
	fresh := New(c.app.tree, testChain, nil) // empty local store: rebuilt from state
	defer fresh.local.Close()
	if v, _ := fresh.local.Version(); v != c.app.tree.Version() {
		t.Fatalf("rebuilt local store at version %d, state at %d", v, c.app.tree.Version())
	}
	for q, w := range want {
		if got := list(fresh, q); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("after rebuild %s: %v, want %v", q, got, w)
		}
	}
}

// A node restored by state sync has no local index in its snapshot: it
// builds the party index from the restored records.
func TestAgreementPartyIndexAfterStateSync(t *testing.T) {
	c := newAgreementChain(t)
	store := NewSnapshotStore(t.TempDir(), 0, 2)
	c.app.Snapshots = store
	f, _ := agreements.NewFile(c.swapBody(100, "sync"), testChain)
	mustOK(t, c.block(c.tx(c.alice, mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: f.Body}))))
	snap, chunks := latestSnapshot(t, c.chain, store)

	b := freshApp(t)
	if r := offer(t, b, snap, c.app.tree.CommittedHash()); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	for i, ch := range chunks {
		if r := apply(t, b, uint32(i), ch); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, r.Result)
		}
	}
	path := "/agreements/" + c.bob.addr.String() + "?status=proposed"
	want, _ := c.app.Query(context.Background(), &abci.RequestQuery{Path: path})
	got, err := b.Query(context.Background(), &abci.RequestQuery{Path: path})
	if err != nil || got.Code != 0 || !strings.Contains(string(got.Value), f.ID) || string(got.Value) != string(want.Value) {
		t.Fatalf("restored listing: %v %d %s, want %s", err, got.Code, got.Value, want.Value)
	}
}

// TestAgreementStateInBlockEvents: a settled agreement's tx result carries
// the searchable agreement event (id, status, action) without the record;
// the full record goes with the block as agreement_state, tagged with the
// tx hash, and equals what the state holds. A failed tx reports neither.
func TestAgreementStateInBlockEvents(t *testing.T) {
	c := newAgreementChain(t)
	f := signedFile(t, c.swapBody(100, "ev"), c.alice, c.bob)
	bad := signedFile(t, c.swapBody(100, "ev-bad"), c.alice) // bob's signature missing
	good, failed := c.tx(c.carol, mustMsg(t, agreements.TypeSubmit, f)), c.tx(c.carol, mustMsg(t, agreements.TypeSubmit, bad))
	res := c.block(failed, good)
	if res.TxResults[0].Code == 0 || res.TxResults[1].Code != 0 {
		t.Fatalf("codes %d %d", res.TxResults[0].Code, res.TxResults[1].Code)
	}
	attrs := func(e abci.Event) map[string]string {
		m := map[string]string{}
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		return m
	}
	var tagged int
	for _, e := range res.TxResults[1].Events {
		if m := attrs(e); e.Type == "agreement" {
			tagged++
			if m["id"] != f.ID || m["status"] != "settled" || m["state"] != "" {
				t.Fatalf("tx event %v", m)
			}
		}
	}
	var states []map[string]string
	for _, e := range res.Events {
		if e.Type == "agreement_state" {
			states = append(states, attrs(e))
		}
	}
	if tagged != 1 || len(states) != 1 {
		t.Fatalf("%d agreement tx events, %d agreement_state block events", tagged, len(states))
	}
	if want := fmt.Sprintf("%X", Hash(good)); states[0]["tx"] != want || states[0]["id"] != f.ID {
		t.Fatalf("block event %v, want tx %s", states[0], want)
	}
	var rec agreements.Record
	if err := json.Unmarshal([]byte(states[0]["state"]), &rec); err != nil {
		t.Fatal(err)
	}
	if stored := c.record(f.ID); rec.Status != agreements.StatusSettled || !reflect.DeepEqual(&rec, stored) {
		t.Fatalf("event state %+v, stored %+v", rec, stored)
	}
}
