package web

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cometbft/cometbft/light"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/app/verify"
	"github.com/riffchain/riffchain/ledger"
)

// fetchLight reads /api/v1/light/h from the explorer and decodes it.
func fetchLight(t *testing.T, tn *testNode, h int64) (verify.Light, *cmtproto.SignedHeader, *cmtproto.ValidatorSet) {
	t.Helper()
	var l verify.Light
	for i := 0; ; i++ {
		code, _, body := tn.get(t, fmt.Sprintf("/api/v1/light/%d", h))
		if code == 200 {
			if err := json.Unmarshal([]byte(body), &l); err != nil {
				t.Fatal(err)
			}
			break
		}
		if i == 50 {
			t.Fatalf("light %d: %d %s", h, code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sh, vals, err := l.Decode()
	if err != nil {
		t.Fatal(err)
	}
	return l, sh, vals
}

// TestVerifierAgreesWithCometBFT gives package verify (what the browser
// runs), the CLI's verifier (client.VerifySignedHeader, over CometBFT's
// types) and cometbft/light the same honest and forged signed headers,
// and wants the same verdict from all three.
func TestVerifierAgreesWithCometBFT(t *testing.T) {
	tn := startTestNode(t, Config{})
	tn.send(t, "transfer", ledger.MsgTransfer{To: tn.addr, Asset: app.NativeAsset, Amount: ptr(ledger.NewAmount(7))})
	const chainID = "riff-web"
	_, trustedSH, trustedVals := fetchLight(t, tn, 2)
	tsh, err := cmttypes.SignedHeaderFromProto(trustedSH)
	if err != nil {
		t.Fatal(err)
	}
	tvals, err := cmttypes.ValidatorSetFromProto(trustedVals)
	if err != nil {
		t.Fatal(err)
	}
	st, err := tn.rpc.RPC.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	h := st.SyncInfo.LatestBlockHeight
	cases := []struct {
		name  string
		chain string
		edit  func(sh *cmtproto.SignedHeader, vals *cmtproto.ValidatorSet)
		good  bool
	}{
		{"honest", chainID, func(*cmtproto.SignedHeader, *cmtproto.ValidatorSet) {}, true},
		{"app hash changed", chainID, func(sh *cmtproto.SignedHeader, _ *cmtproto.ValidatorSet) { sh.Header.AppHash[0] ^= 1 }, false},
		{"signature changed", chainID, func(sh *cmtproto.SignedHeader, _ *cmtproto.ValidatorSet) { sh.Commit.Signatures[0].Signature[5] ^= 1 }, false},
		{"signature timestamp changed", chainID, func(sh *cmtproto.SignedHeader, _ *cmtproto.ValidatorSet) {
			sh.Commit.Signatures[0].Timestamp = sh.Commit.Signatures[0].Timestamp.Add(time.Millisecond)
		}, false},
		{"vote absent", chainID, func(sh *cmtproto.SignedHeader, _ *cmtproto.ValidatorSet) {
			sh.Commit.Signatures[0] = cmtproto.CommitSig{BlockIdFlag: cmtproto.BlockIDFlagAbsent}
		}, false},
		{"other chain", "riff-other", func(*cmtproto.SignedHeader, *cmtproto.ValidatorSet) {}, false},
		{"validator power changed", chainID, func(_ *cmtproto.SignedHeader, vals *cmtproto.ValidatorSet) {
			vals.Validators[0].VotingPower++
			vals.TotalVotingPower++
		}, false},
		{"header height changed", chainID, func(sh *cmtproto.SignedHeader, _ *cmtproto.ValidatorSet) { sh.Header.Height++ }, false},
		{"proposer changed", chainID, func(sh *cmtproto.SignedHeader, _ *cmtproto.ValidatorSet) { sh.Header.ProposerAddress[0] ^= 1 }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, sh, vals := fetchLight(t, tn, h)
			c.edit(sh, vals)
			mine := verify.Commit(c.chain, sh, vals) == nil
			cli, lc := false, false
			csh, err1 := cmttypes.SignedHeaderFromProto(sh)
			cvals, err2 := cmttypes.ValidatorSetFromProto(vals)
			if err1 == nil && err2 == nil {
				cli = client.VerifySignedHeader(c.chain, csh, cvals) == nil
				lc = light.Verify(tsh, tvals, csh, cvals, time.Hour, time.Now(), 10*time.Second, light.DefaultTrustLevel) == nil && c.chain == chainID
			}
			if mine != c.good || cli != c.good || lc != c.good {
				t.Fatalf("verdicts: verify %v, CLI %v, light %v; want %v (verify says: %v)", mine, cli, lc, c.good, verify.Commit(c.chain, sh, vals))
			}
		})
	}
}

// TestVerifierPageChecks runs the page-level check (what the account page
// asks the browser's verifier) on an honest answer and on lies: another
// amount, another asset, a header of another height.
func TestVerifierPageChecks(t *testing.T) {
	tn := startTestNode(t, Config{})
	tn.send(t, "transfer", ledger.MsgTransfer{To: tn.addr, Asset: app.NativeAsset, Amount: ptr(ledger.NewAmount(7))})
	code, _, body := tn.get(t, "/api/v1/account/"+tn.addr.String()+"?prove=true")
	if code != 200 {
		t.Fatal(body)
	}
	var req verify.Request
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	var acc Account
	_ = json.Unmarshal([]byte(body), &acc)
	req.ChainID, req.Height = "riff-web", acc.Height
	req.Light, _, _ = fetchLight(t, tn, acc.Height+1)
	req.Balances = nil // the page claims what it shows; the answer's own list is not a claim
	for _, b := range acc.Balances {
		req.Balances = append(req.Balances, verify.Balance{Address: acc.Address, Asset: b.Asset, Amount: b.Amount})
	}
	if len(req.Balances) == 0 {
		t.Fatal("no balances to verify")
	}
	if res := verify.Check(&req); !res.Verified || !res.HeaderVerified || res.Claims != 1 {
		t.Fatalf("honest answer: %+v", res)
	}
	lies := map[string]func(r *verify.Request){
		"amount":        func(r *verify.Request) { r.Balances[0].Amount = "5000001" },
		"asset":         func(r *verify.Request) { r.Balances[0].Asset = "LENS" },
		"address":       func(r *verify.Request) { r.Balances[0].Address = ledger.DeriveAddress("x", nil).String() },
		"height":        func(r *verify.Request) { r.Height-- },
		"pinned set":    func(r *verify.Request) { r.TrustedValidators = "00" },
		"proof dropped": func(r *verify.Request) { r.Proofs = r.Proofs[:1] },
	}
	for name, lie := range lies {
		r := req
		r.Balances = append([]verify.Balance(nil), req.Balances...)
		lie(&r)
		if res := verify.Check(&r); res.Verified {
			t.Errorf("lie about the %s verified: %+v", name, res)
		}
	}
	var out verify.Result
	in, _ := json.Marshal(req)
	if err := json.Unmarshal([]byte(verify.CheckJSON(string(in))), &out); err != nil || !out.Verified {
		t.Fatalf("CheckJSON: %+v %v", out, err)
	}
}

// TestVerifierAssetClaim runs the asset page's check of the definition it
// shows (issuer, decimals, supply) on an honest answer and on lies.
func TestVerifierAssetClaim(t *testing.T) {
	tn := startTestNode(t, Config{})
	code, _, body := tn.get(t, "/api/v1/asset/"+app.NativeAsset+"?prove=true&limit=1")
	if code != 200 {
		t.Fatal(body)
	}
	var req verify.Request
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	var av AssetView
	_ = json.Unmarshal([]byte(body), &av)
	req.ChainID, req.Height = "riff-web", av.Height
	req.Light, _, _ = fetchLight(t, tn, av.Height+1)
	req.Holders, req.Balances = nil, nil // the answer's own lists are not claims here
	req.Asset = &verify.AssetClaim{ID: av.ID, Issuer: av.Issuer.String(), Decimals: av.Decimals, Supply: av.Supply.String()}
	if res := verify.Check(&req); !res.Verified || res.Claims != 1 {
		t.Fatalf("honest answer: %+v", res)
	}
	lies := map[string]func(c *verify.AssetClaim){
		"supply":   func(c *verify.AssetClaim) { c.Supply += "0" },
		"decimals": func(c *verify.AssetClaim) { c.Decimals++ },
		"issuer":   func(c *verify.AssetClaim) { c.Issuer = ledger.DeriveAddress("x", nil).String() },
		"id":       func(c *verify.AssetClaim) { c.ID = "LENS" },
	}
	for name, lie := range lies {
		r := req
		c := *req.Asset
		lie(&c)
		r.Asset = &c
		if res := verify.Check(&r); res.Verified {
			t.Errorf("lie about the %s verified: %+v", name, res)
		}
	}
}
