package lens

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// ManifestAnswer is the value of the /manifest query: the manifest (its
// height and chain id are left for the client to fill in: the response
// height and the node's chain id) and the stored value of each of its
// Keys, in order, so that a client can verify each proof and then
// Manifest.CheckRecords.
type ManifestAnswer struct {
	Manifest Manifest `json:"manifest"`
	Records  [][]byte `json:"records"`
}

// QueryManifest answers "/manifest/HANDLE": a ManifestAnswer. Proven:
// every key of Manifest.Keys with its stored value (Records), so an export
// carries a proof of each record.
func QueryManifest(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	h, err := handleArg(parts, "/manifest/HANDLE")
	if err != nil {
		return nil, err
	}
	m, err := NewReader(r).Manifest(h)
	if err != nil {
		return nil, notFound(err)
	}
	ans := ManifestAnswer{Manifest: m, Records: make([][]byte, len(m.Keys))}
	res := &query.Result{Proven: make([]query.KV, len(m.Keys))}
	for i, key := range m.Keys {
		v, err := r.Get(key)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, fmt.Errorf("manifest of %s: key %x has no value", h, []byte(key))
		}
		ans.Records[i] = v
		res.Proven[i] = query.KV{Key: key, Value: v}
	}
	if res.Value, err = json.Marshal(ans); err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return res, nil
}
