package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

func transferMsg(t testing.TB, to ledger.Address, amount uint64, asset string) Msg {
	amt := ledger.NewAmount(amount)
	return mustMsg(t, "transfer", ledger.Move{To: to, Asset: asset, Amount: &amt})
}

func TestTransferAndCreateAsset(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice))
	res := c.block(c.tx(alice, transferMsg(t, bob.addr, 250, NativeAsset)),
		c.tx(alice, mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "ACME"})))
	for i, r := range res.TxResults {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	var out map[string]string
	if err := json.Unmarshal(res.TxResults[1].Data, &out); err != nil || out["asset_id"] != "ACME-1" {
		t.Fatalf("create asset output %q (%v), want asset_id ACME-1", res.TxResults[1].Data, err)
	}
	if got := c.balance(bob.addr, NativeAsset); got != "250" {
		t.Fatalf("bob has %s, want 250", got)
	}
	if got := c.balance(alice.addr, NativeAsset); got != "999750" {
		t.Fatalf("alice has %s, want 999750", got)
	}
}

// TestBadInput covers every named bad case: each gets its code, the node
// keeps going and state (apart from a consumed nonce) is unchanged.
func TestBadInput(t *testing.T) {
	alice, bob, mallory := newTestKey("alice"), newTestKey("bob"), newTestKey("mallory")
	type tc struct {
		name string
		tx   func(c *chain) []byte
		code uint32
		// checkRejects: CheckTx already refuses it.
		checkRejects bool
	}
	body := func(c *chain, mutate func(b *Body)) []byte {
		b := Body{ChainID: testChain, Signer: alice.addr, Nonce: c.nonces[alice.addr] + 1,
			Msgs: []Msg{transferMsg(t, bob.addr, 1, NativeAsset)}, Gas: testGas}
		mutate(&b)
		bz, _ := MarshalBody(b)
		return SignTx(bz, alice.priv)
	}
	rawBody := func(c *chain, js string) []byte {
		return SignTx([]byte(js), alice.priv)
	}
	cases := []tc{
		{"wrong chain id", func(c *chain) []byte { return body(c, func(b *Body) { b.ChainID = "other" }) }, CodeWrongChainID, true},
		{"bad signature", func(c *chain) []byte {
			tx := c.txNonce(alice, c.nonces[alice.addr]+1, transferMsg(t, bob.addr, 1, NativeAsset))
			tx[len(tx)-1] ^= 0xff
			return tx
		}, CodeBadSignature, true},
		{"key is not the signer's", func(c *chain) []byte {
			b := Body{ChainID: testChain, Signer: alice.addr, Nonce: 1, Msgs: []Msg{transferMsg(t, bob.addr, 1, NativeAsset)}, Gas: testGas}
			bz, _ := MarshalBody(b)
			return SignTx(bz, mallory.priv)
		}, CodeSignerMismatch, true},
		{"replayed nonce", func(c *chain) []byte { return body(c, func(b *Body) { b.Nonce = c.nonces[alice.addr] }) }, CodeBadNonce, true},
		{"skipped nonce", func(c *chain) []byte { return body(c, func(b *Body) { b.Nonce = c.nonces[alice.addr] + 2 }) }, CodeBadNonce, true},
		{"unknown field", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"msgs":[],"extra":1}`)
		}, CodeUnknownField, true},
		{"unknown field in message", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"gas":1000000,"msgs":[{"type":"transfer","value":{"to":"`+bob.addr.String()+`","asset":"RIFF","amount":"1","colour":"red"}}]}`)
		}, CodeUnknownField, true},
		{"duplicate JSON key", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"msgs":[]}`)
		}, CodeDuplicateKey, true},
		{"duplicate key in message", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"gas":1000000,"msgs":[{"type":"transfer","value":{"to":"`+bob.addr.String()+`","asset":"RIFF","amount":"1","amount":"9"}}]}`)
		}, CodeDuplicateKey, true},
		{"trailing bytes", func(c *chain) []byte {
			return append(c.txNonce(alice, c.nonces[alice.addr]+1, transferMsg(t, bob.addr, 1, NativeAsset)), 0)
		}, CodeTxDecode, true},
		{"trailing JSON in body", func(c *chain) []byte {
			bz, _ := MarshalBody(Body{ChainID: testChain, Signer: alice.addr, Nonce: 1, Msgs: []Msg{transferMsg(t, bob.addr, 1, NativeAsset)}, Gas: testGas})
			return SignTx(append(bz, []byte(` {}`)...), alice.priv)
		}, CodeTxDecode, true},
		{"oversize tx", func(c *chain) []byte {
			return body(c, func(b *Body) { b.Memo = strings.Repeat("x", MaxTxBytes) })
		}, CodeTxTooLarge, true},
		{"no messages", func(c *chain) []byte { return body(c, func(b *Body) { b.Msgs = nil }) }, CodeInvalidField, true},
		{"unknown message type", func(c *chain) []byte {
			return body(c, func(b *Body) { b.Msgs = []Msg{{Type: "steal", Value: json.RawMessage(`{}`)}} })
		}, CodeUnknownMsg, true},
		{"zero amount", func(c *chain) []byte {
			return body(c, func(b *Body) { b.Msgs = []Msg{transferMsg(t, bob.addr, 0, NativeAsset)} })
		}, CodeInvalidAmount, true},
		{"overflowing amount", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"gas":1000000,"msgs":[{"type":"transfer","value":{"to":"`+bob.addr.String()+`","asset":"RIFF","amount":"340282366920938463463374607431768211456"}}]}`)
		}, CodeOverflow, true},
		{"negative amount", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"gas":1000000,"msgs":[{"type":"transfer","value":{"to":"`+bob.addr.String()+`","asset":"RIFF","amount":"-5"}}]}`)
		}, CodeInvalidAmount, true},
		{"malformed recipient", func(c *chain) []byte {
			return rawBody(c, `{"chain_id":"riff-test","signer":"`+alice.addr.String()+`","nonce":1,"gas":1000000,"msgs":[{"type":"transfer","value":{"to":"riff1notanaddress","asset":"RIFF","amount":"1"}}]}`)
		}, CodeInvalidAddress, true},
		{"garbage bytes", func(c *chain) []byte { return []byte("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01") }, CodeTxDecode, true},
		{"unknown asset", func(c *chain) []byte {
			return body(c, func(b *Body) { b.Msgs = []Msg{transferMsg(t, bob.addr, 1, "NOPE-9")} })
		}, CodeUnknownAsset, false},
		{"insufficient funds", func(c *chain) []byte {
			return body(c, func(b *Body) { b.Msgs = []Msg{transferMsg(t, bob.addr, 5_000_000, NativeAsset)} })
		}, CodeInsufficient, false},
		{"mint by non-issuer", func(c *chain) []byte {
			amt := ledger.NewAmount(5)
			return body(c, func(b *Body) { b.Msgs = []Msg{mustMsg(t, "asset/mint", ledger.MsgMint{Asset: "ART-1", Amount: &amt})} })
		}, CodeNotIssuer, false},
		{"transfer of an item one does not own", func(c *chain) []byte {
			return body(c, func(b *Body) {
				b.Msgs = []Msg{mustMsg(t, "transfer", ledger.Move{To: bob.addr, Asset: "ART-1", Item: "mona"})}
			})
		}, CodeNotOwner, false},
		{"atomic: second move fails", func(c *chain) []byte {
			return body(c, func(b *Body) {
				b.Msgs = []Msg{transferMsg(t, bob.addr, 7, NativeAsset), transferMsg(t, bob.addr, 1, "NOPE-9")}
			})
		}, CodeUnknownAsset, false},
	}
	c := newChain(t, fundedGenesis(alice, bob))
	// bob creates a unique class ART-1 with item "mona" owned by bob.
	c.block(c.tx(bob, mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Unique, Symbol: "ART"}),
		mustMsg(t, "asset/mint", ledger.MsgMint{Asset: "ART-1", Item: "mona"})),
		c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset)))
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			tx := tt.tx(c)
			ct := c.check(tx)
			if tt.checkRejects && ct.Code != tt.code {
				t.Fatalf("CheckTx code %d (%s), want %d", ct.Code, ct.Log, tt.code)
			}
			if !tt.checkRejects && ct.Code != 0 {
				t.Fatalf("CheckTx refused a stateful failure early: %d %s", ct.Code, ct.Log)
			}
			before := c.app.tree.WorkingHash()
			aliceBal, bobBal := c.balance(alice.addr, NativeAsset), c.balance(bob.addr, NativeAsset)
			nonceBefore, _ := ledger.New(c.app.tree, nil).Account(alice.addr)
			res := c.block(tx)
			r := res.TxResults[0]
			if r.Code != tt.code {
				t.Fatalf("FinalizeBlock code %d (%s), want %d", r.Code, r.Log, tt.code)
			}
			if r.Log == "" {
				t.Fatal("error without a message")
			}
			if got := c.balance(alice.addr, NativeAsset); got != aliceBal {
				t.Fatalf("alice balance changed %s -> %s", aliceBal, got)
			}
			if got := c.balance(bob.addr, NativeAsset); got != bobBal {
				t.Fatalf("bob balance changed %s -> %s", bobBal, got)
			}
			acc, _ := ledger.New(c.app.tree, nil).Account(alice.addr)
			if tt.checkRejects {
				if !bytes.Equal(before, c.app.tree.WorkingHash()) {
					t.Fatal("state changed for a tx that failed authentication")
				}
			} else {
				// Paid for its place but failed: only the nonce (and the fee, none
				// here) moves (spec/overview.md, failed-tx rule).
				if acc.Nonce != nonceBefore.Nonce+1 {
					t.Fatalf("nonce %d, want %d", acc.Nonce, nonceBefore.Nonce+1)
				}
			}
			c.nonces[alice.addr] = acc.Nonce
		})
	}
}

