package spec_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/spec"
)

// gasTableFile is where the gas table lives in code.
const gasTableFile = "../ledger/gas/table.go"

// gasConstants returns every constant of the gas table's source with its
// value (each is an integer literal).
func gasConstants(t *testing.T) map[string]uint64 {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), gasTableFile, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.INT {
					t.Fatalf("%s: %s is not an integer literal: the test reads the table's values from the source", gasTableFile, n.Name)
				}
				v, err := strconv.ParseUint(lit.Value, 0, 64)
				if err != nil {
					t.Fatal(err)
				}
				out[n.Name] = v
			}
		}
	}
	if len(out) < 15 {
		t.Fatalf("%d gas constants: is %s still the table?", len(out), gasTableFile)
	}
	return out
}

// proseValue matches "`Name` = 25,000,000" in the spec's text.
var proseValue = regexp.MustCompile("`([A-Za-z]+)` = ([0-9][0-9,]*)")

func parseSpecNumber(s string) (uint64, error) {
	return strconv.ParseUint(strings.ReplaceAll(s, ",", ""), 10, 64)
}

// TestSpecGasTable: every price and budget of ledger/gas is in gas.md with
// its value (the gas table, or "`Name` = N" in the text), and every row of
// gas.md's table is a price of the code.
func TestSpecGasTable(t *testing.T) {
	code := gasConstants(t)
	documented := map[string]uint64{}
	tables, err := spec.Tables("gas.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if len(tb.Header) < 2 || tb.Header[0] != "name" || tb.Header[1] != "gas" {
			continue
		}
		for _, row := range tb.Rows {
			names := spec.Code(row[0])
			if len(names) != 1 {
				t.Errorf("gas.md:%d: row %q has no `Name`", tb.Line, row[0])
				continue
			}
			v, err := parseSpecNumber(row[1])
			if err != nil {
				t.Errorf("gas.md: %s: gas %q: %v", names[0], row[1], err)
				continue
			}
			documented[names[0]] = v
			if _, ok := code[names[0]]; !ok {
				t.Errorf("gas.md's table prices %s, which ledger/gas does not define", names[0])
			}
		}
	}
	text, err := spec.Text("gas.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range proseValue.FindAllStringSubmatch(text, -1) {
		if _, ok := code[m[1]]; !ok {
			continue
		}
		v, err := parseSpecNumber(m[2])
		if err != nil {
			t.Errorf("gas.md: %s = %q: %v", m[1], m[2], err)
			continue
		}
		if prev, ok := documented[m[1]]; ok && prev != v {
			t.Errorf("gas.md gives %s twice: %d and %d", m[1], prev, v)
		}
		documented[m[1]] = v
	}
	for name, v := range code {
		d, ok := documented[name]
		switch {
		case !ok:
			t.Errorf("%s (%d) is in ledger/gas but not in gas.md (table row or \"`%s` = N\")", name, v, name)
		case d != v:
			t.Errorf("%s: gas.md says %d, ledger/gas says %d", name, d, v)
		}
	}
}
