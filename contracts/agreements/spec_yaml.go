package agreements

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

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
