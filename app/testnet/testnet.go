// Package testnet creates the node homes of a local multi-validator network:
// N homes that share one genesis (every node an equal-power validator),
// distinct loopback ports, persistent peers, Prometheus metrics on distinct
// ports, and a funded key per node in each home's test keyring. The
// `riffchain testnet` command, scripts/localnet, the network fault tests and
// the benchmark (scripts/bench) all create networks through Create.
package testnet

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/ledger"
)

// Sentinel errors of Create.
var (
	ErrOptions = errors.New("invalid testnet options")
	ErrExists  = errors.New("testnet folder is not empty")
)

// Defaults used when an option is left zero.
const (
	DefaultChainID  = "riff-localnet"
	DefaultPower    = 10
	DefaultBalance  = "1000000000000000"
	DefaultHost     = "127.0.0.1"
	DefaultBasePort = 26656
	// PortsPerNode is the stride between nodes' ports when BasePort is set:
	// node i uses BasePort+PortsPerNode*i + 0 (p2p), 1 (RPC), 2 (CometBFT
	// Prometheus), 3 (app Prometheus).
	PortsPerNode = 10
	// SummaryFile is written into Dir with the JSON summary.
	SummaryFile = "testnet.json"
)

// Options says what network to create. Only Validators and Dir are required.
type Options struct {
	Validators int    // number of nodes, all validators with equal power (>= 1)
	Dir        string // output folder; node i's home is Dir/node<i>
	ChainID    string // default DefaultChainID
	// BasePort is the first port of the layout described at PortsPerNode.
	// 0 picks free ports on each host now (tests).
	BasePort int
	// Hosts are the IPs nodes listen on and are dialled at; Hosts[i] for
	// node i, the last entry (or DefaultHost) for the rest.
	Hosts         []string
	TimeoutCommit time.Duration // consensus timeout_commit; 0 = CometBFT's default (1s)
	Power         int64         // each validator's power; 0 = DefaultPower
	Balance       string        // RIFF given to each node key at genesis; "" = DefaultBalance
	KeyPrefix     string        // key name prefix in each home's test keyring; "" = "node"
	NoMetrics     bool          // leave CometBFT and app Prometheus endpoints off
	// ExtraBalances are further genesis balances (load-generator or
	// benchmark accounts); assets other than RIFF must exist in genesis.
	ExtraBalances []ledger.Holding
	// Edit, when set, may adjust node i's CometBFT config and app.toml
	// before they are written (e.g. a minimum fee on one node, shorter
	// consensus timeouts, the tx indexer off for benchmarks).
	Edit func(i int, cfg *cmtcfg.Config, appCfg *app.AppConfig)
}

// Summary describes a created network; it is also written as JSON to
// Dir/testnet.json.
type Summary struct {
	ChainID string `json:"chain_id"`
	Dir     string `json:"dir"`
	Genesis string `json:"genesis"` // sha256 of genesis.json (same file in every home)
	Nodes   []Node `json:"nodes"`
}

// Node is one node of a Summary.
type Node struct {
	Index      int            `json:"index"`
	Moniker    string         `json:"moniker"`
	Home       string         `json:"home"`
	NodeID     string         `json:"node_id"`
	RPC        string         `json:"rpc"`                   // tcp://host:port
	P2P        string         `json:"p2p"`                   // tcp://host:port
	Prometheus string         `json:"prometheus,omitempty"`  // CometBFT metrics host:port
	AppMetrics string         `json:"app_metrics,omitempty"` // riffchain app metrics host:port
	Validator  string         `json:"validator"`             // consensus address (hex)
	Power      int64          `json:"power"`
	Key        string         `json:"key"`     // name in the home's test keyring
	Address    ledger.Address `json:"address"` // the key's account, funded at genesis
}

// ports of one node.
type ports struct{ p2p, rpc, prom, app int }

