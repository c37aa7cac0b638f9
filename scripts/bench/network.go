package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/testnet"
	"github.com/riffchain/riffchain/ledger"
)

// The multi-validator mode (-validators N, N > 1): N validator homes made
// by testnet.Create (shared genesis, free loopback ports, persistent
// peers), every node started in this process, load spread over all N RPC
// endpoints, commits tracked on node 0's event bus.

// createNetHomes writes the homes of an N-validator network with the
// benchmark's CometBFT settings applied to every node, extra funded in
// genesis, and the benchmark's consensus params in the shared genesis.
func createNetHomes(s *Settings, root, kind, chainID, indexer string, extra []ledger.Holding) (*testnet.Summary, error) {
	dir, err := os.MkdirTemp(root, kind+"-net-"+indexer+"-")
	if err != nil {
		return nil, err
	}
	sum, err := testnet.Create(testnet.Options{Validators: s.Validators, Dir: dir, ChainID: chainID,
		TimeoutCommit: s.TimeoutCommit, NoMetrics: true, ExtraBalances: extra,
		Edit: func(_ int, cfg *cmtcfg.Config, _ *app.AppConfig) { s.applyConfig(cfg, indexer) }})
	if err != nil {
		return nil, fmt.Errorf("%w: testnet: %v", ErrSetup, err)
	}
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join(sum.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		return nil, fmt.Errorf("load genesis: %w", err)
	}
	s.applyGenesis(doc)
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("%w: genesis: %v", ErrSettings, err)
	}
	for _, n := range sum.Nodes {
		if err := doc.SaveAs(filepath.Join(n.Home, "config", "genesis.json")); err != nil {
			return nil, fmt.Errorf("save genesis: %w", err)
		}
	}
	return sum, nil
}

