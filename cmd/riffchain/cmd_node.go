package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/ledger"
)

func newInitCmd() *cobra.Command {
	var chainID, moniker, rpcAddr, p2pAddr string
	var timeoutCommit time.Duration
	var jf joinFlags // --join (cmd_join.go)
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: CometBFT config, node and validator keys, genesis",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if jf.rpc != "" {
				return jf.run(cfgHome(), moniker, rpcAddr, p2pAddr)
			}
			doc, err := app.InitHome(app.InitOptions{Home: cfgHome(), ChainID: chainID, Moniker: moniker,
				RPCAddr: rpcAddr, P2PAddr: p2pAddr, TimeoutCommit: timeoutCommit})
			if err != nil {
				return err
			}
			return emit(map[string]any{"home": cfgHome(), "chain_id": doc.ChainID, "moniker": moniker,
				"validator": doc.Validators[0].Address.String()})
		},
	}
	c.Flags().StringVar(&chainID, "chain-id", "riffchain-1", "chain id")
	c.Flags().StringVar(&moniker, "moniker", "node", "node name")
	c.Flags().StringVar(&rpcAddr, "rpc-laddr", "tcp://127.0.0.1:26657", "RPC listen address")
	c.Flags().StringVar(&p2pAddr, "p2p-laddr", "tcp://127.0.0.1:26656", "P2P listen address")
	c.Flags().DurationVar(&timeoutCommit, "timeout-commit", 0, "consensus timeout_commit (0 = CometBFT default)")
	jf.register(c)
	return c
}

func newGenesisCmd() *cobra.Command {
	c := &cobra.Command{Use: "genesis", Short: "Edit the genesis of a node home before the chain starts"}
	add := &cobra.Command{
		Use:   "add-balance ADDRESS|KEY AMOUNT [ASSET]",
		Short: "Give an account a genesis balance (default asset RIFF)",
		Args:  cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			amt, err := ledger.ParseAmount(args[1])
			if err != nil {
				return err
			}
			asset := app.NativeAsset
			if len(args) == 3 {
				asset = args[2]
			}
			if err := app.AddGenesisBalance(cfgHome(), addr, asset, amt); err != nil {
				return err
			}
			return emit(map[string]string{"address": addr.String(), "asset": asset, "amount": amt.String()})
		},
	}
	c.AddCommand(add)
	return c
}

// startFlags are the node flags shared by start and dev.
type startFlags struct {
	rpcAddr, p2pAddr string
}

func (f *startFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.rpcAddr, "rpc-laddr", "", "override the RPC listen address")
	c.Flags().StringVar(&f.p2pAddr, "p2p-laddr", "", "override the P2P listen address")
}

func (f *startFlags) edit(c *cmtcfg.Config) {
	if f.rpcAddr != "" {
		c.RPC.ListenAddress = f.rpcAddr
	}
	if f.p2pAddr != "" {
		c.P2P.ListenAddress = f.p2pAddr
	}
}

func newStartCmd() *cobra.Command {
	var sf startFlags
	c := &cobra.Command{
		Use:   "start",
		Short: "Run the node in the home folder until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNode(cfgHome(), sf.edit, nil)
		},
	}
	sf.register(c)
	return c
}

// runNode starts the node and blocks until SIGINT/SIGTERM.
func runNode(home string, edit func(*cmtcfg.Config), started func(*app.Node)) error {
	n, err := app.NewNode(home, nil, edit)
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		_ = n.Stop()
		return err
	}
	if started != nil {
		started(n)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	return n.Stop()
}

const devKey = "dev"

func newDevCmd() *cobra.Command {
	var sf startFlags
	c := &cobra.Command{
		Use:   "dev",
		Short: "Run a single-validator development chain (initialises the home on first use)",
		Long: `dev initialises the home if it has no genesis yet (chain id riff-dev, one
validator, short blocks, a key "dev" in the test keyring funded with RIFF),
then starts the node. RPC listens on 127.0.0.1:26657 unless --rpc-laddr says
otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := cfgHome()
			kr, err := keyring.Open(home, keyring.BackendTest, nil)
			if err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); errors.Is(err, os.ErrNotExist) {
				if _, err := app.InitHome(app.InitOptions{Home: home, ChainID: "riff-dev", Moniker: "dev",
					RPCAddr: orDefault(sf.rpcAddr, "tcp://127.0.0.1:26657"), P2PAddr: orDefault(sf.p2pAddr, "tcp://127.0.0.1:26656"),
					TimeoutCommit: 300 * time.Millisecond}); err != nil {
					return err
				}
				info, err := kr.Show(devKey)
				if errors.Is(err, keyring.ErrKeyNotFound) {
					info, err = kr.Add(devKey)
				}
				if err != nil {
					return err
				}
				amt, _ := ledger.ParseAmount("1000000000000000")
				if err := app.AddGenesisBalance(home, info.Address, app.NativeAsset, amt); err != nil {
					return err
				}
				if err := initDevContent(home); err != nil { // dev serves /ipfs/ (cmd_content.go)
					return err
				}
			}
			info, err := kr.Show(devKey)
			if err != nil {
				return fmt.Errorf("dev key: %w", err)
			}
			return runNode(home, sf.edit, func(n *app.Node) {
				_ = emit(map[string]string{"rpc": n.Config.RPC.ListenAddress, "chain_id": n.App.ChainID(),
					"dev_address": info.Address.String(), "dev_key": devKey, "keyring_backend": keyring.BackendTest, "home": home, "gateway": n.App.Config.GatewayAddr})
			})
		},
	}
	sf.register(c)
	return c
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
