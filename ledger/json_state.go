package ledger

import (
	"encoding/json"
	"fmt"
)

// GetJSON decodes the JSON value at key into v. It reports false (and
// leaves v alone) when there is none; a value that does not decode is an
// ErrStore naming the key. Domain packages share it so that every state
// record reads the same way.
func GetJSON(r Reader, key []byte, v any) (bool, error) {
	b, err := r.Get(key)
	if err != nil {
		return false, err
	}
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%w: decode %q: %v", ErrStore, key, err)
	}
	return true, nil
}

// SetJSON stores v encoded as JSON at key and returns the bytes it stored.
// A value that does not encode is an ErrStore.
func SetJSON(kv KV, key []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrStore, err)
	}
	return b, kv.Set(key, b)
}
