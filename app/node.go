package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"
	"github.com/spf13/viper"

	"github.com/riffchain/riffchain/ledger"
)

// NativeAsset is the id of the chain's genesis currency.
const NativeAsset = "RIFF"

// NativeDecimals is the decimals of NativeAsset in a genesis made by Init
// (1 RIFF = 10^6 base units).
const NativeDecimals = 6

// InitOptions says how to create a node home.
type InitOptions struct {
	Home          string
	ChainID       string
	Moniker       string
	RPCAddr       string        // default tcp://127.0.0.1:26657
	P2PAddr       string        // default tcp://127.0.0.1:26656
	TimeoutCommit time.Duration // default CometBFT's (1s)
	Power         int64         // validator power, default 10
}

// ErrHomeExists is returned by InitHome when the home already holds a genesis.
var ErrHomeExists = errors.New("node home already initialised")

// InitHome writes a CometBFT config, node and validator keys, and a genesis
// with this node as the only validator and the native asset RIFF (issued by
// nobody, so its supply is fixed at genesis).
func InitHome(o InitOptions) (*cmttypes.GenesisDoc, error) {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(o.Home)
	if _, err := os.Stat(cfg.GenesisFile()); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrHomeExists, cfg.GenesisFile())
	}
	if err := os.MkdirAll(filepath.Join(o.Home, "config"), 0o700); err != nil {
		return nil, fmt.Errorf("init home: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(o.Home, "data"), 0o700); err != nil {
		return nil, fmt.Errorf("init home: %w", err)
	}
	cfg.Moniker = o.Moniker
	cfg.RPC.ListenAddress = orDefault(o.RPCAddr, "tcp://127.0.0.1:26657")
	cfg.P2P.ListenAddress = orDefault(o.P2PAddr, "tcp://127.0.0.1:26656")
	SetP2PPolicy(cfg, false) // one node: strict; testnet/localnet relax it for loopback
	if o.TimeoutCommit > 0 {
		cfg.Consensus.TimeoutCommit = o.TimeoutCommit
	}
	cmtcfg.WriteConfigFile(filepath.Join(o.Home, "config", "config.toml"), cfg)
	if err := WriteAppConfig(o.Home, DefaultAppConfig()); err != nil {
		return nil, err
	}
	pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	if _, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile()); err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, fmt.Errorf("validator key: %w", err)
	}
	power := o.Power
	if power == 0 {
		power = 10
	}
	gs := GenesisState{Ledger: ledger.Genesis{Assets: []ledger.Asset{{
		ID: NativeAsset, Kind: ledger.Fungible, Symbol: NativeAsset, Name: "riffchain native currency", Decimals: NativeDecimals,
	}}}}
	state, err := json.Marshal(gs)
	if err != nil {
		return nil, fmt.Errorf("genesis state: %w", err)
	}
	params := cmttypes.DefaultConsensusParams()
	params.Block.MaxGas = DefaultBlockMaxGas // spec/gas.md
	doc := &cmttypes.GenesisDoc{
		ChainID:         o.ChainID,
		GenesisTime:     cmttime.Now(),
		ConsensusParams: params,
		Validators: []cmttypes.GenesisValidator{{
			Address: pub.Address(), PubKey: pub, Power: power, Name: o.Moniker,
		}},
		AppState: state,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if err := doc.SaveAs(cfg.GenesisFile()); err != nil {
		return nil, fmt.Errorf("save genesis: %w", err)
	}
	return doc, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// EditGenesisState loads the genesis of home, lets fn change its app state
// and writes it back. Only for homes whose chain has not started.
func EditGenesisState(home string, fn func(*GenesisState) error) error {
	path := filepath.Join(home, "config", "genesis.json")
	doc, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		return fmt.Errorf("load genesis: %w", err)
	}
	var gs GenesisState
	if len(doc.AppState) > 0 {
		if err := StrictUnmarshal(doc.AppState, &gs); err != nil {
			return fmt.Errorf("genesis app_state: %w", err)
		}
	}
	if err := fn(&gs); err != nil {
		return err
	}
	if doc.AppState, err = json.Marshal(gs); err != nil {
		return fmt.Errorf("genesis app_state: %w", err)
	}
	return doc.SaveAs(path)
}

