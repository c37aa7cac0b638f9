package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
)

// Settings are the knobs of one benchmark run. The CometBFT ones are
// applied identically to the riffchain node and the kvstore node.
type Settings struct {
	Seed     string // key derivation seed
	Accounts int    // funded genesis accounts that send transactions
	Txs      int    // transfers (and kvstore txs) per phase
	Agrees   int    // agreements per phase (0: skip)
	Swaps    int    // pool swaps per phase (0: skip)
	Clients  int    // concurrent JSON-RPC clients
	Batch    int    // broadcast_tx_sync calls per HTTP request (JSON-RPC batch)
	Repeat   int    // rounds of the node phases (medians reported)
	// KvBytes > 0 gives every kvstore tx that many bytes instead of the
	// matching transfer's size: with the agreements' size it measures what
	// CometBFT alone pays for txs that big.
	KvBytes int
	// Validators > 1 runs the multi-validator mode: that many in-process
	// validators per app (testnet.Create homes), transfers and kvstore only.
	Validators int

	TimeoutCommit   time.Duration
	BlockMaxBytes   int64
	BlockMaxGas     int64
	MempoolSize     int
	MempoolMaxBytes int64
	MempoolCache    int
	Recheck         bool
	Indexers        []string // "kv", "null"
	ABCIClient      string   // "connsync" (a mutex per ABCI connection, as app.NewNode) or "local" (one mutex)

	Kvstore      bool          // also drive the kvstore app
	Direct       bool          // also call both apps' ABCI methods directly (app-only cost)
	DirectBlock  int           // txs per block in the direct measurement
	DirectRepeat int           // repetitions of the direct measurement (minimum kept)
	Nodes        bool          // run the node phases (false: direct measurement only)
	WireMissing  bool          // register missing pool/agreement routes in the bench node
	Profile      []string      // phase names to CPU-profile
	ProfileTop   int           // rows of the profile tables
	PhaseTimeout time.Duration // how long to wait for commits after the last submit
	OutDir       string        // where profiles are written ("" = temp dir)
	KeepHomes    bool          // keep node homes after the run
	Quiet        bool          // no progress lines
}

// DefaultSettings are sized for a full run of ~2-4 minutes on 2 cores.
func DefaultSettings() Settings {
	return Settings{
		Seed:            "riffchain-bench",
		Accounts:        1000,
		Txs:             20000,
		Agrees:          12000,
		Swaps:           10000,
		Clients:         8,
		Batch:           1,
		Repeat:          1,
		Validators:      1,
		TimeoutCommit:   500 * time.Millisecond,
		BlockMaxBytes:   cmttypes.DefaultBlockParams().MaxBytes,
		BlockMaxGas:     app.DefaultBlockMaxGas,
		MempoolSize:     50000,
		MempoolMaxBytes: 1 << 30,
		MempoolCache:    10000,
		Recheck:         true,
		Indexers:        []string{"kv", "null"},
		ABCIClient:      "connsync",
		Kvstore:         true,
		Direct:          true,
		DirectBlock:     2000,
		DirectRepeat:    3,
		Nodes:           true,
		Profile:         []string{"transfers"},
		ProfileTop:      20,
		PhaseTimeout:    60 * time.Second,
	}
}

