package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
)

// errJoin marks a network that could not be joined.
var errJoin = errors.New("cannot join")

// joinFlags are init's flags for joining a running network.
type joinFlags struct {
	rpc         string
	witnesses   []string
	trustPeriod time.Duration
}

func (f *joinFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.rpc, "join", "", "join the running network this RPC address serves: fetch its genesis, "+
		"a trusted header and its peer address; `riffchain start` then catches up by state sync and block sync")
	c.Flags().StringSliceVar(&f.witnesses, "join-witness", nil, "more RPC addresses of the network: the trusted header "+
		"must match theirs, and state sync's light client cross-checks headers with them")
	c.Flags().DurationVar(&f.trustPeriod, "trust-period", client.DefaultTrustPeriod, "how long the trusted header stays a valid root of trust")
}

// run writes a node home that joins the network behind f.rpc: the network's
// genesis, a config with state sync on (trusting the latest header the node
// shows, checked against every witness) and the node as persistent peer,
// fresh node and validator keys, and a client.toml that trusts the same
// header for light-client-verified queries.
func (f *joinFlags) run(home, moniker, rpcAddr, p2pAddr string) error {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	if _, err := os.Stat(cfg.GenesisFile()); err == nil {
		return fmt.Errorf("%w: %s", app.ErrHomeExists, cfg.GenesisFile())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.New(f.rpc)
	if err != nil {
		return err
	}
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return fmt.Errorf("%w: status of %s: %v", errJoin, f.rpc, err)
	}
	doc, err := fetchGenesis(ctx, c)
	if err != nil {
		return err
	}
	if doc.ChainID != st.NodeInfo.Network {
		return fmt.Errorf("%w: genesis is for %q, node runs %q", errJoin, doc.ChainID, st.NodeInfo.Network)
	}
	// Trust the latest header, after checking its commit is signed by its
	// validator set and that every witness has the same header.
	trustHeight := st.SyncInfo.LatestBlockHeight
	if trustHeight < 1 {
		return fmt.Errorf("%w: the network has no blocks yet", errJoin)
	}
	com, err := c.RPC.Commit(ctx, &trustHeight)
	if err != nil {
		return fmt.Errorf("%w: commit %d: %v", errJoin, trustHeight, err)
	}
	vals, err := c.ValidatorsAt(ctx, trustHeight) // every page: 30 a page by default
	if err != nil {
		return fmt.Errorf("%w: %v", errJoin, err)
	}
	if err := client.VerifySignedHeader(doc.ChainID, &com.SignedHeader, cmttypes.NewValidatorSet(vals)); err != nil {
		return fmt.Errorf("%w: trusted header: %v", errJoin, err)
	}
	trustHash := com.Header.Hash()
	for _, w := range f.witnesses {
		wc, err := client.New(w)
		if err != nil {
			return err
		}
		if err := waitForHeight(ctx, wc, trustHeight); err != nil {
			return fmt.Errorf("%w: witness %s: %v", errJoin, w, err)
		}
		wcom, err := wc.RPC.Commit(ctx, &trustHeight)
		if err != nil {
			return fmt.Errorf("%w: witness %s: commit %d: %v", errJoin, w, trustHeight, err)
		}
		if got := wcom.Header.Hash(); got.String() != trustHash.String() {
			return fmt.Errorf("%w: witness %s has header %X at height %d, %s has %X", errJoin, w, got, trustHeight, f.rpc, trustHash)
		}
	}
	peer, err := peerAddress(f.rpc, string(st.NodeInfo.DefaultNodeID), st.NodeInfo.ListenAddr)
	if err != nil {
		return err
	}

	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		return fmt.Errorf("init home: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		return fmt.Errorf("init home: %w", err)
	}
	cfg.Moniker = moniker
	cfg.RPC.ListenAddress = rpcAddr
	cfg.P2P.ListenAddress = p2pAddr
	// Strict peer settings, unless this node and the network it joins are
	// both on loopback (a local network: every peer is 127.0.0.1).
	loopback := app.IsLoopbackAddr(p2pAddr) && app.IsLoopbackAddr(peer)
	app.SetP2PPolicy(cfg, loopback)
	cfg.P2P.PersistentPeers = peer
	servers := append([]string{f.rpc}, f.witnesses...)
	if len(servers) < 2 {
		servers = append(servers, f.rpc) // CometBFT wants two; the same node twice trusts it alone
	}
	cfg.StateSync.Enable = true
	cfg.StateSync.RPCServers = servers
	cfg.StateSync.TrustHeight = trustHeight
	cfg.StateSync.TrustHash = hex.EncodeToString(trustHash)
	cfg.StateSync.TrustPeriod = f.trustPeriod
	cfg.StateSync.DiscoveryTime = 5 * time.Second
	if err := cfg.ValidateBasic(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	if err := app.WriteAppConfig(home, app.DefaultAppConfig()); err != nil {
		return err
	}
	privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return fmt.Errorf("node key: %w", err)
	}
	if err := doc.SaveAs(cfg.GenesisFile()); err != nil {
		return fmt.Errorf("save genesis: %w", err)
	}
	if err := writeJoinClientConfig(home, rpcAddr, doc.ChainID, trustHeight, hex.EncodeToString(trustHash), f.witnesses); err != nil {
		return err
	}
	return emit(map[string]any{"home": home, "chain_id": doc.ChainID, "moniker": moniker, "node_id": string(nodeKey.ID()),
		"persistent_peers": peer, "rpc_servers": servers, "trust_height": trustHeight,
		"trust_hash": strings.ToUpper(hex.EncodeToString(trustHash)), "state_sync": true,
		"addr_book_strict": cfg.P2P.AddrBookStrict, "allow_duplicate_ip": cfg.P2P.AllowDuplicateIP})
}

