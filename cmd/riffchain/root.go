package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// cfg is the merged configuration: flags > RIFFCHAIN_* env > client.toml.
var cfg = viper.New()

const (
	flagHome    = "home"
	flagNode    = "node"
	flagOutput  = "output"
	flagBackend = "keyring-backend"
	flagFrom    = "from"
)

func defaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".riffchain")
	}
	return ".riffchain"
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "riffchain",
		Short:         "riffchain: a BFT ledger for signed multi-party agreements, assets, pools and Lenses",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return loadClientConfig()
		},
	}
	pf := root.PersistentFlags()
	pf.String(flagHome, defaultHome(), "node and keyring home folder")
	pf.String(flagNode, "tcp://127.0.0.1:26657", "RPC address of the node to talk to")
	pf.StringP(flagOutput, "o", "text", "output format: text or json")
	pf.String(flagBackend, "file", "keyring backend: file (encrypted) or test (unencrypted, for scripts)")
	pf.StringVar(&outputField, "field", "", "print only this field of the result (e.g. CID=$(riffchain content add f --field cid))")
	pf.Bool(flagBaseUnits, false, "read every amount as a whole number of base units (default: display units with the asset's decimals, 1.5 RIFF = 1500000)")
	for _, name := range []string{flagHome, flagNode, flagOutput, flagBackend, flagBaseUnits} {
		_ = cfg.BindPFlag(name, pf.Lookup(name))
	}
	cfg.SetEnvPrefix("RIFFCHAIN")
	cfg.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	cfg.AutomaticEnv()

	root.AddCommand(
		newInitCmd(), newStartCmd(), newDevCmd(), newGenesisCmd(),
		newKeysCmd(), newTxCmd(), newQueryCmd(), newStatusCmd(), newConfigCmd(),
	)
	for _, add := range extraCommands {
		root.AddCommand(add())
	}
	return root
}

// extraCommands are added by the files that wire further modules.
var extraCommands []func() *cobra.Command

// loadClientConfig reads HOME/config/client.toml when it exists.
func loadClientConfig() error {
	path := filepath.Join(cfgHome(), "config", "client.toml")
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	if err := checkClientFile(path); err != nil { // client_config.go
		return err
	}
	cfg.SetConfigFile(path)
	return cfg.ReadInConfig()
}

func cfgHome() string   { return cfg.GetString(flagHome) }
func cfgNode() string   { return cfg.GetString(flagNode) }
func cfgOutput() string { return cfg.GetString(flagOutput) }
