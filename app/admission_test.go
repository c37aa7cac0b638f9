package app

import (
	"context"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
)

func (c *chain) txFee(k testKey, fee *Fee, msgs ...Msg) []byte {
	c.nonces[k.addr]++
	body, err := MarshalBody(Body{ChainID: testChain, Signer: k.addr, Nonce: c.nonces[k.addr], Msgs: msgs, Fee: fee, Gas: testGas})
	if err != nil {
		c.t.Fatal(err)
	}
	return SignTx(body, k.priv)
}

func TestFeePaidToProposer(t *testing.T) {
	alice, bob, val := newTestKey("alice"), newTestKey("bob"), newTestKey("validator")
	c := newChain(t, fundedGenesis(alice))
	c.height++
	fee := &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(7)}
	tooBig := &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(5_000_000)}
	ok := c.txFee(alice, fee, transferMsg(t, bob.addr, 100, NativeAsset))
	failsMsg := c.txFee(alice, fee, transferMsg(t, bob.addr, 1, "NOPE-1"))
	cannotPay := c.txFee(alice, tooBig, transferMsg(t, bob.addr, 1, NativeAsset))
	res, err := c.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Height: c.height, Time: time.Unix(1_700_000_000, 0), Txs: [][]byte{ok, failsMsg, cannotPay},
		ProposerAddress: val.addr[:]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if res.TxResults[0].Code != 0 || res.TxResults[1].Code != CodeUnknownAsset || res.TxResults[2].Code != CodeInsufficient {
		t.Fatalf("codes %d %d %d", res.TxResults[0].Code, res.TxResults[1].Code, res.TxResults[2].Code)
	}
	// Two fees paid (the failed message still paid for its place); the
	// unpayable one paid nothing and did not consume its nonce.
	if got := c.balance(val.addr, NativeAsset); got != "14" {
		t.Fatalf("proposer got %s, want 14", got)
	}
	if got := c.balance(alice.addr, NativeAsset); got != "999886" {
		t.Fatalf("alice has %s, want 999886", got)
	}
	acc, _ := ledger.New(c.app.tree, nil).Account(alice.addr)
	if acc.Nonce != 2 {
		t.Fatalf("nonce %d, want 2", acc.Nonce)
	}
	if err := ledger.CheckInvariants(c.app.tree); err != nil {
		t.Fatal(err)
	}
}

func TestAdmissionPolicy(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice))
	c.block()
	c.app.Config = AppConfig{MinFees: []FeeMin{{Asset: NativeAsset, Amount: "5"}}, MaxPendingPerAccount: 2, MaxTxBytes: 600}
	cases := []struct {
		name string
		tx   func() []byte
		code uint32
	}{
		{"no fee", func() []byte { return c.txNonce(alice, 1, transferMsg(t, bob.addr, 1, NativeAsset)) }, CodeFeeTooLow},
		{"fee too low", func() []byte {
			return c.txFeeNonce(alice, 1, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(4)})
		}, CodeFeeTooLow},
		{"fee in another asset", func() []byte {
			return c.txFeeNonce(alice, 1, &Fee{Asset: "GOLD-1", Amount: ledger.NewAmount(50)})
		}, CodeFeeTooLow},
		{"fee cannot be paid", func() []byte {
			return c.txFeeNonce(bob, 1, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(5)})
		}, CodeInsufficient},
		{"enough fee", func() []byte { return c.txFeeNonce(alice, 1, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(5)}) }, CodeOK},
		{"second pending", func() []byte { return c.txFeeNonce(alice, 2, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(5)}) }, CodeOK},
		{"third pending over the limit", func() []byte {
			return c.txFeeNonce(alice, 3, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(5)})
		}, CodeMempoolFull},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if r := c.check(tt.tx()); r.Code != tt.code {
				t.Fatalf("code %d (%s), want %d", r.Code, r.Log, tt.code)
			}
		})
	}
}

func (c *chain) txFeeNonce(k testKey, nonce uint64, fee *Fee, msgs ...Msg) []byte {
	if len(msgs) == 0 {
		msgs = []Msg{transferMsg(c.t, newTestKey("bob").addr, 1, NativeAsset)}
	}
	body, err := MarshalBody(Body{ChainID: testChain, Signer: k.addr, Nonce: nonce, Msgs: msgs, Fee: fee, Gas: testGas})
	if err != nil {
		c.t.Fatal(err)
	}
	return SignTx(body, k.priv)
}

// A minimum fee per gas: the fee must cover amount per per_gas units of
// the tx's declared gas limit, rounded up; other assets' minimums still
// count; an amount too large for any fee refuses the tx with code 31.
func TestMinFeePerGas(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	c.block()
	c.app.Config = AppConfig{MinFees: []FeeMin{{Asset: NativeAsset, Amount: "3", PerGas: 100_000}}}
	for _, tc := range []struct {
		gas, fee uint64
		code     uint32
	}{
		{200_000, 6, CodeOK},
		{200_000, 5, CodeFeeTooLow},
		{200_001, 6, CodeFeeTooLow}, // 6.00003, rounded up to 7
		{200_001, 7, CodeOK},
		{200_000, 0, CodeFeeTooLow},
	} {
		var fee *Fee
		if tc.fee > 0 {
			fee = &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(tc.fee)}
		}
		r := c.check(c.txGas(alice, tc.gas, fee, transfer1(t, bob.addr)))
		if r.Code != tc.code {
			t.Errorf("gas %d, fee %d: code %d, want %d: %s", tc.gas, tc.fee, r.Code, tc.code, r.Log)
		}
		if r.Code != CodeOK {
			c.nonces[alice.addr]--
		}
	}
	huge := ledger.MaxAmount.String()
	c.app.Config = AppConfig{MinFees: []FeeMin{{Asset: NativeAsset, Amount: huge, PerGas: 1}}}
	if r := c.check(c.txGas(alice, 200_000, &Fee{Asset: NativeAsset, Amount: ledger.NewAmount(1)}, transfer1(t, bob.addr))); r.Code != CodeFeeTooLow {
		t.Errorf("unpayable minimum: code %d: %s", r.Code, r.Log)
	}
}
