package lens

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/codes"
	"github.com/riffchain/riffchain/ledger/query"
	"github.com/riffchain/riffchain/ledger/query/querytest"
)

// queryFn is the shape of every QueryX of this package.
type queryFn func(ledger.Reader, []string, url.Values) (*query.Result, error)

// ask runs a query path ("/lens/a?x=y") against fn over the env's state.
func (e *env) ask(t testing.TB, fn queryFn, path string) (*query.Result, error) {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")[1:]
	return fn(e.tree, parts, u.Query())
}

// mustAsk is ask for a query that must succeed; it decodes the value into v.
func (e *env) mustAsk(t testing.TB, fn queryFn, path string, v any) *query.Result {
	t.Helper()
	res, err := e.ask(t, fn, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if v != nil {
		if err := json.Unmarshal(res.Value, v); err != nil {
			t.Fatalf("%s: decode %s: %v", path, res.Value, err)
		}
	}
	return res
}

// wantCode fails unless err is want and answers want's code.
func wantCode(t testing.TB, what string, err error, want *codes.Error) {
	t.Helper()
	if c, _ := codes.Of(err); !errors.Is(err, want) || c != want.Code() {
		t.Errorf("%s: %v (code %d), want %v (code %d)", what, err, c, want, want.Code())
	}
}

func TestQueryLensProvesRecordFollowsAndRoles(t *testing.T) {
	e := newEnv(t)
	e.create(t, addr(1), "aaa")
	e.create(t, addr(2), "bbb")
	e.follow(t, addr(1), "aaa", "bbb", 500_000)
	e.grant(t, addr(1), "aaa", addr(3), RoleMember)

	var info InfoAnswer
	res := e.mustAsk(t, QueryLens, "/lens/aaa", &info)
	if info.Owner == nil || *info.Owner != addr(1) || len(info.Follows) != 1 || len(info.Roles) != 1 || !info.Roles[0].Active {
		t.Fatalf("answer %+v", info)
	}
	kvs, err := info.KVs()
	if err != nil || len(kvs) != 4 || len(res.Proven) != 4 {
		t.Fatalf("kvs %d (%v), proven %d", len(kvs), err, len(res.Proven))
	}
	for i := range kvs {
		if !bytes.Equal(kvs[i].Key, res.Proven[i].Key) || !bytes.Equal(kvs[i].Value, res.Proven[i].Value) {
			t.Fatalf("kv %d: client rebuilds %q, node proves %q", i, kvs[i].Key, res.Proven[i].Key)
		}
	}
	querytest.Proves(t, e.tree, res.Proven)

	// An answer that disagrees with its records fails its own check.
	for name, lie := range map[string]func(v *InfoAnswer){
		"hidden follow":    func(v *InfoAnswer) { v.Follows = nil },
		"other name":       func(v *InfoAnswer) { v.Name = "forged" },
		"other owner":      func(v *InfoAnswer) { o := addr(9); v.Owner = &o },
		"owner unrecorded": func(v *InfoAnswer) { v.OwnerRecord = nil },
		"inactive role":    func(v *InfoAnswer) { v.Roles = []RoleGrant{v.Roles[0]}; v.Roles[0].Active = false },
	} {
		v := info
		v.Info.Follows = append([]Follow(nil), info.Follows...)
		lie(&v)
		if _, err := v.KVs(); !errors.Is(err, query.ErrBadQuery) {
			t.Errorf("%s: KVs = %v, want a bad answer", name, err)
		}
	}

	// A missing Lens: not found, with its absent record to prove.
	res, err = e.ask(t, QueryLens, "/lens/zzz")
	wantCode(t, "/lens/zzz", err, query.ErrNotFound)
	if res == nil || len(res.Proven) != 1 || !bytes.Equal(res.Proven[0].Key, LensKey("zzz")) || res.Proven[0].Value != nil {
		t.Fatalf("missing lens: %+v", res)
	}
}

func TestQueryLensesPagesInHandleOrder(t *testing.T) {
	e := newEnv(t)
	var empty map[string]json.RawMessage
	e.mustAsk(t, QueryLenses, "/lenses", &empty)
	if string(empty["entries"]) != "[]" || empty["next"] != nil || len(empty) != 1 {
		t.Fatalf("no lenses: %v", empty)
	}
	for _, h := range []string{"ccc", "aaa", "bbb"} {
		e.create(t, addr(1), h)
	}
	var page LensesPage
	res := e.mustAsk(t, QueryLenses, "/lenses?limit=2", &page)
	querytest.Envelope(t, res.Value)
	querytest.Proves(t, e.tree, res.Proven)
	if kvs, err := page.KVs(); err != nil || len(kvs) != 2 || len(res.Proven) != 2 || !bytes.Equal(kvs[1].Key, res.Proven[1].Key) || !bytes.Equal(kvs[1].Value, res.Proven[1].Value) {
		t.Fatalf("client rebuilds %q (%v), node proves %q", kvs, err, res.Proven)
	}
	if len(page.Entries) != 2 || page.Entries[0].Handle != "aaa" || page.Entries[1].Handle != "bbb" || page.Next != "bbb" {
		t.Fatalf("first page %+v", page)
	}
	next := page.Next
	page = LensesPage{}
	e.mustAsk(t, QueryLenses, "/lenses?limit=2&after="+next, &page)
	if len(page.Entries) != 1 || page.Entries[0].Handle != "ccc" || page.Next != "" {
		t.Fatalf("second page %+v", page)
	}
	for path, want := range map[string]*codes.Error{
		"/lenses?limit=0":      query.ErrBadQuery,
		"/lenses?limit=1001":   query.ErrBadQuery,
		"/lenses/aaa":          query.ErrBadQuery,
		"/lenses?after=Not-OK": ErrBadHandle,
	} {
		_, err := e.ask(t, QueryLenses, path)
		wantCode(t, path, err, want)
	}
}

func TestQueryViewOptions(t *testing.T) {
	e := newEnv(t)
	e.create(t, addr(1), "aaa")
	e.create(t, addr(2), "bbb")
	e.add(t, addr(2), "bbb", "b1")
	e.follow(t, addr(1), "aaa", "bbb", 500_000)

	var raw map[string]json.RawMessage
	e.mustAsk(t, QueryView, "/view/aaa?reweight=bbb:0", &raw)
	if string(raw["entries"]) != "[]" {
		t.Fatalf("a view with nothing in it lists entries %s", raw["entries"])
	}
	var v ViewResult
	e.mustAsk(t, QueryView, "/view/aaa?depth=1&reweight=bbb=1000000", &v)
	if len(v.Entries) != 1 || v.Entries[0].Score != FullWeight {
		t.Fatalf("reweighted view %+v", v)
	}
	for path, want := range map[string]*codes.Error{
		"/view/aaa?depth=x":              query.ErrBadQuery,
		"/view/aaa?limit=-1":             query.ErrBadQuery,
		"/view/aaa?reweight=bbb":         query.ErrBadQuery,
		"/view/aaa?reweight=bbb:1,bbb:2": query.ErrBadQuery,
		"/view/aaa?reweight=bbb:2000000": ErrBadWeight,
		"/view/aaa?depth=9":              ErrDepth,
		"/view/zzz":                      query.ErrNotFound,
		"/view/A":                        ErrBadHandle,
		"/view":                          query.ErrBadQuery,
	} {
		_, err := e.ask(t, QueryView, path)
		wantCode(t, path, err, want)
	}
}

func TestReweightRoundTrip(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"b:0,a=500000":     "a:500000,b:0",
		"zz:1000000":       "zz:1000000",
		"c:1,b:2,a:3,d:40": "a:3,b:2,c:1,d:40",
	} {
		rw, err := ParseReweight(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := FormatReweight(rw); got != want {
			t.Errorf("%q: formats as %q, want %q", in, got, want)
		}
	}
}

func TestQuerySeedingPages(t *testing.T) {
	e := newEnv(t)
	e.create(t, addr(1), "aaa")
	for _, s := range []string{"x1", "x2", "x3"} {
		e.add(t, addr(1), "aaa", s)
	}
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecAnnounce(b, addr(5), &MsgAnnounce{CIDs: []string{testCID("x2")}})
	})
	var ans SeedingAnswer
	querytest.Envelope(t, e.mustAsk(t, QuerySeeding, "/seeding/aaa?target=1&limit=1", &ans).Value, "lens", "target")
	if ans.Lens != "aaa" || ans.Target != 1 || len(ans.Entries) != 1 || ans.Entries[0].CID != testCID("x3") || ans.Next == "" {
		t.Fatalf("first page %+v", ans)
	}
	next := ans.Next
	ans = SeedingAnswer{}
	e.mustAsk(t, QuerySeeding, "/seeding/aaa?target=1&after="+next, &ans)
	if len(ans.Entries) != 1 || ans.Entries[0].CID != testCID("x1") || ans.Next != "" {
		t.Fatalf("second page %+v", ans)
	}
	ans = SeedingAnswer{}
	e.mustAsk(t, QuerySeeding, "/seeding/aaa", &ans)
	if ans.Target != DefaultSeedingTarget || len(ans.Entries) != 3 {
		t.Fatalf("default target %+v", ans)
	}
	for path, want := range map[string]*codes.Error{
		"/seeding/aaa?target=0": query.ErrBadQuery,
		"/seeding/aaa?after=0":  query.ErrBadQuery,
		"/seeding/aaa?limit=0":  query.ErrBadQuery,
		"/seeding/zzz":          query.ErrNotFound,
	} {
		_, err := e.ask(t, QuerySeeding, path)
		wantCode(t, path, err, want)
	}
}

