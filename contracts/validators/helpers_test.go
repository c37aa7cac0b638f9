package validators

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

const testChain = "riff-test"

func testKey(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

func pubOf(k ed25519.PrivateKey) []byte { return []byte(k.Public().(ed25519.PublicKey)) }

// env is an in-memory state with a recorded validator set.
type env struct {
	t    *testing.T
	tree *ledger.Tree
	ev   *ledger.Events
}

func newEnv(t *testing.T, genesis ...Update) *env {
	t.Helper()
	tree, err := ledger.OpenTree("", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	e := &env{t: t, tree: tree, ev: &ledger.Events{}}
	if err := e.keeper().InitGenesis(genesis); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) keeper() *Keeper { return New(ledger.New(e.tree, e.ev), testChain) }

// dump returns every key and value in state, for unchanged-state checks.
func (e *env) dump() map[string][]byte {
	out := map[string][]byte{}
	if err := e.tree.Iterate(nil, nil, func(k, v []byte) bool {
		out[string(k)] = bytes.Clone(v)
		return true
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func sameState(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func (e *env) power(pub []byte) int64 {
	v, err := e.keeper().Validator(AddressOf(pub))
	if err != nil {
		e.t.Fatal(err)
	}
	if v == nil {
		return 0
	}
	return v.Power
}

// signed builds a proposal file for changes signed by signers.
func signed(t *testing.T, p Proposal, signers ...ed25519.PrivateKey) *MsgChange {
	t.Helper()
	m, err := NewFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range signers {
		if err := Sign(m, k); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func proposal(changes ...Change) Proposal {
	return Proposal{ChainID: testChain, Changes: changes, ExpiresAtHeight: 100, Salt: "s1"}
}
