package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// benchNode is a running single-validator node (riffchain or kvstore),
// in-process, with its RPC on a free loopback port.
type benchNode struct {
	kind    string // "riffchain" or "kvstore"
	home    string
	indexer string
	rpcURL  string // http://127.0.0.1:PORT
	chainID string
	cmt     *node.Node
	riff    *app.App // nil for kvstore
	stop    func() error
	// In the multi-validator mode this node (node 0) stands for the
	// network: members are all its nodes (itself first), targets their
	// RPC endpoints, which the load is spread over.
	members []*benchNode
	targets []string
}

// loadURL is the RPC endpoint client c sends to: the node's own, or in a
// network the c-th endpoint round robin.
func (n *benchNode) loadURL(c int) string {
	if len(n.targets) == 0 {
		return n.rpcURL
	}
	return n.targets[c%len(n.targets)]
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// initHome creates a node home with riffchain's InitHome (config, keys,
// genesis) on free ports, then applies the shared consensus params.
func initHome(s *Settings, home, chainID string) error {
	rpc, err := freeAddr()
	if err != nil {
		return err
	}
	p2pAddr, err := freeAddr()
	if err != nil {
		return err
	}
	if _, err := app.InitHome(app.InitOptions{Home: home, ChainID: chainID, Moniker: "bench",
		RPCAddr: "tcp://" + rpc, P2PAddr: "tcp://" + p2pAddr, TimeoutCommit: s.TimeoutCommit}); err != nil {
		return err
	}
	path := filepath.Join(home, "config", "genesis.json")
	doc, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		return fmt.Errorf("load genesis: %w", err)
	}
	s.applyGenesis(doc)
	if err := doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("%w: genesis: %v", ErrSettings, err)
	}
	return doc.SaveAs(path)
}

// Genesis assets of the benchmark: the native RIFF and a second fungible
// asset SHR for delivery-versus-payment and the pool.
const benchAsset = "SHR"

// fundGenesis gives every account (and the pool maker) RIFF and SHR.
func fundGenesis(home string, accts *accounts) error {
	return app.EditGenesisState(home, func(gs *app.GenesisState) error { return fundState(gs, accts) })
}

// fundState adds SHR and the benchmark balances to a genesis state that
// already has (or, when empty, gets) the native asset.
func fundState(gs *app.GenesisState, accts *accounts) error {
	big := ledger.NewAmount(1_000_000_000_000)
	huge := ledger.NewAmount(1_000_000_000_000_000)
	if len(gs.Ledger.Assets) == 0 {
		gs.Ledger.Assets = append(gs.Ledger.Assets, ledger.Asset{ID: app.NativeAsset, Kind: ledger.Fungible,
			Symbol: app.NativeAsset, Decimals: 6})
	}
	gs.Ledger.Assets = append(gs.Ledger.Assets, ledger.Asset{ID: benchAsset, Kind: ledger.Fungible,
		Symbol: benchAsset, Name: "bench shares"})
	for _, k := range accts.keys {
		gs.Ledger.Balances = append(gs.Ledger.Balances,
			ledger.Holding{Address: k.addr, Asset: app.NativeAsset, Amount: big},
			ledger.Holding{Address: k.addr, Asset: benchAsset, Amount: big})
	}
	m := accts.maker
	gs.Ledger.Balances = append(gs.Ledger.Balances,
		ledger.Holding{Address: m.addr, Asset: app.NativeAsset, Amount: huge},
		ledger.Holding{Address: m.addr, Asset: benchAsset, Amount: huge})
	return nil
}