// AddGenesisBalance gives addr amount of asset at genesis.
func AddGenesisBalance(home string, addr ledger.Address, asset string, amount ledger.Amount) error {
	return EditGenesisState(home, func(gs *GenesisState) error {
		gs.Ledger.Balances = append(gs.Ledger.Balances, ledger.Holding{Address: addr, Asset: asset, Amount: amount})
		return nil
	})
}

// LoadConfig reads home/config/config.toml into a CometBFT config.
func LoadConfig(home string) (*cmtcfg.Config, error) {
	cfg := cmtcfg.DefaultConfig()
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	cfg.SetRoot(home)
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// Node is a running riffchain node: CometBFT in-process around the App.
type Node struct {
	Config *cmtcfg.Config
	App    *App
	CMT    *node.Node
	tree   *ledger.Tree
}

// NewNode builds (but does not start) the node in home. cfgEdit, when not
// nil, may adjust the loaded config (flags).
func NewNode(home string, logger log.Logger, cfgEdit func(*cmtcfg.Config)) (*Node, error) {
	cfg, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	if cfgEdit != nil {
		cfgEdit(cfg)
	}
	if logger == nil {
		logger = log.NewTMLogger(log.NewSyncWriter(os.Stdout))
	}
	logger, err = cmtflags.ParseLogLevel(cfg.LogLevel, logger, cmtcfg.DefaultLogLevel)
	if err != nil {
		return nil, fmt.Errorf("log level: %w", err)
	}
	doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("load genesis: %w", err)
	}
	appCfg, err := LoadAppConfig(home)
	if err != nil {
		return nil, err
	}
	tree, err := ledger.OpenTreeWithCache(filepath.Join(home, "data"), "app", appCfg.StateCacheNodes)
	if err != nil {
		return nil, err
	}
	logger.Info("opened state", "module", "app", "version", tree.Version(), "cache_nodes", tree.CacheNodes())
	local, err := ledger.OpenLocalStore(filepath.Join(home, "data"), "local")
	if err != nil {
		tree.Close()
		return nil, err
	}
	a, err := NewWithLocalStore(tree, doc.ChainID, logger.With("module", "app"), local, Modules()...)
	if err != nil {
		a.Close()
		tree.Close()
		return nil, fmt.Errorf("local indexes: %w", err)
	}
	a.Config = appCfg
	a.Home = home
	if doc.ConsensusParams != nil {
		a.SetBlockMaxGas(doc.ConsensusParams.Block.MaxGas)
	}
	for _, start := range nodeServices {
		if err := start(a); err != nil {
			tree.Close()
			return nil, fmt.Errorf("node setup: %w", err)
		}
	}
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		tree.Close()
		return nil, fmt.Errorf("load node key: %w", err)
	}
	pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	// One mutex per ABCI connection (not one for all): CheckTx and queries
	// run alongside block execution. The app guards its own shared state.
	n, err := node.NewNode(cfg, pv, nodeKey, proxy.NewConnSyncLocalClientCreator(a),
		func() (*cmttypes.GenesisDoc, error) { return doc, nil },
		cmtcfg.DefaultDBProvider, node.DefaultMetricsProvider(cfg.Instrumentation), logger)
	if err != nil {
		tree.Close()
		return nil, fmt.Errorf("create node: %w", err)
	}
	return &Node{Config: cfg, App: a, CMT: n, tree: tree}, nil
}

// Start starts the node.
func (n *Node) Start() error {
	if err := n.CMT.Start(); err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	return nil
}

// Stop stops the node and closes the state.
func (n *Node) Stop() error {
	var errs []error
	if n.CMT.IsRunning() {
		if err := n.CMT.Stop(); err != nil {
			errs = append(errs, err)
		}
		n.CMT.Wait()
	}
	n.App.Close() // background pruning ends before the state closes
	if err := n.tree.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// nodeServices start, in order, what a node runs around its app besides
// CometBFT, once Config and Home are set: the state-sync snapshot store,
// the content gateway and the metrics server. None touches state.
var nodeServices = []func(a *App) error{setupSnapshots, startContentGateway, startMetricsServer}
