package query

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

type mapGetter map[string]string

func (m mapGetter) Get(k []byte) ([]byte, error) {
	v, ok := m[string(k)]
	if !ok {
		return nil, nil
	}
	return []byte(v), nil
}

func TestPageLimit(t *testing.T) {
	tests := []struct {
		in   string
		want int
		bad  bool
	}{
		{"", DefaultPageLimit, false},
		{"1", 1, false},
		{"1000", 1000, false},
		{"1001", 0, true},
		{"0", 0, true},
		{"-3", 0, true},
		{"x", 0, true},
	}
	for _, tc := range tests {
		got, err := PageLimit(url.Values{"limit": {tc.in}})
		if tc.bad != errors.Is(err, ErrBadQuery) || (!tc.bad && got != tc.want) {
			t.Errorf("limit=%q: %d, %v", tc.in, got, err)
		}
	}
}

func TestSingleProvesPresenceAndAbsence(t *testing.T) {
	r := mapGetter{"k": "v"}
	res, err := Single(r, []byte("k"), "k")
	if err != nil || string(res.Value) != "v" || len(res.Proven) != 1 || string(res.Proven[0].Value) != "v" {
		t.Fatalf("present: %+v %v", res, err)
	}
	res, err = Single(r, []byte("nope"), "nope")
	if !errors.Is(err, ErrNotFound) || res == nil || len(res.Proven) != 1 || res.Proven[0].Value != nil {
		t.Fatalf("absent: %+v %v", res, err)
	}
}

func TestEmptyListEncodesAnEmptyArray(t *testing.T) {
	b, _ := json.Marshal(NewList[string]())
	if string(b) != `{"entries":[]}` {
		t.Fatalf("empty list = %s", b)
	}
}

func TestPageTrimsProvesAndPointsToTheNext(t *testing.T) {
	prove := func(s string) KV { return KV{Key: []byte("k/" + s), Value: []byte(s)} }
	id := func(s string) string { return s }
	tests := []struct {
		read  []string
		limit int
		want  string
		keys  int
	}{
		{nil, 2, `{"entries":[]}`, 0},
		{[]string{"a"}, 2, `{"entries":["a"]}`, 1},
		{[]string{"a", "b"}, 2, `{"entries":["a","b"]}`, 2},
		{[]string{"a", "b", "c"}, 2, `{"entries":["a","b"],"next":"b"}`, 2},
	}
	for _, tc := range tests {
		res, err := Page(tc.read, tc.limit, id, prove)
		if err != nil || string(res.Value) != tc.want || len(res.Proven) != tc.keys {
			t.Errorf("Page(%v, %d) = %s with %d proven, %v; want %s with %d", tc.read, tc.limit, res.Value, len(res.Proven), err, tc.want, tc.keys)
		}
		for i, kv := range res.Proven {
			if string(kv.Key) != "k/"+tc.read[i] {
				t.Errorf("proven %d: key %s", i, kv.Key)
			}
		}
	}
}
