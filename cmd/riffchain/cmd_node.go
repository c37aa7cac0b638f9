package main

import (
	"fmt"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
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
		Short: "Give an account a genesis balance (default asset RIFF; display units with the asset's decimals in the genesis, whole base units with --base-units)",
		Args:  cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			asset := app.NativeAsset
			if len(args) == 3 {
				asset = args[2]
			}
			var amt ledger.Amount
			err = app.EditGenesisState(cfgHome(), func(gs *app.GenesisState) error {
				if amt, err = parseAmountWith(args[1], asset, amountsInBaseUnits(), genesisDecimals(gs)); err != nil {
					return err
				}
				gs.Ledger.Balances = append(gs.Ledger.Balances, ledger.Holding{Address: addr, Asset: asset, Amount: amt})
				return nil
			})
			if err != nil {
				return err
			}
			return emit(map[string]string{"address": addr.String(), "asset": asset, "amount": amt.String()})
		},
	}
	c.AddCommand(add)
	return c
}

// genesisDecimals looks an asset's decimals up in a genesis state.
func genesisDecimals(gs *app.GenesisState) func(asset string) (uint8, error) {
	return func(asset string) (uint8, error) {
		for _, a := range gs.Ledger.Assets {
			if a.ID == asset {
				return a.Decimals, nil
			}
		}
		return 0, fmt.Errorf("display amount of %s needs its decimals: no such asset in the genesis", asset)
	}
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
	startWeb(n) // the explorer when web_addr is set (cmd_web.go)
	if started != nil {
		started(n)
	}
	waitSignal()
	return n.Stop()
}
