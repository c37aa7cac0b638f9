package verify

import (
	"encoding/json"
	"testing"
)

// FuzzCheckJSON: whatever a node (or a proxy) sends the browser's verifier
// is answered with a verdict, never a panic, and never "verified" without
// a header that checked out.
func FuzzCheckJSON(f *testing.F) {
	f.Add(`{}`)
	f.Add(`{"chain_id":"c","height":1,"light":{"signed_header":"CgA=","validators":"CgA="},"page":"/account/riff1","claims":[{"el":"0","kind":"balance","shown":{"asset":"A","amount":"1 A"}}]}`)
	f.Add(`{"light":{"signed_header":"!!","validators":""},"proofs":[{"ops":[{"key":"zz","data":"AA=="}]}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		var res Result
		if err := json.Unmarshal([]byte(CheckJSON(in)), &res); err != nil {
			t.Fatalf("verdict is not JSON: %v", err)
		}
		if res.Verified && !res.HeaderVerified {
			t.Fatalf("verified without a header: %+v", res)
		}
	})
}