// startNet starts every node of sum with mk and returns node 0 standing
// for the network: its event bus tracks commits, targets lists every
// node's RPC endpoint, stop stops them all.
func startNet(kind, indexer, chainID string, sum *testnet.Summary, mk func(home string) (*benchNode, error)) (*benchNode, error) {
	var members []*benchNode
	stopAll := func() error {
		// Stop every node's p2p switch first and wait for CometBFT's
		// per-peer queryMaj23Routine goroutines to end: they sleep up to
		// 3 × peer_query_maj23_sleep_duration without checking whether the
		// node stopped and then read the block store, which node.Stop has
		// closed by then ("panic: leveldb: closed", CometBFT v0.38).
		for _, m := range members {
			if sw := m.cmt.Switch(); sw.IsRunning() {
				_ = sw.Stop()
			}
		}
		waitGoroutines("consensus.(*Reactor).queryMaj23Routine", 15*time.Second)
		var errs []error
		for _, m := range members {
			errs = append(errs, m.stop())
		}
		return errors.Join(errs...)
	}
	for i, nd := range sum.Nodes {
		m, err := mk(nd.Home)
		if err != nil {
			_ = stopAll()
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		members = append(members, m)
		if err := m.cmt.Start(); err != nil {
			_ = stopAll()
			return nil, fmt.Errorf("start %s node %d: %w", kind, i, err)
		}
		m.rpcURL = rpcURL(m.cmt.Config())
	}
	lead := *members[0]
	lead.kind, lead.indexer, lead.chainID, lead.home = kind, indexer, chainID, sum.Dir
	lead.members = members
	for _, m := range members {
		lead.targets = append(lead.targets, m.rpcURL)
	}
	lead.stop = stopAll
	return &lead, nil
}

// startRiffchainNet creates and starts an N-validator riffchain network
// whose genesis funds every benchmark account with RIFF.
func startRiffchainNet(s *Settings, root, indexer string, accts *accounts) (*benchNode, error) {
	const chainID = "riff-bench-net"
	extra := make([]ledger.Holding, 0, len(accts.keys))
	for _, k := range accts.keys {
		extra = append(extra, ledger.Holding{Address: k.addr, Asset: app.NativeAsset, Amount: ledger.NewAmount(1_000_000_000_000)})
	}
	sum, err := createNetHomes(s, root, "riffchain", chainID, indexer, extra)
	if err != nil {
		return nil, err
	}
	return startNet("riffchain", indexer, chainID, sum, func(home string) (*benchNode, error) {
		if s.ABCIClient == "local" {
			return newRiffchainOneMutex(home, func(*cmtcfg.Config) {})
		}
		// The production path: exactly what `riffchain start` runs.
		n, err := app.NewNode(home, log.NewNopLogger(), nil)
		if err != nil {
			return nil, err
		}
		return &benchNode{cmt: n.CMT, riff: n.App, stop: n.Stop}, nil
	})
}

// startKvstoreNet creates and starts an N-validator network of CometBFT's
// kvstore app: homes from the same testnet.Create (same validator set
// shape, same config and consensus params; kvstore ignores the app_state).
func startKvstoreNet(s *Settings, root, indexer string) (*benchNode, error) {
	const chainID = "kv-bench-net"
	sum, err := createNetHomes(s, root, "kvstore", chainID, indexer, nil)
	if err != nil {
		return nil, err
	}
	return startNet("kvstore", indexer, chainID, sum, func(home string) (*benchNode, error) {
		cfg, err := app.LoadConfig(home)
		if err != nil {
			return nil, err
		}
		doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
		if err != nil {
			return nil, fmt.Errorf("load genesis: %w", err)
		}
		kv := kvstore.NewPersistentApplication(filepath.Join(home, "data", "kvstore"))
		var cc proxy.ClientCreator = proxy.NewLocalClientCreator(kv)
		if s.ABCIClient == "connsync" {
			cc = proxy.NewConnSyncLocalClientCreator(kv)
		}
		n, err := newCMTNode(cfg, doc, cc)
		if err != nil {
			_ = kv.Close()
			return nil, err
		}
		return &benchNode{cmt: n, stop: func() error { return errors.Join(stopCMT(n), kv.Close()) }}, nil
	})
}

// checkAgreement waits until every member has stored the block after the
// lowest height any of them has, and compares that block's hash, app hash
// (of the height before, which each node checked against its own app
// before storing the block) and last-results hash across all members.
func checkAgreement(ctx context.Context, n *benchNode) (string, error) {
	if len(n.members) < 2 {
		return "", nil
	}
	h := n.members[0].cmt.BlockStore().Height()
	for _, m := range n.members[1:] {
		h = min(h, m.cmt.BlockStore().Height())
	}
	next := h + 1
	for i, m := range n.members {
		if err := waitHeight(ctx, m, next); err != nil {
			return "", fmt.Errorf("node %d: %w", i, err)
		}
	}
	ref := n.members[0].cmt.BlockStore().LoadBlockMeta(next)
	if ref == nil {
		return "", fmt.Errorf("%w: node 0 has no block %d", ErrPhase, next)
	}
	for i, m := range n.members[1:] {
		meta := m.cmt.BlockStore().LoadBlockMeta(next)
		switch {
		case meta == nil:
			return "", fmt.Errorf("%w: node %d has no block %d", ErrPhase, i+1, next)
		case !bytes.Equal(meta.BlockID.Hash, ref.BlockID.Hash),
			!bytes.Equal(meta.Header.AppHash, ref.Header.AppHash),
			!bytes.Equal(meta.Header.LastResultsHash, ref.Header.LastResultsHash):
			return "", fmt.Errorf("%w: nodes disagree at height %d: node 0 block %X app hash %X, node %d block %X app hash %X",
				ErrPhase, next, ref.BlockID.Hash, ref.Header.AppHash, i+1, meta.BlockID.Hash, meta.Header.AppHash)
		}
	}
	return fmt.Sprintf("%d/%d nodes agree: app hash %X after height %d (block %d %X)",
		len(n.members), len(n.members), ref.Header.AppHash, h, next, ref.BlockID.Hash[:6]), nil
}

// runNetRound runs the transfers on an N-validator riffchain network, then
// the same number of kvstore txs of the same sizes on an N-validator
// kvstore network, and checks after each that every node agrees.
func runNetRound(ctx context.Context, s *Settings, root, idx string, round int, accts *accounts, profDir string,
	progress func(string, ...any)) ([]*phaseResult, error) {
	if round > 1 {
		profDir = ""
	}
	progress("round %d, indexer %s: starting %d riffchain validators (%d funded accounts)", round, idx, s.Validators, s.Accounts)
	n, err := startRiffchainNet(s, root, idx, accts)
	if err != nil {
		return nil, err
	}
	var results []*phaseResult
	var tw *workload
	if err = waitHeight(ctx, n, 2); err == nil {
		clear(accts.nonces) // a fresh chain
		if tw, err = accts.transfers(n.chainID, s.Txs, s.Clients); err == nil {
			var r *phaseResult
			if r, err = drivePhase(ctx, s, n, tw, profDir, progress); r != nil {
				results = append(results, r)
			}
		}
	}
	if err == nil {
		var agree string
		if agree, err = checkAgreement(ctx, n); err == nil && len(results) > 0 {
			results[0].Agree = agree
			progress("riffchain: %s", agree)
		}
	}
	if stopErr := n.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("stop riffchain network: %w", stopErr)
	}
	removeHome(s, n.home)
	if err != nil || !s.Kvstore {
		return results, err
	}
	progress("round %d, indexer %s: starting %d kvstore validators", round, idx, s.Validators)
	kn, err := startKvstoreNet(s, root, idx)
	if err != nil {
		return results, err
	}
	r, err := kvstorePhase(ctx, s, kn, tw, profDir, progress)
	if err == nil {
		if r.Agree, err = checkAgreement(ctx, kn); err == nil {
			progress("kvstore: %s", r.Agree)
		}
	}
	if stopErr := kn.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("stop kvstore network: %w", stopErr)
	}
	removeHome(s, kn.home)
	if err != nil {
		return results, err
	}
	return append(results, r), nil
}

// waitGoroutines waits until no goroutine of this process is in fn (a
// function name as printed in stack traces), or the timeout passes.
func waitGoroutines(fn string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if !strings.Contains(string(buf[:n]), fn) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
