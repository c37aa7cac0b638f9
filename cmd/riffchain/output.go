package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
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
	if raw, ok := m["summary"]; ok { // what happened, first, in words
		var sum string
		if json.Unmarshal(raw, &sum) == nil && sum != "" {
			sb.WriteString(sum + "\n")
		}
	}
	for _, k := range keys {
		if k == "summary" {
			continue
		}
		if writeTable(&sb, k, m[k]) { // a list of objects: a table
			continue
		}
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

// tableFirst are the columns a table starts with, when present.
var tableFirst = []string{"id", "pool_id", "lens", "address", "asset", "amount", "display", "cid", "status"}

// writeTable writes the JSON value raw under "key:" as a table when it is
// a non-empty list of objects: one row per object, one column per key
// with a scalar value (nested values are left to -o json). It reports
// whether it wrote one.
func writeTable(sb *strings.Builder, key string, raw json.RawMessage) bool {
	var rows []map[string]any
	if json.Unmarshal(raw, &rows) != nil || len(rows) == 0 {
		return false
	}
	seen := map[string]bool{}
	var cols []string
	for _, r := range rows {
		if r == nil {
			return false
		}
		for k, v := range r {
			switch v.(type) {
			case map[string]any, []any:
				continue
			}
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	if len(cols) == 0 {
		return false
	}
	rank := func(c string) int {
		for i, f := range tableFirst {
			if f == c {
				return i
			}
		}
		return len(tableFirst)
	}
	sort.Slice(cols, func(i, j int) bool {
		if ri, rj := rank(cols[i]), rank(cols[j]); ri != rj {
			return ri < rj
		}
		return cols[i] < cols[j]
	})
	fmt.Fprintf(sb, "%s:\n", key)
	tw := tabwriter.NewWriter(sb, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.ToUpper(strings.Join(cols, "\t")))
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			switch v := r[c].(type) {
			case nil:
				cells[i] = "-"
			case string:
				cells[i] = v
			default:
				b, _ := json.Marshal(v)
				cells[i] = string(b)
			}
		}
		fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
	}
	_ = tw.Flush()
	return true
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
