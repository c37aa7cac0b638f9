package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/testnet"
)

func init() { extraCommands = append(extraCommands, newTestnetCmd) }

// newTestnetCmd is `riffchain testnet`: the homes of a local network, made
// by testnet.Create (which scripts/bench and the fault tests call too).
func newTestnetCmd() *cobra.Command {
	var o testnet.Options
	var host, balance string
	var outputs []string
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Create the node homes of a local multi-validator network",
		Long: `testnet writes N node homes (DIR/node0 .. DIR/node<N-1>) that share one genesis in
which every node is a validator of equal power. Node i listens on HOST with ports
BASE+10i (p2p), BASE+10i+1 (RPC), BASE+10i+2 (CometBFT Prometheus) and
BASE+10i+3 (app Prometheus); --base-port 0 picks free ports instead. Every node
lists the others as persistent peers. Each home's test keyring holds a key
"node<i>" funded with RIFF at genesis. Start a node with
"riffchain start --home DIR/node<i>", or all of them with scripts/localnet.

It prints (and writes to DIR/testnet.json) a JSON summary: homes, node ids,
RPC and metrics addresses, key names and addresses. The summary is always
JSON (-o json is accepted; -o/--output with any other value is the folder,
as --dir, for older scripts).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := applyOutputs(outputs, o.Dir) // cmd_agreement.go: json|text, or the folder
			if err != nil {
				return err
			}
			o.Dir = dir
			if o.Dir == "" {
				o.Dir = "./localnet"
			}
			if host != "" {
				o.Hosts = []string{host}
			}
			if balance != "" {
				bal, err := parseAmountWith(balance, app.NativeAsset, amountsInBaseUnits(), func(string) (uint8, error) { return app.NativeDecimals, nil })
				if err != nil {
					return fmt.Errorf("--balance: %w", err)
				}
				o.Balance = bal.String()
			}
			sum, err := testnet.Create(o)
			if err != nil {
				return err
			}
			return emitJSONAlways(sum)
		},
	}
	f := c.Flags()
	f.IntVar(&o.Validators, "validators", 4, "number of validators (all with equal power)")
	f.StringVar(&o.Dir, "dir", "", "folder for the node homes, must be empty or absent (default ./localnet)")
	f.StringArrayVarP(&outputs, flagOutput, "o", nil, "output format (json; the summary is always JSON) or, for any other value, the folder as --dir")
	f.IntVar(&o.BasePort, "base-port", testnet.DefaultBasePort, "first port; node i uses BASE+10i .. BASE+10i+3 (0: free ports)")
	f.StringVar(&o.ChainID, "chain-id", testnet.DefaultChainID, "chain id")
	f.DurationVar(&o.TimeoutCommit, "timeout-commit", 500*time.Millisecond, "consensus timeout_commit")
	f.StringVar(&host, "host", testnet.DefaultHost, "IP address the nodes listen on")
	f.StringVar(&balance, "balance", "", "RIFF given to each node key at genesis, display units (default 1,000,000,000; whole base units with --base-units)")
	f.Int64Var(&o.Power, "power", testnet.DefaultPower, "voting power of each validator")
	f.BoolVar(&o.NoMetrics, "no-metrics", false, "leave the Prometheus endpoints off")
	return c
}
