package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// emit prints one result: a JSON object with --output json, otherwise
// "key: value" lines in key order (nested values as compact JSON).
func emit(v any) error {
	if cfgOutput() == "json" {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode output: %w", err)
		}
		fmt.Println(string(b))
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
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

// fail prints v (the failed result) and returns an exit error with code.
func fail(v any, code int, err error) error {
	if perr := emit(v); perr != nil {
		return perr
	}
	return &exitError{code: code, err: err, printed: true}
}
