package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
	"github.com/riffchain/riffchain/lens"
)

// txGas signs msgs from k with the next nonce, an explicit gas limit and
// an optional fee.
func (c *chain) txGas(k testKey, limit uint64, fee *Fee, msgs ...Msg) []byte {
	c.t.Helper()
	c.nonces[k.addr]++
	body, err := MarshalBody(Body{ChainID: testChain, Signer: k.addr, Nonce: c.nonces[k.addr], Msgs: msgs, Fee: fee, Gas: limit})
	if err != nil {
		c.t.Fatal(err)
	}
	return SignTx(body, k.priv)
}

func (c *chain) account(a ledger.Address) ledger.Account {
	c.t.Helper()
	acc, err := ledger.New(c.app.tree, nil).Account(a)
	if err != nil {
		c.t.Fatal(err)
	}
	return acc
}

func (c *chain) simulate(tx []byte) SimulateResult {
	c.t.Helper()
	q, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: "/simulate", Data: tx})
	if err != nil || q.Code != 0 {
		c.t.Fatalf("simulate: %v code %d %s", err, q.Code, q.Log)
	}
	var r SimulateResult
	if err := json.Unmarshal(q.Value, &r); err != nil {
		c.t.Fatal(err)
	}
	return r
}

func transfer1(t testing.TB, to ledger.Address) Msg {
	one := ledger.NewAmount(1)
	return mustMsg(t, "transfer", ledger.Move{To: to, Asset: NativeAsset, Amount: &one})
}

// A tx that runs out of gas fails with code 33: its messages' writes are
// rolled back, its nonce and fee stay consumed, and gas_used is its limit.
func TestOutOfGasRollsBackKeepsNonceAndFee(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	c.block() // something committed to simulate on
	fee := &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(7)}
	// A simulation gives an upper bound (its placeholder limit has more
	// digits than the one signed); at that limit the tx succeeds and uses
	// exactly what it needs.
	probe := c.txGas(alice, testGas, fee, transfer1(t, bob.addr), transfer1(t, bob.addr))
	c.nonces[alice.addr]--
	sim := c.simulate(probe).GasUsed
	res := c.block(c.txGas(alice, sim, fee, transfer1(t, bob.addr), transfer1(t, bob.addr))).TxResults[0]
	need := uint64(res.GasUsed)
	if res.Code != 0 || need > sim || need < sim-100 {
		t.Fatalf("at the simulated gas %d: code %d, used %d: %s", sim, res.Code, need, res.Log)
	}
	for _, limit := range []uint64{need - 1, need - 10_000} {
		before := c.account(alice.addr).Nonce
		tx := c.txGas(alice, limit, fee, transfer1(t, bob.addr), transfer1(t, bob.addr))
		if r := c.check(tx); r.Code != 0 || r.GasWanted != int64(limit) {
			t.Fatalf("CheckTx: code %d gas_wanted %d: %s", r.Code, r.GasWanted, r.Log)
		}
		res := c.block(tx).TxResults[0]
		if res.Code != CodeOutOfGas || res.GasWanted != int64(limit) || res.GasUsed != int64(limit) {
			t.Fatalf("limit %d of %d: code %d, gas %d/%d: %s", limit, need, res.Code, res.GasUsed, res.GasWanted, res.Log)
		}
		if got := c.balance(bob.addr, NativeAsset); got != "1000002" {
			t.Errorf("bob has %s: the out-of-gas tx's transfers were not rolled back", got)
		}
		if got := c.account(alice.addr).Nonce; got != before+1 {
			t.Errorf("nonce %d, want %d (consumed)", got, before+1)
		}
	}
	if got := c.balance(alice.addr, NativeAsset); got != "999977" {
		t.Errorf("alice has %s, want 999977: 2 sent, three fees of 7 paid", got)
	}
}

// CheckTx refuses a limit no block can hold (code 34) and one below the
// tx's intrinsic cost (code 33); it answers gas_wanted for CometBFT's
// reaping.
func TestCheckTxGasLimits(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	c.app.SetBlockMaxGas(10_000_000)
	for _, tc := range []struct {
		limit uint64
		code  uint32
	}{
		{10_000_001, CodeGasLimit},
		{1_000, CodeOutOfGas},
		{10_000_000, CodeOK},
	} {
		r := c.check(c.txGas(alice, tc.limit, nil, transfer1(t, bob.addr)))
		if r.Code != tc.code {
			t.Errorf("gas %d: code %d, want %d: %s", tc.limit, r.Code, tc.code, r.Log)
		}
		if tc.code != CodeOK {
			c.nonces[alice.addr]--
		}
	}
	// No gas field at all: refused as an invalid field.
	bz := []byte(`{"chain_id":"riff-test","signer":"` + alice.addr.String() + `","nonce":2,"msgs":[{"type":"transfer","value":{"to":"` + bob.addr.String() + `","asset":"RIFF","amount":"1"}}]}`)
	if r := c.check(SignTx(bz, alice.priv)); r.Code != CodeInvalidField {
		t.Errorf("no gas: code %d, want %d: %s", r.Code, CodeInvalidField, r.Log)
	}
}