func TestCheckTxPendingNonces(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice))
	c.block()
	for i := 0; i < 3; i++ {
		if r := c.check(c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset))); r.Code != 0 {
			t.Fatalf("pending tx %d: %d %s", i, r.Code, r.Log)
		}
	}
	if r := c.check(c.txNonce(alice, 2, transferMsg(t, bob.addr, 1, NativeAsset))); r.Code != CodeBadNonce {
		t.Fatalf("re-used pending nonce: code %d", r.Code)
	}
}

// TestDeterminism applies the same blocks to two fresh apps and compares
// the app hash at every height.
func TestDeterminism(t *testing.T) {
	keys := []testKey{newTestKey("a"), newTestKey("b"), newTestKey("c"), newTestKey("d")}
	gs := fundedGenesis(keys...)
	c1, c2 := newChain(t, gs), newChain(t, gs)
	if !bytes.Equal(c1.app.tree.WorkingHash(), c2.app.tree.WorkingHash()) {
		t.Fatal("genesis hashes differ")
	}
	var blocks [][][]byte
	gen := newChain(t, gs) // only used to sign with consistent nonces
	for h := 0; h < 20; h++ {
		var txs [][]byte
		for i, k := range keys {
			to := keys[(i+h+1)%len(keys)]
			txs = append(txs, gen.tx(k, transferMsg(t, to.addr, uint64(h*7+i+1), NativeAsset)))
		}
		if h%5 == 0 {
			txs = append(txs, gen.tx(keys[h%4], mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "CO"})))
			txs = append(txs, []byte("garbage"))
		}
		blocks = append(blocks, txs)
	}
	for h, txs := range blocks {
		r1, r2 := c1.block(txs...), c2.block(txs...)
		if !bytes.Equal(r1.AppHash, r2.AppHash) {
			t.Fatalf("height %d: app hashes differ %X vs %X", h+1, r1.AppHash, r2.AppHash)
		}
		for i := range r1.TxResults {
			if r1.TxResults[i].Code != r2.TxResults[i].Code {
				t.Fatalf("height %d tx %d: codes differ", h+1, i)
			}
		}
	}
	info1, _ := c1.app.Info(context.Background(), &abci.RequestInfo{})
	if info1.LastBlockHeight != int64(len(blocks)) {
		t.Fatalf("Info height %d, want %d", info1.LastBlockHeight, len(blocks))
	}
}

