package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app/client"
)

// Light-client-verified queries: with a trusted height and hash (flags, or
// trust_height / trust_hash / witnesses / trust_period in client.toml),
// --prove checks the answer against an app hash from a header CometBFT's
// light client verified from the trusted one, fetching headers from --node
// and cross-checking them with the witnesses. Without them, --prove checks
// the header's commit against the validator set the node itself names.

func (f *queryFlags) registerLight(c *cobra.Command) {
	c.Flags().Int64Var(&f.trustHeight, "trust-height", 0, "with --prove: height of a header you trust (default: trust_height in client.toml)")
	c.Flags().StringVar(&f.trustHash, "trust-hash", "", "with --prove: hex hash of that header (default: trust_hash in client.toml)")
	c.Flags().StringSliceVar(&f.witnesses, "witness", nil, "with --prove and a trusted header: RPC addresses that cross-check headers (default: witnesses in client.toml)")
}

// rootSource says where --prove takes its app hash from: the light client
// when a trusted header is configured, else c's own header check.
func (f *queryFlags) rootSource(ctx context.Context, c *client.Client) (client.RootSource, error) {
	height, hash, witnesses := f.trustHeight, f.trustHash, f.witnesses
	if height == 0 && hash == "" {
		height, hash = cfg.GetInt64("trust_height"), cfg.GetString("trust_hash")
	}
	if len(witnesses) == 0 {
		witnesses = cfg.GetStringSlice("witnesses")
	}
	if height == 0 && hash == "" {
		return c, nil
	}
	v, err := lightVerifier(ctx, "", cfgNode(), height, hash, witnesses)
	if err != nil {
		return nil, err
	}
	return &reportingRoots{v}, nil
}

// lightVerifier starts CometBFT's light client on chainID ("" = the
// primary's) from the trusted header height/hash (flags; both needed),
// fetching from primary and cross-checking with witnesses.
func lightVerifier(ctx context.Context, chainID, primary string, height int64, hash string, witnesses []string) (*client.LightVerifier, error) {
	if height <= 0 || hash == "" {
		return nil, fmt.Errorf("%w: give both --trust-height and --trust-hash", client.ErrTrustOptions)
	}
	h, err := client.ParseTrustHash(hash)
	if err != nil {
		return nil, err
	}
	return client.NewLightVerifier(ctx, client.LightOptions{ChainID: chainID, TrustHeight: height, TrustHash: h,
		TrustPeriod: cfg.GetDuration("trust_period"), Primary: primary, Witnesses: witnesses})
}

// reportingRoots prints, on stderr, providers the light client dropped.
type reportingRoots struct{ v *client.LightVerifier }

func (r *reportingRoots) RootFor(ctx context.Context, h int64) (*client.VerifiedRoot, error) {
	root, err := r.v.RootFor(ctx, h)
	if err == nil {
		for _, s := range r.v.Incidents() {
			fmt.Fprintln(os.Stderr, "light client:", s)
		}
	}
	return root, err
}
