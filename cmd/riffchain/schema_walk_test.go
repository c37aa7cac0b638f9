package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// schemaless are the commands whose -o json output has no schema yet, each
// with why; every other command must have testdata/schema/NAME.json
// (TestEveryCommandHasSchema). Shrink this list, do not grow it.
var schemaless = map[string]string{
	"start": "runs a node; prints no result",
}

// TestEveryCommandHasSchema walks the command tree: every command that
// runs has a JSON Schema for its -o json output, or is listed in
// schemaless; every schema file names a command (or is a shared part).
func TestEveryCommandHasSchema(t *testing.T) {
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || !c.HasParent() || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		name := strings.ReplaceAll(strings.TrimPrefix(c.CommandPath(), "riffchain "), " ", "_")
		names[name] = true
		_, err := os.Stat(filepath.Join("testdata", "schema", name+".json"))
		switch _, exempt := schemaless[name]; {
		case err != nil && !exempt:
			t.Errorf("%s has no JSON Schema: add testdata/schema/%s.json", c.CommandPath(), name)
		case err == nil && exempt:
			t.Errorf("%s has a schema now: drop it from schemaless", c.CommandPath())
		}
	}
	walk(newRootCmd())
	for name := range schemaless {
		if !names[name] {
			t.Errorf("schemaless lists %q, which is not a command", name)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "schema", "*.json"))
	shared := map[string]bool{"error": true, "tx_result": true, "query_base": true}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if !names[name] && !shared[name] {
			t.Errorf("testdata/schema/%s.json names no command", name)
		}
	}
}