// The proposer keeps a block's declared gas within block.max_gas, and
// ProcessProposal rejects a proposal over it.
func TestBlockGasCap(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	c.app.SetBlockMaxGas(1_000_000)
	t1 := c.txGas(alice, 400_000, nil, transfer1(t, bob.addr))
	t2 := c.txGas(alice, 400_000, nil, transfer1(t, bob.addr))
	t3 := c.txGas(bob, 400_000, nil, transfer1(t, alice.addr))
	ctx := context.Background()
	pp, err := c.app.PrepareProposal(ctx, &abci.RequestPrepareProposal{Txs: [][]byte{t1, t2, t3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pp.Txs) != 2 {
		t.Fatalf("proposal has %d txs, want 2 (1.2M declared > 1M)", len(pp.Txs))
	}
	for _, tc := range []struct {
		txs  [][]byte
		want abci.ResponseProcessProposal_ProposalStatus
	}{
		{[][]byte{t1, t2}, abci.ResponseProcessProposal_ACCEPT},
		{[][]byte{t1, t2, t3}, abci.ResponseProcessProposal_REJECT},
		{[][]byte{c.txGas(bob, 1_000_001, nil, transfer1(t, alice.addr))}, abci.ResponseProcessProposal_REJECT},
		{[][]byte{{0x01, 0x02}, t1}, abci.ResponseProcessProposal_ACCEPT}, // undecodable: declares nothing, fails in execution
	} {
		r, err := c.app.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: tc.txs})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != tc.want {
			t.Errorf("%d txs: %v, want %v", len(tc.txs), r.Status, tc.want)
		}
	}
	// Genesis max_gas -1 (no limit): the app's default cap still holds.
	c.app.SetBlockMaxGas(-1)
	if got := c.app.MaxBlockGas(); got != uint64(DefaultBlockMaxGas) {
		t.Errorf("max gas %d with -1, want the default %d", got, DefaultBlockMaxGas)
	}
}

// The same txs use the same gas on every node: one node saw them in
// CheckTx (decoded and signatures verified, cached), the other executes
// them cold, from a block; results, gas included, are identical.
func TestGasDeterministic(t *testing.T) {
	alice, bob, carol := newTestKey("alice"), newTestKey("bob"), newTestKey("carol")
	gs := fundedGenesis(alice, bob, carol)
	warm, cold := newChain(t, gs), newChain(t, gs)
	gather := func(c *chain) [][]byte {
		f := signedFile(t, agreements.Body{
			Parties:         []ledger.Address{alice.addr, bob.addr},
			Actions:         []agreements.Action{{Transfer: &agreements.TransferAction{From: alice.addr, To: bob.addr, Asset: NativeAsset, Amount: ptr(ledger.NewAmount(5))}}},
			ExpiresAtHeight: 100, Salt: "det",
		}, alice, bob)
		return [][]byte{
			c.txGas(alice, testGas, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(3)}, transfer1(t, bob.addr), transfer1(t, carol.addr)),
			c.tx(carol, mustMsg(t, agreements.TypeSubmit, f)),
			c.tx(bob, mustMsg(t, "asset/create", ledger.MsgCreateAsset{Symbol: "GOLD", Kind: ledger.Fungible})),
			c.txGas(carol, 100_000, nil, transfer1(t, bob.addr)), // out of gas: pays its intrinsic cost, not the transfer
		}
	}
	wtxs, ctxs := gather(warm), gather(cold)
	for _, tx := range wtxs {
		warm.check(tx)
	}
	wr, cr := warm.block(wtxs...), cold.block(ctxs...)
	for i := range wr.TxResults {
		w, c := wr.TxResults[i], cr.TxResults[i]
		if w.GasUsed == 0 || w.GasUsed != c.GasUsed || w.GasWanted != c.GasWanted || w.Code != c.Code || w.Log != c.Log {
			t.Errorf("tx %d: warm code %d gas %d/%d, cold code %d gas %d/%d", i, w.Code, w.GasUsed, w.GasWanted, c.Code, c.GasUsed, c.GasWanted)
		}
	}
	if wr.TxResults[3].Code != CodeOutOfGas {
		t.Errorf("tx 3: code %d, want out of gas", wr.TxResults[3].Code)
	}
	if string(wr.AppHash) != string(cr.AppHash) {
		t.Error("app hashes differ")
	}
}

