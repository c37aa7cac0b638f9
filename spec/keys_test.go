package spec_test

import (
	"bytes"
	"encoding/binary"
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/spec"
)

// keyFiles are the spec files with state key tables: a table whose first
// header cell is "key" or "local key", under a heading "State …" or "Local
// index …"; the layout is the first code span of the row's first cell.
var keyFiles = []string{"state.md", "agreements.md", "pools.md", "lenses.md", "validators.md"}

func isKeySection(heading string) bool {
	return strings.HasPrefix(heading, "State ") || strings.HasPrefix(heading, "Local index")
}

// keyDirs are the packages that own state keys.
var keyDirs = []string{"../ledger", "../contracts/agreements", "../contracts/pools", "../contracts/validators", "../lens"}

func be8(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return string(b[:])
}

func be4(n uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], n)
	return string(b[:])
}

func testAddr(c byte) ledger.Address {
	var a ledger.Address
	for i := range a {
		a[i] = c + byte(i)
	}
	return a
}

// Sample values of the layouts' {placeholders}, as the spec's prose says
// they are encoded (addresses 20 raw bytes, numbers 8-byte big-endian,
// indexes 4-byte, ^seq inverted, a fee decimal).
var (
	addrA, addrM, addrC = testAddr(1), testAddr(40), testAddr(80)
	sampleID            = strings.Repeat("0123456789abcdef", 4)
	sampleCID           = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
	sampleVars          = map[string]string{
		"addr": string(addrA[:]), "member": string(addrM[:]), "collective": string(addrC[:]),
		"asset": "ACME-1", "item": "mona", "id": sampleID,
		"height": be8(1234), "time": be8(1_700_000_000), "version": be8(3), "created_height": be8(77),
		"status": string(agreements.StatusProposed), "index": be4(2),
		"asset_a": "AAA-1", "asset_b": "BBB-2", "fee": "30",
		"handle": "riffs", "target": "other", "cid": sampleCID, "^seq": be8(^uint64(5)),
	}
)

// keyCase is one documented layout and the key the code builds for it from
// the sample values (vars overrides some of them).
type keyCase struct {
	layout string
	funcs  []string // the code's key functions that build it (pkg.Func)
	vars   map[string]string
	key    []byte
}

