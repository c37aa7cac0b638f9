package agreements

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
)

// TestCollectivesOfQuery: /collectives/ADDR lists a member's collectives
// in (raw) address order, paged, each with its member index entry and record as
// they are stored; a former member's collective is gone from the list.
func TestCollectivesOfQuery(t *testing.T) {
	e := newEnv(t)
	c1 := e.collective("m1", 2, "m1", "m2")
	c2 := e.collective("m2", 1, "m1", "m3")
	c3 := e.collective("m3", 1, "m3", "m1")
	if _, err := e.leave(c3, "m1"); err != nil {
		t.Fatal(err)
	}
	want := []string{c1.String(), c2.String()} // in raw address order
	if bytes.Compare(c1[:], c2[:]) > 0 {
		want[0], want[1] = want[1], want[0]
	}
	res, err := QueryCollectivesOf(e.tree, []string{addr("m1").String()}, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		Entries []Collective `json:"entries"`
		Next    string       `json:"next"`
	}
	if err := json.Unmarshal(res.Value, &ans); err != nil || len(ans.Entries) != 2 || ans.Next != "" ||
		ans.Entries[0].Address.String() != want[0] || ans.Entries[1].Address.String() != want[1] {
		t.Fatalf("collectives of m1: %s %v", res.Value, err)
	}
	if len(res.Proven) != 2 {
		t.Fatalf("%d proven keys", len(res.Proven))
	}
	for _, kv := range res.Proven {
		v, _ := e.tree.Get(kv.Key)
		if v == nil || !bytes.Equal(v, kv.Value) {
			t.Fatalf("proven %x = %q, stored %q", kv.Key, kv.Value, v)
		}
	}
	res, err = QueryCollectivesOf(e.tree, []string{addr("m1").String()}, url.Values{"limit": {"1"}})
	if err != nil || json.Unmarshal(res.Value, &ans) != nil || len(ans.Entries) != 1 || ans.Next != want[0] {
		t.Fatalf("first page: %s %v", res.Value, err)
	}
	after := ans.Next
	ans.Next = ""
	res, err = QueryCollectivesOf(e.tree, []string{addr("m1").String()}, url.Values{"limit": {"1"}, "after": {after}})
	if err != nil || json.Unmarshal(res.Value, &ans) != nil || len(ans.Entries) != 1 || ans.Next != "" ||
		ans.Entries[0].Address.String() != want[1] {
		t.Fatalf("second page: %s %v", res.Value, err)
	}
	for _, bad := range [][]string{{"riff1bad"}, {}} {
		if _, err := QueryCollectivesOf(e.tree, bad, url.Values{}); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
}
