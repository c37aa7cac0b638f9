package lens

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/riffchain/riffchain/ledger"
)

// env is a chain in miniature: an in-memory tree, one branch per message
// (written on success, dropped on error, as the app does), a block height
// that advances per message.
type env struct {
	t      *testing.T
	tree   *ledger.Tree
	height int64
	events []ledger.Event
}

func newEnv(t testing.TB) *env {
	tree, err := ledger.OpenTree("", "lens")
	if err != nil {
		t.Fatal(err)
	}
	tt, _ := t.(*testing.T)
	return &env{t: tt, tree: tree, height: 1}
}

func addr(n byte) ledger.Address { return ledger.DeriveAddress("lens-test", []byte{n}) }

func testCID(s string) string {
	h, err := mh.Sum([]byte(s), mh.SHA2_256, -1)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(cid.Raw, h).String()
}

func (e *env) exec(fn func(k *Keeper, blk ledger.Block) (ledger.Output, error)) (ledger.Output, error) {
	br := ledger.NewBranch(e.tree)
	ev := &ledger.Events{}
	k := New(ledger.New(br, ev))
	blk := ledger.Block{Height: e.height, Time: 1_700_000_000 + e.height}
	e.height++
	out, err := fn(k, blk)
	if err != nil {
		return out, err
	}
	if werr := br.Write(); werr != nil {
		return nil, werr
	}
	e.events = append(e.events, ev.List()...)
	return out, nil
}

func (e *env) reader() *Keeper { return NewReader(e.tree) }

func (e *env) check(t testing.TB) {
	t.Helper()
	if err := ledger.CheckInvariants(e.tree); err != nil {
		t.Fatalf("ledger invariants: %v", err)
	}
	if err := CheckInvariants(e.tree); err != nil {
		t.Fatalf("lens invariants: %v", err)
	}
}

// ok runs a message that must succeed.
func (e *env) ok(t testing.TB, fn func(k *Keeper, blk ledger.Block) (ledger.Output, error)) ledger.Output {
	t.Helper()
	out, err := e.exec(fn)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	e.check(t)
	return out
}

// fails runs a message that must fail with want and change nothing.
func (e *env) fails(t testing.TB, want error, fn func(k *Keeper, blk ledger.Block) (ledger.Output, error)) {
	t.Helper()
	before := e.tree.WorkingHash()
	_, err := e.exec(fn)
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	if after := e.tree.WorkingHash(); !bytes.Equal(before, after) {
		t.Fatalf("state changed by a failed message (%v)", err)
	}
}

func (e *env) create(t testing.TB, owner ledger.Address, handle string) {
	t.Helper()
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecCreate(b, owner, &MsgCreate{Handle: handle, Name: "Lens " + handle})
	})
}

func (e *env) add(t testing.TB, signer ledger.Address, handle, content string, tags ...string) uint64 {
	t.Helper()
	out := e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecAddEntry(b, signer, &MsgAddEntry{Lens: handle, CID: testCID(content), Kind: "post",
			Title: content, Tags: tags})
	})
	var seq uint64
	fmt.Sscan(out["seq"], &seq)
	return seq
}

func (e *env) follow(t testing.TB, signer ledger.Address, handle, target string, w uint32, tags ...string) {
	t.Helper()
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecFollow(b, signer, &MsgFollow{Lens: handle, Target: target, Weight: w, Tags: tags})
	})
}

func (e *env) grant(t testing.TB, signer ledger.Address, handle string, who ledger.Address, role Role) {
	t.Helper()
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecGrant(b, signer, &MsgGrant{Lens: handle, Address: who, Role: role})
	})
}

func (e *env) view(t testing.TB, root string, opts ViewOptions) ViewResult {
	t.Helper()
	v, err := e.reader().View(root, opts)
	if err != nil {
		t.Fatalf("view %s: %v", root, err)
	}
	return v
}

// scores maps "lens/title" to score for a view's entries.
func scores(v ViewResult) map[string]uint64 {
	m := map[string]uint64{}
	for _, e := range v.Entries {
		m[e.Lens+"/"+e.Title] = e.Score
	}
	return m
}