func keyCases() []keyCase {
	poolAcct := pools.PoolAccount(sampleID)
	return []keyCase{
		// ledger (state.md)
		{layout: "acct/{addr}", funcs: []string{"ledger.AccountKey"}, key: ledger.AccountKey(addrA)},
		{layout: "asset/{id}", funcs: []string{"ledger.AssetKey"}, key: ledger.AssetKey(sampleID)},
		{layout: "bal/{addr}{asset}", funcs: []string{"ledger.BalanceKey"}, key: ledger.BalanceKey(addrA, "ACME-1")},
		{layout: "bal/{addr}{asset}", funcs: []string{"pools.ReserveKey"}, vars: map[string]string{"addr": string(poolAcct[:])}, key: pools.ReserveKey(sampleID, "ACME-1")},
		{layout: "hold/{asset}/{addr}", funcs: []string{"ledger.HolderKey"}, key: ledger.HolderKey("ACME-1", addrA)},
		{layout: "item/{asset}/{item}", funcs: []string{"ledger.ItemKey"}, key: ledger.ItemKey("ACME-1", "mona")},
		{layout: "owned/{addr}{asset}/{item}", funcs: []string{"ledger.OwnedKey"}, key: ledger.OwnedKey(addrA, "ACME-1", "mona")},
		{layout: "seq/asset", key: []byte("seq/asset")},
		// agreements (agreements.md)
		{layout: "agr/a/{id}", funcs: []string{"agreements.AgreementKey"}, key: agreements.AgreementKey(sampleID)},
		{layout: "agr/xh/{height}{id}", funcs: []string{"agreements.ExpiryHeightKey"}, key: agreements.ExpiryHeightKey(1234, sampleID)},
		{layout: "agr/xt/{time}{id}", funcs: []string{"agreements.ExpiryTimeKey"}, key: agreements.ExpiryTimeKey(1_700_000_000, sampleID)},
		{layout: "agr/c/{addr}", funcs: []string{"agreements.CollectiveKey"}, key: agreements.CollectiveKey(addrA)},
		{layout: "agr/cv/{addr}{version}", funcs: []string{"agreements.CollectiveVersionKey"}, key: agreements.CollectiveVersionKey(addrA, 3)},
		{layout: "agr/m/{member}{collective}", funcs: []string{"agreements.MemberIndexKey"}, key: agreements.MemberIndexKey(addrM, addrC)},
		{layout: "agr/seq/collective", key: []byte("agr/seq/collective")},
		{layout: "agr/cexec/{addr}", funcs: []string{"agreements.ExecNonceKey"}, key: agreements.ExecNonceKey(addrA)},
		{layout: "agr/p/{addr}{status}/{created_height}{id}", funcs: []string{"agreements.PartyIndexKey"}, key: agreements.PartyIndexKey(addrA, agreements.StatusProposed, 77, sampleID)},
		// pools (pools.md)
		{layout: "pool/id/{id}", funcs: []string{"pools.PoolKey"}, key: pools.PoolKey(sampleID)},
		{layout: "pool/pair/{asset_a}/{asset_b}/{fee}", funcs: []string{"pools.PairKey"}, key: pools.PairKey("BBB-2", "AAA-1", 30)},
		{layout: "pool/asset/{asset}/{id}", funcs: []string{"pools.AssetPoolKey"}, key: pools.AssetPoolKey("ACME-1", sampleID)},
		{layout: "pool/seq", funcs: []string{"pools.SeqKey"}, key: pools.SeqKey()},
		// Lenses (lenses.md)
		{layout: "item/LENS/{handle}", funcs: []string{"lens.OwnerKey"}, key: lens.OwnerKey("riffs")},
		{layout: "lens/l/{handle}", funcs: []string{"lens.LensKey"}, key: lens.LensKey("riffs")},
		{layout: "lens/r/{handle}/{addr}", funcs: []string{"lens.RoleKey"}, key: lens.RoleKey("riffs", addrA)},
		{layout: "lens/ri/{addr}{handle}", funcs: []string{"lens.RoleIndexKey"}, key: lens.RoleIndexKey(addrA, "riffs")},
		{layout: "lens/e/{handle}/{^seq}", funcs: []string{"lens.EntryKey"}, key: lens.EntryKey("riffs", 5)},
		{layout: "lens/c/{handle}/{cid}", funcs: []string{"lens.CIDIndexKey"}, key: lens.CIDIndexKey("riffs", sampleCID)},
		{layout: "lens/f/{handle}/{target}", funcs: []string{"lens.FollowKey"}, key: lens.FollowKey("riffs", "other")},
		{layout: "lens/b/{handle}/c/{cid}", funcs: []string{"lens.BlockCIDKey"}, key: lens.BlockCIDKey("riffs", sampleCID)},
		{layout: "lens/b/{handle}/l/{target}", funcs: []string{"lens.BlockLensKey"}, key: lens.BlockLensKey("riffs", "other")},
		{layout: "lens/s/h/{cid}/{addr}", funcs: []string{"lens.HostKey"}, key: lens.HostKey(sampleCID, addrA)},
		{layout: "lens/s/n/{cid}", funcs: []string{"lens.HostCountKey"}, key: lens.HostCountKey(sampleCID)},
		{layout: "lens/s/a/{addr}{cid}", funcs: []string{"lens.HostedKey"}, key: lens.HostedKey(addrA, sampleCID)},
		// validators (validators.md)
		{layout: "val/v/{addr}", funcs: []string{"validators.ValidatorKey"}, key: validators.ValidatorKey(addrA)},
		{layout: "val/p/{addr}", funcs: []string{"validators.PendingKey"}, key: validators.PendingKey(addrA)},
		{layout: "val/a/{id}", funcs: []string{"validators.AppliedKey"}, key: validators.AppliedKey(sampleID)},
		{layout: "val/e/{height}{index}", funcs: []string{"validators.EvidenceKey"}, key: validators.EvidenceKey(1234, 2)},
		{layout: "val/n/{addr}", funcs: []string{"validators.EvidenceCountKey"}, key: validators.EvidenceCountKey(addrA[:])},
		{layout: "val/N", funcs: []string{"validators.EvidenceTotalKey"}, key: validators.EvidenceTotalKey()},
	}
}