func ptr[T any](v T) *T { return &v }

// FuzzSimulate: /simulate decodes and runs whatever bytes a query carries;
// it never panics and never writes state (the working hash is unchanged).
func FuzzSimulate(f *testing.F) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(f, fundedGenesis(alice, bob))
	c.block()
	good := c.txGas(alice, 200_000, nil, transfer1(f, bob.addr))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		before := c.app.tree.WorkingHash()
		q, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: "/simulate", Data: data})
		if err != nil || q == nil {
			t.Fatalf("simulate: %v", err)
		}
		if after := c.app.tree.WorkingHash(); string(before) != string(after) {
			t.Fatal("simulate wrote state")
		}
	})
}

// viewAttackChain is a chain with issue 14's view-attack graph (see
// buildViewAttack) built by its owner.
func viewAttackChain(t *testing.T, k, n int) (*chain, testKey) {
	owner := newTestKey("owner")
	c := newChain(t, fundedGenesis(owner))
	buildViewAttack(t, c, owner, k, n)
	return c, owner
}

// buildViewAttack builds issue 14's view-attack graph through txs of owner:
// root follows k lenses with distinct weights, each following target under
// a tag of its own that no entry carries, plus one low untagged path root →
// low → target; target holds n entries (CIDs benchCID(0..n-1)).
func buildViewAttack(t testing.TB, c *chain, owner testKey, k, n int) {
	t.Helper()
	var msgs []Msg
	flush := func() {
		for len(msgs) > 0 {
			m := min(len(msgs), 64)
			if r := c.block(c.tx(owner, msgs[:m]...)); r.TxResults[0].Code != 0 {
				t.Fatalf("view graph setup: %s", r.TxResults[0].Log)
			}
			msgs = msgs[m:]
		}
	}
	add := func(typ string, v any) { msgs = append(msgs, mustMsg(t, typ, v)) }
	for _, h := range []string{"root", "target", "low"} {
		add(lens.TypeCreate, lens.MsgCreate{Handle: h, Name: h})
	}
	for i := 0; i < k; i++ {
		add(lens.TypeCreate, lens.MsgCreate{Handle: fmt.Sprintf("mid%03d", i), Name: "mid"})
	}
	flush()
	add(lens.TypeFollow, lens.MsgFollow{Lens: "root", Target: "low", Weight: 1_000})
	add(lens.TypeFollow, lens.MsgFollow{Lens: "low", Target: "target", Weight: 1_000_000})
	for i := 0; i < k; i++ {
		add(lens.TypeFollow, lens.MsgFollow{Lens: "root", Target: fmt.Sprintf("mid%03d", i), Weight: uint32(900_000 - i*1_000)})
		add(lens.TypeFollow, lens.MsgFollow{Lens: fmt.Sprintf("mid%03d", i), Target: "target", Weight: 1_000_000, Tags: []string{fmt.Sprintf("nope%d", i)}})
	}
	for i := 0; i < n; i++ {
		add(lens.TypeAddEntry, lens.MsgAddEntry{Lens: "target", CID: benchCID(i), Kind: "post", Title: fmt.Sprintf("entry %d", i)})
	}
	flush()
}

