package web

import (
	"net/url"
	"testing"
)

func TestReweightParam(t *testing.T) {
	for _, c := range []struct {
		query, want string
		bad         bool
	}{
		{"", "", false},
		{"w.lens-c=0&w.lens-b=250000&depth=2", "lens-b:250000,lens-c:0", false},
		{"w.lens-b=1000001", "", true},
		{"w.lens-b=-1", "", true},
		{"w.=5", "", true},
		{"w.Bad!=5", "", true},
	} {
		q, _ := url.ParseQuery(c.query)
		got, _, err := reweightParam(q)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("%q: %q, %v; want %q, bad=%v", c.query, got, err, c.want, c.bad)
		}
	}
	q := url.Values{}
	for i := 0; i <= maxReweights; i++ {
		q.Set("w.l"+string(rune('a'+i%26))+string(rune('a'+i/26)), "1")
	}
	if _, _, err := reweightParam(q); err == nil {
		t.Fatal("more re-weights than allowed were accepted")
	}
}

func TestWithParam(t *testing.T) {
	q, _ := url.ParseQuery("depth=2&after=xyz&w.a=5")
	if got := withParam(q, "w.b", "0"); got != "?depth=2&w.a=5&w.b=0" {
		t.Fatal(got)
	}
	if got := withParam(q, "depth", ""); got != "?w.a=5" {
		t.Fatal(got)
	}
	q, _ = url.ParseQuery("depth=&kind=&tag=&w.a=5")
	if got := withParam(q, "", ""); got != "?w.a=5" {
		t.Fatal(got)
	}
	if got := withParam(url.Values{}, "", ""); got != "" {
		t.Fatal(got)
	}
}
