package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/spec"
)

// codeSpecs are the spec files with code tables (a table whose first header
// cell is "code"; each "code" column is followed by the error's name) and
// the packages whose sentinels they name.
var codeSpecs = []struct {
	file string
	dirs []string
	min  uint32 // the file's range (errors.md: the app's own codes)
	max  uint32
}{
	{"errors.md", []string{".", "../ledger", "../ledger/gas"}, 0, 99},
	{"agreements.md", []string{"../contracts/agreements"}, 100, 149},
	{"pools.md", []string{"../contracts/pools"}, 200, 249},
	{"lenses.md", []string{"../lens"}, 300, 349},
	{"validators.md", []string{"../contracts/validators"}, 450, 499},
}

// docCode is one documented code.
type docCode struct {
	name  string // ErrX (errors.md's names get the Err prefix)
	where string // file:line
	dirs  []string
}

func documentedCodes(t *testing.T) map[uint32]docCode {
	t.Helper()
	out := map[uint32]docCode{}
	for _, cs := range codeSpecs {
		tables, err := spec.Tables(cs.file)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tb := range tables {
			if tb.Header[0] != "code" {
				continue
			}
			for r, row := range tb.Rows {
				where := cs.file + ":" + strconv.Itoa(tb.Line+2+r)
				for i, h := range tb.Header {
					if h != "code" || i+1 >= len(row) || row[i] == "" {
						continue
					}
					c, err := strconv.ParseUint(row[i], 10, 32)
					if err != nil {
						t.Errorf("%s: code cell %q: %v", where, row[i], err)
						continue
					}
					code := uint32(c)
					if code < cs.min || code > cs.max {
						t.Errorf("%s: code %d is outside the file's range %d–%d", where, code, cs.min, cs.max)
					}
					if prev, dup := out[code]; dup {
						t.Errorf("%s: code %d documented twice (also %s)", where, code, prev.where)
					}
					name := strings.Trim(row[i+1], "` ")
					if !strings.HasPrefix(name, "Err") {
						name = "Err" + name
					}
					out[code] = docCode{name: name, where: where, dirs: cs.dirs}
					n++
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no code table found", cs.file)
		}
	}
	return out
}

// sentinelMessages maps each package directory to its sentinel errors
// (var ErrX = errors.New("message")) by name.
func sentinelMessages(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	fset := token.NewFileSet()
	for _, cs := range codeSpecs {
		for _, dir := range cs.dirs {
			if out[dir] != nil {
				continue
			}
			out[dir] = map[string]string{}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
					continue
				}
				f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
				if err != nil {
					t.Fatal(err)
				}
				ast.Inspect(f, func(n ast.Node) bool {
					vs, ok := n.(*ast.ValueSpec)
					if !ok {
						return true
					}
					for i, id := range vs.Names {
						if !strings.HasPrefix(id.Name, "Err") || i >= len(vs.Values) {
							continue
						}
						call, ok := vs.Values[i].(*ast.CallExpr)
						if !ok || len(call.Args) != 1 {
							continue
						}
						if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "New" {
							continue
						}
						lit, ok := call.Args[0].(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						msg, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						out[dir][id.Name] = msg
					}
					return true
				})
			}
		}
	}
	return out
}

// appCodes returns every code the app can answer and the sentinel error
// behind it (nil for 0 and 1, which have none). Today: the code table and
// the two codes outside it.
func appCodes(t *testing.T) map[uint32]error {
	t.Helper()
	out := map[uint32]error{CodeOK: nil, CodeInternal: nil}
	for _, e := range codeTable {
		if prev, dup := out[e.code]; dup {
			t.Errorf("code %d given to two errors: %v and %v", e.code, prev, e.err)
		}
		out[e.code] = e.err
	}
	return out
}

// TestSpecErrorCodes: every code the spec documents (errors.md and the
// modules' code tables) is one the app answers, with the sentinel the spec
// names, and every code the app answers is documented.
func TestSpecErrorCodes(t *testing.T) {
	documented := documentedCodes(t)
	sentinels := sentinelMessages(t)
	codes := appCodes(t)
	if len(documented) < 100 || len(codes) < 100 {
		t.Fatalf("%d documented codes, %d in the app: did a table change shape?", len(documented), len(codes))
	}
	var missing []uint32
	for c, d := range documented {
		err, ok := codes[c]
		if !ok {
			missing = append(missing, c)
			continue
		}
		if err == nil {
			continue
		}
		found := false
		for _, dir := range d.dirs {
			if msg, ok := sentinels[dir][d.name]; ok {
				found = true
				if msg != err.Error() {
					t.Errorf("%s: code %d is %s, but the app gives it to the error %q, and %s says %q", d.where, c, d.name, err, dir, msg)
				}
			}
		}
		if !found {
			t.Errorf("%s: code %d names %s, which is no sentinel of %v", d.where, c, d.name, d.dirs)
		}
	}
	for c, err := range codes {
		if _, ok := documented[c]; !ok {
			t.Errorf("code %d (%v) is in no code table of the spec", c, err)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	for _, c := range missing {
		t.Errorf("%s documents code %d (%s), which the app never answers", documented[c].where, c, documented[c].name)
	}
}
