package pools

import (
	"bytes"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// FuzzPoolViewKVs: a node's /pool and /pools answers are network bytes to
// the CLI and the web server, which decode them and call KVs to learn what
// to verify. Neither panics on any input, and KVs that succeed bind the
// shown fields: the record is the view's pool, the reserve values are the
// shown reserves as the ledger stores them, the share asset's supply is the
// shown total.
func FuzzPoolViewKVs(f *testing.F) {
	e := newEnv(f, 1, 2, big.NewInt(1_000_000_000))
	id := e.mustCreate(e.users[0], e.assets[0], e.assets[1], 1_000_000, 3_000_000, 30)
	res, err := QueryPool(e.kv, []string{id}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(res.Value)
	if res, err = QueryPools(e.kv, nil, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(res.Value)
	f.Add([]byte(`{"reserves":{"":"0"},"record":{},"share_asset_record":{}}`))
	f.Add([]byte(`{"reserve_a":"0","reserve_b":"5","record":null,"share_asset_record":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var page PoolsPage
		if json.Unmarshal(b, &page) == nil {
			_, _ = page.KVs()
		}
		var v PoolView
		if json.Unmarshal(b, &v) != nil {
			return
		}
		kvs, err := v.KVs()
		if err != nil {
			return
		}
		var rec Pool
		var sa ledger.Asset
		if len(kvs) != 4 || json.Unmarshal(kvs[0].Value, &rec) != nil || rec != v.Pool ||
			!bytes.Equal(kvs[1].Value, ledger.BalanceValue(v.ReserveA)) || !bytes.Equal(kvs[2].Value, ledger.BalanceValue(v.ReserveB)) ||
			json.Unmarshal(kvs[3].Value, &sa) != nil || sa.Supply.Cmp(v.TotalShares) != 0 {
			t.Fatalf("KVs %q do not bind view %+v", kvs, v)
		}
	})
}