// Create writes the homes of a new network and returns its summary.
func Create(o Options) (*Summary, error) {
	if o.Validators < 1 {
		return nil, fmt.Errorf("%w: --validators must be at least 1", ErrOptions)
	}
	if o.Dir == "" {
		return nil, fmt.Errorf("%w: output folder is empty", ErrOptions)
	}
	if o.BasePort < 0 || o.BasePort+PortsPerNode*o.Validators > 65535 {
		return nil, fmt.Errorf("%w: base port %d leaves no room for %d nodes", ErrOptions, o.BasePort, o.Validators)
	}
	if o.ChainID == "" {
		o.ChainID = DefaultChainID
	}
	if o.Power == 0 {
		o.Power = DefaultPower
	}
	if o.KeyPrefix == "" {
		o.KeyPrefix = "node"
	}
	bal, err := ledger.ParseAmount(orDefault(o.Balance, DefaultBalance))
	if err != nil {
		return nil, fmt.Errorf("%w: balance: %v", ErrOptions, err)
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOptions, err)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrExists, dir)
	}
	hosts := make([]string, o.Validators)
	for i := range hosts {
		hosts[i] = DefaultHost
		if n := len(o.Hosts); n > 0 {
			hosts[i] = o.Hosts[min(i, n-1)]
		}
		if net.ParseIP(hosts[i]) == nil {
			return nil, fmt.Errorf("%w: host %q is not an IP address", ErrOptions, hosts[i])
		}
	}
	ps, err := allocatePorts(o.BasePort, hosts)
	if err != nil {
		return nil, err
	}

	sum := &Summary{ChainID: o.ChainID, Dir: dir}
	var vals []cmttypes.GenesisValidator
	var genesis *cmttypes.GenesisDoc
	for i := 0; i < o.Validators; i++ {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		moniker := fmt.Sprintf("node%d", i)
		doc, err := app.InitHome(app.InitOptions{Home: home, ChainID: o.ChainID, Moniker: moniker,
			RPCAddr: tcp(hosts[i], ps[i].rpc), P2PAddr: tcp(hosts[i], ps[i].p2p),
			TimeoutCommit: o.TimeoutCommit, Power: o.Power})
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		if genesis == nil {
			genesis = doc
		}
		gv := doc.Validators[0]
		gv.Name = moniker
		vals = append(vals, gv)
		nk, err := p2p.LoadNodeKey(filepath.Join(home, "config", "node_key.json"))
		if err != nil {
			return nil, fmt.Errorf("node %d: node key: %w", i, err)
		}
		kr, err := keyring.Open(home, keyring.BackendTest, nil)
		if err != nil {
			return nil, fmt.Errorf("node %d: keyring: %w", i, err)
		}
		keyName := fmt.Sprintf("%s%d", o.KeyPrefix, i)
		info, err := kr.Add(keyName)
		if err != nil {
			return nil, fmt.Errorf("node %d: key: %w", i, err)
		}
		n := Node{Index: i, Moniker: moniker, Home: home, NodeID: string(nk.ID()),
			RPC: tcp(hosts[i], ps[i].rpc), P2P: tcp(hosts[i], ps[i].p2p),
			Validator: gv.Address.String(), Power: o.Power, Key: keyName, Address: info.Address}
		if !o.NoMetrics {
			n.Prometheus = hostPort(hosts[i], ps[i].prom)
			n.AppMetrics = hostPort(hosts[i], ps[i].app)
		}
		sum.Nodes = append(sum.Nodes, n)
	}

	// One genesis for all: every validator, a balance for every node key.
	var gs app.GenesisState
	if err := app.StrictUnmarshal(genesis.AppState, &gs); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	for _, n := range sum.Nodes {
		gs.Ledger.Balances = append(gs.Ledger.Balances, ledger.Holding{Address: n.Address, Asset: app.NativeAsset, Amount: bal})
	}
	gs.Ledger.Balances = append(gs.Ledger.Balances, o.ExtraBalances...)
	if genesis.AppState, err = json.Marshal(gs); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	genesis.Validators = vals
	if err := genesis.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}

	for i, n := range sum.Nodes {
		if err := genesis.SaveAs(filepath.Join(n.Home, "config", "genesis.json")); err != nil {
			return nil, fmt.Errorf("node %d: save genesis: %w", i, err)
		}
		if err := writeConfigs(o, i, n, peersFor(sum.Nodes, i)); err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
	}
	if sum.Genesis, err = genesisHash(filepath.Join(sum.Nodes[0].Home, "config", "genesis.json")); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode summary: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, SummaryFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("write summary: %w", err)
	}
	return sum, nil
}

// Load reads the summary that Create wrote into dir.
func Load(dir string) (*Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("read testnet summary: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("testnet summary %s: %w", dir, err)
	}
	return &s, nil
}

// writeConfigs rewrites config.toml and app.toml of node n.
func writeConfigs(o Options, i int, n Node, peers string) error {
	cfg, err := app.LoadConfig(n.Home)
	if err != nil {
		return err
	}
	cfg.Moniker = n.Moniker
	cfg.P2P.PersistentPeers = peers
	app.SetP2PPolicy(cfg, true) // every node on one machine: loopback peers, one IP
	cfg.RPC.PprofListenAddress = ""
	cfg.Instrumentation.Prometheus = !o.NoMetrics
	if !o.NoMetrics {
		cfg.Instrumentation.PrometheusListenAddr = n.Prometheus
	}
	appCfg := app.DefaultAppConfig()
	appCfg.MetricsAddr = n.AppMetrics
	if o.Edit != nil {
		o.Edit(i, cfg, &appCfg)
	}
	if err := cfg.ValidateBasic(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	cmtcfg.WriteConfigFile(filepath.Join(n.Home, "config", "config.toml"), cfg)
	return app.WriteAppConfig(n.Home, appCfg)
}

// peersFor lists every node but i as id@host:port.
func peersFor(nodes []Node, i int) string {
	var ps []string
	for j, n := range nodes {
		if j != i {
			ps = append(ps, n.NodeID+"@"+strings.TrimPrefix(n.P2P, "tcp://"))
		}
	}
	return strings.Join(ps, ",")
}

// allocatePorts lays ports out from base, or (base 0) takes free ports,
// holding every probe listener open until all are chosen so none repeats.
func allocatePorts(base int, hosts []string) ([]ports, error) {
	out := make([]ports, len(hosts))
	if base > 0 {
		for i := range out {
			p := base + PortsPerNode*i
			out[i] = ports{p2p: p, rpc: p + 1, prom: p + 2, app: p + 3}
		}
		return out, nil
	}
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	free := func(host string) (int, error) {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil { // host not on this machine (yet), e.g. inside a network namespace
			l, err = net.Listen("tcp", net.JoinHostPort(DefaultHost, "0"))
		}
		if err != nil {
			return 0, fmt.Errorf("%w: free port on %s: %v", ErrOptions, host, err)
		}
		held = append(held, l)
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	for i, h := range hosts {
		var p [4]int
		for k := range p {
			v, err := free(h)
			if err != nil {
				return nil, err
			}
			p[k] = v
		}
		out[i] = ports{p2p: p[0], rpc: p[1], prom: p[2], app: p[3]}
	}
	return out, nil
}

// genesisHash returns the hex SHA-256 of the genesis file.
func genesisHash(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read genesis: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

func tcp(host string, port int) string { return "tcp://" + hostPort(host, port) }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