// startRiffchain initialises a riffchain home with the funded accounts and
// starts the node in-process.
func startRiffchain(s *Settings, root, indexer string, accts *accounts) (*benchNode, error) {
	home, err := os.MkdirTemp(root, "riffchain-"+indexer+"-")
	if err != nil {
		return nil, err
	}
	const chainID = "riff-bench"
	if err := initHome(s, home, chainID); err != nil {
		return nil, err
	}
	if err := fundGenesis(home, accts); err != nil {
		return nil, err
	}
	edit := func(c *cmtcfg.Config) { s.applyConfig(c, indexer) }
	var (
		cmt  *node.Node
		a    *app.App
		stop func() error
	)
	if s.ABCIClient == "connsync" {
		// The production path: exactly what `riffchain start` runs.
		n, err := app.NewNode(home, log.NewNopLogger(), edit)
		if err != nil {
			return nil, err
		}
		cmt, a, stop = n.CMT, n.App, n.Stop
	} else {
		n, err := newRiffchainOneMutex(home, edit)
		if err != nil {
			return nil, err
		}
		cmt, a, stop = n.cmt, n.riff, n.stop
	}
	if err := wireMissing(s, a); err != nil {
		_ = stop()
		return nil, err
	}
	if err := cmt.Start(); err != nil {
		_ = stop()
		return nil, fmt.Errorf("start riffchain node: %w", err)
	}
	return &benchNode{kind: "riffchain", home: home, indexer: indexer, chainID: chainID, cmt: cmt, riff: a,
		rpcURL: rpcURL(cmt.Config()), stop: stop}, nil
}

// newRiffchainOneMutex builds the riffchain node like app.NewNode but with
// one ABCI mutex over all connections, so CheckTx waits while a block
// executes (experiment, -abci local). app.NewNode's node hooks (snapshots,
// metrics) are not run.
func newRiffchainOneMutex(home string, edit func(*cmtcfg.Config)) (*benchNode, error) {
	cfg, err := app.LoadConfig(home)
	if err != nil {
		return nil, err
	}
	edit(cfg)
	doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("load genesis: %w", err)
	}
	tree, err := ledger.OpenTree(filepath.Join(home, "data"), "app")
	if err != nil {
		return nil, err
	}
	appCfg, err := app.LoadAppConfig(home)
	if err != nil {
		tree.Close()
		return nil, err
	}
	a := app.New(tree, doc.ChainID, log.NewNopLogger())
	a.Config, a.Home = appCfg, home
	cmt, err := newCMTNode(cfg, doc, proxy.NewLocalClientCreator(a))
	if err != nil {
		tree.Close()
		return nil, err
	}
	return &benchNode{cmt: cmt, riff: a, stop: func() error {
		return errors.Join(stopCMT(cmt), tree.Close())
	}}, nil
}

func newCMTNode(cfg *cmtcfg.Config, doc *cmttypes.GenesisDoc, cc proxy.ClientCreator) (*node.Node, error) {
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("load node key: %w", err)
	}
	pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	n, err := node.NewNode(cfg, pv, nodeKey, cc,
		func() (*cmttypes.GenesisDoc, error) { return doc, nil },
		cmtcfg.DefaultDBProvider, node.DefaultMetricsProvider(cfg.Instrumentation), log.NewNopLogger())
	if err != nil {
		return nil, fmt.Errorf("create node: %w", err)
	}
	return n, nil
}

func stopCMT(n *node.Node) error {
	if !n.IsRunning() {
		return nil
	}
	err := n.Stop()
	n.Wait()
	return err
}

// startKvstore starts CometBFT's example kvstore app (persistent, goleveldb)
// with the same CometBFT settings.
func startKvstore(s *Settings, root, indexer string) (*benchNode, error) {
	home, err := os.MkdirTemp(root, "kvstore-"+indexer+"-")
	if err != nil {
		return nil, err
	}
	const chainID = "kv-bench"
	if err := initHome(s, home, chainID); err != nil {
		return nil, err
	}
	cfg, err := app.LoadConfig(home)
	if err != nil {
		return nil, err
	}
	s.applyConfig(cfg, indexer)
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
	if err := n.Start(); err != nil {
		_ = kv.Close()
		return nil, fmt.Errorf("start kvstore node: %w", err)
	}
	return &benchNode{kind: "kvstore", home: home, indexer: indexer, chainID: chainID, cmt: n, rpcURL: rpcURL(cfg),
		stop: func() error { return errors.Join(stopCMT(n), kv.Close()) }}, nil
}

func rpcURL(c *cmtcfg.Config) string {
	return strings.Replace(c.RPC.ListenAddress, "tcp://", "http://", 1)
}

// removeHome deletes a node home unless the settings keep it.
func removeHome(s *Settings, dir string) {
	if !s.KeepHomes {
		_ = os.RemoveAll(dir)
	}
}
