package ledger

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestBranchMatchesModel drives a tree, a branch over it and a nested branch
// with random writes and checks every read and iteration against a map.
func TestBranchMatchesModel(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			tree, err := OpenTree("", "t")
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			model := map[string]string{}
			key := func() string { return fmt.Sprintf("k%02d", rng.IntN(40)) }
			for i := 0; i < 60; i++ {
				k, v := key(), fmt.Sprint(rng.IntN(1000))
				_ = tree.Set([]byte(k), []byte(v))
				model[k] = v
			}
			outer := NewBranch(tree)
			inner := NewBranch(outer)
			outerModel := clone(model)
			innerModel := clone(model)
			for i := 0; i < 200; i++ {
				k := key()
				switch rng.IntN(4) {
				case 0:
					_ = inner.Delete([]byte(k))
					delete(innerModel, k)
				case 1:
					v := fmt.Sprint(rng.IntN(1000))
					_ = outer.Set([]byte(k), []byte(v))
					outerModel[k] = v
					// inner sees outer's write unless it wrote the key itself.
					if _, own := inner.writes[k]; !own {
						innerModel[k] = v
					}
				default:
					v := fmt.Sprint(rng.IntN(1000))
					_ = inner.Set([]byte(k), []byte(v))
					innerModel[k] = v
				}
				checkKV(t, inner, innerModel, key(), key())
				checkKV(t, outer, outerModel, key(), key())
			}
			if err := inner.Write(); err != nil {
				t.Fatal(err)
			}
			checkKV(t, outer, innerModel, "", "")
			if err := outer.Write(); err != nil {
				t.Fatal(err)
			}
			checkKV(t, tree, innerModel, "", "")
		})
	}
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func checkKV(t *testing.T, kv KV, model map[string]string, a, b string) {
	t.Helper()
	for k, v := range model {
		got, err := kv.Get([]byte(k))
		if err != nil || string(got) != v {
			t.Fatalf("Get(%s) = %q, want %q (%v)", k, got, v, err)
		}
	}
	start, end := a, b
	if start > end {
		start, end = end, start
	}
	var want []string
	for k := range model {
		if k >= start && (end == "" || k < end) {
			want = append(want, k+"="+model[k])
		}
	}
	sort.Strings(want)
	var got []string
	var endB []byte
	if end != "" {
		endB = []byte(end)
	}
	if err := kv.Iterate([]byte(start), endB, func(k, v []byte) bool {
		got = append(got, string(k)+"="+string(v))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Iterate[%q,%q) = %v, want %v", start, end, got, want)
	}
}

func TestPrefixEnd(t *testing.T) {
	cases := []struct{ in, want []byte }{
		{[]byte("a"), []byte("b")},
		{[]byte{'a', 0xff}, []byte("b")},
		{[]byte{0xff, 0xff}, nil},
	}
	for _, c := range cases {
		if got := PrefixEnd(c.in); string(got) != string(c.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", c.in, got, c.want)
		}
	}
}

func TestTreeCommitAndProof(t *testing.T) {
	tree, err := OpenTree("", "t")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	_ = tree.Set([]byte("a"), []byte("1"))
	h1, v1, err := tree.Commit()
	if err != nil || v1 != 1 {
		t.Fatalf("commit: %v %d", err, v1)
	}
	_ = tree.Set([]byte("a"), []byte("2"))
	if _, _, err := tree.Commit(); err != nil {
		t.Fatal(err)
	}
	old, err := tree.At(1)
	if err != nil {
		t.Fatal(err)
	}
	p, err := old.Proof([]byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyProof(h1, p, []byte("a"), []byte("1")); err != nil {
		t.Fatalf("proof of version 1: %v", err)
	}
	if err := VerifyProof(h1, p, []byte("a"), []byte("2")); err == nil {
		t.Fatal("tampered value verified")
	}
	if err := VerifyProof(tree.CommittedHash(), p, []byte("a"), []byte("1")); err == nil {
		t.Fatal("old proof verified against the new root")
	}
	absent, _ := old.Proof([]byte("zz"))
	if err := VerifyProof(h1, absent, []byte("zz"), nil); err != nil {
		t.Fatalf("absence proof: %v", err)
	}
	if _, err := tree.At(9); err == nil {
		t.Fatal("uncommitted version served")
	}
}

func TestTreeReopen(t *testing.T) {
	dir := t.TempDir()
	tree, err := OpenTree(dir, "app")
	if err != nil {
		t.Fatal(err)
	}
	_ = tree.Set([]byte("k"), []byte("v"))
	h, _, err := tree.Commit()
	if err != nil {
		t.Fatal(err)
	}
	_ = tree.Set([]byte("k"), []byte("uncommitted"))
	if err := tree.Close(); err != nil {
		t.Fatal(err)
	}
	tree, err = OpenTree(dir, "app")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if tree.Version() != 1 || string(tree.CommittedHash()) != string(h) {
		t.Fatalf("reopened at version %d", tree.Version())
	}
	if v, _ := tree.Get([]byte("k")); string(v) != "v" {
		t.Fatalf("reopened value %q", v)
	}
}

// TestTreeCacheSizeChangesNothingButMemory: the same writes through a
// one-node cache (every read of a committed node goes to disk) and through
// the default cache give the same root at every version, and a tree reopened
// with a one-node cache reads every value back; a cache of no nodes is
// refused.
func TestTreeCacheSizeChangesNothingButMemory(t *testing.T) {
	run := func(cacheNodes int) (roots [][]byte, want map[string]string) {
		dir := t.TempDir()
		tree, err := OpenTreeWithCache(dir, "app", cacheNodes)
		if err != nil {
			t.Fatal(err)
		}
		want = map[string]string{}
		for v := 0; v < 4; v++ {
			for i := 0; i < 300; i++ {
				k, val := fmt.Sprintf("k%03d", (i*7+v*11)%400), fmt.Sprintf("v%d-%d", v, i)
				if err := tree.Set([]byte(k), []byte(val)); err != nil {
					t.Fatal(err)
				}
				want[k] = val
			}
			k := fmt.Sprintf("k%03d", v*13)
			if err := tree.Delete([]byte(k)); err != nil {
				t.Fatal(err)
			}
			delete(want, k)
			root, _, err := tree.Commit()
			if err != nil {
				t.Fatal(err)
			}
			roots = append(roots, root)
		}
		if err := tree.Close(); err != nil {
			t.Fatal(err)
		}
		tree, err = OpenTreeWithCache(dir, "app", cacheNodes)
		if err != nil {
			t.Fatal(err)
		}
		defer tree.Close()
		for k, val := range want {
			if got, err := tree.Get([]byte(k)); err != nil || string(got) != val {
				t.Fatalf("cache %d: %s = %q (%v), want %q", cacheNodes, k, got, err, val)
			}
		}
		return roots, want
	}
	small, _ := run(1)
	def, _ := run(DefaultCacheNodes)
	for v := range def {
		if !bytes.Equal(small[v], def[v]) {
			t.Fatalf("version %d: root %X with a one-node cache, %X with the default", v+1, small[v], def[v])
		}
	}
	if _, err := OpenTreeWithCache(t.TempDir(), "app", 0); err == nil {
		t.Fatal("a cache of 0 nodes was accepted")
	}
}
