package app

import (
	"crypto/sha256"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
)

// Golden values of TestConsensusEncodingGolden. The app hash is the same
// under Go 1.26.8 (encoding/json v1) at 2c03bc9 and now, and under Go 1.27.3
// (v1 API on the v2 engine); the results digest (tx data, tx events, block
// events), last changed when txs gained their gas limit (spec/gas.md: the
// body's new "gas" field changes every tx hash, which block events carry;
// the app hash did not change, state holds no tx body), is the same under
// both toolchains.
const (
	goldenAppHash = "ECB7513612C711F0427383A584B176D7E5CEB1690530BD0661C88D8E95925CA1"
	goldenResults = "F2C0A6A34ED54218B125FB64A81CE65BE8822520153BF57A27E34DB804CDDB63"
)

// TestConsensusEncodingGolden pins the bytes that consensus depends on: the
// app hash (JSON state records: accounts, balances, assets, an agreement
// record with escaped text), each tx result's data and events and the block
// events, after an offline-signed agreement and an escrowed proposal. A change here
// means the state or result encoding changed (a toolchain's encoding/json, a
// field, a tag): a protocol change that every validator must take at once.
func TestConsensusEncodingGolden(t *testing.T) {
	c := newAgreementChain(t)
	f := signedFile(t, c.swapBody(100, "s1"), c.alice, c.bob)
	h := sha256.New()
	events := func(list []abci.Event) {
		for _, e := range list {
			h.Write([]byte(e.Type))
			for _, a := range e.Attributes {
				h.Write([]byte(a.Key + "=" + a.Value))
			}
		}
	}
	digest := func(r *abci.ResponseFinalizeBlock) {
		for _, x := range r.TxResults {
			if x.Code != 0 {
				t.Fatalf("code %d: %s", x.Code, x.Log)
			}
			h.Write(x.Data)
			events(x.Events)
		}
		events(r.Events)
	}
	digest(c.block(c.tx(c.carol, mustMsg(t, agreements.TypeSubmit, f))))
	b := c.swapBody(200, "p1")
	b.ChainID, b.Version = testChain, 1
	b.Obligations = []agreements.Obligation{{By: c.alice.addr, To: c.bob.addr, What: "deliver <docs> & \"more\""}}
	r := c.block(c.tx(c.alice, mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: b, Escrow: true})))
	digest(r)
	if got := fmt.Sprintf("%X", r.AppHash); got != goldenAppHash {
		t.Errorf("app hash %s, golden %s: the state encoding changed", got, goldenAppHash)
	}
	if got := fmt.Sprintf("%X", h.Sum(nil)); got != goldenResults {
		t.Errorf("results digest %s, golden %s: tx result data or events changed", got, goldenResults)
	}
}
