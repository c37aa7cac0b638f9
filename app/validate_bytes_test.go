package app

import (
	"errors"
	"go/ast"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/spec"
)

// messageDirs hold every type the app validates with struct tags.
var messageDirs = []string{".", "../ledger", "../contracts", "../lens"}

// taggedField is a struct field with a validate tag, found in the source.
type taggedField struct {
	name string // pkg.Type.Field
	typ  ast.Expr
	tag  string
	pos  string
}

// scanValidateTags parses the non-test Go files under messageDirs and
// returns every struct field with a validate tag, and the names of the
// named types whose underlying type is string.
func scanValidateTags(t *testing.T) (fields []taggedField, stringTypes map[string]bool) {
	t.Helper()
	stringTypes = map[string]bool{}
	fset := token.NewFileSet()
	files, err := spec.GoFiles(fset, true, messageDirs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if id, ok := ts.Type.(*ast.Ident); ok && id.Name == "string" {
				stringTypes[ts.Name.Name] = true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fl := range st.Fields.List {
				if fl.Tag == nil {
					continue
				}
				tag := reflect.StructTag(strings.Trim(fl.Tag.Value, "`")).Get("validate")
				if tag == "" {
					continue
				}
				for _, nm := range fl.Names {
					fields = append(fields, taggedField{
						name: f.Name.Name + "." + ts.Name.Name + "." + nm.Name,
						typ:  fl.Type, tag: tag, pos: fset.Position(fl.Pos()).String(),
					})
				}
			}
			return true
		})
	}
	return fields, stringTypes
}

// isString reports whether e, dereferenced level times through slices,
// arrays and map values, is a string type.
func isString(e ast.Expr, level int, stringTypes map[string]bool) bool {
	for ; level > 0; level-- {
		switch x := e.(type) {
		case *ast.ArrayType:
			e = x.Elt
		case *ast.MapType:
			e = x.Value
		case *ast.StarExpr:
			e = x.X
			level++
		default:
			return false
		}
	}
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "string" || stringTypes[x.Name]
	case *ast.SelectorExpr:
		return stringTypes[x.Sel.Name]
	}
	return false
}

// byteRules returns the maxbytes/lenbytes rules of a tag and the rune-counting
// length rules it applies to strings (which it must not have).
func byteRules(f taggedField, stringTypes map[string]bool) (bytes, runes []string) {
	level := 0
	for _, r := range strings.Split(f.tag, ",") {
		if r == "dive" {
			level++
			continue
		}
		name, _, _ := strings.Cut(r, "=")
		switch name {
		case "maxbytes", "lenbytes":
			bytes = append(bytes, r)
		case "max", "min", "len", "eq", "ne", "gt", "gte", "lt", "lte":
			if isString(f.typ, level, stringTypes) {
				runes = append(runes, r)
			}
		}
	}
	return bytes, runes
}

// TestStringLengthTagsCountBytes: no message string field has a validator
// length rule that counts runes (max, min, len…); byte rules are used
// instead (spec/tx.md, "Changes"). It also checks that every byte rule is
// one TestByteLengthLimits exercises on both sides.
func TestStringLengthTagsCountBytes(t *testing.T) {
	fields, stringTypes := scanValidateTags(t)
	if len(fields) < 40 {
		t.Fatalf("found only %d tagged fields: is the scan looking in the right place?", len(fields))
	}
	var withBytes []string
	for _, f := range fields {
		b, r := byteRules(f, stringTypes)
		if len(r) > 0 {
			t.Errorf("%s (%s): rune-counting rule %v on a string; use maxbytes=N / lenbytes=N", f.name, f.pos, r)
		}
		for _, rule := range b {
			withBytes = append(withBytes, f.name+" "+rule)
		}
	}
	var tested []string
	for _, c := range byteLimitCases() {
		tested = append(tested, c.field+" "+c.rule)
	}
	sort.Strings(withBytes)
	sort.Strings(tested)
	if !reflect.DeepEqual(withBytes, tested) {
		t.Errorf("byte rules in the source and in TestByteLengthLimits differ:\nsource: %q\ntested: %q", withBytes, tested)
	}
}

