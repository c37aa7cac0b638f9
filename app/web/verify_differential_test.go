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
// runs), the CLI's verifier (client.VerifySignedHeader: the same package
// reached from CometBFT's types) and cometbft/light the same honest and
// forged signed headers, and wants the same verdict from all three.
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

// provenRequest is the verifier's request for the page at path, without
// claims: its answer's proofs (?prove=true) and the header that commits to
// its height.
func provenRequest(t *testing.T, tn *testNode, path string, answer any) verify.Request {
	t.Helper()
	code, _, body := tn.get(t, "/api/v1"+path+"?prove=true")
	if code != 200 {
		t.Fatal(body)
	}
	var req verify.Request
	var m struct {
		Height int64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body), answer); err != nil {
		t.Fatal(err)
	}
	req.ChainID, req.Height, req.Page = "riff-web", m.Height, path
	req.Light, _, _ = fetchLight(t, tn, m.Height+1)
	return req
}

// TestVerifierPageChecks runs the page-level check (what the account and
// asset pages ask the browser's verifier, with the text they show) on
// honest claims and on lies: another amount or asset in the text, a nonce,
// a header of another height, another pinned set, a dropped proof, a claim
// of another page, a field the kind does not have.
func TestVerifierPageChecks(t *testing.T) {
	tn := startTestNode(t, Config{})
	tn.send(t, "transfer", ledger.MsgTransfer{To: tn.addr, Asset: app.NativeAsset, Amount: ptr(ledger.NewAmount(7))})
	var acc Account
	req := provenRequest(t, tn, "/account/"+tn.addr.String(), &acc)
	req.Claims = []verify.Claim{{El: "n", Kind: "nonce", Shown: map[string]string{"nonce": fmt.Sprint(acc.Nonce)}}}
	for i, b := range acc.Balances {
		req.Claims = append(req.Claims, verify.Claim{El: fmt.Sprint(i), Kind: "balance", Shown: map[string]string{"asset": b.Asset, "amount": b.Display}})
	}
	if len(req.Claims) < 2 {
		t.Fatal("no balances to verify")
	}
	if res := verify.Check(&req); !res.Verified || !res.HeaderVerified || res.Claims != len(req.Claims) || len(res.Marks) != len(req.Claims) {
		t.Fatalf("honest answer: %+v", res)
	}
	lies := map[string]func(r *verify.Request){
		"amount text":   func(r *verify.Request) { r.Claims[1].Shown["amount"] = "5.000001 RIFF" },
		"asset text":    func(r *verify.Request) { r.Claims[1].Shown["asset"] = "LENS" },
		"nonce text":    func(r *verify.Request) { r.Claims[0].Shown["nonce"] = "99" },
		"amount hidden": func(r *verify.Request) { delete(r.Claims[1].Shown, "amount") },
		"other account": func(r *verify.Request) { r.Page = "/account/" + ledger.DeriveAddress("x", nil).String() },
		"other page":    func(r *verify.Request) { r.Claims[0].Kind = "holder" },
		"extra field":   func(r *verify.Request) { r.Claims[0].Shown["owner"] = "me" },
		"height":        func(r *verify.Request) { r.Height-- },
		"pinned set":    func(r *verify.Request) { r.TrustedValidators = "00" },
		"proof dropped": func(r *verify.Request) { r.Proofs = r.Proofs[:1] },
	}
	for name, lie := range lies {
		r := req
		r.Claims = nil
		for _, c := range req.Claims {
			sh := map[string]string{}
			for k, v := range c.Shown {
				sh[k] = v
			}
			c.Shown = sh
			r.Claims = append(r.Claims, c)
		}
		lie(&r)
		if res := verify.Check(&r); res.Verified {
			t.Errorf("lie about the %s verified: %+v", name, res)
		} else {
			t.Logf("%s: %s", name, res.Error)
		}
	}
	var out verify.Result
	in, _ := json.Marshal(req)
	if err := json.Unmarshal([]byte(verify.CheckJSON(string(in))), &out); err != nil || !out.Verified {
		t.Fatalf("CheckJSON: %+v %v", out, err)
	}

	// The asset page: the definition as shown.
	var av AssetView
	areq := provenRequest(t, tn, "/asset/"+app.NativeAsset, &av)
	shown := map[string]string{"id": av.ID, "kind": string(av.Kind), "name": av.Name, "issuer": av.Issuer.String(),
		"decimals": fmt.Sprint(av.Decimals), "supply": av.SupplyDisplay + " " + av.ID}
	areq.Claims = []verify.Claim{{El: "a", Kind: "asset", Shown: shown}}
	if res := verify.Check(&areq); !res.Verified {
		t.Fatalf("honest asset: %+v", res)
	}
	for field, lie := range map[string]string{"supply": "1 RIFF", "decimals": "7", "issuer": ledger.DeriveAddress("x", nil).String(), "id": "LENS"} {
		sh := map[string]string{}
		for k, v := range shown {
			sh[k] = v
		}
		sh[field] = lie
		r := areq
		r.Claims = []verify.Claim{{El: "a", Kind: "asset", Shown: sh}}
		res := verify.Check(&r)
		if res.Verified || len(res.Marks) != 1 || res.Marks[0].Wrong[field] != shown[field] {
			t.Errorf("lie about the %s: %+v", field, res)
		}
	}
}
