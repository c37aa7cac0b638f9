package gas

import (
	"errors"
	"testing"
)

func TestMeterConsume(t *testing.T) {
	m := NewMeter(100)
	if err := m.Consume(60, "a"); err != nil || m.Used() != 60 || m.Remaining() != 40 {
		t.Fatalf("err %v used %d", err, m.Used())
	}
	if err := m.Consume(41, "b"); !errors.Is(err, ErrOutOfGas) {
		t.Fatalf("over the limit: %v", err)
	}
	if m.Used() != 100 || !m.Exhausted() {
		t.Fatalf("after running out: used %d exhausted %v", m.Used(), m.Exhausted())
	}
	// Sticky: even a free step fails once exhausted.
	if err := m.Consume(0, "c"); !errors.Is(err, ErrOutOfGas) {
		t.Fatalf("after exhaustion: %v", err)
	}
	var nilMeter *Meter
	if err := nilMeter.Consume(1<<62, "free"); err != nil || nilMeter.Used() != 0 || nilMeter.Exhausted() {
		t.Fatal("a nil meter must charge nothing")
	}
	if err := NewMeter(10).ConsumeBytes(1, ^uint64(0), 2, "overflow"); !errors.Is(err, ErrOutOfGas) {
		t.Fatalf("overflowing price: %v", err)
	}
}

type mapKV map[string][]byte

func (m mapKV) Get(k []byte) ([]byte, error) { return m[string(k)], nil }
func (m mapKV) Set(k, v []byte) error        { m[string(k)] = v; return nil }
func (m mapKV) Delete(k []byte) error        { delete(m, string(k)); return nil }
func (m mapKV) Iterate(_, _ []byte, fn func(k, v []byte) bool) error {
	for _, k := range []string{"a", "b", "c", "d"} { // sorted, as stores yield
		if v, ok := m[k]; ok && !fn([]byte(k), v) {
			return nil
		}
	}
	return nil
}

func TestStoreCharges(t *testing.T) {
	kv := mapKV{}
	m := NewMeter(1 << 40)
	s := NewStore(kv, m)
	if err := s.Set([]byte("a"), []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	if want := WriteFlat + 4*WriteByte; m.Used() != want {
		t.Fatalf("write charged %d, want %d", m.Used(), want)
	}
	before := m.Used()
	if _, err := s.Get([]byte("a")); err != nil {
		t.Fatal(err)
	}
	if want := ReadFlat + 4*ReadByte; m.Used()-before != want {
		t.Fatalf("read charged %d, want %d", m.Used()-before, want)
	}
	if Of(s) != m {
		t.Fatal("Of(store) is not its meter")
	}
	// An iteration stops, with the error, at the first key it cannot pay for.
	kv["b"], kv["c"] = []byte("1"), []byte("2")
	small := NewMeter(ReadFlat + IterStep + 4*ReadByte)
	n := 0
	err := NewStore(kv, small).Iterate(nil, nil, func(_, _ []byte) bool { n++; return true })
	if !errors.Is(err, ErrOutOfGas) || n != 1 {
		t.Fatalf("iterate: %v after %d keys, want out of gas after 1", err, n)
	}
	// A write it cannot pay for is not made.
	if err := NewStore(kv, NewMeter(10)).Set([]byte("d"), []byte("v")); !errors.Is(err, ErrOutOfGas) || kv["d"] != nil {
		t.Fatalf("unpaid write: %v, stored %q", err, kv["d"])
	}
}