// byteLimitCase sets one string field of a message to s.
type byteLimitCase struct {
	field string // pkg.Type.Field as scanValidateTags names it
	rule  string // the tag rule, e.g. maxbytes=64 (the spec's limit)
	set   func(s string) any
}

func byteLimitCases() []byteLimitCase {
	return []byteLimitCase{
		{"app.Body.ChainID", "maxbytes=64", func(s string) any { return &Body{ChainID: s} }},
		{"app.Body.Memo", "maxbytes=256", func(s string) any { return &Body{Memo: s} }},
		{"app.Msg.Type", "maxbytes=64", func(s string) any { return &Msg{Type: s} }},
		{"ledger.MsgCreateAsset.Name", "maxbytes=64", func(s string) any { return &ledger.MsgCreateAsset{Name: s} }},
		{"agreements.ExecMsg.Type", "maxbytes=64", func(s string) any { return &agreements.ExecMsg{Type: s} }},
		{"agreements.File.ID", "lenbytes=64", func(s string) any { return &agreements.File{ID: s} }},
		{"agreements.Body.Title", "maxbytes=256", func(s string) any { return &agreements.Body{Title: s} }},
		{"agreements.Body.Salt", "maxbytes=64", func(s string) any { return &agreements.Body{Salt: s} }},
		{"agreements.PoolSwapAction.Pool", "maxbytes=64", func(s string) any { return &agreements.PoolSwapAction{Pool: s} }},
		{"agreements.LensTransferAction.Lens", "maxbytes=128", func(s string) any { return &agreements.LensTransferAction{Lens: s} }},
		{"agreements.Obligation.What", "maxbytes=512", func(s string) any { return &agreements.Obligation{What: s} }},
		{"agreements.MsgAccept.ID", "lenbytes=64", func(s string) any { return &agreements.MsgAccept{ID: s} }},
		{"agreements.MsgReject.ID", "lenbytes=64", func(s string) any { return &agreements.MsgReject{ID: s} }},
		{"agreements.MsgWithdraw.ID", "lenbytes=64", func(s string) any { return &agreements.MsgWithdraw{ID: s} }},
		{"agreements.MsgExecute.ID", "lenbytes=64", func(s string) any { return &agreements.MsgExecute{ID: s} }},
		{"agreements.MsgAttest.ID", "lenbytes=64", func(s string) any { return &agreements.MsgAttest{ID: s} }},
		{"agreements.MsgCreateCollective.Name", "maxbytes=64", func(s string) any { return &agreements.MsgCreateCollective{Name: s} }},
		{"pools.MsgAdd.Pool", "maxbytes=32", func(s string) any { return &pools.MsgAdd{Pool: s} }},
		{"pools.MsgRemove.Pool", "maxbytes=32", func(s string) any { return &pools.MsgRemove{Pool: s} }},
		{"pools.MsgSwap.Path", "maxbytes=32", func(s string) any { return &pools.MsgSwap{Path: []string{s}} }},
		{"lens.MsgCreate.Name", "maxbytes=64", func(s string) any { return &lens.MsgCreate{Name: s} }},
		{"lens.MsgFork.Name", "maxbytes=64", func(s string) any { return &lens.MsgFork{Name: s} }},
		{"lens.MsgAddEntry.Title", "maxbytes=200", func(s string) any { return &lens.MsgAddEntry{Title: s} }},
		{"lens.MsgFork.Tag", "maxbytes=32", func(s string) any { return &lens.MsgFork{Tag: s} }},
	}
}

// failsRule reports whether validating v reports rule on field (a
// struct field name, or its elements for a slice).
func failsRule(t *testing.T, v any, field, rule string) bool {
	t.Helper()
	err := validate.Struct(v)
	var verrs validator.ValidationErrors
	if err != nil && !errors.As(err, &verrs) {
		t.Fatalf("validate: %v", err)
	}
	name, _, _ := strings.Cut(rule, "=")
	for _, fe := range verrs {
		f := fe.StructField()
		if (f == field || strings.HasPrefix(f, field+"[")) && fe.Tag() == name {
			return true
		}
	}
	return false
}

