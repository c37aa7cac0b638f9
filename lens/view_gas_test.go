package lens

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// attackGraph builds issue 14's view attack, scaled down: root follows k
// lenses with distinct weights, each of which follows t scoped to a tag of
// its own that no entry carries; one low-weight untagged path (root → u →
// t) also reaches t, which holds n entries. Every one of t's k+1 path
// labels is non-dominated and has its own score, so a naive ranking scans
// t's n entries once per label and walks ~k labels per entry: k²·n.
func attackGraph(t *testing.T, k, n int) *env {
	e := newEnv(t)
	owner := addr(1)
	e.create(t, owner, "root")
	e.create(t, owner, "target")
	e.create(t, owner, "low")
	e.follow(t, owner, "root", "low", 1_000)
	e.follow(t, owner, "low", "target", 1_000_000)
	for i := 0; i < k; i++ {
		h := fmt.Sprintf("mid%03d", i)
		e.create(t, owner, h)
		e.follow(t, owner, "root", h, uint32(900_000-i*1_000))
		e.follow(t, owner, h, "target", 1_000_000, fmt.Sprintf("nope%d", i))
	}
	for i := 0; i < n; i++ {
		e.add(t, owner, "target", fmt.Sprintf("entry %d", i))
	}
	return e
}

// meteredView runs root's view over a store metered with limit.
func meteredView(e *env, limit uint64, root string, opts ViewOptions) (ViewResult, uint64, error) {
	m := gas.NewMeter(limit)
	v, err := NewReader(gas.NewStore(ledger.ReadOnly(e.tree), m)).View(root, opts)
	return v, m.Used(), err
}

// The view walk is metered: the same answer as unmetered when the budget
// suffices, gas growing linearly (not quadratically) in the number of
// paths, and out of gas — not a stall — when the budget does not.
func TestViewAttackBounded(t *testing.T) {
	opts := ViewOptions{Limit: 20}
	used := map[int]uint64{}
	for _, k := range []int{10, 20, 40} {
		e := attackGraph(t, k, 60)
		want := e.view(t, "root", opts)
		if len(want.Entries) != 20 {
			t.Fatalf("k=%d: %d entries, want 20 (the graph is wrong)", k, len(want.Entries))
		}
		got, g, err := meteredView(e, 1<<40, "root", opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("k=%d: metered view differs from unmetered", k)
		}
		used[k] = g
		if _, _, err := meteredView(e, g-1, "root", opts); !errors.Is(err, gas.ErrOutOfGas) {
			t.Fatalf("k=%d: a budget one short of %d: %v, want out of gas", k, g, err)
		}
		if _, g2, _ := meteredView(e, 1<<40, "root", opts); g2 != g {
			t.Fatalf("k=%d: gas %d then %d for the same view", k, g, g2)
		}
	}
	// Doubling the paths at most ~doubles the work (k²·n would quadruple).
	for _, k := range []int{10, 20} {
		if r := float64(used[2*k]) / float64(used[k]); r > 2.5 {
			t.Errorf("gas %d for k=%d, %d for k=%d: ratio %.2f, want linear", used[k], k, used[2*k], 2*k, r)
		}
	}
	t.Logf("gas: k=10 %d, k=20 %d, k=40 %d", used[10], used[20], used[40])
}
