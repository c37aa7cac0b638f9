package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app/testnet"
)

func init() { extraCommands = append(extraCommands, newTestnetCmd) }

// newTestnetCmd is `riffchain testnet`: the homes of a local network, made
// by testnet.Create (which scripts/bench and the fault tests call too).
func newTestnetCmd() *cobra.Command {
	var o testnet.Options
	var host string
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
JSON: --output here names the folder.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if host != "" {
				o.Hosts = []string{host}
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
	f.StringVar(&o.Dir, "output", "./localnet", "folder for the node homes (must be empty or absent)")
	f.IntVar(&o.BasePort, "base-port", testnet.DefaultBasePort, "first port; node i uses BASE+10i .. BASE+10i+3 (0: free ports)")
	f.StringVar(&o.ChainID, "chain-id", testnet.DefaultChainID, "chain id")
	f.DurationVar(&o.TimeoutCommit, "timeout-commit", 500*time.Millisecond, "consensus timeout_commit")
	f.StringVar(&host, "host", testnet.DefaultHost, "IP address the nodes listen on")
	f.StringVar(&o.Balance, "balance", testnet.DefaultBalance, "RIFF given to each node key at genesis")
	f.Int64Var(&o.Power, "power", testnet.DefaultPower, "voting power of each validator")
	f.BoolVar(&o.NoMetrics, "no-metrics", false, "leave the Prometheus endpoints off")
	return c
}
