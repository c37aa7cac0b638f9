package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client/lyingnode"
	"github.com/riffchain/riffchain/app/testnode"
	"github.com/riffchain/riffchain/ledger"
)

// startNode runs a one-validator chain in-process and returns its RPC
// address and a genesis-funded address.
func startNode(t *testing.T) (string, ledger.Address) {
	t.Helper()
	n := testnode.Start(t, testnode.Options{ChainID: "riff-light", KeySeed: "light-test", Balance: 1234,
		TimeoutCommit: 150 * time.Millisecond, MinHeight: 4})
	return n.RPC, n.Addr
}

// lyingProxy runs a lyingnode proxy in front of target for the test.
func lyingProxy(t *testing.T, target string, lies lyingnode.Lies) string {
	t.Helper()
	url, stop := lyingnode.Start(target, lies)
	t.Cleanup(stop)
	return url
}

func TestLightClientQueries(t *testing.T) {
	node, addr := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := New(node)
	if err != nil {
		t.Fatal(err)
	}
	trustHeight := int64(2)
	com, err := c.RPC.Commit(ctx, &trustHeight)
	if err != nil {
		t.Fatal(err)
	}
	trustHash := com.Header.Hash()
	path := "/balance/" + addr.String() + "/" + app.NativeAsset
	valueLiar := lyingProxy(t, node, lyingnode.Lies{Value: []byte("999999")})
	headerLiar := lyingProxy(t, node, lyingnode.Lies{AppHash: bytes.Repeat([]byte{0xAB}, 32)})

	tests := []struct {
		name      string
		query     string // node the query goes to
		primary   string
		witnesses []string
		hash      []byte
		wantErr   error
		incidents bool
	}{
		{name: "honest node", query: node, primary: node},
		{name: "honest node, witness", query: node, primary: node, witnesses: []string{node}},
		{name: "node lies about the value", query: valueLiar, primary: node, wantErr: ErrProofInvalid},
		{name: "value liar serves its own headers", query: valueLiar, primary: valueLiar, wantErr: ErrProofInvalid},
		{name: "forged headers, no other source", query: node, primary: headerLiar, wantErr: ErrLightClient},
		{name: "forged headers from a witness", query: node, primary: node, witnesses: []string{headerLiar}, wantErr: ErrLightClient},
		{name: "forged primary replaced by honest witnesses", query: node, primary: headerLiar,
			witnesses: []string{node, node}, incidents: true},
		{name: "wrong trust hash", query: node, primary: node, hash: bytes.Repeat([]byte{7}, 32), wantErr: ErrLightClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash := trustHash
			if tt.hash != nil {
				hash = tt.hash
			}
			err := func() error {
				v, err := NewLightVerifier(ctx, LightOptions{TrustHeight: trustHeight, TrustHash: hash,
					Primary: tt.primary, Witnesses: tt.witnesses})
				if err != nil {
					return err
				}
				q, err := New(tt.query)
				if err != nil {
					return err
				}
				a, err := q.QueryVerified(ctx, v, path, ProveOpts{}, ExpectKey(ledger.BalanceKey(addr, app.NativeAsset)))
				if err != nil {
					return err
				}
				if a.Code != 0 || string(a.Value) != "1234" || a.Height < 1 || !a.Proven {
					return fmt.Errorf("answer %+v", a)
				}
				if tt.incidents && len(v.Incidents()) == 0 {
					return errors.New("no incident reported for the forging primary")
				}
				return nil
			}()
			if err != nil {
				t.Logf("caught: %v", err)
			}
			if tt.wantErr == nil && err != nil {
				t.Fatalf("want success, got %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("want %v, got %v", tt.wantErr, err)
			}
			if tt.wantErr != nil && !errors.Is(err, ErrProofInvalid) && !errors.Is(err, ErrHeaderInvalid) {
				t.Fatalf("error %v is neither a proof nor a header failure", err)
			}
		})
	}

	// Headers before the trusted one verify backwards; absence proofs too.
	v, err := NewLightVerifier(ctx, LightOptions{TrustHeight: 4, TrustHash: mustHash(t, c, 4), Primary: node})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryVerified(ctx, v, path, ProveOpts{Height: 2}, ExpectKey(ledger.BalanceKey(addr, app.NativeAsset))); err != nil {
		t.Fatalf("query at a height below the trusted one: %v", err)
	}
	a, err := c.QueryVerified(ctx, v, "/balance/"+ledger.Address{1}.String()+"/"+app.NativeAsset, ProveOpts{},
		ExpectKey(ledger.BalanceKey(ledger.Address{1}, app.NativeAsset)))
	if err != nil || a.Code != 0 || len(a.Value) != 0 || !a.Proven {
		t.Fatalf("absent balance: %+v %v", a, err)
	}
	if _, err := NewLightVerifier(ctx, LightOptions{TrustHeight: 0, TrustHash: trustHash, Primary: node}); !errors.Is(err, ErrTrustOptions) {
		t.Fatalf("no trust height: %v", err)
	}
	if _, err := ParseTrustHash("abc"); !errors.Is(err, ErrTrustOptions) {
		t.Fatalf("bad hash: %v", err)
	}
}

func mustHash(t *testing.T, c *Client, h int64) []byte {
	t.Helper()
	com, err := c.RPC.Commit(context.Background(), &h)
	if err != nil {
		t.Fatal(err)
	}
	return com.Header.Hash()
}