// TestByteLengthLimits checks every byte-length rule on both sides of its
// limit with multi-byte runes: N bytes passes, more bytes fail even when
// they are fewer runes than N (what validator/v10's max let through).
func TestByteLengthLimits(t *testing.T) {
	for _, c := range byteLimitCases() {
		t.Run(c.field, func(t *testing.T) {
			name, param, _ := strings.Cut(c.rule, "=")
			n := 0
			for _, ch := range param {
				n = n*10 + int(ch-'0')
			}
			field := c.field[strings.LastIndex(c.field, ".")+1:]
			// n bytes: n/2 two-byte runes, or n/4 four-byte runes.
			atLimit := []string{strings.Repeat("é", n/2), strings.Repeat("😀", n/4)}
			// More than n bytes in at most n runes.
			over := []string{strings.Repeat("é", n/2+1), strings.Repeat("😀", n/4) + "é", strings.Repeat("€", n)}
			for _, s := range atLimit {
				if len(s) != n {
					t.Fatalf("test value of %d bytes, want %d", len(s), n)
				}
				if failsRule(t, c.set(s), field, c.rule) {
					t.Errorf("%d bytes (%d runes) refused by %s", len(s), len([]rune(s)), c.rule)
				}
			}
			for _, s := range over {
				if len([]rune(s)) > n || len(s) <= n {
					t.Fatalf("test value of %d bytes, %d runes", len(s), len([]rune(s)))
				}
				if !failsRule(t, c.set(s), field, c.rule) {
					t.Errorf("%d bytes (%d runes) accepted by %s", len(s), len([]rune(s)), c.rule)
				}
			}
			if name == "lenbytes" {
				if s := strings.Repeat("é", n/2-1); !failsRule(t, c.set(s), field, c.rule) {
					t.Errorf("%d bytes accepted by %s", len(s), c.rule)
				}
			}
		})
	}
}

// TestByteLimitsInTxs: the limits hold end to end in CheckTx and in a
// block: a memo and an asset name at their byte limit in multi-byte runes
// pass, one rune more (still fewer runes than the limit) is code 6.
func TestByteLimitsInTxs(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	tx := func(memo, name string) []byte {
		msg := transferMsg(t, bob.addr, 1, NativeAsset)
		if name != "" {
			msg = mustMsg(t, "asset/create", ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "ACME", Name: name})
		}
		b := Body{ChainID: testChain, Signer: alice.addr, Nonce: c.nonces[alice.addr] + 1, Msgs: []Msg{msg}, Memo: memo, Gas: testGas}
		bz, err := MarshalBody(b)
		if err != nil {
			t.Fatal(err)
		}
		return SignTx(bz, alice.priv)
	}
	cases := []struct {
		name        string
		memo, asset string
		code        uint32
	}{
		{"memo of 256 bytes", strings.Repeat("é", 128), "", CodeOK},
		{"memo of 258 bytes, 129 runes", strings.Repeat("é", 129), "", CodeInvalidField},
		{"asset name of 64 bytes", "", strings.Repeat("😀", 16), CodeOK},
		{"asset name of 66 bytes, 17 runes", "", strings.Repeat("😀", 16) + "é", CodeInvalidField},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := tx(tc.memo, tc.asset)
			if res := c.check(raw); res.Code != tc.code {
				t.Fatalf("CheckTx code %d (%s), want %d", res.Code, res.Log, tc.code)
			}
			res := c.block(raw)
			if got := res.TxResults[0].Code; got != tc.code {
				t.Fatalf("block code %d (%s), want %d", got, res.TxResults[0].Log, tc.code)
			}
			if tc.code == CodeOK {
				c.nonces[alice.addr]++
			}
		})
	}
}
