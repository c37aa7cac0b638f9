package validators

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

var (
	v1, v2, v3 = testKey("v1"), testKey("v2"), testKey("v3")
	newcomer   = testKey("new")
)

// threeVals records v1=10, v2=5, v3=5 (total 20; more than 2/3 needs > 13.33).
func threeVals(t *testing.T) *env {
	return newEnv(t, Update{pubOf(v1), 10}, Update{pubOf(v2), 5}, Update{pubOf(v3), 5})
}

func TestChangeAddsValidatorAndQueuesUpdate(t *testing.T) {
	e := threeVals(t)
	m := signed(t, proposal(Change{pubOf(newcomer), 3}), v1, v2)
	out, err := e.keeper().ExecChange(ledger.Block{Height: 7}, ledger.Address{}, m)
	if err != nil {
		t.Fatal(err)
	}
	if out["signed_power"] != "15" || out["total_power"] != "20" || out["new_total_power"] != "23" || out["proposal_id"] != m.ID {
		t.Fatalf("output %v", out)
	}
	if got := e.power(pubOf(newcomer)); got != 3 {
		t.Fatalf("newcomer power %d, want 3", got)
	}
	vals, _ := Validators(e.tree)
	if len(vals) != 4 {
		t.Fatalf("%d validators, want 4", len(vals))
	}
	ups, err := e.keeper().TakePending(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || !bytes.Equal(ups[0].PubKey, pubOf(newcomer)) || ups[0].Power != 3 {
		t.Fatalf("pending %+v", ups)
	}
	if again, _ := e.keeper().TakePending(nil); len(again) != 0 {
		t.Fatalf("pending not cleared: %+v", again)
	}
	var rec Applied
	if ok, err := getJSON(e.tree, AppliedKey(m.ID), &rec); !ok || err != nil || rec.Height != 7 || len(rec.Signers) != 2 {
		t.Fatalf("applied record %+v ok=%v err=%v", rec, ok, err)
	}
	// Replay in a later block: refused, state unchanged.
	before := e.dump()
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 8}, ledger.Address{}, m); !errors.Is(err, ErrAlreadyApplied) {
		t.Fatalf("replay: %v", err)
	}
	if !sameState(before, e.dump()) {
		t.Fatal("replay changed state")
	}
}

func TestChangeSetAndRemove(t *testing.T) {
	e := threeVals(t)
	m := signed(t, proposal(Change{pubOf(v3), 0}, Change{pubOf(v2), 7}), v1, v2, v3)
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 2}, ledger.Address{}, m); err != nil {
		t.Fatal(err)
	}
	if e.power(pubOf(v3)) != 0 || e.power(pubOf(v2)) != 7 {
		t.Fatalf("powers v2=%d v3=%d", e.power(pubOf(v2)), e.power(pubOf(v3)))
	}
	ups, _ := e.keeper().TakePending(nil)
	if len(ups) != 2 {
		t.Fatalf("pending %+v", ups)
	}
	// Address order, not proposal order.
	a0, a1 := AddressOf(ups[0].PubKey), AddressOf(ups[1].PubKey)
	if bytes.Compare(a0[:], a1[:]) >= 0 {
		t.Fatal("pending updates not in address order")
	}
}

func TestTwoThirdsBoundary(t *testing.T) {
	// Powers 2 and 1: 2 of 3 is exactly 2/3 (refused); 3 of 3 passes.
	e := newEnv(t, Update{pubOf(v1), 2}, Update{pubOf(v2), 1})
	p := proposal(Change{pubOf(newcomer), 1})
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 2}, ledger.Address{}, signed(t, p, v1)); !errors.Is(err, ErrInsufficientPower) {
		t.Fatalf("exactly 2/3: %v", err)
	}
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 2}, ledger.Address{}, signed(t, p, v1, v2)); err != nil {
		t.Fatalf("all: %v", err)
	}
}

func TestExpiryBoundary(t *testing.T) {
	e := threeVals(t)
	p := proposal(Change{pubOf(newcomer), 1})
	p.ExpiresAtHeight = 5
	m := signed(t, p, v1, v2)
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 6}, ledger.Address{}, m); !errors.Is(err, ErrExpired) {
		t.Fatalf("height 6: %v", err)
	}
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 5}, ledger.Address{}, m); err != nil {
		t.Fatalf("height 5: %v", err)
	}
}

