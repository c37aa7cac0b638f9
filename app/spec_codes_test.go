package app

import (
	"go/ast"
	"go/token"
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
	{"errors.md", []string{".", "../ledger", "../ledger/gas", "../ledger/query"}, 0, 99},
	{"agreements.md", []string{"../contracts/agreements"}, 100, 149},
	{"pools.md", []string{"../contracts/pools"}, 200, 249},
	{"lenses.md", []string{"../lens"}, 300, 349},
	{"validators.md", []string{"../contracts/validators"}, 450, 499},
}

// docCode is one documented code.
type docCode struct {
	name    string // ErrX (errors.md's names get the Err prefix)
	retired bool   // "retired: …": never answered again, never reused
	where   string // file:line
	dirs    []string
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
					retired := strings.HasPrefix(name, "retired")
					if !retired && !strings.HasPrefix(name, "Err") {
						name = "Err" + name
					}
					out[code] = docCode{name: name, retired: retired, where: where, dirs: cs.dirs}
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

// sentinel is a coded error as declared in the source:
// var ErrX = errs.New(code, "message").
type sentinel struct {
	code uint32
	msg  string
}

// sentinelDecls maps each package directory to its coded errors by name.
func sentinelDecls(t *testing.T) map[string]map[string]sentinel {
	t.Helper()
	out := map[string]map[string]sentinel{}
	fset := token.NewFileSet()
	for _, cs := range codeSpecs {
		for _, dir := range cs.dirs {
			if out[dir] != nil {
				continue
			}
			out[dir] = map[string]sentinel{}
			files, err := spec.GoFiles(fset, false, dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
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
						if !ok || len(call.Args) != 2 {
							continue
						}
						if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "New" {
							continue
						}
						codeLit, ok1 := call.Args[0].(*ast.BasicLit)
						msgLit, ok2 := call.Args[1].(*ast.BasicLit)
						if !ok1 || !ok2 || codeLit.Kind != token.INT || msgLit.Kind != token.STRING {
							continue
						}
						code, err1 := strconv.ParseUint(codeLit.Value, 10, 32)
						msg, err2 := strconv.Unquote(msgLit.Value)
						if err1 != nil || err2 != nil {
							t.Fatalf("%s: %v %v", fset.Position(call.Pos()), err1, err2)
						}
						out[dir][id.Name] = sentinel{code: uint32(code), msg: msg}
					}
					return true
				})
			}
		}
	}
	return out
}

// appCodes returns every code the app answers and its coded error (nil
// for 0, which has none): what its modules declare (App.Codes).
func appCodes(t *testing.T) map[uint32]error {
	t.Helper()
	c := newChain(t, fundedGenesis())
	out := map[uint32]error{CodeOK: nil}
	for code, e := range c.app.Codes() {
		if e.Code() != code {
			t.Errorf("App.Codes()[%d] is %q with code %d", code, e, e.Code())
		}
		out[code] = e
	}
	return out
}

// TestSpecErrorCodes: every code the spec documents (errors.md and the
// modules' code tables) is one the app's modules declare, with the coded
// error the spec names (its declaration in the named package has that code
// and the app's error for the code has its message), and every code the
// app answers is documented.
func TestSpecErrorCodes(t *testing.T) {
	documented := documentedCodes(t)
	sentinels := sentinelDecls(t)
	codes := appCodes(t)
	if len(documented) < 100 || len(codes) < 100 {
		t.Fatalf("%d documented codes, %d in the app: did a table change shape?", len(documented), len(codes))
	}
	var missing []uint32
	for c, d := range documented {
		err, ok := codes[c]
		if d.retired {
			if ok {
				t.Errorf("%s: code %d is documented as retired, but the app answers it for %q", d.where, c, err)
			}
			continue
		}
		if !ok {
			missing = append(missing, c)
			continue
		}
		if err == nil {
			continue
		}
		found := false
		for _, dir := range d.dirs {
			if s, ok := sentinels[dir][d.name]; ok {
				found = true
				if s.code != c || s.msg != err.Error() {
					t.Errorf("%s: code %d is %s, but %s declares %s with code %d (%q), and the app answers %d for %q", d.where, c, d.name, dir, d.name, s.code, s.msg, c, err)
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
