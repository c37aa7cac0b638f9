package app

import (
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestLocalStoreRebuiltWhenIndexesChange: a local store that matches the
// state's version but was built for another list of local indexes (an
// upgrade added one) is rebuilt at start; one built for the same list is
// kept as it is.
func TestLocalStoreRebuiltWhenIndexesChange(t *testing.T) {
	c := newAgreementChain(t) // committed state, and a local store in step with it
	marker := []byte("test/marker")
	rebuilds := 0
	extra := Module{Name: "extra", LocalIndexes: []LocalIndex{{Name: "marker index v1", Rebuild: func(_ ledger.Reader, local ledger.KV) error {
		rebuilds++
		return local.Set(marker, []byte("1"))
	}}}}
	ls, err := ledger.OpenLocalStore(t.TempDir(), "local")
	if err != nil {
		t.Fatal(err)
	}
	open := func(mods ...Module) *App {
		t.Helper()
		a, err := NewWithLocalStore(c.app.tree, testChain, nil, ls, mods...)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := ls.Version(); v != c.app.tree.Version() {
			t.Fatalf("local store at version %d, state at %d", v, c.app.tree.Version())
		}
		return a
	}

	open(Modules()...) // a new store: built for the built-in indexes
	if v, _ := ls.Get(marker); v != nil || rebuilds != 0 {
		t.Fatal("the extra index was built without its module")
	}
	open(append(Modules(), extra)...) // same version, one index more: rebuilt
	if v, _ := ls.Get(marker); string(v) != "1" || rebuilds != 1 {
		t.Fatalf("after adding an index: marker %q, %d rebuilds; want it built once", v, rebuilds)
	}
	open(append(Modules(), extra)...) // same list: kept
	if rebuilds != 1 {
		t.Fatalf("a store built for the same indexes was rebuilt (%d rebuilds)", rebuilds)
	}
	if layout, _ := ls.Layout(); string(layout) != "agreements/agreements party index\nlens/lens roles index\nextra/marker index v1" {
		t.Fatalf("layout %q", layout)
	}
	open(Modules()...) // the index removed: rebuilt without it
	if v, _ := ls.Get(marker); v != nil {
		t.Fatalf("a removed index's entries survive: %q", v)
	}
}