func TestChangeBadCasesLeaveStateUnchanged(t *testing.T) {
	add := Change{pubOf(newcomer), 1}
	tamper := func(m *MsgChange) *MsgChange { m.Signatures[0].Signature[0] ^= 1; return m }
	cases := []struct {
		name  string
		setup func(t *testing.T, e *env) // optional, runs first (its writes are part of "before")
		msg   func(t *testing.T) *MsgChange
		want  error
	}{
		{"remove all validators", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(Change{pubOf(v1), 0}, Change{pubOf(v2), 0}, Change{pubOf(v3), 0}), v1, v2, v3)
		}, ErrEmptySet},
		{"duplicate pub key", nil, func(t *testing.T) *MsgChange {
			return &MsgChange{Proposal: proposal(add, Change{pubOf(newcomer), 2})}
		}, ErrDuplicateValidator},
		{"negative power", nil, func(t *testing.T) *MsgChange {
			return &MsgChange{Proposal: proposal(Change{pubOf(newcomer), -1})}
		}, ErrInvalidPower},
		{"power above maximum", nil, func(t *testing.T) *MsgChange {
			return &MsgChange{Proposal: proposal(Change{pubOf(newcomer), MaxTotalVotingPower + 1})}
		}, ErrInvalidPower},
		{"total above maximum", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(Change{pubOf(newcomer), MaxTotalVotingPower}), v1, v2)
		}, ErrTotalPowerTooHigh},
		{"bad signature", nil, func(t *testing.T) *MsgChange {
			return tamper(signed(t, proposal(add), v1, v2))
		}, ErrBadSignature},
		{"signature over another proposal", nil, func(t *testing.T) *MsgChange {
			m := signed(t, proposal(add), v1, v2)
			p := proposal(add)
			p.Salt = "other"
			other := signed(t, p, v3)
			m.Signatures = append(m.Signatures, other.Signatures[0])
			return m
		}, ErrBadSignature},
		{"short signature", nil, func(t *testing.T) *MsgChange {
			m := signed(t, proposal(add), v1, v2)
			m.Signatures[1].Signature = m.Signatures[1].Signature[:10]
			return m
		}, ErrBadSignature},
		{"signer not a validator", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(add), v1, v2, newcomer)
		}, ErrNotValidator},
		{"only the newcomer signs", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(add), newcomer)
		}, ErrNotValidator},
		{"duplicate signer", nil, func(t *testing.T) *MsgChange {
			m := signed(t, proposal(add), v1, v2)
			m.Signatures = append(m.Signatures, m.Signatures[0])
			return m
		}, ErrDuplicateSigner},
		{"insufficient power", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(add), v2, v3)
		}, ErrInsufficientPower},
		{"no signatures", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(add))
		}, ErrInsufficientPower},
		{"expired", nil, func(t *testing.T) *MsgChange {
			p := proposal(add)
			p.ExpiresAtHeight = 9
			return signed(t, p, v1, v2)
		}, ErrExpired},
		{"replay", func(t *testing.T, e *env) {
			if _, err := e.keeper().ExecChange(ledger.Block{Height: 3}, ledger.Address{}, signed(t, proposal(add), v1, v2)); err != nil {
				t.Fatal(err)
			}
			if _, err := e.keeper().TakePending(nil); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T) *MsgChange { return signed(t, proposal(add), v1, v2) }, ErrAlreadyApplied},
		{"wrong chain", nil, func(t *testing.T) *MsgChange {
			p := proposal(add)
			p.ChainID = "other-chain"
			return signed(t, p, v1, v2)
		}, ErrWrongChain},
		{"remove unknown validator", nil, func(t *testing.T) *MsgChange {
			return signed(t, proposal(Change{pubOf(newcomer), 0}), v1, v2)
		}, ErrUnknownValidator},
		{"key already changed in this block", func(t *testing.T, e *env) {
			if _, err := e.keeper().ExecChange(ledger.Block{Height: 10}, ledger.Address{}, signed(t, proposal(add), v1, v2)); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T) *MsgChange {
			p := proposal(Change{pubOf(newcomer), 0})
			return signed(t, p, v1, v2)
		}, ErrPendingChange},
		{"id mismatch", nil, func(t *testing.T) *MsgChange {
			m := signed(t, proposal(add), v1, v2)
			m.ID = "00" + m.ID[2:]
			return m
		}, ErrIDMismatch},
		{"no changes", nil, func(t *testing.T) *MsgChange { return &MsgChange{Proposal: proposal()} }, ErrInvalidProposal},
		{"short pub key", nil, func(t *testing.T) *MsgChange {
			return &MsgChange{Proposal: proposal(Change{[]byte{1, 2, 3}, 1})}
		}, ErrInvalidProposal},
		{"no expiry", nil, func(t *testing.T) *MsgChange {
			p := proposal(add)
			p.ExpiresAtHeight = 0
			return &MsgChange{Proposal: p}
		}, ErrInvalidProposal},
		{"bad salt", nil, func(t *testing.T) *MsgChange {
			p := proposal(add)
			p.Salt = "a b"
			return &MsgChange{Proposal: p}
		}, ErrInvalidProposal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := threeVals(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			m := tc.msg(t)
			before := e.dump()
			_, err := e.keeper().ExecChange(ledger.Block{Height: 10}, ledger.Address{}, m)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !sameState(before, e.dump()) {
				t.Fatal("state changed after a refused change")
			}
		})
	}
}

