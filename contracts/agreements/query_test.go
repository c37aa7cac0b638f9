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
