package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// outputField is the global --field flag: print only that field of the
// result (a string as it is, anything else as JSON).
var outputField string

// marshalOutput encodes v as compact JSON without HTML escaping (so
// "a && b" stays readable).
func marshalOutput(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// emit prints one result: a JSON object with --output json, otherwise
// "key: value" lines in key order (nested values as compact JSON); with
// --field only that field's value.
func emit(v any) error {
	b, err := marshalOutput(v)
	if err != nil {
		return err
	}
	if outputField != "" {
		return emitField(b, outputField)
	}
	if cfgOutput() == "json" {
		fmt.Println(string(b))
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		fmt.Println(string(b))
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		val := string(m[k])
		var s string
		if json.Unmarshal(m[k], &s) == nil {
			val = s
		}
		fmt.Fprintf(&sb, "%s: %s\n", k, val)
	}
	_, err = os.Stdout.WriteString(sb.String())
	return err
}

// emitField prints the field name of the JSON object b: a string as it
// is, any other value as JSON.
func emitField(b []byte, name string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("--field %s: the output is not an object", name)
	}
	raw, ok := m[name]
	if !ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("--field %s: no such field (the output has %s)", name, strings.Join(keys, ", "))
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		fmt.Println(s)
		return nil
	}
	fmt.Println(string(raw))
	return nil
}

// fail prints v (the failed result) and returns an exit error with code.
// A map result also gets "error" and, when there is one, "hint".
func fail(v any, code int, err error) error {
	if m, ok := v.(map[string]any); ok {
		addFailure(m, err) // errors_hint.go
	}
	if perr := emit(v); perr != nil {
		return perr
	}
	return &exitError{code: code, err: err, printed: true}
}
