package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/app/testnet"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// Network fault tests: a 4-validator testnet of real `riffchain start`
// processes on loopback, a client stream of transfers and agreements
// throughout, and faults (SIGKILL, SIGSTOP, kill-all, an invalid-tx flood, a
// node with a minimum fee, a network partition). After each fault every tx
// the client saw committed must be in the chain on every node and reflected
// in state, the chain must hold no other tx, and no two nodes may report
// different blocks at the same height. A fifth, non-validator node joins
// mid-run by state sync (`init --join`) and is checked the same way from
// the height its snapshot restored. Skipped with -short.

const (
	netFee        = 5 // RIFF fee the load pays on every tx (node1 demands it)
	netSenders    = 6
	netTimeout    = 300 * time.Millisecond
	netGenesisBal = 1_000_000_000
	// netSnapshotInterval is the validators' snapshot_interval in
	// TestNetworkFaults, so a joiner finds a recent snapshot.
	netSnapshotInterval = 10
)

// netNode is one `riffchain start` process of the network.
type netNode struct {
	i       int
	home    string
	rpc     string
	logPath string
	wrap    []string // command prefix (ip netns exec NS)
	c       *client.Client

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// loadAcct is a sender of the load with the recipient it pays.
type loadAcct struct {
	priv   ed25519.PrivateKey
	addr   ledger.Address
	to     ledger.Address
	toPriv ed25519.PrivateKey // the recipient co-signs agreements
	nonce  uint64             // last nonce the client saw committed
}

// txRecord is a tx the client saw committed.
type txRecord struct {
	hash   [32]byte
	height int64
	code   uint32
	from   ledger.Address
	to     ledger.Address
	amount uint64
	fee    uint64
	at     time.Time
}

// network is a running testnet plus the client's log of committed txs.
type network struct {
	t       *testing.T
	bin     string
	sum     *testnet.Summary
	nodes   []*netNode // the validators; the load sends to these
	joined  []*netNode // nodes that joined later (checked by verify, not sent to)
	senders []*loadAcct
	vals    []ledger.Address // validator accounts (they receive fees)

	mu      sync.Mutex
	records []txRecord
	checked int // records already checked block by block
}

func seedKey(seed string) (ed25519.PrivateKey, ledger.Address) {
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	return priv, ledger.AddressFromPubKey(priv.Public().(ed25519.PublicKey))
}

// startNetwork creates and starts a 4-validator network. hosts and wrap
// (per node command prefix) are for the partition test; edit adjusts
// configs (consensus timeouts are shortened for every node).
func startNetwork(t *testing.T, hosts []string, wrap func(i int) []string, edit func(i int, c *cmtcfg.Config, a *app.AppConfig)) *network {
	t.Helper()
	nw := &network{t: t, bin: riffBinary(t)}
	var extra []ledger.Holding
	for i := range netSenders + 1 { // the last one is the min-fee test's account
		priv, addr := seedKey(fmt.Sprintf("load-%d", i))
		toPriv, to := seedKey(fmt.Sprintf("recipient-%d", i))
		nw.senders = append(nw.senders, &loadAcct{priv: priv, addr: addr, to: to, toPriv: toPriv})
		extra = append(extra, ledger.Holding{Address: addr, Asset: app.NativeAsset, Amount: ledger.NewAmount(netGenesisBal)})
	}
	start := time.Now()
	sum, err := testnet.Create(testnet.Options{Validators: 4, Dir: filepath.Join(t.TempDir(), "net"),
		ChainID: "riff-faults", Hosts: hosts, TimeoutCommit: netTimeout, ExtraBalances: extra,
		Edit: func(i int, c *cmtcfg.Config, a *app.AppConfig) {
			c.Consensus.TimeoutPropose = time.Second
			c.Consensus.TimeoutPrevote = 500 * time.Millisecond
			c.Consensus.TimeoutPrecommit = 500 * time.Millisecond
			c.LogLevel = "info"
			if edit != nil {
				edit(i, c, a)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	nw.sum = sum
	for _, n := range sum.Nodes {
		v, err := hex.DecodeString(n.Validator)
		if err != nil || len(v) != 20 {
			t.Fatalf("validator address %q", n.Validator)
		}
		var a ledger.Address
		copy(a[:], v)
		nw.vals = append(nw.vals, a)
		c, err := client.New(n.RPC)
		if err != nil {
			t.Fatal(err)
		}
		nn := &netNode{i: n.Index, home: n.Home, rpc: n.RPC, logPath: filepath.Join(n.Home, "node.log"), c: c}
		if wrap != nil {
			nn.wrap = wrap(n.Index)
		}
		nw.nodes = append(nw.nodes, nn)
	}
	t.Cleanup(func() {
		for _, n := range nw.all() {
			n.kill()
		}
		if t.Failed() {
			for _, n := range nw.all() {
				t.Logf("node%d log tail:\n%s", n.i, n.logTail())
			}
		}
	})
	for _, n := range nw.nodes {
		n.start(t, nw.bin)
	}
	nw.waitAll(3, 60*time.Second)
	t.Logf("network: 4 validators up at height >= 3 in %s (%s)", time.Since(start).Round(time.Millisecond), sum.Dir)
	return nw
}

// all returns the validators and the nodes that joined later.
func (nw *network) all() []*netNode {
	return append(append([]*netNode(nil), nw.nodes...), nw.joined...)
}

func (n *netNode) start(t *testing.T, bin string) {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, n.wrap...), bin, "start", "--home", n.home)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	n.cmd, n.done = cmd, done
}

func (n *netNode) signal(s syscall.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		_ = n.cmd.Process.Signal(s)
	}
}

// kill sends SIGKILL (after SIGCONT, in case it is paused) and waits.
func (n *netNode) kill() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

func (n *netNode) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil
}

func (n *netNode) logTail() string {
	b, _ := os.ReadFile(n.logPath)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// status returns the node's /status (nil when unreachable).
func (n *netNode) status() *coretypes.ResultStatus {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := n.c.RPC.Status(ctx)
	if err != nil {
		return nil
	}
	return st
}

// height returns the node's latest block height (0 when unreachable).
func (n *netNode) height() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := n.c.RPC.Status(ctx)
	if err != nil {
		return 0
	}
	return st.SyncInfo.LatestBlockHeight
}

func (nw *network) maxHeight(nodes ...*netNode) int64 {
	var h int64
	for _, n := range nodes {
		h = max(h, n.height())
	}
	return h
}

// waitHeight waits until node n is at height h or more.
func (nw *network) waitHeight(n *netNode, h int64, timeout time.Duration) time.Duration {
	nw.t.Helper()
	start := time.Now()
	for time.Since(start) < timeout {
		if n.height() >= h {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	nw.t.Fatalf("node%d did not reach height %d in %s (at %d); log tail:\n%s", n.i, h, timeout, n.height(), n.logTail())
	return 0
}

func (nw *network) waitAll(h int64, timeout time.Duration) {
	nw.t.Helper()
	for _, n := range nw.nodes {
		nw.waitHeight(n, h, timeout)
	}
}

// ---------------------------------------------------------------- load

// load is the client: one goroutine per sender, each sending a transfer (or,
// every third tx, an agreement between sender and recipient, signed
// offline by both, that transfers) and waiting until
// it is committed before the next, switching nodes when one is down.
type load struct {
	nw        *network
	stop      chan struct{}
	wg        sync.WaitGroup
	committed atomic.Int64
	retries   atomic.Int64
	agrs      atomic.Int64
	haltOnce  sync.Once
}

func (nw *network) startLoad() *load {
	l := &load{nw: nw, stop: make(chan struct{})}
	// A (sub)test that fails before its halt must not leave senders running
	// into the next one (or past the end of the test).
	nw.t.Cleanup(l.halt)
	for i, s := range nw.senders[:netSenders] {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.run(i, s)
		}()
	}
	return l
}

// halt stops the senders; each first resolves the tx it has in flight.
func (l *load) halt() {
	l.haltOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

func (l *load) run(i int, s *loadAcct) {
	for k := 0; !l.stopped(); k++ {
		nonce := s.nonce + 1
		amount := 1 + nonce%7
		tx, err := l.nw.buildTx(s, nonce, amount, netFee, nonce%3 == 0)
		if err != nil {
			l.nw.t.Errorf("sender %d: build tx: %v", i, err)
			return
		}
		rec, ok := l.nw.commit(tx, s, nonce, i, l)
		if !ok {
			return
		}
		rec.amount, rec.fee = amount, netFee
		if rec.code != 0 {
			l.nw.t.Errorf("sender %d: tx nonce %d committed with code %d", i, nonce, rec.code)
			rec.amount = 0
		}
		if nonce%3 == 0 {
			l.agrs.Add(1)
		}
		l.nw.record(rec)
		s.nonce = nonce
		l.committed.Add(1)
	}
}

// buildTx signs a transfer of amount RIFF from s to s.to (or an agreement
// submit, signed by both parties, with the same effect) with the given nonce and fee.
func (nw *network) buildTx(s *loadAcct, nonce, amount, fee uint64, agreement bool) ([]byte, error) {
	amt := ledger.NewAmount(amount)
	var m app.Msg
	var err error
	if agreement {
		f, ferr := agreements.NewFile(agreements.Body{Parties: []ledger.Address{s.addr, s.to}, Title: "network test",
			Actions:         []agreements.Action{{Transfer: &agreements.TransferAction{From: s.addr, To: s.to, Asset: app.NativeAsset, Amount: &amt}}},
			ExpiresAtHeight: 1_000_000, Salt: fmt.Sprintf("n%d", nonce)}, nw.sum.ChainID)
		if ferr != nil {
			return nil, ferr
		}
		if err := agreements.Sign(f, s.priv); err != nil {
			return nil, err
		}
		if err := agreements.Sign(f, s.toPriv); err != nil {
			return nil, err
		}
		m, err = client.NewMsg(agreements.TypeSubmit, f)
	} else {
		m, err = client.NewMsg("transfer", ledger.Move{To: s.to, Asset: app.NativeAsset, Amount: &amt})
	}
	if err != nil {
		return nil, err
	}
	body := app.Body{ChainID: nw.sum.ChainID, Signer: s.addr, Nonce: nonce, Msgs: []app.Msg{m}, Gas: 600_000}
	if fee > 0 {
		body.Fee = &app.Fee{Asset: app.NativeAsset, Amount: ledger.NewAmount(fee)}
	}
	bz, err := app.MarshalBody(body)
	if err != nil {
		return nil, err
	}
	return app.SignTx(bz, s.priv), nil
}

// commit sends tx (same bytes every attempt, so a nonce is never used by
// two different txs) until the client sees it committed. It tries node
// i, i+1, ... while nodes are down or refuse it, and on a timeout asks
// the chain whether the nonce was used before sending again.
func (nw *network) commit(tx []byte, s *loadAcct, nonce uint64, pref int, l *load) (txRecord, bool) {
	hash := sha256.Sum256(tx)
	rec := txRecord{hash: hash, from: s.addr, to: s.to}
	deadline := time.Now().Add(90 * time.Second)
	for k := pref; time.Now().Before(deadline); k++ {
		n := nw.nodes[k%len(nw.nodes)]
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		res, err := n.c.RPC.BroadcastTxSync(ctx, tx)
		cancel()
		switch {
		case err != nil && !strings.Contains(err.Error(), "already exists in cache"):
			if l != nil {
				l.retries.Add(1)
			}
			time.Sleep(100 * time.Millisecond)
			continue // node down or paused: try the next
		case err == nil && res.Code == app.CodeBadNonce:
			// Our nonce may have been used by this very tx already.
		case err == nil && res.Code != 0:
			if res.Code == app.CodeFeeTooLow {
				continue
			}
			nw.t.Errorf("tx nonce %d refused by node%d: code %d %s", nonce, n.i, res.Code, res.Log)
			return rec, false
		}
		if r, ok := nw.waitCommitted(hash, n, 6*time.Second); ok {
			rec.height, rec.code, rec.at = r.Height, r.TxResult.Code, time.Now()
			return rec, true
		}
		if l != nil {
			l.retries.Add(1)
		}
	}
	nw.t.Errorf("tx nonce %d of %s not committed in 90 s", nonce, s.addr)
	return rec, false
}

type committedTx struct {
	Height   int64
	TxResult struct{ Code uint32 }
}

// waitCommitted polls node n for the tx by hash, moving to the next node
// while one is unreachable.
func (nw *network) waitCommitted(hash [32]byte, n *netNode, timeout time.Duration) (committedTx, bool) {
	start := time.Now()
	k := n.i
	for time.Since(start) < timeout {
		m := nw.nodes[k%len(nw.nodes)]
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r, err := m.c.RPC.Tx(ctx, hash[:], false)
		cancel()
		if err == nil {
			var c committedTx
			c.Height, c.TxResult.Code = r.Height, r.TxResult.Code
			return c, true
		}
		if !strings.Contains(err.Error(), "not found") {
			k++ // unreachable or paused: ask another node
		}
		time.Sleep(150 * time.Millisecond)
	}
	return committedTx{}, false
}

// committedAbove counts the txs the clients saw committed at a height
// above h.
func (nw *network) committedAbove(h int64) int {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	n := 0
	for _, r := range nw.records {
		if r.height > h {
			n++
		}
	}
	return n
}

func (nw *network) record(r txRecord) {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	nw.records = append(nw.records, r)
}

// ---------------------------------------------------------------- checks

// verify checks, after the load stopped: every node reaches a height past
// the last committed tx; every node has every block the client saw a tx
// committed in, with the tx in it; the chain holds exactly the client's
// txs; no two nodes disagree on any block hash; every node's own app hash
// matches the header that commits to it; balances, nonces and fees on every
// node are what the client's log says. A node that joined by state sync
// has no blocks below its snapshot: it is compared from its earliest block.
func (nw *network) verify(label string) {
	t := nw.t
	t.Helper()
	start := time.Now()
	nw.mu.Lock()
	records := append([]txRecord(nil), nw.records...)
	fresh := records[nw.checked:]
	nw.checked = len(records)
	nw.mu.Unlock()
	var last int64
	for _, r := range records {
		last = max(last, r.height)
	}
	nodes := nw.all()
	for _, n := range nodes {
		nw.waitHeight(n, last+2, 60*time.Second)
	}

	// Same block at every height on every node; the chain holds exactly the
	// client's txs (counted on node0, which has every block).
	hmin := int64(1 << 62)
	base := map[int]int64{} // earliest block each node has
	for _, n := range nodes {
		st := n.status()
		if st == nil {
			t.Fatalf("%s: node%d status unreachable", label, n.i)
		}
		hmin = min(hmin, st.SyncInfo.LatestBlockHeight)
		base[n.i] = max(1, st.SyncInfo.EarliestBlockHeight)
	}
	if base[nw.nodes[0].i] != 1 {
		t.Fatalf("%s: node0's earliest block is %d, want 1", label, base[nw.nodes[0].i])
	}
	var ref map[int64]blockMeta
	var chainTxs int64
	var compared int64
	for _, n := range nodes {
		metas, txs := nw.blockMetas(n, base[n.i], hmin)
		compared += hmin - base[n.i] + 1
		if ref == nil {
			ref, chainTxs = metas, txs
			continue
		}
		for h := base[n.i]; h <= hmin; h++ {
			if metas[h] != ref[h] {
				t.Fatalf("%s: FORK: node%d block %d is %+v, node0 has %+v", label, n.i, h, metas[h], ref[h])
			}
		}
	}
	if chainTxs != int64(len(records)) {
		t.Errorf("%s: chain holds %d txs up to height %d, the client saw %d committed", label, chainTxs, hmin, len(records))
	}

	// Every newly committed tx is in its block on every node that has the
	// block (a joiner lacks those below its snapshot).
	byHeight := map[int64][][32]byte{}
	for _, r := range fresh {
		byHeight[r.height] = append(byHeight[r.height], r.hash)
	}
	var belowBase int
	for _, n := range nodes {
		for h, want := range byHeight {
			if h < base[n.i] {
				belowBase += len(want)
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			b, err := n.c.RPC.Block(ctx, &h)
			cancel()
			if err != nil {
				t.Fatalf("%s: node%d block %d: %v", label, n.i, h, err)
			}
			have := map[[32]byte]bool{}
			for _, tx := range b.Block.Txs {
				have[sha256.Sum256(tx)] = true
			}
			for _, w := range want {
				if !have[w] {
					t.Errorf("%s: node%d block %d lacks committed tx %X", label, n.i, h, w[:8])
				}
			}
		}
	}

	// Each node's app hash equals the root the network committed to.
	for _, n := range nodes {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		info, err := n.c.RPC.ABCIInfo(ctx)
		cancel()
		if err != nil {
			t.Fatalf("%s: node%d abci_info: %v", label, n.i, err)
		}
		h := info.Response.LastBlockHeight + 1
		ref := nw.nodes[(n.i+1)%len(nw.nodes)]
		nw.waitHeight(ref, h, 30*time.Second)
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		hdr, err := ref.c.RPC.Header(ctx, &h)
		cancel()
		if err != nil {
			t.Fatalf("%s: node%d header %d: %v", label, ref.i, h, err)
		}
		if !bytes.Equal(hdr.Header.AppHash, info.Response.LastBlockAppHash) {
			t.Errorf("%s: node%d app hash at height %d is %X, node%d's header %d says %X", label, n.i,
				h-1, info.Response.LastBlockAppHash, ref.i, h, hdr.Header.AppHash)
		}
	}

	// State on every node matches the client's log.
	want := map[ledger.Address]uint64{}
	nonces := map[ledger.Address]uint64{}
	var fees uint64
	for _, s := range nw.senders {
		want[s.addr] = netGenesisBal
		want[s.to] = 0
	}
	for _, r := range records {
		want[r.from] -= r.amount + r.fee
		want[r.to] += r.amount
		nonces[r.from]++
		fees += r.fee
	}
	accounts := 0
	for _, n := range nodes {
		for addr, w := range want {
			if got := nw.balance(n, addr); got != fmt.Sprint(w) {
				t.Errorf("%s: node%d balance of %s is %s, the client's log says %d", label, n.i, addr, got, w)
			}
			accounts++
		}
		for _, s := range nw.senders {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			acc, err := n.c.Account(ctx, s.addr)
			cancel()
			if err != nil || acc.Nonce != nonces[s.addr] {
				t.Errorf("%s: node%d nonce of %s is %d (%v), the client committed %d txs", label, n.i, s.addr, acc.Nonce, err, nonces[s.addr])
			}
		}
		var paid uint64
		for _, v := range nw.vals {
			var x uint64
			fmt.Sscan(nw.balance(n, v), &x)
			paid += x
		}
		if paid != fees {
			t.Errorf("%s: node%d validators hold %d RIFF of fees, the client paid %d", label, n.i, paid, fees)
		}
	}
	var joinedFrom []string
	for _, n := range nw.joined {
		joinedFrom = append(joinedFrom, fmt.Sprintf("node%d from %d", n.i, base[n.i]))
	}
	t.Logf("%s: checked blocks + app hashes 1..%d identical on %d nodes (%s; %d block comparisons), %d txs in chain = %d seen committed by the client "+
		"(%d new, in their blocks on every node that has them; %d below a joiner's snapshot), app hashes = committed roots, "+
		"%d balances + nonces + fees (%d RIFF) match (%s)",
		label, hmin, len(nodes), orNone(strings.Join(joinedFrom, ", ")), compared, chainTxs, len(records), len(fresh), belowBase,
		accounts, fees, time.Since(start).Round(time.Millisecond))
}

func orNone(s string) string {
	if s == "" {
		return "no joiner"
	}
	return s
}

// blockMeta is what two nodes must agree on at a height.
type blockMeta struct{ Hash, AppHash string }

// blockHashes returns node n's block hashes for 1..upTo and its tx count.
func (nw *network) blockHashes(n *netNode, upTo int64) (map[int64]string, int64) {
	metas, txs := nw.blockMetas(n, 1, upTo)
	out := make(map[int64]string, len(metas))
	for h, m := range metas {
		out[h] = m.Hash
	}
	return out, txs
}

// blockMetas returns node n's block hashes and header app hashes for
// from..upTo and the number of txs in those blocks.
func (nw *network) blockMetas(n *netNode, from, upTo int64) (map[int64]blockMeta, int64) {
	out := map[int64]blockMeta{}
	var txs int64
	for lo := from; lo <= upTo; lo += 20 {
		hi := min(lo+19, upTo)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := n.c.RPC.BlockchainInfo(ctx, lo, hi)
		cancel()
		if err != nil {
			nw.t.Fatalf("node%d blockchain %d-%d: %v", n.i, lo, hi, err)
		}
		for _, m := range res.BlockMetas {
			out[m.Header.Height] = blockMeta{Hash: m.BlockID.Hash.String(), AppHash: m.Header.AppHash.String()}
			txs += int64(m.NumTxs)
		}
	}
	if int64(len(out)) != upTo-from+1 {
		nw.t.Fatalf("node%d returned %d block metas for %d..%d", n.i, len(out), from, upTo)
	}
	return out, txs
}

func (nw *network) balance(n *netNode, addr ledger.Address) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := n.c.Query(ctx, "/balance/"+addr.String()+"/"+app.NativeAsset, client.QueryOpts{})
	if err != nil {
		nw.t.Fatalf("node%d balance %s: %v", n.i, addr, err)
	}
	if res.Response.Code != 0 {
		nw.t.Fatalf("node%d balance %s: code %d %s", n.i, addr, res.Response.Code, res.Response.Log)
	}
	if len(res.Response.Value) == 0 {
		return "0"
	}
	return string(res.Response.Value)
}

// ---------------------------------------------------------------- tests

// TestTestnetCommand runs `riffchain testnet` and checks its summary and
// homes (the fault tests below call testnet.Create directly).
func TestTestnetCommand(t *testing.T) {
	bin := riffBinary(t)
	dir := filepath.Join(t.TempDir(), "ln")
	out, err := exec.Command(bin, "testnet", "-o", "json", "--validators", "3", "--dir", dir, "--base-port", "0",
		"--chain-id", "riff-cli", "--timeout-commit", "250ms", "--balance", "2.5").Output()
	if err != nil {
		t.Fatalf("riffchain testnet: %v", err)
	}
	var sum testnet.Summary
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	if err := checkSchema("testnet", out); err != nil {
		t.Fatal(err)
	}
	if sum.ChainID != "riff-cli" || len(sum.Nodes) != 3 {
		t.Fatalf("summary %+v", sum)
	}
	var genesis []byte
	for i, n := range sum.Nodes {
		g, err := os.ReadFile(filepath.Join(n.Home, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && !bytes.Equal(g, genesis) {
			t.Fatalf("node%d has another genesis", i)
		}
		genesis = g
		var doc struct {
			AppState app.GenesisState `json:"app_state"`
		}
		if err := json.Unmarshal(g, &doc); err != nil || len(doc.AppState.Ledger.Balances) != 3 || doc.AppState.Ledger.Balances[i].Amount.String() != "2500000" {
			t.Fatalf("genesis balances after --balance 2.5 (display units): %v %+v", err, doc.AppState.Ledger.Balances)
		}
		if n.Key != fmt.Sprintf("node%d", i) || n.RPC == "" || n.Prometheus == "" || n.AppMetrics == "" {
			t.Fatalf("node %d summary %+v", i, n)
		}
		keys, err := exec.Command(bin, "--home", n.Home, "--keyring-backend", "test", "-o", "json", "keys", "show", n.Key).Output()
		if err != nil || !strings.Contains(string(keys), n.Address.String()) {
			t.Fatalf("node%d key %s: %v %s", i, n.Key, err, keys)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, testnet.SummaryFile)); err != nil {
		t.Fatal(err)
	}
	// --output DIR (the flag's old name) still names the folder: this one is used.
	if out, err := exec.Command(bin, "testnet", "--validators", "1", "--output", dir).CombinedOutput(); err == nil || !strings.Contains(string(out), "ln") {
		t.Fatalf("testnet --output into a used folder: %v %s", err, out)
	}
	t.Logf("testnet command: 3 homes, one genesis (%s), keys node0..node2 in the test keyrings", sum.Genesis[:12])
}

func TestNetworkFaults(t *testing.T) {
	total := time.Now()
	nw := startNetwork(t, nil, nil, func(i int, _ *cmtcfg.Config, a *app.AppConfig) {
		a.SnapshotInterval, a.SnapshotKeepRecent = netSnapshotInterval, 50 // for the joiner; kept long enough for a slow one
		if i == 1 {
			a.MinFees = []app.FeeMin{{Asset: app.NativeAsset, Amount: fmt.Sprint(netFee)}}
		}
	})
	var summary []string
	report := func(s string) { summary = append(summary, s); t.Log(s) }

	t.Run("kill-one", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad()
		time.Sleep(2 * time.Second)
		victim := nw.nodes[3]
		h0 := nw.maxHeight(nw.nodes[:3]...)
		c0 := ld.committed.Load()
		victim.kill()
		nw.waitHeight(nw.nodes[0], h0+6, 30*time.Second)
		down := ld.committed.Load() - c0
		if down == 0 {
			t.Errorf("no tx committed while node3 was down")
		}
		hDown := nw.nodes[0].height()
		victim.start(t, nw.bin)
		took := nw.waitHeight(victim, nw.nodes[0].height(), 60*time.Second)
		time.Sleep(time.Second)
		ld.halt()
		report(fmt.Sprintf("kill-one: node3 SIGKILLed at height %d; chain went on to %d with %d txs committed; "+
			"restarted node3 caught up in %s", h0, hDown, down, took.Round(time.Millisecond)))
		nw.verify("kill-one")
	})

	t.Run("pause-two", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad()
		time.Sleep(2 * time.Second)
		nw.nodes[2].signal(syscall.SIGSTOP)
		nw.nodes[3].signal(syscall.SIGSTOP)
		time.Sleep(2 * time.Second) // a block already being committed may finish
		hA := nw.maxHeight(nw.nodes[:2]...)
		time.Sleep(5 * time.Second)
		hB := nw.maxHeight(nw.nodes[:2]...)
		// By the height the client saw each tx committed at, not by when it
		// saw it: a busy client may learn late of a tx committed before hA.
		if above := nw.committedAbove(hA); hB != hA || above != 0 {
			t.Errorf("with 2 of 4 validators paused the chain moved from %d to %d (%d txs committed above %d)", hA, hB, above, hA)
		}
		h0, _ := nw.blockHashes(nw.nodes[0], hA)
		h1, _ := nw.blockHashes(nw.nodes[1], hA)
		for h := int64(1); h <= hA; h++ {
			if h0[h] != h1[h] {
				t.Fatalf("FORK while paused at height %d", h)
			}
		}
		nw.nodes[2].signal(syscall.SIGCONT)
		nw.nodes[3].signal(syscall.SIGCONT)
		took := nw.waitHeight(nw.nodes[0], hA+3, 60*time.Second)
		time.Sleep(time.Second)
		ld.halt()
		report(fmt.Sprintf("pause-two: node2+node3 SIGSTOPped: height stayed %d for 5 s, no tx committed, nodes 0/1 agree on all %d blocks; "+
			"after SIGCONT 3 more blocks in %s", hA, hA, took.Round(time.Millisecond)))
		nw.verify("pause-two")
	})

	t.Run("flood", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad()
		time.Sleep(time.Second)
		const window = 8 * time.Second
		c0 := ld.committed.Load()
		time.Sleep(window)
		base := float64(ld.committed.Load()-c0) / window.Seconds()
		rate := max(10*base, 150) // invalid txs per second
		fl := nw.startFlood(rate)
		time.Sleep(time.Second)
		c1 := ld.committed.Load()
		time.Sleep(window)
		under := float64(ld.committed.Load()-c1) / window.Seconds()
		fl.halt()
		ld.halt()
		sent, accepted := fl.sent.Load(), fl.accepted.Load()
		if accepted != 0 {
			t.Errorf("%d invalid txs were accepted by CheckTx", accepted)
		}
		if under == 0 {
			t.Errorf("no valid tx committed under the flood")
		}
		report(fmt.Sprintf("flood: valid throughput %.1f tx/s without flood, %.1f tx/s under a flood of %.0f invalid tx/s "+
			"(%d sent: bad signatures %d, bad nonces %d, garbage %d; %d accepted; RPC errors %d; CheckTx codes: %s); ratio %.2f",
			base, under, float64(sent)/(window.Seconds()+1), sent, fl.kinds[0].Load(), fl.kinds[1].Load(), fl.kinds[2].Load(),
			accepted, fl.rpcErrs.Load(), fl.codeSummary(), under/base))
		nw.verify("flood")
	})

	t.Run("min-fee", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad() // the load pays netFee, which node1 admits
		s := nw.senders[netSenders]
		cheap, err := nw.buildTx(s, s.nonce+1, 3, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := nw.nodes[1].c.RPC.BroadcastTxSync(ctx, cheap)
		if err != nil || res.Code != app.CodeFeeTooLow {
			t.Fatalf("fee-less tx to node1 (min fee %d RIFF): %v code %v, want code %d", netFee, err, res, app.CodeFeeTooLow)
		}
		under, err := nw.buildTx(s, s.nonce+1, 3, netFee-1, false)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := nw.nodes[1].c.RPC.BroadcastTxSync(ctx, under); err != nil || res.Code != app.CodeFeeTooLow {
			t.Fatalf("tx with fee %d to node1: %v %v, want code %d", netFee-1, err, res, app.CodeFeeTooLow)
		}
		rec, ok := nw.commit(cheap, s, s.nonce+1, 0, nil) // to node0: free there
		if !ok || rec.code != 0 {
			t.Fatalf("fee-less tx via node0 not committed: %+v", rec)
		}
		rec.amount = 3
		nw.record(rec)
		s.nonce++
		// node1 must have committed that block too, or its CheckTx still
		// expects the old nonce.
		if _, ok := nw.waitCommitted(rec.hash, nw.nodes[1], 10*time.Second); !ok {
			t.Fatalf("node1 did not commit the fee-less tx's block (height %d)", rec.height)
		}
		paying, err := nw.buildTx(s, s.nonce+1, 4, netFee, false)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := nw.nodes[1].c.RPC.BroadcastTxSync(ctx, paying); err != nil || res.Code != 0 {
			t.Fatalf("tx paying the minimum to node1: %v %v", err, res)
		}
		rec2, ok := nw.commit(paying, s, s.nonce+1, 1, nil)
		if !ok || rec2.code != 0 {
			t.Fatalf("paying tx not committed: %+v", rec2)
		}
		rec2.amount, rec2.fee = 4, netFee
		nw.record(rec2)
		s.nonce++
		time.Sleep(time.Second)
		ld.halt()
		report(fmt.Sprintf("min-fee: node1 (min %d RIFF) refused fees 0 and %d with code %d; the fee-less tx committed via node0 at height %d, "+
			"a tx paying %d via node1 at height %d", netFee, netFee-1, app.CodeFeeTooLow, rec.height, netFee, rec2.height))
		nw.verify("min-fee")
	})

	t.Run("restart-all", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad()
		time.Sleep(2 * time.Second)
		hPre := nw.maxHeight(nw.nodes...)
		pre, _ := nw.blockHashes(nw.nodes[0], hPre)
		var wg sync.WaitGroup
		for _, n := range nw.nodes {
			wg.Add(1)
			go func() { defer wg.Done(); n.kill() }()
		}
		wg.Wait()
		nw.mu.Lock()
		var lastTx int64
		for _, r := range nw.records {
			lastTx = max(lastTx, r.height)
		}
		nw.mu.Unlock()
		time.Sleep(time.Second)
		start := time.Now()
		for _, n := range nw.nodes {
			n.start(t, nw.bin)
		}
		var first []int64
		for _, n := range nw.nodes {
			nw.waitHeight(n, 1, 60*time.Second)
			first = append(first, n.height())
		}
		for i, h := range first {
			if h < hPre {
				t.Errorf("node%d restarted at height %d, below %d seen before the kill", i, h, hPre)
			}
		}
		nw.waitHeight(nw.nodes[0], hPre+5, 60*time.Second)
		took := time.Since(start)
		post, _ := nw.blockHashes(nw.nodes[0], hPre)
		for h := int64(1); h <= hPre; h++ {
			if pre[h] != post[h] {
				t.Fatalf("block %d changed across the restart: %s then %s", h, pre[h], post[h])
			}
		}
		time.Sleep(time.Second)
		ld.halt()
		report(fmt.Sprintf("restart-all: all 4 SIGKILLed at height >= %d (last client tx at %d); restarted at heights %v, same %d blocks, "+
			"5 new blocks %s after restart", hPre, lastTx, first, hPre, took.Round(time.Millisecond)))
		nw.verify("restart-all")
	})
	nw.t = t
	t.Run("join", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad()
		time.Sleep(2 * time.Second)
		c0 := ld.committed.Load()
		j, res := nw.join(t)
		cJoined := ld.committed.Load() - c0

		// A tx sent to the joiner reaches the validators and commits.
		s := nw.senders[netSenders]
		tx, err := nw.buildTx(s, s.nonce+1, 2, netFee, false)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, err := j.c.RPC.BroadcastTxSync(ctx, tx)
		cancel()
		if err != nil || r.Code != 0 {
			t.Fatalf("tx sent to the joiner: %v %+v", err, r)
		}
		rec, ok := nw.commit(tx, s, s.nonce+1, 0, nil)
		if !ok || rec.code != 0 {
			t.Fatalf("tx sent via the joiner not committed: %+v", rec)
		}
		rec.amount, rec.fee = 2, netFee
		nw.record(rec)
		s.nonce++

		// It state-synced: it restored a snapshot and has no early blocks.
		log, _ := os.ReadFile(j.logPath)
		if !bytes.Contains(log, []byte("state sync: snapshot restored")) {
			t.Fatalf("joiner did not restore a snapshot; log tail:\n%s", j.logTail())
		}
		restored := ssLogValue(string(log), "state sync: snapshot restored", "height")
		// Let it execute a few more blocks of the load (and the tx above)
		// itself before comparing.
		nw.waitHeight(j, max(res.caughtUpAt, rec.height)+5, 30*time.Second)
		st := j.status()
		if st == nil {
			t.Fatal("joiner unreachable after catching up")
		}
		earliest, jh := st.SyncInfo.EarliestBlockHeight, st.SyncInfo.LatestBlockHeight
		if earliest <= 1 {
			t.Fatalf("joiner has blocks from %d: it replayed from genesis instead of state-syncing", earliest)
		}

		// Same blocks and header app hashes as every validator at every
		// height it has, and its own app hash is the one the network
		// committed to.
		jm, _ := nw.blockMetas(j, earliest, jh)
		for _, v := range nw.nodes {
			nw.waitHeight(v, jh+1, 30*time.Second)
			vm, _ := nw.blockMetas(v, earliest, jh)
			for h := earliest; h <= jh; h++ {
				if jm[h] != vm[h] {
					t.Fatalf("joiner block %d is %+v, node%d has %+v", h, jm[h], v.i, vm[h])
				}
			}
		}
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		info, err := j.c.RPC.ABCIInfo(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		ah := info.Response.LastBlockHeight + 1
		for _, v := range nw.nodes {
			nw.waitHeight(v, ah, 30*time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			hdr, err := v.c.RPC.Header(ctx, &ah)
			cancel()
			if err != nil {
				t.Fatalf("node%d header %d: %v", v.i, ah, err)
			}
			if !bytes.Equal(hdr.Header.AppHash, info.Response.LastBlockAppHash) {
				t.Fatalf("joiner app hash after height %d is %X, node%d's header %d says %X", ah-1,
					info.Response.LastBlockAppHash, v.i, ah, hdr.Header.AppHash)
			}
		}

		time.Sleep(time.Second)
		ld.halt()
		msg := fmt.Sprintf("join: node%d ran `init --join node0 --join-witness node1` at height %d (trusted header %d) in %s; "+
			"started, restored snapshot %s (in %s) and caught up to height %d (target %d, not catching up) in %s: join took %s in all "+
			"(its own log: caught up took=%s); earliest block %d; blocks + app hashes %d..%d identical to all 4 validators'; "+
			"app hash after %d = committed root; a tx sent via it committed at %d; %d load txs committed meanwhile",
			j.i, res.joinHeight, res.trustHeight, res.initTook.Round(time.Millisecond), restored,
			ssLogValue(string(log), "state sync: snapshot restored", "took"), res.caughtUpAt, res.target,
			res.caughtUp.Round(time.Millisecond), (res.initTook + res.caughtUp).Round(time.Millisecond),
			ssLogValue(string(log), "caught up", "took"), earliest, earliest, jh, ah-1, rec.height, cJoined)
		report(msg)
		nw.verify("join")
	})
	nw.t = t
	t.Run("metrics", func(t *testing.T) {
		nw.t = t
		ld := nw.startLoad()
		time.Sleep(2 * time.Second)
		ld.halt()
		n := nw.sum.Nodes[0]
		am := scrapeMetrics(t, "http://"+n.AppMetrics+"/metrics")
		cmt := scrapeMetrics(t, "http://"+n.Prometheus+"/metrics")
		if am[`riffchain_txs_total{code="0"}`] < 1 || am["riffchain_agreements_settled_total"] < 1 || am["riffchain_block_height"] < 1 {
			t.Errorf("app metrics after load: txs %v, agreements settled %v, height %v", am[`riffchain_txs_total{code="0"}`],
				am["riffchain_agreements_settled_total"], am["riffchain_block_height"])
		}
		if cmt[`cometbft_consensus_height{chain_id="riff-faults"}`] < 1 {
			t.Errorf("CometBFT metrics lack cometbft_consensus_height")
		}
		report(fmt.Sprintf("metrics: node0 app endpoint: %v ok txs, %v agreements settled, height %v; CometBFT endpoint: consensus height %v",
			am[`riffchain_txs_total{code="0"}`], am["riffchain_agreements_settled_total"], am["riffchain_block_height"],
			cmt[`cometbft_consensus_height{chain_id="riff-faults"}`]))
		nw.verify("metrics")
	})
	nw.t = t
	for _, s := range summary {
		t.Log("SUMMARY " + s)
	}
	nw.mu.Lock()
	n := len(nw.records)
	nw.mu.Unlock()
	t.Logf("SUMMARY network faults: %d txs committed and checked on %d nodes, no fork, in %s", n, len(nw.all()), time.Since(total).Round(time.Second))
}

// joinResult is what join measured.
type joinResult struct {
	joinHeight  int64         // validators' height when init --join ran
	trustHeight int64         // header init --join trusted
	target      int64         // height the joiner had to reach
	caughtUpAt  int64         // its height when it was caught up
	initTook    time.Duration // init --join
	caughtUp    time.Duration // start until caught up
}

// join creates a fifth home with `riffchain init --join` against node0
// (node1 as witness), starts it and waits until it is caught up: not
// catching up and a few blocks past the validators' height at join time.
// It is added to nw.joined, so verify checks it from then on.
func (nw *network) join(t *testing.T) (*netNode, joinResult) {
	t.Helper()
	var res joinResult
	home := filepath.Join(nw.sum.Dir, "joiner")
	rpc := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	p2p := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	res.joinHeight = nw.maxHeight(nw.nodes...)
	begin := time.Now()
	cmd := exec.Command(nw.bin, "--home", home, "-o", "json", "init", "--join", nw.nodes[0].rpc,
		"--join-witness", nw.nodes[1].rpc, "--moniker", "joiner", "--rpc-laddr", rpc, "--p2p-laddr", p2p)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("init --join: %v\n%s%s", err, out, stderr.String())
	}
	res.initTook = time.Since(begin)
	var joined struct {
		TrustHeight int64    `json:"trust_height"`
		StateSync   bool     `json:"state_sync"`
		RPCServers  []string `json:"rpc_servers"`
	}
	if err := json.Unmarshal(out, &joined); err != nil {
		t.Fatalf("init --join output: %v\n%s", err, out)
	}
	if !joined.StateSync || joined.TrustHeight < res.joinHeight ||
		!slices.Equal(joined.RPCServers, []string{nw.nodes[0].rpc, nw.nodes[1].rpc}) {
		t.Fatalf("init --join: %s", out)
	}
	res.trustHeight = joined.TrustHeight
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	j := &netNode{i: len(nw.nodes) + len(nw.joined), home: home, rpc: rpc, logPath: filepath.Join(home, "node.log"), c: c}
	nw.joined = append(nw.joined, j) // killed, and its log shown on failure, with the others
	res.target = nw.maxHeight(nw.nodes...) + 3
	start := time.Now()
	j.start(t, nw.bin)
	for {
		if st := j.status(); st != nil && !st.SyncInfo.CatchingUp && st.SyncInfo.LatestBlockHeight >= res.target {
			res.caughtUp, res.caughtUpAt = time.Since(start), st.SyncInfo.LatestBlockHeight
			break
		}
		if time.Since(start) > 90*time.Second {
			t.Fatalf("joiner did not catch up to height %d in 90 s (at %d); log tail:\n%s", res.target, j.height(), j.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("join: init --join %s, start to caught up at height %d %s", res.initTook.Round(time.Millisecond),
		res.caughtUpAt, res.caughtUp.Round(time.Millisecond))
	return j, res
}

// scrapeMetrics reads a Prometheus text endpoint into "name{labels}" → value.
func scrapeMetrics(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		var v float64
		if _, err := fmt.Sscan(line[i+1:], &v); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// flood sends invalid txs at a fixed rate from several goroutines.
type flood struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	sent     atomic.Int64
	accepted atomic.Int64
	rpcErrs  atomic.Int64
	kinds    [3]atomic.Int64 // bad signature, bad nonce, garbage

	mu    sync.Mutex
	codes [3]map[uint32]int // CheckTx codes by kind
}

// codeSummary renders the CheckTx codes each kind got, e.g. "bad signature: code 9 x450".
func (f *flood) codeSummary() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := []string{"bad signature", "bad nonce", "garbage"}
	var parts []string
	for k, m := range f.codes {
		var cs []string
		for c, n := range m {
			cs = append(cs, fmt.Sprintf("code %d x%d", c, n))
		}
		slices.Sort(cs)
		parts = append(parts, names[k]+": "+strings.Join(cs, ", "))
	}
	return strings.Join(parts, "; ")
}

func (nw *network) startFlood(rate float64) *flood {
	f := &flood{stop: make(chan struct{})}
	for k := range f.codes {
		f.codes[k] = map[uint32]int{}
	}
	const workers = 6
	interval := time.Duration(float64(time.Second) * workers / rate)
	for w := range workers {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for k := w; ; k++ {
				select {
				case <-f.stop:
					return
				case <-tick.C:
				}
				kind := k % 3
				tx := nw.invalidTx(kind, k)
				n := nw.nodes[k%len(nw.nodes)]
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				res, err := n.c.RPC.BroadcastTxSync(ctx, tx)
				cancel()
				f.sent.Add(1)
				f.kinds[kind].Add(1)
				switch {
				case err != nil:
					f.rpcErrs.Add(1)
				case res.Code == 0:
					f.accepted.Add(1)
				}
				if err == nil {
					f.mu.Lock()
					f.codes[kind][res.Code]++
					f.mu.Unlock()
				}
			}
		}()
	}
	return f
}

func (f *flood) halt() {
	close(f.stop)
	f.wg.Wait()
}

// invalidTx makes an invalid tx: a bad signature (a real sender's transfer
// with one signature bit flipped), a bad nonce (properly signed, nonce
// already used or far ahead), or random bytes.
func (nw *network) invalidTx(kind, k int) []byte {
	s := nw.senders[k%netSenders]
	switch kind {
	case 0:
		tx, err := nw.buildTx(s, s.nonce+1, 1+uint64(k%5), netFee, false)
		if err != nil {
			return []byte("x")
		}
		tx[len(tx)-1-k%64] ^= 0x01 // inside the signature (the last 64 bytes)
		return tx
	case 1:
		nonce := uint64(1) // used: every sender has committed before the flood
		if k%2 == 0 {
			nonce = s.nonce + 1_000_000
		}
		tx, err := nw.buildTx(s, nonce, 1, netFee, false)
		if err != nil {
			return []byte("x")
		}
		return tx
	default:
		b := make([]byte, 40+k%400)
		_, _ = rand.Read(b)
		return b
	}
}

// ---------------------------------------------------------------- partition

// netns runs a command for the partition test.
func netns(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// TestNetworkPartition cuts one validator off with a network namespace:
// nodes 0-2 listen on a veth address in this namespace, node3 runs inside
// its own namespace behind the veth pair. Link down = partition.
func TestNetworkPartition(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	tag := os.Getpid() % 200
	ns := fmt.Sprintf("riffpart%d", os.Getpid())
	outer, inner := fmt.Sprintf("rpo%d", os.Getpid()), fmt.Sprintf("rpi%d", os.Getpid())
	hostA, hostB := fmt.Sprintf("10.231.%d.1", tag), fmt.Sprintf("10.231.%d.2", tag)
	if os.Geteuid() != 0 {
		t.Skip("partition test skipped: needs root for network namespaces (ip netns)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("partition test skipped: no `ip` command (iproute2) for network namespaces")
	}
	if err := netns("netns", "add", ns); err != nil {
		t.Skipf("partition test skipped: network namespaces unavailable: %v", err)
	}
	t.Cleanup(func() {
		_ = netns("link", "del", outer)
		_ = netns("netns", "del", ns)
	})
	for _, args := range [][]string{
		{"link", "add", outer, "type", "veth", "peer", "name", inner},
		{"link", "set", inner, "netns", ns},
		{"addr", "add", hostA + "/24", "dev", outer},
		{"link", "set", outer, "up"},
		{"netns", "exec", ns, "ip", "addr", "add", hostB + "/24", "dev", inner},
		{"netns", "exec", ns, "ip", "link", "set", inner, "up"},
		{"netns", "exec", ns, "ip", "link", "set", "lo", "up"},
	} {
		if err := netns(args...); err != nil {
			t.Skipf("partition test skipped: cannot set up the veth pair: %v", err)
		}
	}
	total := time.Now()
	nw := startNetwork(t, []string{hostA, hostA, hostA, hostB}, func(i int) []string {
		if i == 3 {
			return []string{"ip", "netns", "exec", ns}
		}
		return nil
	}, nil)
	ld := nw.startLoad()
	time.Sleep(2 * time.Second)
	cut := nw.maxHeight(nw.nodes...)
	if err := netns("link", "set", outer, "down"); err != nil {
		t.Fatal(err)
	}
	cutAt := time.Now()
	c0 := ld.committed.Load()
	nw.waitHeight(nw.nodes[0], cut+8, 30*time.Second)
	// node3 is unreachable from here; ask it from inside its namespace.
	out, err := exec.Command("ip", "netns", "exec", ns, nw.bin, "status", "-o", "json", "--node", nw.nodes[3].rpc).Output()
	if err != nil {
		t.Fatalf("status of the cut-off node: %v", err)
	}
	var isolated int64
	if _, err := fmt.Sscan(strings.SplitN(strings.SplitN(string(out), `"height":`, 2)[1], ",", 2)[0], &isolated); err != nil {
		t.Fatalf("status of the cut-off node: %q", out)
	}
	majority := nw.nodes[0].height()
	if isolated > cut+1 {
		t.Errorf("the cut-off node advanced from %d to %d on its own", cut, isolated)
	}
	during := ld.committed.Load() - c0
	if during == 0 {
		t.Errorf("no tx committed by the majority during the partition")
	}
	if err := netns("link", "set", outer, "up"); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	took := nw.waitHeight(nw.nodes[3], nw.nodes[0].height(), 90*time.Second)
	time.Sleep(time.Second)
	ld.halt()
	t.Logf("partition: node3 cut off at height %d for %s: majority went on to %d with %d txs, node3 stayed at %d; "+
		"healed, node3 caught up in %s", cut, healed.Sub(cutAt).Round(time.Millisecond), majority, during, isolated, took.Round(time.Millisecond))
	nw.verify("partition")
	t.Logf("SUMMARY partition: %s", time.Since(total).Round(time.Second))
}