// waitForHeight waits (up to 10 s, within ctx) until the node behind c has
// committed height h: a witness may be a block or two behind the node the
// trusted header came from.
func waitForHeight(ctx context.Context, c *client.Client, h int64) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		st, err := c.RPC.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("status: %w", err)
			}
			return fmt.Errorf("still at height %d, waiting for %d", st.SyncInfo.LatestBlockHeight, h)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// fetchGenesis gets the genesis from /genesis, or chunk by chunk from
// /genesis_chunked when the node finds it too large to send whole.
func fetchGenesis(ctx context.Context, c *client.Client) (*cmttypes.GenesisDoc, error) {
	if g, err := c.RPC.Genesis(ctx); err == nil {
		return g.Genesis, nil
	}
	var raw []byte
	for i := uint(0); ; i++ {
		ch, err := c.RPC.GenesisChunked(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("%w: genesis chunk %d: %v", errJoin, i, err)
		}
		b, err := base64.StdEncoding.DecodeString(ch.Data)
		if err != nil {
			return nil, fmt.Errorf("%w: genesis chunk %d: %v", errJoin, i, err)
		}
		raw = append(raw, b...)
		if ch.ChunkNumber+1 >= ch.TotalChunks {
			break
		}
	}
	doc, err := cmttypes.GenesisDocFromJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: genesis: %v", errJoin, err)
	}
	return doc, nil
}

// peerAddress is id@host:port of the node's P2P listener; an unspecified
// host (0.0.0.0, ::) is replaced by the host of its RPC address.
func peerAddress(rpc, id, listen string) (string, error) {
	hostport := listen
	if i := strings.Index(hostport, "://"); i >= 0 {
		hostport = hostport[i+3:]
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", fmt.Errorf("%w: node listen address %q: %v", errJoin, listen, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		u, err := url.Parse(strings.Replace(rpc, "tcp://", "http://", 1))
		if err != nil || u.Hostname() == "" {
			return "", fmt.Errorf("%w: RPC address %q", errJoin, rpc)
		}
		host = u.Hostname()
	}
	return id + "@" + net.JoinHostPort(host, port), nil
}

// writeJoinClientConfig writes HOME/config/client.toml (unless one exists)
// so the CLI talks to this node and verifies --prove answers with the light
// client from the header the join trusted.
func writeJoinClientConfig(home, rpcAddr, chainID string, height int64, hash string, witnesses []string) error {
	path := filepath.Join(home, "config", "client.toml")
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# riffchain CLI settings for this home (flags and RIFFCHAIN_* env override them).\n")
	fmt.Fprintf(&b, "node = %q\n\n", rpcAddr)
	fmt.Fprintf(&b, "# query --prove checks answers against headers the light client verified from this one.\n")
	fmt.Fprintf(&b, "trust_chain_id = %q\ntrust_height = %d\ntrust_hash = %q\n", chainID, height, strings.ToUpper(hash))
	fmt.Fprintf(&b, "witnesses = [")
	for i, w := range witnesses {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", w)
	}
	b.WriteString("]\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write client.toml: %w", err)
	}
	return nil
}
