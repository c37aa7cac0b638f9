package main

import (
	"encoding/json"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// specAddressKeys are the agreement spec fields that hold addresses.
var specAddressKeys = map[string]bool{"parties": true, "from": true, "to": true, "trader": true, "by": true}

// resolveSpecKeys lets an agreement spec name accounts by key name, as
// the flags do: every address field whose value is not an address is
// resolved in the keyring (a name that is not a key is an error naming it).
func resolveSpecKeys(spec []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(spec, &v); err != nil {
		return spec, nil // the strict decoder reports it with context
	}
	changed := false
	var resolve func(key string, v any) (any, error)
	resolve = func(key string, v any) (any, error) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				r, err := resolve(k, e)
				if err != nil {
					return nil, err
				}
				x[k] = r
			}
		case []any:
			for i, e := range x {
				r, err := resolve(key, e)
				if err != nil {
					return nil, err
				}
				x[i] = r
			}
		case string:
			if !specAddressKeys[key] {
				return x, nil
			}
			if _, err := ledger.ParseAddress(x); err == nil {
				return x, nil
			}
			a, err := resolveAddress(x)
			if err != nil {
				return nil, fmt.Errorf("spec %s: %w", key, err)
			}
			changed = true
			return a.String(), nil
		}
		return v, nil
	}
	r, err := resolve("", v)
	if err != nil {
		return nil, err
	}
	if !changed {
		return spec, nil
	}
	return json.Marshal(r)
}
