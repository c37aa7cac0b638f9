package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// clientKeys are the settings client.toml may hold.
var clientKeys = []string{flagNode, flagOutput, flagBackend}

func newConfigCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "config [KEY [VALUE]]",
		Short: "Show or set client settings in HOME/config/client.toml (node, output, keyring-backend)",
		Long: `config with no arguments prints the effective client settings; with KEY it
prints one; with KEY VALUE it writes it to HOME/config/client.toml. Flags and
RIFFCHAIN_* environment variables still take precedence over the file.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				out := map[string]string{}
				for _, k := range clientKeys {
					out[k] = cfg.GetString(k)
				}
				out["home"] = cfgHome()
				return emit(out)
			}
			key := args[0]
			if !knownClientKey(key) {
				return fmt.Errorf("unknown setting %q (known: %s)", key, strings.Join(clientKeys, ", "))
			}
			if len(args) == 1 {
				return emit(map[string]string{key: cfg.GetString(key)})
			}
			path := filepath.Join(cfgHome(), "config", "client.toml")
			file := viper.New()
			file.SetConfigFile(path)
			if _, err := os.Stat(path); err == nil {
				if err := file.ReadInConfig(); err != nil {
					return fmt.Errorf("read %s: %w", path, err)
				}
			}
			file.Set(key, args[1])
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return fmt.Errorf("config folder: %w", err)
			}
			if err := file.WriteConfigAs(path); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			keys := file.AllKeys()
			sort.Strings(keys)
			return emit(map[string]string{"file": path, key: args[1]})
		},
	}
}

func knownClientKey(k string) bool {
	for _, c := range clientKeys {
		if c == k {
			return true
		}
	}
	return false
}
