package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/codes"
	"github.com/riffchain/riffchain/lens"
)

// TestModuleCodes: every module's coded errors are registered once, in the
// module's documented range, and CodeOf finds each one wrapped.
func TestModuleCodes(t *testing.T) {
	a := New(memTree(t), "riff-test", nil)
	ranges := []struct {
		name   string
		list   []*codes.Error
		lo, hi uint32
	}{
		{"ledger", ledger.Codes(), 12, 99},
		{"agreements", agreements.Codes(), 100, 149},
		{"pools", pools.Codes(), 200, 249},
		{"lens", lens.Codes(), 300, 349},
		{"validators", validators.Codes(), 450, 499},
	}
	all := a.Codes()
	for _, r := range ranges {
		for _, e := range r.list {
			if e.Code() < r.lo || e.Code() > r.hi {
				t.Errorf("%s: %q has code %d outside %d..%d", r.name, e, e.Code(), r.lo, r.hi)
			}
			if all[e.Code()] != e {
				t.Errorf("%s: code %d of %q is not registered by the app", r.name, e.Code(), e)
			}
			if got := CodeOf(fmt.Errorf("msg 0 (x): %w", e)); got != e.Code() {
				t.Errorf("CodeOf(%q wrapped) = %d, want %d", e, got, e.Code())
			}
		}
	}
	if CodeOf(errors.New("no code")) != CodeInternal || all[CodeInternal] != ErrInternal {
		t.Errorf("an uncoded error must be CodeInternal (%d)", CodeInternal)
	}
}

// TestModuleListChecked: New refuses a module list where two modules claim
// the same code, message type or query path.
func TestModuleListChecked(t *testing.T) {
	var s codes.Set
	dupCode := s.New(ledger.ErrOverflow.Code(), "mine")
	tests := []struct {
		name string
		mod  Module
		want string
	}{
		{"code", Module{Name: "x", Codes: []*codes.Error{dupCode}}, "code 14"},
		{"message type", Module{Name: "x", Msgs: registerLedger}, "duplicate message type"},
		{"query path", Module{Name: "x", Queries: []Query{StateQuery("balance", ledger.QueryBalance)}}, `query path "balance"`},
		{"reserved path", Module{Name: "x", Queries: []Query{StateQuery("simulate", ledger.QueryBalance)}}, `query path "simulate"`},
		{"module name", Module{Name: "ledger"}, "duplicate module name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls, _ := ledger.OpenLocalStore("", "local")
			a, err := NewWithLocalStore(memTree(t), "riff-test", nil, ls, append(Modules(), tc.mod)...)
			if a != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("app %v, err %v; want an error containing %q", a != nil, err, tc.want)
			}
		})
	}
}

// TestAppsShareNothing: two apps in one process have their own router,
// query table and metrics.
func TestAppsShareNothing(t *testing.T) {
	a := New(memTree(t), "riff-a", nil)
	b := New(memTree(t), "riff-b", nil, ledgerModule())
	if a.router == b.router || len(b.router.Types()) >= len(a.router.Types()) {
		t.Fatalf("routers: a %d types, b %d types (b has the ledger only)", len(a.router.Types()), len(b.router.Types()))
	}
	if _, ok := b.mods.queries["pool"]; ok {
		t.Fatal("b answers /pool without the pools module")
	}
	if EnableMetrics(a) == nil || MetricsOf(b) != nil {
		t.Fatal("enabling a's metrics enabled b's")
	}
}

// memTree is an empty state tree in memory.
func memTree(t *testing.T) *ledger.Tree {
	t.Helper()
	tree, err := ledger.OpenTree("", "test")
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestInvariantsRunPerModule: CheckInvariants runs every module's
// invariants in list order and names the module that failed; InitChain
// refuses a genesis that breaks one.
func TestInvariantsRunPerModule(t *testing.T) {
	broken := Module{Name: "broken", Invariants: func(ledger.Reader) error {
		return fmt.Errorf("%w: always", ledger.ErrInvariant)
	}}
	a := New(memTree(t), testChain, nil, append(Modules(), broken)...)
	err := a.CheckInvariants(a.tree)
	if !errors.Is(err, ledger.ErrInvariant) || !strings.HasPrefix(err.Error(), "broken: ") {
		t.Fatalf("CheckInvariants = %v, want the broken module's invariant error", err)
	}
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChain}); !errors.Is(err, ledger.ErrInvariant) {
		t.Fatalf("InitChain with a broken invariant: %v", err)
	}
	if err := New(memTree(t), testChain, nil).CheckInvariants(a.tree); err != nil {
		t.Fatalf("the built-in modules' invariants on an empty state: %v", err)
	}
}
