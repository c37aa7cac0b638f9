package main

import (
	"fmt"
	"net"
	"net/url"

	"github.com/spf13/viper"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/keyring"
)

// checkClientFile refuses a client.toml with a key the CLI does not know
// (naming the nearest known one) or a value that cannot work, before any
// command runs with it.
func checkClientFile(path string) error {
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("toml")
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := app.CheckConfigKeys(v, path, append(append([]string(nil), clientKeys...), trustKeys...)); err != nil {
		return err
	}
	bad := func(key, want string) error {
		return fmt.Errorf("%w in %s: %s = %q: want %s", app.ErrConfigValue, path, key, v.GetString(key), want)
	}
	if v.IsSet(flagOutput) {
		if o := v.GetString(flagOutput); o != "text" && o != "json" {
			return bad(flagOutput, "text or json")
		}
	}
	if v.IsSet(flagBackend) {
		if b := v.GetString(flagBackend); b != keyring.BackendFile && b != keyring.BackendTest {
			return bad(flagBackend, keyring.BackendFile+" or "+keyring.BackendTest)
		}
	}
	if v.IsSet(flagNode) {
		if !validNodeAddr(v.GetString(flagNode)) {
			return bad(flagNode, "an RPC address such as tcp://127.0.0.1:26657")
		}
	}
	return nil
}

// validNodeAddr reports whether s is an RPC address: tcp://, http:// or
// https:// with a host, or a bare HOST:PORT.
func validNodeAddr(s string) bool {
	if _, port, err := net.SplitHostPort(s); err == nil && port != "" {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "tcp" || u.Scheme == "http" || u.Scheme == "https")
}