// Issue 14's attack, scaled down: a tx of 16 lens/forks over the view
// graph runs out of gas at its limit (code 33, nothing written but its
// nonce) instead of doing unbounded work, and the same tx with a limit
// that suffices succeeds and uses the same gas on a second node.
func TestForkViewAttackRunsOutOfGas(t *testing.T) {
	c, owner := viewAttackChain(t, 40, 60)
	forks := func(prefix string) []Msg {
		var out []Msg
		for j := 0; j < 16; j++ {
			out = append(out, mustMsg(t, lens.TypeFork, lens.MsgFork{Handle: fmt.Sprintf("%s%02d", prefix, j), Name: "f", Source: "root", Depth: 2}))
		}
		return out
	}
	sim := c.simulate(c.txGas(owner, testGas, nil, forks("a")...))
	c.nonces[owner.addr]--
	if sim.Code != 0 || sim.GasUsed < 16*1_000_000 {
		t.Fatalf("simulated 16 forks: code %d, gas %d: %s", sim.Code, sim.GasUsed, sim.Log)
	}
	limit := sim.GasUsed / 4
	res := c.block(c.txGas(owner, limit, nil, forks("a")...)).TxResults[0]
	if res.Code != CodeOutOfGas || res.GasUsed != int64(limit) {
		t.Fatalf("16 forks under %d gas (of %d): code %d, used %d: %s", limit, sim.GasUsed, res.Code, res.GasUsed, res.Log)
	}
	if q, _ := c.app.Query(context.Background(), &abci.RequestQuery{Path: "/lens/a00"}); q.Code != CodeNotFound {
		t.Fatalf("a fork of the out-of-gas tx exists: code %d", q.Code)
	}
	res = c.block(c.txGas(owner, sim.GasUsed, nil, forks("b")...)).TxResults[0]
	if res.Code != 0 || uint64(res.GasUsed) > sim.GasUsed {
		t.Fatalf("16 forks at the simulated gas: code %d, used %d of %d: %s", res.Code, res.GasUsed, sim.GasUsed, res.Log)
	}
}

// A query that needs more work than the budget fails with code 35 and a
// hint; one within it answers with what it used in info; a slow query
// stops at its budget.
func TestQueryBudget(t *testing.T) {
	c, _ := viewAttackChain(t, 40, 60)
	ctx := context.Background()
	q, _ := c.app.Query(ctx, &abci.RequestQuery{Path: "/view/root?depth=2&limit=20"})
	if q.Code != 0 || !strings.HasPrefix(q.Info, "gas_used=") {
		t.Fatalf("view within the budget: code %d info %q: %s", q.Code, q.Info, q.Log)
	}
	used, _ := strconv.ParseUint(strings.TrimPrefix(q.Info, "gas_used="), 10, 64)
	c.app.queryBudgetOverride = used - 1
	q, _ = c.app.Query(ctx, &abci.RequestQuery{Path: "/view/root?depth=2&limit=20"})
	if q.Code != CodeQueryBudget || !strings.Contains(q.Log, "page it") {
		t.Fatalf("view over the budget: code %d: %s", q.Code, q.Log)
	}
	// Proofs count: a proven answer needs more than the same unproven one.
	c.app.queryBudgetOverride = 0
	plain, _ := c.app.Query(ctx, &abci.RequestQuery{Path: "/lens/root"})
	proven, _ := c.app.Query(ctx, &abci.RequestQuery{Path: "/lens/root", Prove: true})
	if plain.Code != 0 || proven.Code != 0 || plain.Info == proven.Info {
		t.Fatalf("proofs not charged: %q vs %q", plain.Info, proven.Info)
	}
}

// A tx whose limit cannot pay its intrinsic cost fails in a block without
// a trace and without its signatures being checked (a forged signature
// gets the same code 33, not 8); each tx counts at least its intrinsic
// floor against the block's max gas, so a proposal of many such txs is
// rejected.
func TestBelowIntrinsicInBlock(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	cheap := c.txGas(alice, 1_000, nil, transfer1(t, bob.addr))
	forged := append([]byte(nil), cheap...)
	forged[len(forged)-1] ^= 0xff
	r := c.block(cheap, forged)
	for i, res := range r.TxResults {
		if res.Code != CodeOutOfGas || res.GasUsed != 0 {
			t.Errorf("tx %d: code %d, gas used %d: %s", i, res.Code, res.GasUsed, res.Log)
		}
	}
	if got := c.account(alice.addr).Nonce; got != 0 {
		t.Errorf("nonce %d: the tx left a trace", got)
	}
	floor := gas.TxBase + gas.TxByte*uint64(len(cheap)) + gas.SigVerify
	c.app.SetBlockMaxGas(int64(10 * floor))
	many := make([][]byte, 11)
	for i := range many {
		many[i] = cheap
	}
	ctx := context.Background()
	if pp, _ := c.app.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: many}); pp.Status != abci.ResponseProcessProposal_REJECT {
		t.Errorf("11 txs of floor %d under max gas %d: %v", floor, 10*floor, pp.Status)
	}
	if pp, _ := c.app.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: many[:10]}); pp.Status != abci.ResponseProcessProposal_ACCEPT {
		t.Errorf("10 txs of floor %d under max gas %d: %v", floor, 10*floor, pp.Status)
	}
}
