package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
)

// BenchmarkReorderedStreams measures what the nonce window is for: many
// signers each send their transfers in nonce order, but consecutive txs of
// a signer go out on different ones of 16 HTTP connections at once (as a
// load generator spreading requests over connections does), so they reach
// CheckTx in another order. It prints, for nonce_window 0 (strict order,
// the old behaviour) and 16 (the default), how many txs the node refused
// and how many committed. Run it alone, once:
//
//	go test ./cmd/riffchain -run '^$' -bench ReorderedStreams -benchtime 1x
func BenchmarkReorderedStreams(b *testing.B) {
	const signers, perSigner, conns = 100, 20, 16
	for _, window := range []int{0, app.DefaultNonceWindow} {
		n := startDevNode(b)
		if window != app.DefaultNonceWindow {
			n.stop()
			cfg := filepath.Join(n.home, "config", "app.toml")
			raw, err := os.ReadFile(cfg)
			if err != nil {
				b.Fatal(err)
			}
			edited := strings.Replace(string(raw), fmt.Sprintf("nonce_window = %d", app.DefaultNonceWindow), fmt.Sprintf("nonce_window = %d", window), 1)
			if err := os.WriteFile(cfg, []byte(edited), 0o644); err != nil {
				b.Fatal(err)
			}
			n.start()
		}
		at := newAttacker(b, n, conns)
		var keys []ed25519.PrivateKey
		var addrs []ledger.Address
		for i := 0; i < signers; i++ {
			k, a := seedKey(fmt.Sprint("reorder-bench-", i))
			keys, addrs = append(keys, k), append(addrs, a)
		}
		for i := 0; i < signers; i += 50 {
			at.fund(b, 1000, addrs[i:min(i+50, signers)]...)
		}
		_, sink := seedKey("reorder-bench-sink")
		one := ledger.NewAmount(1)
		m, err := client.NewMsg("transfer", ledger.Move{To: sink, Asset: app.NativeAsset, Amount: &one})
		if err != nil {
			b.Fatal(err)
		}
		queues := make([][][]byte, conns)
		for nonce := 1; nonce <= perSigner; nonce++ {
			for s, k := range keys {
				q := (s + nonce) % conns
				queues[q] = append(queues[q], at.signed(b, k, uint64(nonce), nil, m))
			}
		}
		var refused, nonceRefused atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for q, txs := range queues {
			wg.Add(1)
			go func(c *client.Client, txs [][]byte) {
				defer wg.Done()
				for _, tx := range txs {
					res, err := c.RPC.BroadcastTxSync(context.Background(), tx)
					if err != nil || res.Code != 0 {
						refused.Add(1)
						if err == nil && res.Code == app.CodeBadNonce {
							nonceRefused.Add(1)
						}
					}
				}
			}(at.clients[q], txs)
		}
		wg.Wait()
		sent := time.Since(start)
		var committed uint64
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			committed = 0
			for _, a := range addrs {
				acc, err := at.clients[0].Account(context.Background(), a)
				if err == nil {
					committed += acc.Nonce
				}
			}
			if committed+uint64(refused.Load()) >= signers*perSigner {
				break
			}
			time.Sleep(time.Second)
		}
		fmt.Printf("nonce_window=%-2d  %d signers x %d txs over %d connections: %d refused (%d with code 10, %.1f%%), %d committed; sent in %s\n",
			window, signers, perSigner, conns, refused.Load(), nonceRefused.Load(),
			100*float64(refused.Load())/float64(signers*perSigner), committed, sent.Round(time.Millisecond))
		n.kill()
	}
}
