package lens

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// FuzzLensAnswers: a node's /lens, /lenses, /hosts and /manifest answers
// are network bytes to the CLI and the web server, which decode them and
// rebuild from them what to verify (InfoAnswer.KVs, LensesPage.KVs,
// HostsAnswer.KVs, Manifest.CheckRecords). None panics on any input, and
// KVs that succeed bind the shown fields: the first is the Lens record
// equal to the shown one, one follow per follow the record counts, one
// role per listed role; each listed Lens and each host is proven at its
// own key (a host with its shown height).
func FuzzLensAnswers(f *testing.F) {
	e := newEnv(f)
	e.create(f, addr(1), "aaa")
	e.create(f, addr(2), "bbb")
	e.add(f, addr(1), "aaa", "a1")
	e.follow(f, addr(1), "aaa", "bbb", 500_000)
	e.grant(f, addr(1), "aaa", addr(3), RoleMember)
	e.ok(f, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecAnnounce(b, addr(4), &MsgAnnounce{CIDs: []string{testCID("a1")}})
	})
	for _, q := range []struct {
		fn    queryFn
		parts []string
	}{
		{QueryLens, []string{"aaa"}},
		{QueryLenses, nil},
		{QueryHosts, []string{testCID("a1")}},
		{QueryManifest, []string{"aaa"}},
	} {
		res, err := q.fn(e.tree, q.parts, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(res.Value)
	}
	f.Add([]byte(`{"handle":"aaa","follow_count":1,"follows":[],"record":{"handle":"aaa"},"owner_record":null}`))
	f.Add([]byte(`{"entries":[{"address":"x","height":-1}],"count":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var hosts HostsAnswer
		if json.Unmarshal(b, &hosts) == nil {
			kvs := hosts.KVs("c")
			for i, kv := range kvs {
				h := hosts.Entries[i]
				if !bytes.Equal(kv.Key, HostKey("c", h.Address)) || string(kv.Value) != strconv.FormatInt(h.Height, 10) {
					t.Fatalf("host kv %d %q does not bind %+v", i, kv, h)
				}
			}
		}
		var page LensesPage
		if json.Unmarshal(b, &page) == nil {
			kvs, err := page.KVs()
			for i := range kvs {
				if err != nil || !bytes.Equal(kvs[i].Key, LensKey(page.Entries[i].Handle)) {
					t.Fatalf("lenses kv %d %q does not bind %+v (%v)", i, kvs[i], page.Entries[i], err)
				}
			}
		}
		var m ManifestAnswer
		if json.Unmarshal(b, &m) == nil {
			_ = m.Manifest.CheckRecords(m.Records)
		}
		var v InfoAnswer
		if json.Unmarshal(b, &v) != nil {
			return
		}
		kvs, err := v.KVs()
		if err != nil {
			return
		}
		var rec Lens
		if len(kvs) != 2+len(v.Follows)+len(v.Roles) || uint64(len(v.Follows)) != v.FollowCount ||
			!bytes.Equal(kvs[0].Key, LensKey(v.Handle)) || json.Unmarshal(kvs[0].Value, &rec) != nil || rec != v.Lens ||
			!bytes.Equal(kvs[1].Key, OwnerKey(v.Handle)) {
			t.Fatalf("KVs %q do not bind answer %+v", kvs, v)
		}
	})
}