// RegisterFlags binds the settings to fs.
func (s *Settings) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.Seed, "seed", s.Seed, "seed the account keys are derived from")
	fs.IntVar(&s.Accounts, "accounts", s.Accounts, "N: funded genesis accounts sending transactions")
	fs.IntVar(&s.Txs, "txs", s.Txs, "M: transfers per phase (kvstore gets the same number and sizes)")
	fs.IntVar(&s.KvBytes, "kvstore-bytes", s.KvBytes, "size of every kvstore tx (0: each matches its transfer's size)")
	fs.IntVar(&s.Agrees, "agreements", s.Agrees, "two-party DvP agreements (agreement/submit) per phase, 0 to skip")
	fs.IntVar(&s.Swaps, "swaps", s.Swaps, "swaps against one pool (pool/swap) per phase, 0 to skip")
	fs.IntVar(&s.Clients, "clients", s.Clients, "concurrent JSON-RPC clients (each owns a group of accounts)")
	fs.IntVar(&s.Batch, "batch", s.Batch, "broadcast_tx_sync calls per HTTP request (1 = one request each; more = JSON-RPC batch)")
	fs.IntVar(&s.Repeat, "repeat", s.Repeat, "rounds of node phases, riffchain and kvstore alternating; medians are printed (use 3+ on a busy machine)")
	fs.IntVar(&s.Validators, "validators", s.Validators, "validators per network: 1 = one node per app (default); N > 1 = N in-process validators per app from testnet.Create, load spread over their RPC endpoints, transfers and kvstore only (defaults then: -txs "+fmt.Sprint(NetTxs)+", -repeat "+fmt.Sprint(NetRepeat)+", -indexer kv)")
	fs.DurationVar(&s.TimeoutCommit, "timeout-commit", s.TimeoutCommit, "consensus timeout_commit")
	fs.Int64Var(&s.BlockMaxBytes, "block-max-bytes", s.BlockMaxBytes, "consensus param block.max_bytes")
	fs.Int64Var(&s.BlockMaxGas, "block-max-gas", s.BlockMaxGas, "consensus param block.max_gas")
	fs.IntVar(&s.MempoolSize, "mempool-size", s.MempoolSize, "mempool.size (max txs)")
	fs.Int64Var(&s.MempoolMaxBytes, "mempool-max-bytes", s.MempoolMaxBytes, "mempool.max_txs_bytes")
	fs.IntVar(&s.MempoolCache, "mempool-cache", s.MempoolCache, "mempool.cache_size")
	fs.BoolVar(&s.Recheck, "recheck", s.Recheck, "mempool.recheck")
	idx := strings.Join(s.Indexers, ",")
	fs.Func("indexer", "tx indexers to run, comma separated: kv,null (default \""+idx+"\")", func(v string) error {
		s.Indexers = nil
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p != "kv" && p != "null" {
				return fmt.Errorf("indexer %q: want kv or null", p)
			}
			s.Indexers = append(s.Indexers, p)
		}
		return nil
	})
	fs.StringVar(&s.ABCIClient, "abci", s.ABCIClient, "ABCI local client for both apps: connsync (a mutex per connection; riffchain via app.NewNode) or local (one mutex over all connections; experiment)")
	fs.BoolVar(&s.Kvstore, "kvstore", s.Kvstore, "also drive CometBFT's kvstore app for the ratio")
	fs.BoolVar(&s.Direct, "direct", s.Direct, "also measure each app's own CPU per tx by calling its ABCI methods directly (no CometBFT)")
	fs.IntVar(&s.DirectBlock, "direct-block", s.DirectBlock, "txs per block in the direct measurement")
	fs.IntVar(&s.DirectRepeat, "direct-repeat", s.DirectRepeat, "repeat the direct measurement, keep the minimum per step (robust on a shared machine)")
	fs.BoolVar(&s.Nodes, "nodes", s.Nodes, "run the node phases (-nodes=false -direct: only the app-alone measurement)")
	fs.BoolVar(&s.WireMissing, "wire-missing", s.WireMissing, "register pool/agreement routes the app lacks, in the bench node only (numbers marked self-wired)")
	prof := strings.Join(s.Profile, ",")
	fs.Func("profile", "phases to CPU-profile: transfers,agreements,swaps,kvstore,direct, all or none (default \""+prof+"\")", func(v string) error {
		s.Profile = nil
		for _, p := range strings.Split(v, ",") {
			switch p = strings.TrimSpace(p); p {
			case "none", "":
			case "all":
				s.Profile = []string{"transfers", "agreements", "swaps", "kvstore", "direct"}
			case "transfers", "agreements", "swaps", "kvstore", "direct":
				s.Profile = append(s.Profile, p)
			default:
				return fmt.Errorf("profile phase %q unknown", p)
			}
		}
		return nil
	})
	fs.IntVar(&s.ProfileTop, "profile-top", s.ProfileTop, "rows in the profile top tables")
	fs.DurationVar(&s.PhaseTimeout, "phase-timeout", s.PhaseTimeout, "wait this long for commits after the last submit")
	fs.StringVar(&s.OutDir, "out", s.OutDir, "directory for CPU profiles (default: a temp dir, printed)")
	fs.BoolVar(&s.KeepHomes, "keep-homes", s.KeepHomes, "keep the node homes after the run")
	fs.BoolVar(&s.Quiet, "quiet", s.Quiet, "no progress lines")
}

// Check reports flag combinations that cannot run.
func (s *Settings) Check() error {
	switch {
	case s.Accounts < 2:
		return fmt.Errorf("%w: need at least 2 accounts", ErrSettings)
	case s.Txs < 1:
		return fmt.Errorf("%w: need at least 1 tx", ErrSettings)
	case s.Validators < 1:
		return fmt.Errorf("%w: need at least 1 validator", ErrSettings)
	case s.Repeat < 1:
		return fmt.Errorf("%w: repeat must be at least 1", ErrSettings)
	case s.Batch < 1:
		return fmt.Errorf("%w: batch must be at least 1", ErrSettings)
	case s.Clients < 1:
		return fmt.Errorf("%w: need at least 1 client", ErrSettings)
	case s.Agrees < 0 || s.Swaps < 0 || s.KvBytes < 0:
		return fmt.Errorf("%w: negative count", ErrSettings)
	case len(s.Indexers) == 0:
		return fmt.Errorf("%w: no indexer given", ErrSettings)
	case s.DirectBlock < 1 || s.DirectRepeat < 1:
		return fmt.Errorf("%w: direct-block and direct-repeat must be at least 1", ErrSettings)
	case !s.Nodes && !s.Direct && s.Validators == 1:
		return fmt.Errorf("%w: nothing to run (-nodes=false and -direct=false)", ErrSettings)
	case s.ABCIClient != "local" && s.ABCIClient != "connsync":
		return fmt.Errorf("%w: abci %q: want local or connsync", ErrSettings, s.ABCIClient)
	}
	return nil
}

