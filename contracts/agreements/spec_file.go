package agreements

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/riffchain/riffchain/ledger"
)

// This file reads the user's agreement spec (the JSON shape of Body that
// `agreement new --file` reads): its YAML form and account names in it.

// SpecJSON returns an agreement spec (the JSON shape of Body that
// `agreement new --file` reads) as JSON. name is the spec's file name: a
// ".json" spec, or one with another extension than ".yaml"/".yml" that
// starts with "{", is JSON and returned as it is; any other is YAML and
// converted, where an unquoted number under an amount key (amount,
// amount_in, min_out) becomes a decimal string as Body wants.
func SpecJSON(name string, data []byte) ([]byte, error) {
	ext := strings.ToLower(filepath.Ext(name))
	trimmed := bytes.TrimSpace(data)
	if ext == ".json" || (ext != ".yaml" && ext != ".yml" && len(trimmed) > 0 && trimmed[0] == '{') {
		return data, nil
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: spec %s: yaml: %v", ErrInvalidBody, name, err)
	}
	out, err := json.Marshal(yamlToJSON(v, ""))
	if err != nil {
		return nil, fmt.Errorf("%w: spec %s: yaml to json: %v", ErrInvalidBody, name, err)
	}
	return out, nil
}

// amountKeys are the spec keys whose values are amounts (decimal strings).
var amountKeys = map[string]bool{"amount": true, "amount_in": true, "min_out": true}

// yamlToJSON turns YAML-decoded values into JSON-encodable ones in place;
// key is the mapping key v is the value of ("" in a list).
func yamlToJSON(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = yamlToJSON(e, k)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = yamlToJSON(e, "")
		}
		return x
	case int, int64, uint64:
		if amountKeys[key] {
			return fmt.Sprint(x)
		}
	}
	return v
}

// specAddressKeys are the spec keys whose values are addresses.
var specAddressKeys = map[string]bool{"parties": true, "from": true, "to": true, "trader": true, "by": true}

// ResolveSpecAddresses lets a JSON spec name accounts as the flags do
// (Words.Address, e.g. key names): every string under an address key
// (parties, from, to, trader, by) that is not an address is replaced by
// what address makes of it; an error names the key. A spec that is not
// JSON, or has nothing to replace, is returned as it is (ParseBody reports
// a malformed one with context).
func ResolveSpecAddresses(spec []byte, address func(string) (ledger.Address, error)) ([]byte, error) {
	var v any
	if err := json.Unmarshal(spec, &v); err != nil {
		return spec, nil
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
			a, err := address(x)
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
