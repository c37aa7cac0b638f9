package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// agreementE2E drives one dev node through every agreement scenario.
type agreementE2E struct {
	*devNode
	t    *testing.T
	addr map[string]string // key name -> address
}

func (e *agreementE2E) height() int64 {
	h, _ := strconv.ParseInt(str(e.ok("status"), "height"), 10, 64)
	return h
}

// spec writes an agreement spec (the JSON shape) and builds the
// agreement file with `agreement new --file SPEC -o FILE`; it returns the
// file path and the agreement id.
func (e *agreementE2E) newAgreement(name string, spec map[string]any) (string, string) {
	e.t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	specPath := filepath.Join(e.home, name+".spec.json")
	file := filepath.Join(e.home, name+".json")
	if err := os.WriteFile(specPath, b, 0o644); err != nil {
		e.t.Fatal(err)
	}
	out := e.ok("agreement", "new", "--file", specPath, "-o", file)
	id := str(out, "agreement_id")
	if len(id) != 64 || str(out, "file") != file {
		e.t.Fatalf("agreement new: %v", out)
	}
	return file, id
}

// wantStateEvent reads /block_results at height over RPC and wants the
// block event agreement_state of agreement id from tx txhash, whose state
// is the full record with status.
func (e *agreementE2E) wantStateEvent(height, txhash, id, status string) {
	e.t.Helper()
	resp, err := http.Get(strings.Replace(e.rpc, "tcp://", "http://", 1) + "/block_results?height=" + height)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var br struct {
		Result struct {
			Events []struct {
				Type       string `json:"type"`
				Attributes []struct {
					Key   string `json:"key"`
					Value string `json:"value"`
				} `json:"attributes"`
			} `json:"finalize_block_events"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		e.t.Fatal(err)
	}
	for _, ev := range br.Result.Events {
		m := map[string]string{}
		for _, a := range ev.Attributes {
			m[a.Key] = a.Value
		}
		if ev.Type != "agreement_state" || m["id"] != id || !strings.EqualFold(m["tx"], txhash) {
			continue
		}
		var rec agreements.Record
		if err := json.Unmarshal([]byte(m["state"]), &rec); err != nil || string(rec.Status) != status || rec.ID != id {
			e.t.Fatalf("agreement_state of %s: %v %+v", id, err, rec)
		}
		return
	}
	e.t.Fatalf("no agreement_state event for %s (tx %s) at height %s: %+v", id, txhash, height, br.Result.Events)
}

func transfer(from, to, asset, amount string) map[string]any {
	return map[string]any{"transfer": map[string]any{"from": from, "to": to, "asset": asset, "amount": amount}}
}

func (e *agreementE2E) balance(key, asset string) string {
	e.t.Helper()
	return str(e.ok("query", "balance", e.addr[key], asset), "amount")
}

func (e *agreementE2E) provenBalance(key, asset, want string) {
	e.t.Helper()
	out := e.ok("query", "balance", e.addr[key], asset, "--prove")
	if str(out, "amount") != want || str(out, "proof_verified") != "true" {
		e.t.Fatalf("proven balance of %s in %s: %v, want %s", key, asset, out, want)
	}
}

func (e *agreementE2E) agreement(id string) map[string]any {
	e.t.Helper()
	return e.ok("query", "agreement", id)
}

// failsWith runs a command that must fail with exit status != 0 and the
// given ABCI code in its JSON.
func (e *agreementE2E) failsWith(code string, args ...string) map[string]any {
	e.t.Helper()
	out := e.fails(args...)
	if str(out, "code") != code {
		e.t.Fatalf("riffchain %s: code %q, want %s: %v", strings.Join(args, " "), str(out, "code"), code, out)
	}
	return out
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

// TestAgreementsEndToEnd runs the scenarios against a real
// `riffchain dev` node through the CLI, plus bad cases with their codes.
func TestAgreementsEndToEnd(t *testing.T) {
	start := time.Now()
	n := startDevNode(t)
	base := &agreementE2E{devNode: n, t: t, addr: map[string]string{}}
	e := base
	e.addr["dev"] = str(n.ok("keys", "show", "dev"), "address")
	names := []string{"coA", "coB", "carol", "p3", "p4", "p5", "p6", "p7", "p8", "p9"}
	var moves []string
	for _, k := range names {
		e.addr[k] = str(n.ok("keys", "add", k), "address")
		moves = append(moves, "--move", k+":1000000:RIFF")
	}
	n.ok(append([]string{"tx", "multi-transfer", "--from", "dev"}, moves...)...)

	// Company X's shares (issued by A), a currency (issued by B), an art class.
	shares := str(n.ok("tx", "asset", "create", "XCO", "--name", "Company X shares", "--from", "coA"), "asset_id")
	n.ok("tx", "asset", "mint", shares, "10000", "--from", "coA")
	usd := str(n.ok("tx", "asset", "create", "USD", "--from", "coB"), "asset_id")
	n.ok("tx", "asset", "mint", usd, "100000", "--from", "coB")
	art := str(n.ok("tx", "asset", "create", "ART", "--kind", "unique", "--from", "coA"), "asset_id")
	n.ok("tx", "asset", "mint", art, "--item", "mona", "--from", "coA")
	A, B, C := e.addr["coA"], e.addr["coB"], e.addr["carol"]
	far := e.height() + 1000

	t.Run("two companies swap offline in one tx", func(t *testing.T) {
		e, n := base.sub(t)
		file, id := e.newAgreement("swap", map[string]any{
			"parties": []string{A, B}, "title": "1,000 X shares for 50,000 USD",
			"terms_cid":         "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
			"actions":           []any{transfer(A, B, shares, "1000"), transfer(B, A, usd, "50000")},
			"obligations":       []any{map[string]any{"by": A, "to": B, "what": "deliver the share register"}},
			"expires_at_height": far,
		})
		// Missing signature: nothing moves.
		n.ok("agreement", "sign", file, "--from", "coA")
		if chk := n.fails("agreement", "check", file); str(chk, "complete") != "false" || len(list(chk, "missing")) != 1 {
			t.Fatalf("check of a half-signed file: %v", chk)
		}
		if chk := n.ok("agreement", "check", file, "--submitter", "coB"); str(chk, "complete") != "true" {
			t.Fatalf("check for coB submitting (its tx signature approves): %v", chk)
		}
		e.failsWith("112", "agreement", "submit", file, "--from", "carol")
		// A non-party cannot sign through the CLI ...
		n.fails("agreement", "sign", file, "--from", "carol")
		// ... and a forged-in non-party signature is refused by the chain.
		forged := filepath.Join(n.home, "forged.json")
		e.addSignature(file, forged, "carol")
		e.failsWith("111", "agreement", "submit", forged, "--from", "dev")

		signed := n.ok("agreement", "sign", file, "--from", "coB")
		if str(signed, "complete") != "true" || str(signed, "agreement_id") != id {
			t.Fatalf("sign: %v", signed)
		}
		before := e.height()
		// coB's tx signature is its approval: submit sends the file
		// without coB's own offline signature.
		out := n.ok("agreement", "submit", file, "--from", "coB")
		if str(out, "agreement_id") != id || str(out, "code") != "0" || str(out, "txhash") == "" || str(out, "status") != "settled" {
			t.Fatalf("submit: %v", out)
		}
		if h, _ := strconv.ParseInt(str(out, "height"), 10, 64); h <= before {
			t.Fatalf("submit height %d, before %d", h, before)
		}
		e.provenBalance("coB", shares, "1000")
		e.provenBalance("coA", usd, "50000")
		e.provenBalance("coA", shares, "9000")
		e.provenBalance("coB", usd, "50000")
		rec := e.ok("query", "agreement", id, "--prove")
		if str(rec, "status") != "settled" || str(rec, "proof_verified") != "true" || len(list(rec, "accepted_by")) != 2 ||
			len(list(rec, "parties")) != 2 || str(rec, "settled_height") != str(out, "height") {
			t.Fatalf("query agreement: %v", rec)
		}
		if obs := list(rec, "obligations"); len(obs) != 1 || str(obs[0].(map[string]any), "state") != "pending" {
			t.Fatalf("obligations: %v", rec["obligations"])
		}
		if sigs := list(rec, "signatures"); len(sigs) != 1 || str(sigs[0].(map[string]any), "signer") != A {
			t.Fatalf("stored signatures (coA's offline one; coB approved by its tx): %v", rec["signatures"])
		}
		e.wantStateEvent(str(out, "height"), str(out, "txhash"), id, "settled")
		if miss := n.fails("query", "agreement", strings.Repeat("0", 64), "--prove"); str(miss, "found") != "false" {
			t.Fatalf("query of an unknown agreement: %v", miss)
		}
		// Settling twice.
		e.failsWith("117", "agreement", "submit", file, "--from", "coA")
		e.provenBalance("coB", shares, "1000")
		// Signature for another chain: same deal built for chain "other".
		other := filepath.Join(n.home, "other-chain.json")
		spec := filepath.Join(n.home, "swap.spec.json")
		n.ok("agreement", "new", "--file", spec, "--chain-id", "other-chain", "-o", other)
		n.ok("agreement", "sign", other, "--from", "coA")
		n.ok("agreement", "sign", other, "--from", "coB")
		e.failsWith("102", "agreement", "submit", other, "--from", "coA")
		// Listing, proven.
		l := n.ok("query", "agreements", "--party", "coA", "--status", "settled", "--prove")
		if str(l, "count") != "1" || str(l, "proof_verified") != "true" {
			t.Fatalf("query agreements: %v", l)
		}
	})

	t.Run("three-party circular trade accepted in reverse order", func(t *testing.T) {
		e, n := base.sub(t)
		file, id := e.newAgreement("circle", map[string]any{
			"parties": []string{A, B, C}, "title": "circle",
			"actions": []any{
				map[string]any{"transfer": map[string]any{"from": A, "to": B, "asset": art, "item": "mona"}},
				transfer(B, C, shares, "100"),
				transfer(C, A, "RIFF", "777"),
			},
			"expires_at_height": far,
		})
		out := n.ok("agreement", "propose", file, "--from", "coA")
		if str(out, "agreement_id") != id || str(out, "status") != "proposed" {
			t.Fatalf("propose: %v", out)
		}
		e.failsWith("122", "agreement", "withdraw", id, "--from", "carol") // not the proposer
		if out := n.ok("agreement", "accept", id, "--from", "carol"); str(out, "status") != "proposed" {
			t.Fatalf("first accept: %v", out)
		}
		e.failsWith("120", "agreement", "accept", id, "--from", "carol")
		if got := str(n.ok("query", "owner", art+"/mona"), "owner"); got != A {
			t.Fatalf("item moved before the last acceptance: owner %s", got)
		}
		if out := n.ok("agreement", "accept", file, "--from", "coB"); str(out, "status") != "settled" {
			t.Fatalf("last accept: %v", out)
		}
		owner := n.ok("query", "owner", art+"/mona", "--prove")
		if str(owner, "owner") != B || str(owner, "proof_verified") != "true" {
			t.Fatalf("owner after settlement: %v", owner)
		}
		e.provenBalance("carol", shares, "100")
		e.provenBalance("coA", "RIFF", "1000777")
		rec := e.agreement(id)
		acc := list(rec, "accepted_by")
		if str(rec, "status") != "settled" || len(acc) != 3 || acc[0] != A || acc[1] != C || acc[2] != B {
			t.Fatalf("record: status %s accepted_by %v", str(rec, "status"), acc)
		}
		e.failsWith("117", "agreement", "withdraw", id, "--from", "coA")
	})

	t.Run("whole company handed over with payment back", func(t *testing.T) {
		e, n := base.sub(t)
		file, id := e.newAgreement("handover", map[string]any{
			"parties": []string{A, B}, "title": "sale of company X",
			"actions": []any{
				map[string]any{"hand_over": map[string]any{"asset": shares, "from": A, "to": B, "holdings": true}},
				transfer(B, A, usd, "10000"),
			},
			"expires_at_height": far,
		})
		n.ok("agreement", "sign", file, "--from", "coA")
		n.ok("agreement", "sign", file, "--from", "coB")
		if out := n.ok("agreement", "submit", file, "--from", "dev"); str(out, "agreement_id") != id {
			t.Fatalf("submit: %v", out)
		}
		asset := n.ok("query", "asset", shares, "--prove")
		if str(asset, "issuer") != B || str(asset, "proof_verified") != "true" {
			t.Fatalf("asset after hand-over: %v", asset)
		}
		e.provenBalance("coA", shares, "0")
		e.provenBalance("coB", shares, "9900") // 1000 - 100 + 9000
		e.provenBalance("coA", usd, "60000")
		n.ok("tx", "asset", "mint", shares, "1", "--from", "coB") // B is the issuer now
		n.fails("tx", "asset", "mint", shares, "1", "--from", "coA")
	})

	t.Run("ten-party offline agreement", func(t *testing.T) {
		e, n := base.sub(t)
		parties := names // 10 keys
		var addrs []string
		var actions []any
		for i, k := range parties {
			addrs = append(addrs, e.addr[k])
			actions = append(actions, transfer(e.addr[k], e.addr[parties[(i+1)%len(parties)]], "RIFF", strconv.Itoa(10+i)))
		}
		file, id := e.newAgreement("ten", map[string]any{"parties": addrs, "title": "ring of ten", "actions": actions, "expires_at_height": far})
		p5Before := e.balance("p5", "RIFF")
		for _, k := range parties {
			n.ok("agreement", "sign", file, "--from", k)
		}
		if chk := n.ok("agreement", "check", file); str(chk, "complete") != "true" || len(list(chk, "signed")) != 10 {
			t.Fatalf("check: %v", chk)
		}
		out := n.ok("agreement", "submit", file, "--from", "dev")
		if str(out, "agreement_id") != id || str(out, "status") != "settled" {
			t.Fatalf("submit: %v", out)
		}
		// p5 (index 5) pays 15 to p6 and receives 14 from p4.
		before, _ := strconv.ParseInt(p5Before, 10, 64)
		e.provenBalance("p5", "RIFF", strconv.FormatInt(before-1, 10))
		if rec := e.agreement(id); len(list(rec, "accepted_by")) != 10 {
			t.Fatalf("accepted_by: %v", rec["accepted_by"])
		}
	})

	t.Run("last acceptance finds a party short, top up, retry", func(t *testing.T) {
		e, n := base.sub(t)
		file, id := e.newAgreement("short", map[string]any{
			"parties":           []string{e.addr["p3"], e.addr["p4"]},
			"actions":           []any{transfer(e.addr["p3"], e.addr["p4"], usd, "1"), transfer(e.addr["p4"], e.addr["p3"], "RIFF", "2000000")},
			"expires_at_height": far,
		})
		n.ok("tx", "transfer", "p3", "1", usd, "--from", "coB")
		p3Before, p4Before := e.balance("p3", "RIFF"), e.balance("p4", "RIFF")
		n.ok("agreement", "propose", file, "--from", "p3")
		out := n.ok("agreement", "accept", id, "--from", "p4")
		if str(out, "status") != "proposed" || !strings.Contains(str(out, "last_error"), "insufficient") {
			t.Fatalf("short acceptance: %v", out)
		}
		if e.balance("p3", "RIFF") != p3Before || e.balance("p4", "RIFF") != p4Before || e.balance("p3", usd) != "1" {
			t.Fatal("something moved although the settlement failed")
		}
		rec := e.agreement(id)
		if str(rec, "status") != "proposed" || str(rec, "last_error") == "" || len(list(rec, "accepted_by")) != 2 {
			t.Fatalf("record after failed settlement: %v", rec)
		}
		e.failsWith("124", "agreement", "execute", id, "--from", "p3") // still short
		n.ok("tx", "transfer", "p4", "1500000", "RIFF", "--from", "dev")
		if out := n.ok("agreement", "execute", id, "--from", "p3"); str(out, "status") != "settled" {
			t.Fatalf("retry: %v", out)
		}
		e.provenBalance("p4", usd, "1")
		if rec := e.agreement(id); str(rec, "status") != "settled" || str(rec, "last_error") != "" {
			t.Fatalf("after retry: %v", rec)
		}
	})

	t.Run("expired proposal returns escrow without a tx", func(t *testing.T) {
		e, n := base.sub(t)
		e.failsWith("123", "agreement", "propose", e.mustNew("bigescrow", A, B, usd, "999999999"), "--from", "coA", "--escrow")
		file := filepath.Join(n.home, "lapse.json")
		out := n.ok("agreement", "new", "--party", "coA", "--party", "coB", "--transfer", "coA:coB:700:"+usd,
			"--transfer", "coB:coA:1:RIFF", "--expires-in", "8", "--title", "lapses", "-o", file)
		id := str(out, "agreement_id")
		before := e.balance("coA", usd)
		prop := n.ok("agreement", "propose", file, "--from", "coA", "--escrow")
		if str(prop, "escrow") == "" {
			t.Fatalf("propose with escrow: %v", prop)
		}
		escrow := str(prop, "escrow")
		// At the proposal's height: on a loaded machine the few blocks to
		// expiry can pass before the next CLI call.
		if got := str(n.ok("query", "balance", escrow, usd, "--height", str(prop, "height")), "amount"); got != "700" {
			t.Fatalf("escrow holds %s at height %s", got, str(prop, "height"))
		}
		exp, _ := strconv.ParseInt(str(out, "expires_at_height"), 10, 64)
		n.waitHeight(exp+1, 30*time.Second)
		rec := e.agreement(id)
		if str(rec, "status") != "lapsed" {
			t.Fatalf("after expiry: %v", rec)
		}
		if esc, _ := rec["escrow"].(map[string]any); esc["returned"] != true {
			t.Fatalf("escrow not returned: %v", rec["escrow"])
		}
		e.provenBalance("coA", usd, before)
		if got := str(n.ok("query", "balance", escrow, usd), "amount"); got != "0" {
			t.Fatalf("escrow still holds %s", got)
		}
		e.failsWith("118", "agreement", "accept", id, "--from", "coB") // accepting after expiry
		if l := n.ok("query", "agreements", "--party", "coB", "--status", "lapsed"); str(l, "count") != "1" {
			t.Fatalf("lapsed list: %v", l)
		}
	})

	t.Run("obligations attested: completed, and disputed with a reason", func(t *testing.T) {
		e, n := base.sub(t)
		reason := "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
		obligations := []any{
			map[string]any{"by": A, "to": B, "what": "deliver the audited accounts"},
			map[string]any{"by": B, "to": A, "what": "keep the staff for a year"},
		}
		mk := func(name string) (string, string) {
			file, id := e.newAgreement(name, map[string]any{"parties": []string{A, B}, "title": name,
				"actions": []any{transfer(B, A, usd, "5")}, "obligations": obligations, "expires_at_height": far})
			n.ok("agreement", "sign", file, "--from", "coA")
			n.ok("agreement", "sign", file, "--from", "coB")
			n.ok("agreement", "submit", file, "--from", "coA")
			return file, id
		}
		_, done := mk("kept")
		e.failsWith("126", "agreement", "attest", done, "0", "--fulfilled", "--from", "carol")
		e.failsWith("126", "agreement", "attest", done, "0", "--fulfilled", "--from", "coA") // the obligor itself
		if out := n.ok("agreement", "attest", done, "0", "--fulfilled", "--from", "coB"); str(out, "status") != "settled" {
			t.Fatalf("first attestation: %v", out)
		}
		if out := n.ok("agreement", "attest", done, "1", "--fulfilled", "--from", "coA"); str(out, "status") != "completed" {
			t.Fatalf("second attestation: %v", out)
		}
		rec := n.ok("query", "agreement", done, "--prove")
		if str(rec, "status") != "completed" || str(rec, "proof_verified") != "true" {
			t.Fatalf("completed: %v", rec)
		}

		_, disputed := mk("broken")
		n.ok("agreement", "attest", disputed, "0", "--fulfilled", "--from", "coB")
		if out := n.ok("agreement", "attest", disputed, "1", "--disputed", reason, "--from", "coA"); str(out, "status") != "disputed" {
			t.Fatalf("dispute: %v", out)
		}
		rec = e.agreement(disputed)
		obs := list(rec, "obligations")
		if str(rec, "status") != "disputed" || len(obs) != 2 {
			t.Fatalf("disputed record: %v", rec)
		}
		o0, o1 := obs[0].(map[string]any), obs[1].(map[string]any)
		if str(o0, "state") != "fulfilled" || str(o1, "state") != "disputed" || str(o1, "reason_cid") != reason || str(o1, "attested_by") != A {
			t.Fatalf("obligation states: %v", obs)
		}
	})

	t.Run("collectives", func(t *testing.T) {
		e, n := base.sub(t)
		n.failsWith0("129", "tx", "collective", "create", "--member", "p5", "--member", "p6", "--threshold", "0", "--from", "p5")
		n.failsWith0("129", "tx", "collective", "create", "--member", "p5", "--member", "p6", "--threshold", "3", "--from", "p5")
		out := n.ok("tx", "collective", "create", "--member", "p5", "--member", "p6", "--member", "p7", "--threshold", "2", "--from", "p5")
		coll := str(out, "collective")
		if !strings.HasPrefix(coll, "riff1") {
			t.Fatalf("collective create: %v", out)
		}
		n.ok("tx", "transfer", coll, "50", "RIFF", "--from", "dev")
		file, id := e.newAgreement("collective", map[string]any{"parties": []string{coll, A}, "title": "collective pays",
			"actions": []any{transfer(coll, A, "RIFF", "20")}, "expires_at_height": far})
		n.ok("agreement", "sign", file, "--from", "p5", "--as", coll)
		e.failsWith("112", "agreement", "submit", file, "--from", "p5") // 1 of 2 members, A unsigned
		n.ok("agreement", "sign", file, "--from", "p7", "--as", coll)
		n.ok("agreement", "sign", file, "--from", "coA")
		if out := n.ok("agreement", "submit", file, "--from", "p6"); str(out, "agreement_id") != id {
			t.Fatalf("submit: %v", out)
		}
		e.provenBalance("p5", "RIFF", e.balance("p5", "RIFF")) // unchanged member; sanity of the proof path
		if got := str(n.ok("query", "balance", coll, "RIFF"), "amount"); got != "30" {
			t.Fatalf("collective holds %s", got)
		}
		n.ok("tx", "collective", "leave", coll, "--from", "p6")
		q := n.ok("query", "collective", coll, "--prove")
		if str(q, "version") != "2" || str(q, "threshold") != "2" || len(list(q, "members")) != 2 || str(q, "proof_verified") != "true" {
			t.Fatalf("collective after leave: %v", q)
		}
	})
	t.Run("pool swap as an agreement action; YAML spec; output flags", func(t *testing.T) {
		e, n := base.sub(t)
		pool := str(n.ok("tx", "pool", "create", usd, "RIFF", "--amount-a", "5000", "--amount-b", "5000", "--from", "coA"), "pool_id")
		if pool == "" {
			t.Fatal("no pool id")
		}
		// p8 sells 100 RIFF in the pool and hands 50 USD of the proceeds to p9.
		file := filepath.Join(n.home, "swapaction.json")
		out := n.ok("agreement", "new", "--pool-swap", "p8:"+pool+":100:RIFF:90", "--transfer", "p8:p9:50:"+usd,
			"--party", "p8", "--party", "p9", "--expires-in", "50", "--output", "json", "-o", file)
		if str(out, "file") != file || str(out, "actions") != "2" {
			t.Fatalf("agreement new with flags: %v", out)
		}
		n.ok("agreement", "sign", file, "--from", "p8")
		n.ok("agreement", "sign", file, "--from", "p9")
		n.ok("agreement", "submit", file, "--from", "p9")
		e.provenBalance("p9", usd, "50")
		if got := e.balance("p8", usd); got != "47" { // floor(100*0.997*5000/(5000+99.7)) = 97
			t.Fatalf("p8 kept %s USD, want 47", got)
		}

		// A YAML spec (unquoted amounts allowed); without a file the
		// agreement file itself is printed; the default salt is random.
		yml := filepath.Join(n.home, "deal.yaml")
		spec := fmt.Sprintf("parties: [%s, %s]\ntitle: yaml deal\nactions:\n  - transfer: {from: %s, to: %s, asset: RIFF, amount: 5}\nexpires_at_height: %d\n", A, B, A, B, far)
		if err := os.WriteFile(yml, []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		f1, f2 := n.ok("agreement", "new", "--file", yml), n.ok("agreement", "new", "--file", yml)
		if str(f1, "id") == "" || str(f1, "id") == str(f2, "id") {
			t.Fatalf("two builds of one spec must differ by salt: %s %s", str(f1, "id"), str(f2, "id"))
		}
		s1 := n.ok("agreement", "new", "--file", yml, "--salt", "fixed")
		s2 := n.ok("agreement", "new", "--file", yml, "--salt", "fixed")
		if str(s1, "id") != str(s2, "id") {
			t.Fatal("same spec and salt must give the same id")
		}
		// Bad specs are refused before anything is sent.
		n.fails("agreement", "new", "--party", "coA", "--party", "coA", "--transfer", "coA:coB:1:RIFF", "--expires-in", "9")
		n.fails("agreement", "new", "--party", "coA", "--party", "coB", "--transfer", "carol:coB:1:RIFF", "--expires-in", "9")
		n.fails("agreement", "new", "--party", "coA", "--party", "coB", "--transfer", "coA:coB:1:RIFF") // no expiry
	})

	// Nothing lost: the party index is a node-local store outside state;
	// after a crash with it deleted, the node rebuilds it from state and
	// lists the same agreements.
	t.Run("listings survive a crash and a deleted local index", func(t *testing.T) {
		n := base.devNode
		n.t = t
		summary := func() string {
			out := n.ok("query", "agreements", "--party", "coA", "--limit", "1000")
			var rows []string
			for _, a := range list(out, "agreements") {
				rec := a.(map[string]any)
				rows = append(rows, str(rec, "id")+":"+str(rec, "status"))
			}
			return str(out, "count") + " " + strings.Join(rows, ",")
		}
		before := summary()
		if strings.HasPrefix(before, "0 ") {
			t.Fatalf("coA has no agreements to list: %s", before)
		}
		n.kill()
		if err := os.RemoveAll(filepath.Join(n.home, "data", "local.db")); err != nil {
			t.Fatal(err)
		}
		n.start()
		if after := summary(); after != before {
			t.Fatalf("after restart without the local index: %s, before: %s", after, before)
		}
		if log, _ := os.ReadFile(n.logPath); !bytes.Contains(log, []byte("rebuilt local indexes from state")) {
			t.Fatalf("the node did not log the rebuild; log tail:\n%s", n.logTail())
		}
	})
	t.Logf("agreements end-to-end took %s", time.Since(start).Round(time.Second))
}

// sub returns the scenario driver bound to subtest t (so that failures
// are reported on t, not on its parent).
func (e *agreementE2E) sub(t *testing.T) (*agreementE2E, *devNode) {
	n := *e.devNode
	n.t = t
	return &agreementE2E{devNode: &n, t: t, addr: e.addr}, &n
}

// failsWith0 is failsWith for a command that fails in CheckTx.
func (n *devNode) failsWith0(code string, args ...string) {
	n.t.Helper()
	out := n.fails(args...)
	if str(out, "code") != code {
		n.t.Fatalf("riffchain %s: code %q, want %s: %v", strings.Join(args, " "), str(out, "code"), code, out)
	}
}

// mustNew builds a two-party agreement file (from → to amount of asset,
// to → from 1 RIFF) with flags only and returns its path.
func (e *agreementE2E) mustNew(name, from, to, asset, amount string) string {
	e.t.Helper()
	file := filepath.Join(e.home, name+".json")
	e.ok("agreement", "new", "--transfer", from+":"+to+":"+amount+":"+asset, "--transfer", to+":"+from+":1:RIFF",
		"--expires-in", "100", "--out", file)
	return file
}

// addSignature copies an agreement file to out with a valid signature by
// key (who need not be a party) appended, as a forger would.
func (e *agreementE2E) addSignature(in, out, key string) {
	e.t.Helper()
	raw, err := os.ReadFile(in)
	if err != nil {
		e.t.Fatal(err)
	}
	f, err := agreements.ParseFile(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	kr, err := keyring.Open(e.home, keyring.BackendTest, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	priv, err := kr.PrivKey(key)
	if err != nil {
		e.t.Fatal(err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	signer := ledger.AddressFromPubKey(pub)
	sig := ed25519.Sign(priv, agreements.SignBytes(f.Body.ChainID, f.ID, f.Body.Version, signer, 0))
	f.Signatures = append(f.Signatures, agreements.Signature{Signer: signer, PubKey: pub, Signature: sig})
	enc, err := f.Encode()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(out, enc, 0o644); err != nil {
		e.t.Fatal(err)
	}
}
