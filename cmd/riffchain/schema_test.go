package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Every command's -o json output has a checked-in JSON Schema in
// testdata/schema, named after the command path (riffchain tx pool swap →
// tx_pool_swap.json; a failure without a result → error.json). The README
// test validates the output of every `-o json` command it runs against
// its schema, and fails for a command that has none.

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

// commandSchemaName is the schema file name (without .json) of the
// command a shell line runs: its cobra command path below riffchain.
func commandSchemaName(shell string) (string, bool) {
	fields := strings.Fields(shell)
	for i, f := range fields {
		if strings.HasSuffix(f, "riffchain") {
			cmd, _, err := newRootCmd().Find(fields[i+1:])
			if err != nil || cmd == nil || !cmd.HasParent() {
				return "", false
			}
			path := strings.TrimPrefix(cmd.CommandPath(), "riffchain ")
			return strings.ReplaceAll(path, " ", "_"), true
		}
	}
	return "", false
}

// schemaNameOfArgs is commandSchemaName for CLI arguments.
func schemaNameOfArgs(args []string) (string, bool) {
	cmd, _, err := newRootCmd().Find(args)
	if err != nil || cmd == nil || !cmd.HasParent() {
		return "", false
	}
	return strings.ReplaceAll(strings.TrimPrefix(cmd.CommandPath(), "riffchain "), " ", "_"), true
}

// checkSchemaIfAny validates out against its command's schema when the
// command has one (the end-to-end harness checks every output it reads).
func checkSchemaIfAny(args []string, out []byte) error {
	name, ok := schemaNameOfArgs(args)
	if !ok {
		return nil
	}
	if _, err := os.Stat(filepath.Join("testdata", "schema", name+".json")); err != nil {
		return nil
	}
	return checkSchema(name, out)
}

// checkSchema validates out against testdata/schema/NAME.json.
func checkSchema(name string, out []byte) error {
	schemaMu.Lock()
	sch, ok := schemaCache[name]
	if !ok {
		path, err := filepath.Abs(filepath.Join("testdata", "schema", name+".json"))
		if err != nil {
			schemaMu.Unlock()
			return err
		}
		if _, err := os.Stat(path); err != nil {
			schemaMu.Unlock()
			return fmt.Errorf("no JSON Schema for %q: add testdata/schema/%s.json", name, name)
		}
		if sch, err = jsonschema.NewCompiler().Compile(path); err != nil {
			schemaMu.Unlock()
			return fmt.Errorf("schema %s: %w", name, err)
		}
		schemaCache[name] = sch
	}
	schemaMu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		return fmt.Errorf("output is not JSON: %w: %q", err, out)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("output does not match testdata/schema/%s.json: %v\noutput: %s", name, err, out)
	}
	return nil
}

// TestSchemasCompile: every checked-in schema compiles.
func TestSchemasCompile(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "schema", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas: %v", err)
	}
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		if _, err := jsonschema.NewCompiler().Compile(abs); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if name, ok := commandSchemaName(`riffchain tx pool swap POOL-1 --in 50 ACME-1 -o json`); !ok || name != "tx_pool_swap" {
		t.Errorf("commandSchemaName = %q, %v", name, ok)
	}
	if err := checkSchema("error", []byte(`{"error":"x","code":1}`)); err != nil {
		t.Error(err)
	}
	if err := checkSchema("error", []byte(`{"error":"x"}`)); err == nil {
		t.Error("an error object without code passed")
	}
}
