package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startNode runs a one-validator chain in-process and returns its RPC
// address and a genesis-funded address.
func startNode(t *testing.T) (string, ledger.Address) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a node")
	}
	// The node may still write its address book while stopping, so the
	// home is removed after it, with retries (t.TempDir would fail).
	home, err := os.MkdirTemp("", "riff-light")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20 && os.RemoveAll(home) != nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	})
	rpc := "tcp://" + freeAddr(t)
	if _, err := app.InitHome(app.InitOptions{Home: home, ChainID: "riff-light", Moniker: "v0",
		RPCAddr: rpc, P2PAddr: "tcp://" + freeAddr(t), TimeoutCommit: 150 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	seed := sha256.Sum256([]byte("light-test"))
	addr := ledger.AddressFromPubKey(ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
	if err := app.AddGenesisBalance(home, addr, app.NativeAsset, ledger.NewAmount(1234)); err != nil {
		t.Fatal(err)
	}
	n, err := app.NewNode(home, log.NewNopLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	c, err := New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := c.RPC.Status(context.Background())
		if err == nil && st.SyncInfo.LatestBlockHeight >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node did not reach height 4")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return rpc, addr
}

// lyingProxy forwards JSON-RPC to a real node and rewrites answers:
// "value" changes abci_query values, "header" changes the app hash of
// every header served by /commit.
func lyingProxy(t *testing.T, target, mode string) string {
	t.Helper()
	up := rpcURL(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		resp, err := http.Post(up, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var req struct {
			Method string `json:"method"`
		}
		_ = json.Unmarshal(body, &req)
		var msg map[string]any
		if json.Unmarshal(out, &msg) == nil {
			res, _ := msg["result"].(map[string]any)
			switch {
			case mode == "value" && req.Method == "abci_query" && res != nil:
				if rr, ok := res["response"].(map[string]any); ok {
					rr["value"] = base64.StdEncoding.EncodeToString([]byte("999999"))
				}
			case mode == "header" && req.Method == "commit" && res != nil:
				if sh, ok := res["signed_header"].(map[string]any); ok {
					if h, ok := sh["header"].(map[string]any); ok {
						h["app_hash"] = strings.Repeat("AB", 32)
					}
				}
			}
			out, _ = json.Marshal(msg)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
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
	valueLiar := lyingProxy(t, node, "value")
	headerLiar := lyingProxy(t, node, "header")

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
				val, h, code, _, err := q.QueryVerified(ctx, v, path, 0, nil)
				if err != nil {
					return err
				}
				if code != 0 || string(val) != "1234" || h < 1 {
					return fmt.Errorf("answer code %d value %q height %d", code, val, h)
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
	if _, _, _, _, err := c.QueryVerified(ctx, v, path, 2, nil); err != nil {
		t.Fatalf("query at a height below the trusted one: %v", err)
	}
	val, _, code, _, err := c.QueryVerified(ctx, v, "/balance/"+ledger.Address{1}.String()+"/"+app.NativeAsset, 0, nil)
	if err != nil || code != 0 || len(val) != 0 {
		t.Fatalf("absent balance: %q %d %v", val, code, err)
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
