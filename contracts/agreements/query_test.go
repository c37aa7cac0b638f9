package agreements

import (
	"errors"
	"strconv"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// A party's agreements list oldest first within a status, whatever their
// ids; cursors are text ("STATUS/HEIGHT/ID") and page through all of them;
// a malformed cursor is refused.
func TestAgreementsByPartyChronological(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	var want []string
	for i := 0; i < 6; i++ {
		f := e.signedFile(Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, x, 1)},
			ExpiresAtHeight: 1000, Salt: strconv.Itoa(i)}, "A", "B")
		if _, err := e.submit(f, "A"); err != nil {
			t.Fatal(err)
		}
		want = append(want, f.ID)
		e.next(1)
	}
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		page, err := AgreementsByParty(e.tree, e.tree, b, StatusSettled, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Agreements {
			got = append(got, r.ID)
		}
		if page.Next == "" {
			break
		}
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		after = page.Next
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("position %d: %s, want %s (creation order)", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"settled", "settled/x/" + want[0], "nope/1/" + want[0], "settled/1/zz", "settled/1/" + want[0] + "/x"} {
		if _, err := AgreementsByParty(e.tree, e.tree, b, StatusSettled, bad, 4); !errors.Is(err, ErrInvalidBody) {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
}

// TestPartyIndexOnlyWhereGiven: the keeper writes its party index to the
// store New is given and nowhere else; with none it keeps no index. State
// holds the records either way and never an index entry by accident.
func TestPartyIndexOnlyWhereGiven(t *testing.T) {
	a, b := addr("alice"), addr("bob")
	countIndex := func(t *testing.T, r ledger.Reader) int {
		t.Helper()
		n := 0
		for _, p := range []ledger.Address{a, b} {
			if err := r.Iterate(PartyIndexPrefix(p), ledger.PrefixEnd(PartyIndexPrefix(p)), func(_, _ []byte) bool { n++; return true }); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	local, err := ledger.OpenTree("", "local")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Close() })
	for _, c := range []struct {
		name    string
		index   func(ledger.KV) ledger.KV
		inState int
		inLocal int
	}{
		{"local store", func(ledger.KV) ledger.KV { return local }, 0, 2},
		{"no index", func(ledger.KV) ledger.KV { return nil }, 0, 0},
		{"state (tests only)", nil, 2, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.index = c.index
			body := Body{Parties: []ledger.Address{a, b}, Title: "idx", Actions: []Action{xfer(a, b, e.fungible("IDX", a, map[ledger.Address]uint64{a: 10}), 1)}, ExpiresAtHeight: 100}
			before := countIndex(t, local)
			if _, err := e.propose(body, "alice", false); err != nil {
				t.Fatal(err)
			}
			if got := countIndex(t, e.tree); got != c.inState {
				t.Errorf("index entries in state: %d, want %d", got, c.inState)
			}
			if got := countIndex(t, local) - before; got != c.inLocal {
				t.Errorf("index entries in the local store: %d, want %d", got, c.inLocal)
			}
		})
	}
}
