package lens

import (
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/view_golden.txt from the current View")

// traceKV records every state access a view makes, with the gas used so far
// at that point (the metered store charges before it reaches traceKV), so
// that two implementations of View can be compared access by access.
type traceKV struct {
	kv  ledger.KV
	m   *gas.Meter
	log *strings.Builder
}

func (t traceKV) Get(key []byte) ([]byte, error) {
	fmt.Fprintf(t.log, "get %q %d\n", key, t.m.Used())
	return t.kv.Get(key)
}

func (t traceKV) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	fmt.Fprintf(t.log, "iterate %q %q %d\n", start, end, t.m.Used())
	return t.kv.Iterate(start, end, func(k, v []byte) bool {
		fmt.Fprintf(t.log, " step %q %d\n", k, t.m.Used())
		return fn(k, v)
	})
}

func (t traceKV) Set(key, value []byte) error { return t.kv.Set(key, value) }
func (t traceKV) Delete(key []byte) error     { return t.kv.Delete(key) }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", sum[:6])
}

// goldenLine runs one view three ways — with an ample budget (its answer,
// gas and access trace), and with half and one less than the gas it used
// (the error, which names the charge that ran out) — and sums them up in
// one line.
func goldenLine(t *testing.T, r ledger.Reader, name, root string, opts ViewOptions) string {
	t.Helper()
	run := func(limit uint64) (ViewResult, uint64, string, error) {
		var log strings.Builder
		m := gas.NewMeter(limit)
		st := gas.NewStore(traceKV{kv: ledger.ReadOnly(r), m: m, log: &log}, m)
		v, err := NewReader(st).View(root, opts)
		return v, m.Used(), log.String(), err
	}
	v, used, trace, err := run(1 << 50)
	if err != nil {
		return fmt.Sprintf("%s error=%q", name, err)
	}
	ans, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, half := run(used / 2)
	_, _, _, short := run(used - 1)
	return fmt.Sprintf("%s entries=%d next=%t gas=%d answer=%s trace=%s half=%s short=%s",
		name, len(v.Entries), v.Next != "", used, digest(string(ans)), digest(trace), digest(fmt.Sprint(half)), digest(fmt.Sprint(short)))
}

// TestViewGolden pins, for a few hundred views over random graphs and the
// attack graph, the answer, the gas used, the sequence of state accesses
// (with the gas used at each) and the out-of-gas errors at two budgets
// (testdata/view_golden.txt; -update rewrites it). Views run inside
// lens/fork transactions, so their gas is consensus: a refactor of View
// must leave every line unchanged.
func TestViewGolden(t *testing.T) {
	var lines []string
	for seed := int64(1); seed <= 40; seed++ {
		tree, handles := randomGraph(t, seed, 10)
		rng := rand.New(rand.NewSource(seed * 11))
		for q := 0; q < 6; q++ {
			root := handles[rng.Intn(len(handles))]
			opts := ViewOptions{Depth: 1 + rng.Intn(MaxDepth), Limit: 1 + rng.Intn(40)}
			if rng.Intn(3) == 0 {
				opts.Reweight = map[string]uint32{handles[rng.Intn(len(handles))]: uint32(rng.Intn(FullWeight + 1))}
			}
			// "post" is also a kind and "lens" a field name: tags whose
			// quoted form occurs in entries that do not carry them.
			opts.Tag = []string{"", "", "red", "post", "lens", "gold"}[rng.Intn(6)]
			opts.Kind = []string{"", "", "post", "video"}[rng.Intn(4)]
			for page := 0; page < 4; page++ {
				name := fmt.Sprintf("seed=%d q=%d root=%s depth=%d limit=%d tag=%q kind=%q rw=%v page=%d",
					seed, q, root, opts.Depth, opts.Limit, opts.Tag, opts.Kind, opts.Reweight, page)
				lines = append(lines, goldenLine(t, tree, name, root, opts))
				v, err := NewReader(tree).View(root, opts)
				if err != nil || v.Next == "" {
					break
				}
				opts.After = v.Next
			}
		}
	}
	for _, k := range []int{5, 12} {
		e := attackGraph(t, k, 30)
		for _, limit := range []int{1, 10, 40} {
			opts := ViewOptions{Limit: limit}
			for page := 0; page < 3; page++ {
				name := fmt.Sprintf("attack k=%d limit=%d page=%d", k, limit, page)
				lines = append(lines, goldenLine(t, e.tree, name, "root", opts))
				v, err := NewReader(e.tree).View("root", opts)
				if err != nil || v.Next == "" {
					break
				}
				opts.After = v.Next
			}
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	const path = "testdata/view_golden.txt"
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	if len(wl) != len(gl) {
		t.Fatalf("%d golden lines, %d now", len(wl), len(gl))
	}
	bad := 0
	for i := range wl {
		if wl[i] != gl[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
			if bad++; bad > 10 {
				t.FailNow()
			}
		}
	}
}
