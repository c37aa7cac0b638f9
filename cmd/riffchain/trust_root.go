package main

// The root of trust a home's CLI keeps, like SSH's known hosts: the first
// `--prove` against a chain (no root stored, no --trust-* flags, no
// --trust-node) checks the latest header's commit against the validator
// set the node names, shows that header on stderr and stores its chain id,
// height and hash in HOME/config/client.toml (trust_chain_id,
// trust_height, trust_hash). Every later --prove verifies its header from
// that root with CometBFT's light client (cross-checked with witnesses
// when configured), and the root then moves to the newest header so
// verified (so it stays within the trusting period and above pruned
// heights); a node that cannot show the stored header — another chain, a
// fork, a reset chain — fails with exit status 3 instead of silently
// becoming the new root.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"

	"github.com/riffchain/riffchain/app/client"
)

// Settings in client.toml that hold the root of trust.
const (
	cfgTrustChainID = "trust_chain_id"
	cfgTrustHeight  = "trust_height"
	cfgTrustHash    = "trust_hash"
)

// trustKeys are the client.toml settings of light-client verification
// (spec/lightclient.md): the root of trust, its trusting period and the
// witnesses. init --join writes them too.
var trustKeys = []string{cfgTrustChainID, cfgTrustHeight, cfgTrustHash, "trust_period", "witnesses"}

// errTrustRoot marks a node that does not belong to the chain this home
// trusts (exit status 3, like every header that does not verify).
var errTrustRoot = fmt.Errorf("%w: not the chain this home trusts", client.ErrHeaderInvalid)

// trustRoot is a trusted header of a chain.
type trustRoot struct {
	chainID string // "" in roots written before the chain id was stored
	height  int64
	hash    string // hex
}

// storedTrustRoot reads the root from client.toml (height 0: none).
func storedTrustRoot() trustRoot {
	return trustRoot{chainID: cfg.GetString(cfgTrustChainID), height: cfg.GetInt64(cfgTrustHeight), hash: cfg.GetString(cfgTrustHash)}
}

// firstContact takes the latest header of the chain c's node serves,
// checks its commit against the validator set the node names (the only
// thing there is to check it against: this is the moment of trust), shows
// it on stderr and stores it in client.toml.
func firstContact(ctx context.Context, c *client.Client) (trustRoot, error) {
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return trustRoot{}, fmt.Errorf("node status: %w", err)
	}
	chainID, h := st.NodeInfo.Network, st.SyncInfo.LatestBlockHeight
	if h < 1 {
		return trustRoot{}, fmt.Errorf("%w: the chain has no blocks yet", client.ErrHeaderInvalid)
	}
	com, err := c.RPC.Commit(ctx, &h)
	if err != nil {
		return trustRoot{}, fmt.Errorf("commit %d: %w", h, err)
	}
	if com.Header.Height != h {
		return trustRoot{}, fmt.Errorf("%w: asked for header %d, got %d", client.ErrHeaderInvalid, h, com.Header.Height)
	}
	vals, err := c.ValidatorsAt(ctx, h)
	if err != nil {
		return trustRoot{}, err
	}
	if err := client.VerifySignedHeader(chainID, &com.SignedHeader, cmttypes.NewValidatorSet(vals)); err != nil {
		return trustRoot{}, err
	}
	root := trustRoot{chainID: chainID, height: h, hash: strings.ToUpper(hex.EncodeToString(com.Header.Hash()))}
	path := clientConfigPath()
	if err := setClientConfig(path, map[string]any{cfgTrustChainID: root.chainID, cfgTrustHeight: root.height, cfgTrustHash: root.hash}); err != nil {
		return trustRoot{}, err
	}
	cfg.Set(cfgTrustChainID, root.chainID)
	cfg.Set(cfgTrustHeight, root.height)
	cfg.Set(cfgTrustHash, root.hash)
	fmt.Fprintf(os.Stderr, "riffchain: first contact with chain %s through %s: trusting header %d (hash %s, signed by %d validators), stored in %s; "+
		"later answers are verified from it, and a node that cannot show it is refused (--trust-node skips this)\n",
		root.chainID, cfgNode(), root.height, root.hash, len(vals), path)
	return root, nil
}

// checkChain refuses a node whose status names another chain than root's.
func (r trustRoot) checkChain(ctx context.Context, c *client.Client) error {
	if r.chainID == "" {
		return nil
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		return err
	}
	if id != r.chainID {
		return fmt.Errorf("%w: %s runs chain %q, this home trusts chain %q (%s in %s; remove the trust_* settings there if the chain was really replaced)",
			errTrustRoot, cfgNode(), id, r.chainID, cfgTrustChainID, clientConfigPath())
	}
	return nil
}

// advance moves the stored root to v, a newer header the light client
// verified from it: as trustworthy as the root itself, and it keeps the
// root within the trusting period and above the heights a node prunes. A
// failed write only leaves the older root in place.
func (r *trustRoot) advance(v *client.VerifiedRoot) {
	if len(v.Hash) == 0 {
		return
	}
	next := trustRoot{chainID: r.chainID, height: v.Height, hash: strings.ToUpper(hex.EncodeToString(v.Hash))}
	if err := setClientConfig(clientConfigPath(), map[string]any{cfgTrustHeight: next.height, cfgTrustHash: next.hash}); err != nil {
		fmt.Fprintln(os.Stderr, "riffchain: keeping the older root of trust:", err)
		return
	}
	*r = next
}

// explain adds the stored root to a light-client failure.
func (r trustRoot) explain(err error) error {
	if err == nil || !errors.Is(err, client.ErrHeaderInvalid) {
		return err
	}
	return fmt.Errorf("%w (root of trust in %s: chain %q, header %d, hash %s)", err, clientConfigPath(), r.chainID, r.height, r.hash)
}

func clientConfigPath() string { return filepath.Join(cfgHome(), "config", "client.toml") }

// setClientConfig sets keys in the client.toml at path, keeping its other
// settings.
func setClientConfig(path string, kv map[string]any) error {
	return editClientConfig(path, func(file *viper.Viper) {
		for k, v := range kv {
			file.Set(k, v)
		}
	})
}

// editClientConfig reads the client.toml at path (when it exists), lets
// edit change it and writes it back atomically (creating the file and its
// folder).
func editClientConfig(path string, edit func(*viper.Viper)) error {
	file := viper.New()
	file.SetConfigFile(path)
	file.SetConfigType("toml")
	if _, err := os.Stat(path); err == nil {
		if err := file.ReadInConfig(); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	edit(file)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config folder: %w", err)
	}
	// Written beside it and renamed over it, so another riffchain process
	// reading it meanwhile sees the old file or the new one, never half.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".client-*.toml")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(tmpName)
	if err := file.WriteConfigAs(tmpName); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