func TestSingleValidatorCannotRemoveItself(t *testing.T) {
	e := newEnv(t, Update{pubOf(v1), 10})
	m := signed(t, proposal(Change{pubOf(v1), 0}), v1)
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 2}, ledger.Address{}, m); !errors.Is(err, ErrEmptySet) {
		t.Fatalf("got %v", err)
	}
}

func TestNoValidatorSetRecorded(t *testing.T) {
	e := newEnv(t)
	m := signed(t, proposal(Change{pubOf(newcomer), 1}), v1)
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 2}, ledger.Address{}, m); !errors.Is(err, ErrNoValidatorSet) {
		t.Fatalf("got %v", err)
	}
}

func TestGenesisRules(t *testing.T) {
	cases := []struct {
		name string
		ups  []Update
	}{
		{"short key", []Update{{[]byte{1}, 1}}},
		{"zero power", []Update{{pubOf(v1), 0}}},
		{"duplicate", []Update{{pubOf(v1), 1}, {pubOf(v1), 2}}},
		{"total too high", []Update{{pubOf(v1), MaxTotalVotingPower}, {pubOf(v2), 1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tree, _ := ledger.OpenTree("", "g")
			defer tree.Close()
			if err := New(ledger.New(tree, nil), testChain).InitGenesis(tc.ups); !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestSignRefusesDuplicateAndFileRoundTrip(t *testing.T) {
	m := signed(t, proposal(Change{pubOf(newcomer), 1}), v1)
	if err := Sign(m, v1); !errors.Is(err, ErrDuplicateSigner) {
		t.Fatalf("second signature: %v", err)
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Check(); err != nil || back.ID != m.ID {
		t.Fatalf("round trip: %v, id %s vs %s", err, back.ID, m.ID)
	}
	for _, bad := range []string{`{"proposal":{},"signatures":[],"x":1}`, string(b) + "{}"} {
		if _, err := ParseFile([]byte(bad)); !errors.Is(err, ErrInvalidProposal) {
			t.Fatalf("ParseFile(%q): %v", bad, err)
		}
	}
}

func TestSignBytesAndCanonicalForm(t *testing.T) {
	if got := string(SignBytes("riff-dev", "ab")); got != "riffchain/validator-change/v1\nriff-dev\nab" {
		t.Fatalf("sign bytes %q", got)
	}
	p := Proposal{ChainID: "c", Changes: []Change{{PubKey: make([]byte, 32), Power: 5}}, ExpiresAtHeight: 9}
	b, _ := p.Canonical()
	want := `{"chain_id":"c","changes":[{"pub_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","power":5}],"expires_at_height":9}`
	if string(b) != want {
		t.Fatalf("canonical\n got %s\nwant %s", b, want)
	}
}

func TestEvidenceRecordAndList(t *testing.T) {
	e := newEnv(t)
	k := e.keeper()
	addr := bytes.Repeat([]byte{0xab}, 20)
	for h := int64(5); h <= 6; h++ {
		if err := k.RecordEvidence(ledger.Block{Height: h}, []Misbehavior{
			{Type: EvidenceDuplicateVote, Address: addr, Power: 10, Height: h - 1, Time: 1000 + h, TotalVotingPower: 11},
			{Type: EvidenceLightClientAttack, Address: addr, Power: 10, Height: h - 2, Time: 900, TotalVotingPower: 11},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.ev.List()); n != 4 {
		t.Fatalf("%d events, want 4", n)
	}
	page, err := EvidenceList(e.tree, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 3 || page.Next != "6-0" {
		t.Fatalf("page 1: %d entries, next %q", len(page.Entries), page.Next)
	}
	first := page.Entries[0]
	if first.BlockHeight != 5 || first.Index != 0 || first.Type != EvidenceDuplicateVote || first.Height != 4 ||
		first.Time != 1005 || first.TotalVotingPower != 11 || first.Validator != "ABABABABABABABABABABABABABABABABABABABAB" {
		t.Fatalf("first %+v", first)
	}
	page, err = EvidenceList(e.tree, page.Next, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].Cursor() != "6-1" || page.Next != "" {
		t.Fatalf("page 2: %+v next %q", page.Entries, page.Next)
	}
	if _, err := EvidenceList(e.tree, "x", 3); err == nil {
		t.Fatal("bad cursor accepted")
	}
}

func TestRecordExternalAndSkipPending(t *testing.T) {
	e := threeVals(t)
	m := signed(t, proposal(Change{pubOf(newcomer), 1}), v1, v2)
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 2}, ledger.Address{}, m); err != nil {
		t.Fatal(err)
	}
	if err := e.keeper().RecordExternal([]Update{{pubOf(newcomer), 4}}); err != nil {
		t.Fatal(err)
	}
	ups, err := e.keeper().TakePending(map[string]bool{string(pubOf(newcomer)): true})
	if err != nil || len(ups) != 0 {
		t.Fatalf("pending %+v %v", ups, err)
	}
	if e.power(pubOf(newcomer)) != 4 {
		t.Fatalf("power %d", e.power(pubOf(newcomer)))
	}
}

// TestEvidenceBounded: at most MaxEvidencePerValidator records per
// validator and MaxEvidenceStored in all; the rest only emits events.
func TestEvidenceBounded(t *testing.T) {
	e := newEnv(t)
	k := e.keeper()
	addr := bytes.Repeat([]byte{0xcd}, 20)
	var list []Misbehavior
	for i := 0; i < MaxEvidencePerValidator+5; i++ {
		list = append(list, Misbehavior{Type: EvidenceDuplicateVote, Address: addr, Power: 1, Height: 1})
	}
	if err := k.RecordEvidence(ledger.Block{Height: 2}, list); err != nil {
		t.Fatal(err)
	}
	page, err := EvidenceList(e.tree, "", 1000)
	if err != nil || len(page.Entries) != MaxEvidencePerValidator {
		t.Fatalf("%d records for one validator, want %d (%v)", len(page.Entries), MaxEvidencePerValidator, err)
	}
	list = list[:0]
	for i := 0; i < MaxEvidenceStored; i++ {
		a := make([]byte, 20)
		binary.BigEndian.PutUint32(a, uint32(i))
		list = append(list, Misbehavior{Type: EvidenceLightClientAttack, Address: a, Power: 1, Height: 1})
	}
	if err := k.RecordEvidence(ledger.Block{Height: 3}, list); err != nil {
		t.Fatal(err)
	}
	n := 0
	p := EvidencePrefix()
	_ = e.tree.Iterate(p, ledger.PrefixEnd(p), func(_, _ []byte) bool { n++; return true })
	if n != MaxEvidenceStored {
		t.Fatalf("%d records in all, want %d", n, MaxEvidenceStored)
	}
	if got := len(e.ev.List()); got != MaxEvidencePerValidator+5+MaxEvidenceStored {
		t.Fatalf("%d events, want one per misbehaviour", got)
	}
}
