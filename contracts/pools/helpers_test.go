package pools

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// env is a ledger state with a few assets and funded users, on which tests
// run messages the way the app does: each in a fresh branch, written on
// success and dropped on error.
type env struct {
	t      testing.TB
	kv     ledger.KV
	issuer ledger.Address
	users  []ledger.Address
	assets []string // fungible
	unique string
	height int64
}

func user(i int) ledger.Address {
	h := sha256.Sum256([]byte(fmt.Sprintf("user-%d", i)))
	var a ledger.Address
	copy(a[:], h[:])
	return a
}

func newEnv(t testing.TB, nUsers, nAssets int, fund *big.Int) *env {
	t.Helper()
	tree, err := ledger.OpenTree("", "pools-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	e := &env{t: t, kv: tree, issuer: user(1000), height: 1}
	for i := 0; i < nUsers; i++ {
		e.users = append(e.users, user(i))
	}
	l := ledger.New(tree, nil)
	for i := 0; i < nAssets; i++ {
		sym := fmt.Sprintf("TK%c", 'A'+i)
		id, err := l.NextAssetID(sym)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.CreateAsset(ledger.Asset{ID: id, Kind: ledger.Fungible, Symbol: sym, Decimals: uint8(6 + i%3), Issuer: e.issuer}); err != nil {
			t.Fatal(err)
		}
		e.assets = append(e.assets, id)
		if fund != nil && fund.Sign() > 0 {
			f, err := ledger.AmountFromBig(fund)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range e.users {
				if err := l.Mint(id, u, f); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	id, err := l.NextAssetID("ART")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateAsset(ledger.Asset{ID: id, Kind: ledger.Unique, Symbol: "ART", Issuer: e.issuer}); err != nil {
		t.Fatal(err)
	}
	if err := l.MintItem(id, "one", e.users[0], ""); err != nil {
		t.Fatal(err)
	}
	e.unique = id
	return e
}

// ledger returns a ledger over the committed-so-far state (reads only).
func (e *env) ledger() *ledger.Ledger { return ledger.New(e.kv, nil) }

func (e *env) keeper() *Keeper { return New(e.ledger()) }

func (e *env) blk() ledger.Block {
	return ledger.Block{Height: e.height, Time: 1_700_000_000 + e.height}
}

func (e *env) mint(asset string, to ledger.Address, n *big.Int) {
	e.t.Helper()
	a, err := ledger.AmountFromBig(n)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.ledger().Mint(asset, to, a); err != nil {
		e.t.Fatal(err)
	}
}

// run executes fn in a branch as the app does. On error it checks that the
// branch holds no writes (the keeper is atomic on its own) and drops it.
func (e *env) run(fn func(k *Keeper) (ledger.Output, error)) (ledger.Output, []ledger.Event, error) {
	e.t.Helper()
	e.height++
	br := ledger.NewBranch(e.kv)
	ev := &ledger.Events{}
	out, err := fn(New(ledger.New(br, ev)))
	if err != nil {
		if br.Len() != 0 {
			e.t.Fatalf("failed operation left %d writes in its branch: %v", br.Len(), err)
		}
		if len(ev.List()) != 0 {
			e.t.Fatalf("failed operation emitted events: %v", err)
		}
		return nil, nil, err
	}
	if err := br.Write(); err != nil {
		e.t.Fatal(err)
	}
	return out, ev.List(), nil
}

func (e *env) create(signer ledger.Address, a, b string, da, db *big.Int, fee uint32) (ledger.Output, error) {
	e.t.Helper()
	m := &MsgCreate{AssetA: a, AssetB: b, AmountA: mustAmt(e.t, da), AmountB: mustAmt(e.t, db), FeeBps: fee}
	out, _, err := e.run(func(k *Keeper) (ledger.Output, error) { return k.ExecCreate(e.blk(), signer, m) })
	return out, err
}

func (e *env) mustCreate(signer ledger.Address, a, b string, da, db int64, fee uint32) string {
	e.t.Helper()
	out, err := e.create(signer, a, b, big.NewInt(da), big.NewInt(db), fee)
	if err != nil {
		e.t.Fatal(err)
	}
	return out["pool_id"]
}

// dump returns every key/value of the state, for before/after comparison.
func (e *env) dump() [][2][]byte {
	var all [][2][]byte
	if err := e.kv.Iterate(nil, nil, func(k, v []byte) bool {
		all = append(all, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		return true
	}); err != nil {
		e.t.Fatal(err)
	}
	return all
}

func sameDump(a, b [][2][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i][0], b[i][0]) || !bytes.Equal(a[i][1], b[i][1]) {
			return false
		}
	}
	return true
}

func (e *env) bal(a ledger.Address, asset string) *big.Int {
	e.t.Helper()
	b, err := e.ledger().Balance(a, asset)
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Big()
}

func (e *env) supply(asset string) *big.Int {
	e.t.Helper()
	a, err := e.ledger().Asset(asset)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.Supply.Big()
}

func mustAmt(t testing.TB, b *big.Int) ledger.Amount {
	t.Helper()
	a, err := ledger.AmountFromBig(b)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func amtp(n int64) *ledger.Amount { a := ledger.NewAmount(uint64(n)); return &a }

func bigOf(s string) *big.Int {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad big " + s)
	}
	return b
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

var maxAmt = new(big.Int).Set(ledger.MaxAmount)

// routeEnv is the market the quote tests route through: four funded assets
// A..D, two A/B pools (100 and 5 bps), a B/C pool at 1:3 and a thin A/C pool
// at 1:5; D is in no pool. lp created the pools; trader is a second user.
type routeEnv struct {
	*env
	A, B, C, D                 string
	lp, trader                 ledger.Address
	abSlow, abFast, bc, acThin string
}

func newRouteEnv(t testing.TB) routeEnv {
	t.Helper()
	e := newEnv(t, 2, 4, big.NewInt(1_000_000_000_000))
	r := routeEnv{env: e, A: e.assets[0], B: e.assets[1], C: e.assets[2], D: e.assets[3], lp: e.users[0], trader: e.users[1]}
	r.abSlow = e.mustCreate(r.lp, r.A, r.B, 1_000_000, 1_000_000, 100)
	r.abFast = e.mustCreate(r.lp, r.B, r.A, 1_000_000, 1_000_000, 5)
	r.bc = e.mustCreate(r.lp, r.B, r.C, 1_000_000, 3_000_000, 30)
	r.acThin = e.mustCreate(r.lp, r.A, r.C, 2_000, 10_000, 30) // 5 C per A, but thin
	return r
}
