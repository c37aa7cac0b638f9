package agreements

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

const testChain = "riff-test-1"

// env is a chain in miniature: one in-memory tree, and each exec run in a
// branch that is written only when it succeeds, as the app does.
type env struct {
	t      *testing.T
	tree   *ledger.Tree
	blk    ledger.Block
	events []ledger.Event
	hooks  Hooks
	// index picks the keeper's party index store given the exec's state
	// branch; nil: that branch, so that tests read the index back from
	// the tree.
	index func(state ledger.KV) ledger.KV
}

func newEnv(t *testing.T) *env {
	t.Helper()
	tree, err := ledger.OpenTree("", "agr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	return &env{t: t, tree: tree, blk: ledger.Block{Height: 10, Time: 1_700_000_000}}
}

func key(name string) (ed25519.PrivateKey, ledger.Address) {
	seed := sha256.Sum256([]byte("test key " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	return priv, ledger.AddressFromPubKey(priv.Public().(ed25519.PublicKey))
}

func addr(name string) ledger.Address { _, a := key(name); return a }

func dump(t *testing.T, r ledger.Reader) string {
	t.Helper()
	var sb strings.Builder
	if err := r.Iterate(nil, nil, func(k, v []byte) bool {
		fmt.Fprintf(&sb, "%x=%x\n", k, v)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// exec runs fn in a branch of the tree; on success the branch is written,
// on error it is dropped and the test checks that state did not change.
// Invariants are checked after every exec.
func (e *env) exec(fn func(k *Keeper) (ledger.Output, error)) (ledger.Output, error) {
	e.t.Helper()
	before := dump(e.t, e.tree)
	br := ledger.NewBranch(e.tree)
	ev := &ledger.Events{}
	var index ledger.KV = br
	if e.index != nil {
		index = e.index(br)
	}
	k := New(ledger.New(br, ev), testChain, index)
	k.Hooks = e.hooks
	out, err := fn(k)
	if err == nil {
		if werr := br.Write(); werr != nil {
			e.t.Fatal(werr)
		}
		e.events = ev.List()
	} else if after := dump(e.t, e.tree); after != before {
		e.t.Fatalf("state changed by a failed exec: %v", err)
	}
	if ierr := ledger.CheckInvariants(e.tree); ierr != nil {
		e.t.Fatalf("invariants: %v", ierr)
	}
	return out, err
}

func (e *env) must(fn func(k *Keeper) (ledger.Output, error)) ledger.Output {
	e.t.Helper()
	out, err := e.exec(fn)
	if err != nil {
		e.t.Fatalf("exec: %v", err)
	}
	return out
}

func (e *env) endBlock() {
	e.t.Helper()
	e.must(func(k *Keeper) (ledger.Output, error) { return nil, k.EndBlock(e.blk) })
}

func (e *env) next(n int64) { e.blk.Height += n; e.blk.Time += 5 * n }

// fungible creates a fungible asset issued by issuer and mints amounts.
func (e *env) fungible(symbol string, issuer ledger.Address, mints map[ledger.Address]uint64) string {
	e.t.Helper()
	return e.newAsset(symbol, ledger.Fungible, issuer, func(l *ledger.Ledger, id string) error {
		for _, a := range sortedAddrs(mints) {
			if err := l.Mint(id, a, ledger.NewAmount(mints[a])); err != nil {
				return err
			}
		}
		return nil
	})
}

// newAsset creates an asset of kind issued by issuer and runs fill on it
// (to mint), all in one exec.
func (e *env) newAsset(symbol string, kind ledger.AssetKind, issuer ledger.Address, fill func(l *ledger.Ledger, id string) error) string {
	e.t.Helper()
	var id string
	e.must(func(k *Keeper) (ledger.Output, error) {
		l := k.l
		var err error
		if id, err = l.NextAssetID(symbol); err != nil {
			return nil, err
		}
		if err := l.CreateAsset(ledger.Asset{ID: id, Kind: kind, Symbol: symbol, Issuer: issuer}); err != nil {
			return nil, err
		}
		return nil, fill(l, id)
	})
	return id
}

func sortedAddrs(m map[ledger.Address]uint64) []ledger.Address {
	var out []ledger.Address
	for a := range m {
		out = append(out, a)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if string(out[j][:]) < string(out[i][:]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func (e *env) mint(asset string, to ledger.Address, n uint64) {
	e.t.Helper()
	e.must(func(k *Keeper) (ledger.Output, error) { return nil, k.l.Mint(asset, to, ledger.NewAmount(n)) })
}

// unique creates a unique class issued by issuer with items owned by owner.
func (e *env) unique(symbol string, issuer, owner ledger.Address, items ...string) string {
	e.t.Helper()
	return e.newAsset(symbol, ledger.Unique, issuer, func(l *ledger.Ledger, id string) error {
		for _, it := range items {
			if err := l.MintItem(id, it, owner, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *env) bal(a ledger.Address, asset string) string {
	e.t.Helper()
	b, err := ledger.New(e.tree, nil).Balance(a, asset)
	if err != nil {
		e.t.Fatal(err)
	}
	return b.String()
}

func (e *env) owner(asset, item string) ledger.Address {
	e.t.Helper()
	it, err := ledger.New(e.tree, nil).Item(asset, item)
	if err != nil {
		e.t.Fatal(err)
	}
	return it.Owner
}

func (e *env) record(id string) *Record {
	e.t.Helper()
	r, err := GetAgreement(e.tree, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) wantBal(a ledger.Address, asset, want string) {
	e.t.Helper()
	if got := e.bal(a, asset); got != want {
		e.t.Fatalf("balance of %s in %s = %s, want %s", a, asset, got, want)
	}
}

func amt(n uint64) *ledger.Amount { a := ledger.NewAmount(n); return &a }

func xfer(from, to ledger.Address, asset string, n uint64) Action {
	return Action{Transfer: &TransferAction{From: from, To: to, Asset: asset, Amount: amt(n)}}
}

func xferItem(from, to ledger.Address, asset, item string) Action {
	return Action{Transfer: &TransferAction{From: from, To: to, Asset: asset, Item: item}}
}

// file builds an agreement file (expiring at height 100) signed by signers.
func (e *env) file(parties []ledger.Address, actions []Action, signers ...string) *File {
	e.t.Helper()
	return e.signedFile(Body{Parties: parties, Title: "test", Actions: actions, ExpiresAtHeight: 100}, signers...)
}

// signedFile builds the agreement file of body signed by signers.
func (e *env) signedFile(body Body, signers ...string) *File {
	e.t.Helper()
	f, err := NewFile(body, testChain)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range signers {
		priv, _ := key(s)
		if err := Sign(f, priv); err != nil {
			e.t.Fatal(err)
		}
	}
	return f
}

// clone deep-copies a file through JSON, as it would travel.
func clone(t *testing.T, f *File) *File {
	t.Helper()
	b, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (e *env) submit(f *File, by string) (ledger.Output, error) {
	return e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecSubmit(e.blk, addr(by), clone(e.t, f)) })
}

func (e *env) propose(body Body, by string, escrow bool) (ledger.Output, error) {
	b := body
	if err := b.Normalize(testChain); err != nil {
		e.t.Fatal(err)
	}
	return e.exec(func(k *Keeper) (ledger.Output, error) {
		return k.ExecPropose(e.blk, addr(by), &MsgPropose{Body: b, Escrow: escrow})
	})
}

func (e *env) accept(id, by string) (ledger.Output, error) {
	return e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecAccept(e.blk, addr(by), &MsgAccept{ID: id}) })
}

func (e *env) lastEvent(typ string) map[string]string {
	e.t.Helper()
	for i := len(e.events) - 1; i >= 0; i-- {
		if e.events[i].Type == typ {
			m := map[string]string{}
			for _, a := range e.events[i].Attrs {
				m[a.Key] = a.Value
			}
			return m
		}
	}
	e.t.Fatalf("no %q event", typ)
	return nil
}

// stateFromEvent decodes the "state" attribute of the last agreement_state
// (block) event.
func (e *env) stateFromEvent() Record {
	e.t.Helper()
	var r Record
	if err := json.Unmarshal([]byte(e.lastEvent("agreement_state")["state"]), &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}
