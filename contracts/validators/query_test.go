package validators

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
	"github.com/riffchain/riffchain/ledger/query/querytest"
)

// TestQueryValidatorsWholeSet: /validators answers the whole recorded set
// in address order in the list envelope with its total power, each entry
// the stored JSON proven by its key.
func TestQueryValidatorsWholeSet(t *testing.T) {
	e := threeVals(t)
	res, err := QueryValidators(e.tree, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	querytest.Envelope(t, res.Value, "total_power")
	var set ValidatorSet
	if err := json.Unmarshal(res.Value, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Entries) != 3 || set.TotalPower != 20 || set.Next != "" || len(res.Proven) != 3 {
		t.Fatalf("set %+v, %d proven", set, len(res.Proven))
	}
	querytest.Proves(t, e.tree, res.Proven)
	var prev string
	for i, raw := range set.Entries {
		var v Validator
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.Proven[i].Key, ValidatorKey(v.Account)) || !bytes.Equal(res.Proven[i].Value, raw) {
			t.Fatalf("entry %d is not what key %q proves", i, res.Proven[i].Key)
		}
		if v.Address <= prev {
			t.Fatalf("entry %d (%s) out of address order", i, v.Address)
		}
		prev = v.Address
	}
	if _, err := QueryValidators(e.tree, []string{"x"}, nil); !errors.Is(err, query.ErrBadQuery) {
		t.Fatalf("/validators/x: %v", err)
	}
}

// TestQueryEvidencePages: /evidence pages the records oldest first in the
// list envelope, each proven; a malformed cursor or limit is a bad query.
func TestQueryEvidencePages(t *testing.T) {
	e := newEnv(t)
	addr := bytes.Repeat([]byte{0xab}, 20)
	for h := int64(5); h <= 6; h++ {
		if err := e.keeper().RecordEvidence(ledger.Block{Height: h}, []Misbehavior{
			{Type: EvidenceLightClientAttack, Address: addr, Power: 10, Height: h - 1, Time: 900, TotalVotingPower: 11},
			{Type: EvidenceLightClientAttack, Address: addr, Power: 10, Height: h - 2, Time: 900, TotalVotingPower: 11},
		}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		params string
		want   []string // cursors
		next   string
		err    error
	}{
		{"", []string{"5-0", "5-1", "6-0", "6-1"}, "", nil},
		{"limit=3", []string{"5-0", "5-1", "6-0"}, "6-0", nil},
		{"limit=3&after=6-0", []string{"6-1"}, "", nil},
		{"after=5-0", []string{"5-1", "6-0", "6-1"}, "", nil},
		{"after=6-1", []string{}, "", nil},
		{"after=x", nil, "", query.ErrBadQuery},
		{"after=-1-0", nil, "", query.ErrBadQuery},
		{"limit=0", nil, "", query.ErrBadQuery},
		{"limit=1001", nil, "", query.ErrBadQuery},
	}
	for _, tc := range tests {
		t.Run(tc.params, func(t *testing.T) {
			params, _ := url.ParseQuery(tc.params)
			res, err := QueryEvidence(e.tree, nil, params)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			querytest.Envelope(t, res.Value)
			var page query.List[Evidence]
			if err := json.Unmarshal(res.Value, &page); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for i, ev := range page.Entries {
				got = append(got, ev.Cursor())
				if !bytes.Equal(res.Proven[i].Key, EvidenceKey(ev.BlockHeight, ev.Index)) {
					t.Fatalf("entry %d proven by key %q", i, res.Proven[i].Key)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || page.Next != tc.next || len(res.Proven) != len(got) {
				t.Fatalf("entries %v next %q (%d proven), want %v %q", got, page.Next, len(res.Proven), tc.want, tc.next)
			}
			querytest.Proves(t, e.tree, res.Proven)
		})
	}
}

// TestQueryChange: /validator-change/ID answers the applied record, proven;
// an unknown id is not found with its key proven absent; a malformed id is
// a bad query.
func TestQueryChange(t *testing.T) {
	e := threeVals(t)
	m := signed(t, proposal(Change{pubOf(newcomer), 3}), v1, v2)
	if _, err := e.keeper().ExecChange(ledger.Block{Height: 7}, ledger.Address{}, m); err != nil {
		t.Fatal(err)
	}
	res, err := QueryChange(e.tree, []string{m.ID}, nil)
	var rec Applied
	if err != nil || json.Unmarshal(res.Value, &rec) != nil || rec.Height != 7 || len(res.Proven) != 1 ||
		!bytes.Equal(res.Proven[0].Key, AppliedKey(m.ID)) {
		t.Fatalf("applied: %+v %v", res, err)
	}
	querytest.Proves(t, e.tree, res.Proven)

	other := strings.Repeat("0", 64)
	res, err = QueryChange(e.tree, []string{other}, nil)
	if !errors.Is(err, query.ErrNotFound) || res == nil || res.Proven[0].Value != nil || !bytes.Equal(res.Proven[0].Key, AppliedKey(other)) {
		t.Fatalf("unknown id: %+v %v", res, err)
	}
	for _, parts := range [][]string{nil, {m.ID, "x"}, {strings.ToUpper(m.ID)}, {m.ID[:63]}} {
		if _, err := QueryChange(e.tree, parts, nil); !errors.Is(err, query.ErrBadQuery) {
			t.Errorf("/validator-change/%v: %v, want bad query", parts, err)
		}
	}
}