// documentedLayouts returns every key layout of the spec's key tables, with
// where it is documented.
func documentedLayouts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range keyFiles {
		tables, err := spec.Tables(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if h := tb.Header[0]; h != "key" && h != "local key" || !isKeySection(tb.Heading) {
				continue
			}
			for i, row := range tb.Rows {
				code := spec.Code(row[0])
				if len(code) == 0 {
					t.Errorf("%s:%d: key cell %q has no `layout`", f, tb.Line+2+i, row[0])
					continue
				}
				out[code[0]] = f + ":" + strconv.Itoa(tb.Line+2+i)
			}
		}
	}
	if len(out) < 30 {
		t.Fatalf("found only %d documented key layouts: did the tables change shape?", len(out))
	}
	return out
}

// render replaces each {name} of layout with its sample value.
func render(t *testing.T, layout string, vars map[string]string) []byte {
	t.Helper()
	var b strings.Builder
	for s := layout; s != ""; {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			t.Fatalf("layout %q: unclosed {", layout)
		}
		name := s[i+1 : i+j]
		v, ok := vars[name]
		if !ok {
			v, ok = sampleVars[name]
		}
		if !ok {
			t.Fatalf("layout %q: no sample value for {%s}: add one to sampleVars", layout, name)
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+j+1:]
	}
	return []byte(b.String())
}

// TestSpecKeyLayouts checks the state key tables of the spec against the
// code, both ways: every documented layout is what the code's key function
// builds (placeholders encoded as the spec says), every key function and
// every key prefix constant of the modules is documented.
func TestSpecKeyLayouts(t *testing.T) {
	documented := documentedLayouts(t)
	cases := keyCases()
	built := map[string]bool{}
	for _, c := range cases {
		built[c.layout] = true
		where, ok := documented[c.layout]
		if !ok {
			t.Errorf("%s (built by %v) is in no key table of %v", c.layout, c.funcs, keyFiles)
			continue
		}
		if want := render(t, c.layout, c.vars); !bytes.Equal(c.key, want) {
			t.Errorf("%s (%s): %v builds %q, the spec says %q", c.layout, where, c.funcs, c.key, want)
		}
	}
	for layout, where := range documented {
		if !built[layout] {
			t.Errorf("%s (%s) is documented but no key function builds it (or add it to keyCases)", layout, where)
		}
	}

	funcs, consts := scanKeyCode(t)
	tested := map[string]bool{}
	for _, c := range cases {
		for _, f := range c.funcs {
			tested[f] = true
		}
	}
	for _, f := range funcs {
		if !tested[f] {
			t.Errorf("key function %s is not checked against the spec: document its layout and add it to keyCases", f)
		}
	}
	for name, v := range consts {
		found := false
		for layout := range documented {
			if strings.HasPrefix(layout, v) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("key constant %s = %q starts no documented layout", name, v)
		}
	}
}

// scanKeyCode parses the key-owning packages and returns their exported
// key functions (name ending in Key, returning []byte) and their key
// constants (prefix… / key… string constants).
func scanKeyCode(t *testing.T) (funcs []string, consts map[string]string) {
	t.Helper()
	consts = map[string]string{}
	fset := token.NewFileSet()
	files, err := spec.GoFiles(fset, false, keyDirs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		pkg := f.Name.Name
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil || !d.Name.IsExported() || !strings.HasSuffix(d.Name.Name, "Key") {
					continue
				}
				if r := d.Type.Results; r != nil && len(r.List) == 1 {
					if at, ok := r.List[0].Type.(*ast.ArrayType); ok && at.Len == nil {
						if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "byte" {
							funcs = append(funcs, pkg+"."+d.Name.Name)
						}
					}
				}
			case *ast.GenDecl:
				if d.Tok != token.CONST {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if !strings.HasPrefix(n.Name, "prefix") && !strings.HasPrefix(n.Name, "key") || i >= len(vs.Values) {
							continue
						}
						lit, ok := vs.Values[i].(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						consts[pkg+"."+n.Name] = v
					}
				}
			}
		}
	}
	sort.Strings(funcs)
	if len(funcs) < 30 || len(consts) < 25 {
		t.Fatalf("found %d key functions and %d key constants: is the scan looking in the right place?", len(funcs), len(consts))
	}
	return funcs, consts
}