func (s *Settings) profiled(phase string) bool {
	for _, p := range s.Profile {
		if p == phase {
			return true
		}
	}
	return false
}

// Defaults of the multi-validator mode (-txs, -repeat), sized for a run of
// about 2-3 minutes on 2 cores: 3 rounds so medians are printed.
const (
	NetTxs    = 15000
	NetRepeat = 3
)

// networkDefaults adapts the settings to the multi-validator mode: flags
// the user did not set (set holds the names given) get the mode's
// defaults, and the phases it does not run are switched off.
func (s *Settings) networkDefaults(set map[string]bool) {
	if s.Validators < 2 {
		return
	}
	if !set["txs"] {
		s.Txs = NetTxs
	}
	if !set["indexer"] {
		s.Indexers = []string{"kv"}
	}
	if !set["repeat"] {
		s.Repeat = NetRepeat
	}
	s.Agrees, s.Swaps, s.Direct, s.Nodes = 0, 0, false, true
}

// mode names the benchmark mode.
func (s *Settings) mode() string {
	if s.Validators < 2 {
		return "single validator (one in-process node per app)"
	}
	return fmt.Sprintf("%d-validator network per app (%d in-process nodes in this process, testnet.Create homes, loopback P2P with persistent peers, load spread round-robin by client over the %d RPC endpoints, commits timed on node 0)",
		s.Validators, s.Validators, s.Validators)
}

// applyConfig sets the CometBFT node config knobs shared by both apps.
func (s *Settings) applyConfig(c *cmtcfg.Config, indexer string) {
	c.LogLevel = "error"
	c.Consensus.TimeoutCommit = s.TimeoutCommit
	c.Mempool.Size = s.MempoolSize
	c.Mempool.MaxTxsBytes = s.MempoolMaxBytes
	c.Mempool.CacheSize = s.MempoolCache
	c.Mempool.Recheck = s.Recheck
	c.TxIndex.Indexer = indexer
	c.Instrumentation.Prometheus = false
	c.RPC.MaxOpenConnections = 0 // unlimited: the load generator decides concurrency
	c.RPC.MaxRequestBatchSize = max(c.RPC.MaxRequestBatchSize, s.Batch)
	c.RPC.CORSAllowedOrigins = nil
}

// applyGenesis sets the consensus params shared by both apps.
func (s *Settings) applyGenesis(doc *cmttypes.GenesisDoc) {
	doc.ConsensusParams.Block.MaxBytes = s.BlockMaxBytes
	doc.ConsensusParams.Block.MaxGas = s.BlockMaxGas
}

// Print writes the settings both nodes run with.
func (s *Settings) Print(w io.Writer) {
	c := cmtcfg.DefaultConfig()
	s.applyConfig(c, "kv")
	fmt.Fprintf(w, "Mode: %s\n", s.mode())
	fmt.Fprintf(w, "CometBFT settings (identical for riffchain and kvstore, every node):\n")
	fmt.Fprintf(w, "  consensus.timeout_commit      %s (timeout_propose %s, create_empty_blocks %v)\n", c.Consensus.TimeoutCommit, c.Consensus.TimeoutPropose, c.Consensus.CreateEmptyBlocks)
	fmt.Fprintf(w, "  block.max_bytes / max_gas     %d / %d\n", s.BlockMaxBytes, s.BlockMaxGas)
	fmt.Fprintf(w, "  mempool type/size/max_bytes   %s / %d / %d\n", c.Mempool.Type, c.Mempool.Size, c.Mempool.MaxTxsBytes)
	fmt.Fprintf(w, "  mempool.cache_size / recheck  %d / %v\n", c.Mempool.CacheSize, c.Mempool.Recheck)
	fmt.Fprintf(w, "  tx_index.indexer              %s (each run)\n", strings.Join(s.Indexers, ", "))
	fmt.Fprintf(w, "  db_backend                    %s; in-process ABCI client %s; log level %s\n", c.DBBackend, s.ABCIClient, c.LogLevel)
	if s.Validators > 1 {
		fmt.Fprintf(w, "  validators                    %d per app, equal power, one shared genesis each (riffchain via app.NewNode, kvstore via node.NewNode)\n", s.Validators)
	}
	homes := "InitHome"
	if s.Validators > 1 {
		homes = "testnet.Create"
	}
	fmt.Fprintf(w, "riffchain: app.toml defaults from %s (no fees, snapshots as configured there, metrics off); kvstore: abci/example/kvstore persistent (goleveldb)\n", homes)
	fmt.Fprintf(w, "Load: %d accounts, %d clients (broadcast_tx_sync over HTTP JSON-RPC, keep-alive, %d per request), GOMAXPROCS %d\n",
		s.Accounts, s.Clients, s.Batch, runtime.GOMAXPROCS(0))
}
