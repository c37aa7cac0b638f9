package app

import (
	"sort"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/spec"
)

// querySpecs are the spec files with query tables (first header cell
// "path"; the path is the first code span of the row's first cell).
var querySpecs = []string{"queries.md", "agreements.md", "pools.md", "lenses.md", "validators.md"}

// firstSegment is "pool" for "/pool/ID?x=1".
func firstSegment(path string) string {
	s := strings.TrimPrefix(path, "/")
	if i := strings.IndexAny(s, "/?["); i >= 0 {
		s = s[:i]
	}
	return s
}

// TestSpecQueryPaths: the query paths of the spec's query tables are the
// app's query routes (App.QueryPaths), both ways, and queries.md's index of
// module paths names every route (simulate: in its prose).
func TestSpecQueryPaths(t *testing.T) {
	documented := map[string]string{}
	for _, f := range querySpecs {
		tables, err := spec.Tables(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if tb.Header[0] != "path" {
				continue
			}
			for _, row := range tb.Rows {
				code := spec.Code(row[0])
				if len(code) == 0 || !strings.HasPrefix(code[0], "/") {
					t.Errorf("%s:%d: path cell %q has no `/path`", f, tb.Line, row[0])
					continue
				}
				documented[firstSegment(code[0])] = f
			}
		}
	}
	index := map[string]bool{}
	prose, err := spec.Text("queries.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range spec.Code(prose) {
		if strings.HasPrefix(c, "/") {
			index[firstSegment(c)] = true
		}
	}

	c := newChain(t, fundedGenesis())
	routes := c.app.QueryPaths()
	sort.Strings(routes)
	if len(routes) < 20 {
		t.Fatalf("only %d query routes: %v", len(routes), routes)
	}
	served := map[string]bool{}
	for _, r := range routes {
		served[r] = true
		if !index[r] {
			t.Errorf("query route /%s is not named in queries.md", r)
		}
		if _, ok := documented[r]; !ok && r != simulatePath {
			t.Errorf("query route /%s is in no query table of %v", r, querySpecs)
		}
	}
	for p, f := range documented {
		if !served[p] {
			t.Errorf("%s documents the query /%s, which the app does not route", f, p)
		}
	}
}
