package agreements

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// testRunner executes two fake message types: "test/set" writes its value
// under zz/{signer}/{i} (and reports the signer), "test/fail" fails.
func testRunner(l *ledger.Ledger, signer ledger.Address, i int, m ExecMsg) (ledger.Output, error) {
	switch m.Type {
	case "test/set":
		if err := l.KV().Set([]byte(fmt.Sprintf("zz/%s/%d", signer, i)), m.Value); err != nil {
			return nil, err
		}
		return ledger.Output{"signer": signer.String()}, nil
	case "test/fail":
		return nil, errInnerFailed
	}
	return nil, fmt.Errorf("unknown inner type %q", m.Type)
}

var errInnerFailed = errors.New("inner failed")

func execMsgs(types ...string) []ExecMsg {
	out := make([]ExecMsg, len(types))
	for i, t := range types {
		out[i] = ExecMsg{Type: t, Value: json.RawMessage(fmt.Sprintf(`{"n": %d}`, i))}
	}
	return out
}

// signedExec builds an exec of msgs for c at version/nonce signed by who.
func signedExec(t *testing.T, c ledger.Address, version, nonce uint64, msgs []ExecMsg, who ...string) *MsgCollectiveExec {
	t.Helper()
	m := &MsgCollectiveExec{Collective: c, Version: version, Nonce: nonce, Msgs: msgs}
	for _, w := range who {
		priv, _ := key(w)
		if err := SignExec(m, testChain, priv); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func (e *env) cexec(m *MsgCollectiveExec) (ledger.Output, error) {
	return e.exec(func(k *Keeper) (ledger.Output, error) {
		return k.ExecCollectiveExec(e.blk, addr("relayer"), m, testRunner)
	})
}

func TestCollectiveExecSucceeds(t *testing.T) {
	e := newEnv(t)
	c := e.collective("m1", 2, "m1", "m2", "m3")
	out, err := e.cexec(signedExec(t, c, 1, 1, execMsgs("test/set", "test/set"), "m3", "m1"))
	if err != nil {
		t.Fatal(err)
	}
	if out["collective"] != c.String() || out["exec_nonce"] != "1" || out["signer"] != c.String() ||
		out["signers"] != addr("m3").String()+","+addr("m1").String() {
		t.Fatalf("output %v", out)
	}
	for i := 0; i < 2; i++ {
		if v, _ := e.tree.Get([]byte(fmt.Sprintf("zz/%s/%d", c, i))); string(v) != fmt.Sprintf(`{"n": %d}`, i) {
			t.Fatalf("inner %d wrote %q", i, v)
		}
	}
	if n, err := ExecNonce(e.tree, c); err != nil || n != 1 {
		t.Fatalf("nonce %d %v", n, err)
	}
	if len(e.events) == 0 || e.events[len(e.events)-1].Type != "collective_exec" {
		t.Fatalf("events %+v", e.events)
	}
	// The next batch needs nonce 2; 3 of 3 signatures are fine too.
	if _, err := e.cexec(signedExec(t, c, 1, 2, execMsgs("test/set"), "m1", "m2", "m3")); err != nil {
		t.Fatal(err)
	}
}

func TestCollectiveExecRefused(t *testing.T) {
	e := newEnv(t)
	c := e.collective("m1", 2, "m1", "m2", "m3")
	other := e.collective("m1", 1, "m1")
	if _, err := e.cexec(signedExec(t, c, 1, 1, execMsgs("test/set"), "m1", "m2")); err != nil {
		t.Fatal(err)
	}
	// Version 2 after m3 leaves; its threshold stays 2.
	if _, err := e.leave(c, "m3"); err != nil {
		t.Fatal(err)
	}

	tampered := signedExec(t, c, 2, 2, execMsgs("test/set"), "m1", "m2")
	tampered.Msgs[0].Value = json.RawMessage(`{"n": 9}`)
	wrongChain := &MsgCollectiveExec{Collective: c, Version: 2, Nonce: 2, Msgs: execMsgs("test/set")}
	for _, w := range []string{"m1", "m2"} {
		priv, _ := key(w)
		if err := SignExec(wrongChain, "other-chain", priv); err != nil {
			t.Fatal(err)
		}
	}
	dup := signedExec(t, c, 2, 2, execMsgs("test/set"), "m1")
	dup.Signatures = append(dup.Signatures, dup.Signatures[0])
	nested := signedExec(t, c, 2, 2, execMsgs("test/set"), "m1", "m2")
	nested.Msgs = append(nested.Msgs, ExecMsg{Type: TypeCollectiveExec, Value: json.RawMessage(`{}`)})
	short := signedExec(t, c, 2, 2, execMsgs("test/set"), "m1")
	short.Signatures[0].Signature = short.Signatures[0].Signature[:10]

	for _, tc := range []struct {
		name string
		m    *MsgCollectiveExec
		want error
	}{
		{"bad signature", tampered, ErrExecSignature},
		{"signed for another chain", wrongChain, ErrExecSignature},
		{"truncated signature", short, ErrExecSignature},
		{"duplicate signer", dup, ErrExecDuplicate},
		{"non-member", signedExec(t, c, 2, 2, execMsgs("test/set"), "m1", "outsider"), ErrNotMember},
		{"former member", signedExec(t, c, 2, 2, execMsgs("test/set"), "m1", "m3"), ErrNotMember},
		{"below threshold", signedExec(t, c, 2, 2, execMsgs("test/set"), "m2"), ErrExecThreshold},
		{"no signatures", signedExec(t, c, 2, 2, execMsgs("test/set")), ErrExecThreshold},
		{"stale version", signedExec(t, c, 1, 2, execMsgs("test/set"), "m1", "m2"), ErrCollectiveVersion},
		{"future version", signedExec(t, c, 3, 2, execMsgs("test/set"), "m1", "m2"), ErrCollectiveVersion},
		{"replayed nonce", signedExec(t, c, 2, 1, execMsgs("test/set"), "m1", "m2"), ErrExecNonce},
		{"skipped nonce", signedExec(t, c, 2, 3, execMsgs("test/set"), "m1", "m2"), ErrExecNonce},
		{"zero nonce", &MsgCollectiveExec{Collective: c, Version: 2, Msgs: execMsgs("test/set")}, ErrExecNonce},
		{"nested exec", nested, ErrExecNested},
		{"no messages", &MsgCollectiveExec{Collective: c, Version: 2, Nonce: 2}, ErrInvalidBody},
		{"not a collective", signedExec(t, addr("m1"), 1, 1, execMsgs("test/set"), "m1"), ErrUnknownCollective},
		{"other collective's signatures", func() *MsgCollectiveExec {
			m := signedExec(t, other, 1, 1, execMsgs("test/set"), "m1")
			m.Collective = c
			m.Version, m.Nonce = 2, 2
			return m
		}(), ErrExecSignature},
		{"inner message fails", signedExec(t, c, 2, 2, execMsgs("test/set", "test/fail"), "m1", "m2"), errInnerFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// e.exec fails the test if a refused exec changed any state,
			// so the inner-failure case proves the first write was undone.
			if _, err := e.cexec(tc.m); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if n, _ := ExecNonce(e.tree, c); n != 1 {
		t.Fatalf("refused execs moved the nonce to %d", n)
	}
	// The replay of the first batch, re-signed at the current version but
	// with its old nonce, is refused; with nonce 2 it runs.
	if _, err := e.cexec(signedExec(t, c, 2, 2, execMsgs("test/set", "test/set"), "m1", "m2")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cexec(signedExec(t, c, 2, 2, execMsgs("test/set", "test/set"), "m1", "m2")); !errors.Is(err, ErrExecNonce) {
		t.Fatalf("replay: %v", err)
	}
}

func TestCollectiveExecSignBytes(t *testing.T) {
	c := addr("coll")
	m := &MsgCollectiveExec{Collective: c, Version: 3, Nonce: 7, Msgs: []ExecMsg{{Type: "transfer", Value: json.RawMessage(`{ "to": "x" }`)}}}
	sb, err := ExecSignBytes("chain-1", m)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ExecMsgsHash([]ExecMsg{{Type: "transfer", Value: json.RawMessage(`{"to":"x"}`)}})
	want := "riffchain/collective-exec/v1\nchain-1\n" + c.String() + "\n3\n7\n" + h
	if string(sb) != want {
		t.Fatalf("sign bytes\n%q\nwant\n%q", sb, want)
	}
	if len(h) != 64 {
		t.Fatalf("hash %q", h)
	}
	priv, _ := key("m1")
	if err := SignExec(m, "chain-1", priv); err != nil {
		t.Fatal(err)
	}
	if err := SignExec(m, "chain-1", priv); !errors.Is(err, ErrExecDuplicate) {
		t.Fatalf("second signature by the same key: %v", err)
	}
}