func TestQueryProofs(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice))
	c.block(c.tx(alice, transferMsg(t, bob.addr, 42, NativeAsset)))
	root := c.app.tree.CommittedHash()
	q := func(path string) *abci.ResponseQuery {
		r, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: path, Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := q("/balance/" + bob.addr.String() + "/RIFF")
	if r.Code != 0 || string(r.Value) != "42" {
		t.Fatalf("balance: %d %q %s", r.Code, r.Value, r.Log)
	}
	if err := verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, r.Value); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}
	if err := verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, []byte("43")); err == nil {
		t.Fatal("tampered value verified")
	}
	r = q("/asset/NOPE-1")
	if r.Code != CodeNotFound {
		t.Fatalf("missing asset code %d", r.Code)
	}
	if err := verifyOp(root, r.ProofOps.Ops[0].Data, r.Key, nil); err != nil {
		t.Fatalf("absence proof rejected: %v", err)
	}
	r = q("/holders/RIFF?limit=1")
	var page struct {
		Entries []json.RawMessage `json:"entries"`
		Next    string            `json:"next"`
	}
	if err := json.Unmarshal(r.Value, &page); err != nil || len(page.Entries) != 1 || page.Next == "" {
		t.Fatalf("holders page: %s (%v)", r.Value, err)
	}
	if r := q("/nope"); r.Code != CodeBadQuery {
		t.Fatalf("unknown path code %d", r.Code)
	}
}

// TestNonceCacheFollowsCommits: CheckTx's cached nonces advance with every
// committed block, including txs that CheckTx never saw on this node.
func TestNonceCacheFollowsCommits(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice))
	c.block()
	first := c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset))
	if r := c.check(first); r.Code != 0 { // caches alice's committed nonce 0
		t.Fatalf("check: %s", r.Log)
	}
	second := c.tx(alice, transferMsg(t, bob.addr, 1, NativeAsset)) // never checked here
	c.block(first, second)
	if r := c.check(c.txNonce(alice, 2, transferMsg(t, bob.addr, 1, NativeAsset))); r.Code != CodeBadNonce {
		t.Fatalf("replayed nonce 2 after commit: code %d", r.Code)
	}
	if r := c.check(c.txNonce(alice, 3, transferMsg(t, bob.addr, 1, NativeAsset))); r.Code != 0 {
		t.Fatalf("next nonce 3: code %d %s", r.Code, r.Log)
	}
}