func TestQueryManifestProvesEveryRecord(t *testing.T) {
	e := newEnv(t)
	e.create(t, addr(1), "aaa")
	e.create(t, addr(2), "bbb")
	e.add(t, addr(1), "aaa", "a1")
	e.follow(t, addr(1), "aaa", "bbb", 1)
	var ans ManifestAnswer
	res := e.mustAsk(t, QueryManifest, "/manifest/aaa", &ans)
	if len(res.Proven) != len(ans.Manifest.Keys) || len(ans.Records) != len(res.Proven) || len(res.Proven) < 4 {
		t.Fatalf("%d proven, %d keys, %d records", len(res.Proven), len(ans.Manifest.Keys), len(ans.Records))
	}
	for i, kv := range res.Proven {
		if !bytes.Equal(kv.Value, ans.Records[i]) {
			t.Fatalf("record %d differs from its proven value", i)
		}
	}
	querytest.Proves(t, e.tree, res.Proven)
	if err := ans.Manifest.CheckRecords(ans.Records); err != nil {
		t.Fatal(err)
	}
	_, err := e.ask(t, QueryManifest, "/manifest/zzz")
	wantCode(t, "/manifest/zzz", err, query.ErrNotFound)
}

func TestQueryHostsPagesAndProves(t *testing.T) {
	e := newEnv(t)
	cid := testCID("hosted")
	var ans HostsAnswer
	res := e.mustAsk(t, QueryHosts, "/hosts/"+cid, &ans)
	if len(ans.Entries) != 0 || ans.Count != 0 || ans.Next != "" || string(res.Value) != `{"entries":[],"count":0}` {
		t.Fatalf("no hosts: %s", res.Value)
	}
	var hosts []ledger.Address
	for n := byte(1); n <= 3; n++ {
		hosts = append(hosts, addr(n))
		e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAnnounce(b, addr(n), &MsgAnnounce{CIDs: []string{cid}})
		})
	}
	sort.Slice(hosts, func(i, j int) bool { return bytes.Compare(hosts[i][:], hosts[j][:]) < 0 })

	var got []ledger.Address
	path := "/hosts/" + cid + "?limit=2"
	for pages := 0; ; pages++ {
		ans = HostsAnswer{}
		res := e.mustAsk(t, QueryHosts, path, &ans)
		querytest.Envelope(t, res.Value, "count")
		if ans.Count != 3 || len(res.Proven) != len(ans.Entries) || pages > 1 {
			t.Fatalf("page %d: %s with %d proven", pages, res.Value, len(res.Proven))
		}
		querytest.Proves(t, e.tree, res.Proven)
		// What a client rebuilds from the answer is what the node proves.
		for i, kv := range ans.KVs(cid) {
			if !bytes.Equal(kv.Key, res.Proven[i].Key) || !bytes.Equal(kv.Value, res.Proven[i].Value) {
				t.Fatalf("page %d entry %d: client rebuilds %q=%q, node proves %q=%q", pages, i, kv.Key, kv.Value, res.Proven[i].Key, res.Proven[i].Value)
			}
		}
		for _, h := range ans.Entries {
			if h.Height <= 0 {
				t.Fatalf("host %s at height %d", h.Address, h.Height)
			}
			got = append(got, h.Address)
		}
		if ans.Next == "" {
			break
		}
		path = "/hosts/" + cid + "?limit=2&after=" + ans.Next
	}
	if len(got) != 3 || got[0] != hosts[0] || got[1] != hosts[1] || got[2] != hosts[2] {
		t.Fatalf("hosts %v, want %v", got, hosts)
	}

	// Another spelling of the CID asks for the canonical one; a client
	// rebuilds the proven keys from the spelling it asked with.
	upper := strings.ToUpper(cid)
	ans = HostsAnswer{}
	res = e.mustAsk(t, QueryHosts, "/hosts/"+upper, &ans)
	if upper == cid || ans.Count != 3 || len(ans.Entries) != 3 {
		t.Fatalf("/hosts/%s: %s", upper, res.Value)
	}
	for i, kv := range ans.KVs(upper) {
		if !bytes.Equal(kv.Key, res.Proven[i].Key) || !bytes.Equal(kv.Value, res.Proven[i].Value) {
			t.Fatalf("entry %d: client rebuilds %q, node proves %q", i, kv.Key, res.Proven[i].Key)
		}
	}

	for path, want := range map[string]*codes.Error{
		"/hosts/not-a-cid":                  query.ErrBadQuery,
		"/hosts":                            query.ErrBadQuery,
		"/hosts/" + cid + "?limit=0":        query.ErrBadQuery,
		"/hosts/" + cid + "?after=riff1zzz": ledger.ErrInvalidAddress,
	} {
		_, err := e.ask(t, QueryHosts, path)
		wantCode(t, path, err, want)
	}
}

