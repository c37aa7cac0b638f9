package spec_test

import (
	"go/ast"
	"go/token"
	"regexp"
	"strconv"
	"testing"

	"github.com/riffchain/riffchain/spec"
)

// eventFiles are the spec files that document events: events.md for the
// ledger's and an index of every module's, the module files in detail.
var eventFiles = []string{"events.md", "agreements.md", "pools.md", "lenses.md", "validators.md"}

// eventDirs hold every package that emits events.
var eventDirs = []string{"../ledger", "../contracts", "../lens", "../app"}

// emitter names the functions whose first argument is an event type.
var emitter = regexp.MustCompile(`^(Emit|EmitAttrs|EmitBlockAttrs|emit[A-Z]\w*)$`)

// emittedEvents returns the event types the code emits: string literals
// passed as the first argument of an emitter, assigned to a variable named
// event that is passed instead, or written as an abci.Event's Type.
func emittedEvents(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	files, err := spec.GoFiles(fset, true, eventDirs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		literal := func(e ast.Expr) {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil {
					out[v] = fset.Position(lit.Pos()).String()
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var name string
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				if emitter.MatchString(name) && len(n.Args) > 0 {
					literal(n.Args[0])
				}
			case *ast.CompositeLit:
				// abci.Event{Type: "tx", …}, also inside []abci.Event{{…}}.
				if at, ok := n.Type.(*ast.ArrayType); ok && isABCIEvent(at.Elt) {
					for _, e := range n.Elts {
						if cl, ok := e.(*ast.CompositeLit); ok && cl.Type == nil {
							eventTypeField(cl, literal)
						}
					}
				} else if isABCIEvent(n.Type) {
					eventTypeField(n, literal)
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "event" && i < len(n.Rhs) {
						literal(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	if len(out) < 25 {
		t.Fatalf("found %d emitted event types: is the scan looking in the right place?", len(out))
	}
	return out
}

// TestSpecEvents: every event type the code emits is documented (as a
// `code span` of a spec file that documents events) and named in
// events.md's index, and every event of the spec's event tables is
// emitted.
func TestSpecEvents(t *testing.T) {
	emitted := emittedEvents(t)
	mentioned := map[string]bool{}
	inIndex := map[string]bool{}
	tabled := map[string]string{}
	for _, f := range eventFiles {
		text, err := spec.Text(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range spec.Code(text) {
			mentioned[c] = true
			if f == "events.md" {
				inIndex[c] = true
			}
		}
		tables, err := spec.Tables(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if len(tb.Header) < 2 || tb.Header[1] != "attributes" || tb.Header[0] != "type" && tb.Header[0] != "event" {
				continue
			}
			for _, row := range tb.Rows {
				for _, c := range spec.Code(row[0]) {
					tabled[c] = f
				}
			}
		}
	}
	for typ, where := range emitted {
		if !mentioned[typ] {
			t.Errorf("event %s (emitted at %s) is documented in none of %v", typ, where, eventFiles)
		}
		if !inIndex[typ] {
			t.Errorf("event %s (emitted at %s) is not named in events.md's index", typ, where)
		}
	}
	for typ, f := range tabled {
		if _, ok := emitted[typ]; !ok {
			t.Errorf("%s documents event %s, which the code never emits", f, typ)
		}
	}
}

func isABCIEvent(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "abci" && sel.Sel.Name == "Event"
}

// eventTypeField passes the Type field of an abci.Event literal to literal.
func eventTypeField(cl *ast.CompositeLit, literal func(ast.Expr)) {
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Type" {
				literal(kv.Value)
			}
		}
	}
}
