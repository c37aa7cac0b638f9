package gas

import "fmt"

// KV is the state store interface Store meters (ledger.KV has the same
// methods; this package cannot import ledger, which imports it).
type KV interface {
	Get(key []byte) ([]byte, error)
	Iterate(start, end []byte, fn func(key, value []byte) bool) error
	Set(key, value []byte) error
	Delete(key []byte) error
}

// Store charges m for every access to kv, at the prices of the gas table,
// before the access is made (a write is charged for its key and value, a
// read for its key first and for the value it returned after): a tx that
// cannot pay for an access does not make it. Iterate charges each key it
// yields and stops, with the error, at the first it cannot pay for.
type Store struct {
	kv KV
	m  *Meter
}

// NewStore returns kv metered by m.
func NewStore(kv KV, m *Meter) *Store { return &Store{kv: kv, m: m} }

// GasMeter implements Carrier.
func (s *Store) GasMeter() *Meter { return s.m }

// Get reads key.
func (s *Store) Get(key []byte) ([]byte, error) {
	if err := s.m.ConsumeBytes(ReadFlat, ReadByte, len(key), "read"); err != nil {
		return nil, err
	}
	v, err := s.kv.Get(key)
	if err != nil {
		return nil, err
	}
	if err := s.m.ConsumeBytes(0, ReadByte, len(v), "read value"); err != nil {
		return nil, err
	}
	return v, nil
}

// Set writes key.
func (s *Store) Set(key, value []byte) error {
	if err := s.m.ConsumeBytes(WriteFlat, WriteByte, len(key)+len(value), "write"); err != nil {
		return err
	}
	return s.kv.Set(key, value)
}

// Delete deletes key.
func (s *Store) Delete(key []byte) error {
	if err := s.m.ConsumeBytes(DeleteFlat, WriteByte, len(key), "delete"); err != nil {
		return err
	}
	return s.kv.Delete(key)
}

// Iterate walks [start, end), charging IterStep and IterByte per key and
// value yielded.
func (s *Store) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	if err := s.m.ConsumeBytes(ReadFlat, ReadByte, len(start)+len(end), "iterate"); err != nil {
		return err
	}
	var cerr error
	err := s.kv.Iterate(start, end, func(k, v []byte) bool {
		if cerr = s.m.ConsumeBytes(IterStep, ReadByte, len(k)+len(v), "iterate step"); cerr != nil {
			return false
		}
		return fn(k, v)
	})
	if err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("iterate from %q: %w", start, cerr)
	}
	return nil
}