func TestDecodeHostRefusesOtherEncodings(t *testing.T) {
	prefix := HostsPrefix("c")
	key := HostKey("c", addr(1))
	for _, tc := range []struct {
		k, v string
		ok   bool
	}{
		{string(key), "12", true},
		{string(key), "012", false},
		{string(key), "+12", false},
		{string(key), "x", false},
		{string(key[:len(key)-1]), "12", false},
	} {
		e, err := decodeHost(prefix, []byte(tc.k), []byte(tc.v))
		if (err == nil) != tc.ok || (tc.ok && (e.Address != addr(1) || e.Height != 12)) {
			t.Errorf("%q=%q: %+v, %v", tc.k, tc.v, e, err)
		}
	}
}

func TestTransferHandsTheLensOver(t *testing.T) {
	e := newEnv(t)
	e.create(t, addr(1), "aaa")
	transfer := func(from, to ledger.Address, h string) func(*Keeper, ledger.Block) (ledger.Output, error) {
		return func(k *Keeper, _ ledger.Block) (ledger.Output, error) { return nil, k.Transfer(from, to, h) }
	}
	e.fails(t, ErrBadHandle, transfer(addr(1), addr(2), "Not-A-Handle"))
	e.fails(t, ledger.ErrUnknownItem, transfer(addr(1), addr(2), "zzz"))
	e.ok(t, transfer(addr(1), addr(2), "aaa"))
	if owner, ok, err := e.reader().Owner("aaa"); err != nil || !ok || owner != addr(2) {
		t.Fatalf("owner after transfer: %s %v %v", owner, ok, err)
	}
	e.fails(t, ledger.ErrNotOwner, transfer(addr(1), addr(3), "aaa"))
}
