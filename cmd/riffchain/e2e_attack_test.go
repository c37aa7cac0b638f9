package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/ledger"
)

// The attack suite (spec/security.md "Bounded work"): each test drives a
// real node the way an attacker would and checks the bound holds.

// attacker is a node plus its dev key and RPC clients, each with its own
// HTTP connections.
type attacker struct {
	n       *devNode
	chainID string
	dev     ed25519.PrivateKey
	devAddr ledger.Address
	clients []*client.Client
}

func newAttacker(t testing.TB, n *devNode, conns int) *attacker {
	t.Helper()
	kr, err := keyring.Open(n.home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := kr.PrivKey("dev")
	if err != nil {
		t.Fatal(err)
	}
	at := &attacker{n: n, dev: priv, devAddr: ledger.AddressFromPubKey(priv.Public().(ed25519.PublicKey))}
	for i := 0; i < conns; i++ {
		c, err := client.New(n.rpc)
		if err != nil {
			t.Fatal(err)
		}
		at.clients = append(at.clients, c)
	}
	if at.chainID, err = at.clients[0].ChainID(context.Background()); err != nil {
		t.Fatal(err)
	}
	return at
}

// signed builds a signed tx.
func (at *attacker) signed(t testing.TB, priv ed25519.PrivateKey, nonce uint64, fee *app.Fee, msgs ...app.Msg) []byte {
	t.Helper()
	body := app.Body{ChainID: at.chainID, Signer: ledger.AddressFromPubKey(priv.Public().(ed25519.PublicKey)), Nonce: nonce, Msgs: msgs, Fee: fee, Gas: 5_000_000}
	bz, err := app.MarshalBody(body)
	if err != nil {
		t.Fatal(err)
	}
	return app.SignTx(bz, priv)
}

// fund sends amount RIFF from the dev key to each address, in one tx, and
// waits for it.
func (at *attacker) fund(t testing.TB, amount uint64, to ...ledger.Address) {
	t.Helper()
	amt := ledger.NewAmount(amount)
	var moves []ledger.Move
	for _, a := range to {
		moves = append(moves, ledger.Move{To: a, Asset: app.NativeAsset, Amount: &amt})
	}
	m, err := client.NewMsg("multi-transfer", ledger.MsgMultiTransfer{Moves: moves})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acc, err := at.clients[0].Account(ctx, at.devAddr)
	if err != nil {
		t.Fatal(err)
	}
	res, err := at.clients[0].Broadcast(ctx, at.signed(t, at.dev, acc.Nonce+1, nil, m), true)
	if err != nil || res.Code != 0 {
		t.Fatalf("fund: %v %+v", err, res)
	}
}

// rssBytes reads the resident set size of process pid from /proc.
func rssBytes(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// largeMsgs makes messages for a tx of about size bytes (64-move
// multi-transfers of 1 RIFF each).
func largeMsgs(t *testing.T, size int) []app.Msg {
	one := ledger.NewAmount(1)
	moves := make([]ledger.Move, 64)
	for i := range moves {
		_, moves[i].To = seedKey(fmt.Sprint("flood-to-", i))
		moves[i].Asset, moves[i].Amount = app.NativeAsset, &one
	}
	m, err := client.NewMsg("multi-transfer", ledger.MsgMultiTransfer{Moves: moves})
	if err != nil {
		t.Fatal(err)
	}
	var out []app.Msg
	for n := 0; n+len(m.Value)+64 < size; n += len(m.Value) + 32 {
		out = append(out, m)
	}
	return out
}

// floodRSSBound is the documented bound (spec/security.md): a flood of
// rejected txs grows the node's resident memory by less than this.
const floodRSSBound = 200 << 20

// TestAttackRejectedTxFloodRSS floods a dev node with ~60 KB txs that
// CheckTx refuses for every reason (nonce far ahead, fee below the node's
// minimum, fee the signer cannot pay, bad signature, oversize) over 8
// connections and checks that the
// node's resident memory grows by less than floodRSSBound. Before the fix
// the node kept each verified tx (about 5x its size), so this flood grew it
// by well over 400 MB (2,400 such txs: 40 -> 562 MB).
func TestAttackRejectedTxFloodRSS(t *testing.T) {
	n := startDevNode(t)
	at := newAttacker(t, n, 8)
	mallory, malloryAddr := seedKey("flood-mallory")
	poor, _ := seedKey("flood-poor")
	at.fund(t, 1000, malloryAddr)
	// The node asks a minimum fee, so "fee too low" is one of the refusals.
	n.stop()
	cfg := filepath.Join(n.home, "config", "app.toml")
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(raw, "\nmin_fees = [{ asset = \"RIFF\", amount = \"10\" }]\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	n.start()
	n.waitHeight(n.height()+2, 30*time.Second)
	pid := n.cmd.Process.Pid
	idle := rssBytes(t, pid)

	msgs := largeMsgs(t, 60_000)
	fee := &app.Fee{Asset: app.NativeAsset, Amount: ledger.NewAmount(1_000_000)}
	enough, low := &app.Fee{Asset: app.NativeAsset, Amount: ledger.NewAmount(10)}, &app.Fee{Asset: app.NativeAsset, Amount: ledger.NewAmount(1)}
	const rounds = 400
	kinds := []struct {
		name string
		tx   func(i int) []byte
	}{
		{"nonce far ahead", func(i int) []byte { return at.signed(t, mallory, 1_000_000_000+uint64(i), enough, msgs...) }},
		{"fee below the minimum", func(i int) []byte { return at.signed(t, mallory, uint64(i+1), low, msgs...) }},
		{"fee the signer cannot pay", func(i int) []byte { return at.signed(t, poor, uint64(i+1), fee, msgs...) }},
		{"bad signature", func(i int) []byte {
			tx := at.signed(t, mallory, uint64(i+1), nil, msgs...)
			tx[len(tx)-1] ^= 1
			return tx
		}},
		{"oversize", func(i int) []byte {
			return append(at.signed(t, mallory, uint64(i+1), nil, msgs...), make([]byte, app.MaxTxBytes)...)
		}},
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		peak    int64
		refused = map[string]int{}
	)
	jobs := make(chan int)
	for _, c := range at.clients {
		wg.Add(1)
		go func(c *client.Client) {
			defer wg.Done()
			for j := range jobs {
				k := kinds[j%len(kinds)]
				res, err := c.RPC.BroadcastTxSync(context.Background(), k.tx(j/len(kinds)))
				mu.Lock()
				if err == nil && res.Code != 0 {
					refused[k.name]++
				}
				if j%200 == 0 {
					peak = max(peak, rssBytes(t, pid))
				}
				mu.Unlock()
			}
		}(c)
	}
	for j := 0; j < rounds*len(kinds); j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	peak = max(peak, rssBytes(t, pid))
	for _, k := range kinds {
		if refused[k.name] < rounds*9/10 {
			t.Errorf("%s: %d of %d refused", k.name, refused[k.name], rounds)
		}
	}
	t.Logf("RSS idle %d MB, peak during the flood %d MB (%d txs of ~60 KB refused)", idle>>20, peak>>20, rounds*len(kinds))
	if peak-idle > floodRSSBound {
		t.Fatalf("a flood of rejected txs grew the node from %d MB to %d MB (bound: +%d MB)", idle>>20, peak>>20, floodRSSBound>>20)
	}
	if h := n.height(); h == 0 {
		t.Fatal("node stopped answering")
	}
}

// TestAttackNonceReorderOverConnections sends each account's txs with every
// group of 8 nonces in reverse order, each tx on a different connection (as
// a client's in-order stream arrives when spread over many connections):
// every tx is admitted and commits. Before the nonce window the first of
// each group was refused (code 10) and stranded every later nonce.
func TestAttackNonceReorderOverConnections(t *testing.T) {
	n := startDevNode(t)
	at := newAttacker(t, n, 8)
	const accounts, perAccount, group = 4, 24, 8
	var keys []ed25519.PrivateKey
	var addrs []ledger.Address
	_, sink := seedKey("reorder-sink")
	for i := 0; i < accounts; i++ {
		k, a := seedKey(fmt.Sprint("reorder-", i))
		keys, addrs = append(keys, k), append(addrs, a)
	}
	at.fund(t, 1000, addrs...)
	one := ledger.NewAmount(1)
	m, err := client.NewMsg("transfer", ledger.Move{To: sink, Asset: app.NativeAsset, Amount: &one})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, accounts*perAccount)
	for i, k := range keys {
		wg.Add(1)
		go func(i int, k ed25519.PrivateKey) {
			defer wg.Done()
			sent := 0
			for g := 0; g < perAccount; g += group {
				for j := group - 1; j >= 0; j-- {
					nonce := uint64(g + j + 1)
					c := at.clients[(i+sent)%len(at.clients)]
					sent++
					res, err := c.RPC.BroadcastTxSync(context.Background(), at.signed(t, k, nonce, nil, m))
					switch {
					case err != nil:
						errs <- fmt.Errorf("account %d nonce %d: %v", i, nonce, err)
					case res.Code != 0:
						errs <- fmt.Errorf("account %d nonce %d: code %d %s", i, nonce, res.Code, res.Log)
					}
				}
			}
		}(i, k)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	deadline := time.Now().Add(60 * time.Second)
	for i, a := range addrs {
		for {
			acc, err := at.clients[0].Account(context.Background(), a)
			if err == nil && acc.Nonce == perAccount {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("account %d: nonce %d, want %d (%v)", i, acc.Nonce, perAccount, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if got := str(n.ok("query", "balance", sink.String(), app.NativeAsset), "amount"); got != fmt.Sprint(accounts*perAccount) {
		t.Fatalf("sink received %s, want %d", got, accounts*perAccount)
	}
}

// TestAttackDustBalancesPaged: anyone can mint dust of new assets to any
// address. The victim's balances come back a page at a time, each entry
// proven; asking for more than a page is refused with code 27 and how to
// page. Before, /balances answered every balance at once (100,000 assets:
// 9.2 MB, 95 MB of proofs) and the CLI had no --limit.
func TestAttackDustBalancesPaged(t *testing.T) {
	n := startDevNode(t)
	victim := str(n.ok("keys", "add", "victim"), "address")
	for i := 0; i < 3; i++ {
		id := str(n.ok("tx", "asset", "create", "DUST", "--from", "dev"), "asset_id")
		n.ok("tx", "asset", "mint", id, "1", "--to", victim, "--from", "dev")
	}
	seen := map[string]bool{}
	after := ""
	for pages := 0; ; pages++ {
		args := []string{"query", "balances", victim, "--limit", "2", "--prove"}
		if after != "" {
			args = append(args, "--after", after)
		}
		page := n.ok(args...)
		list, _ := page["balances"].([]any)
		if len(list) > 2 || str(page, "proof_verified") != "true" {
			t.Fatalf("page %d: %v", pages, page)
		}
		for _, e := range list {
			seen[str(e.(map[string]any), "asset")] = true
		}
		if after = str(page, "next"); after == "" {
			break
		}
		if pages > 3 {
			t.Fatalf("paging does not end: %v", page)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("pages listed %d assets, want 3: %v", len(seen), seen)
	}
	failed := n.fails("query", "balances", victim, "--limit", "5000")
	if str(failed, "code") != "27" || !strings.Contains(fmt.Sprint(failed), "after") {
		t.Fatalf("limit 5000: %v", failed)
	}
}
