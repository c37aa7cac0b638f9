package ledger

import (
	"errors"
	"strings"
	"testing"
)

func TestGetSetJSON(t *testing.T) {
	tree, err := OpenTree("", "json")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	type rec struct {
		Name string `json:"name"`
		N    Amount `json:"n"`
	}
	b, err := SetJSON(tree, []byte("k"), rec{Name: "a", N: NewAmount(7)})
	if err != nil || string(b) != `{"name":"a","n":"7"}` {
		t.Fatalf("set: %s %v", b, err)
	}
	if stored, _ := tree.Get([]byte("k")); string(stored) != string(b) {
		t.Fatalf("stored %s, returned %s", stored, b)
	}
	var got rec
	if ok, err := GetJSON(tree, []byte("k"), &got); !ok || err != nil || got.Name != "a" || got.N.String() != "7" {
		t.Fatalf("get: %+v %v %v", got, ok, err)
	}
	untouched := rec{Name: "keep"}
	if ok, err := GetJSON(tree, []byte("missing"), &untouched); ok || err != nil || untouched.Name != "keep" {
		t.Fatalf("missing: %+v %v %v", untouched, ok, err)
	}
	if err := tree.Set([]byte("bad"), []byte("{")); err != nil {
		t.Fatal(err)
	}
	if ok, err := GetJSON(tree, []byte("bad"), &got); ok || !errors.Is(err, ErrStore) || !strings.Contains(err.Error(), `decode "bad"`) {
		t.Fatalf("bad: %v %v", ok, err)
	}
	if _, err := SetJSON(tree, []byte("f"), func() {}); !errors.Is(err, ErrStore) {
		t.Fatalf("unencodable: %v", err)
	}
	if v, _ := tree.Get([]byte("f")); v != nil {
		t.Fatalf("unencodable value stored: %q", v)
	}
}
