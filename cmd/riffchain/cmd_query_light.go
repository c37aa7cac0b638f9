package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app/client"
)

// Light-client-verified queries: --prove checks the answer against an app
// hash from a header CometBFT's light client verified from a trusted one
// (--trust-height/--trust-hash, else the root of trust in client.toml,
// stored at first contact: trust_root.go), fetching headers from --node and
// cross-checking them with the witnesses. With --trust-node, --prove
// checks the header's commit against the validator set the node itself
// names instead (the node is trusted to name the right validators).

func (f *queryFlags) registerLight(c *cobra.Command) {
	c.Flags().Int64Var(&f.trustHeight, "trust-height", 0, "with --prove: height of a header you trust (default: trust_height in client.toml)")
	c.Flags().StringVar(&f.trustHash, "trust-hash", "", "with --prove: hex hash of that header (default: trust_hash in client.toml)")
	c.Flags().StringSliceVar(&f.witnesses, "witness", nil, "with --prove and a trusted header: RPC addresses that cross-check headers (default: witnesses in client.toml)")
	c.Flags().BoolVar(&f.trustNode, "trust-node", false, "with --prove: check headers against the validator set the node names, without a stored root of trust (for scripts that accept that risk)")
}

// rootSource says where --prove takes its app hash from: c's own header
// check with --trust-node; else the light client from the trusted header
// the flags name, or from the root of trust stored in client.toml (taken
// at first contact when there is none).
func (f *queryFlags) rootSource(ctx context.Context, c *client.Client) (client.RootSource, error) {
	if f.trustNode {
		return c, nil
	}
	witnesses := f.witnesses
	if len(witnesses) == 0 {
		witnesses = cfg.GetStringSlice("witnesses")
	}
	if f.trustHeight != 0 || f.trustHash != "" {
		v, err := lightVerifier(ctx, "", cfgNode(), f.trustHeight, f.trustHash, witnesses)
		if err != nil {
			return nil, err
		}
		return &reportingRoots{v: v}, nil
	}
	root := storedTrustRoot()
	if root.height == 0 && root.hash == "" {
		var err error
		if root, err = firstContact(ctx, c); err != nil {
			return nil, err
		}
	}
	if err := root.checkChain(ctx, c); err != nil {
		return nil, err
	}
	v, err := lightVerifier(ctx, root.chainID, cfgNode(), root.height, root.hash, witnesses)
	if err != nil {
		return nil, root.explain(err)
	}
	return &reportingRoots{v: v, root: &root}, nil
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

// reportingRoots prints, on stderr, providers the light client dropped,
// and names the stored root of trust (when it came from client.toml) in
// a verification failure.
type reportingRoots struct {
	v    *client.LightVerifier
	root *trustRoot
}

func (r *reportingRoots) RootFor(ctx context.Context, h int64) (*client.VerifiedRoot, error) {
	root, err := r.v.RootFor(ctx, h)
	if err == nil {
		for _, s := range r.v.Incidents() {
			fmt.Fprintln(os.Stderr, "light client:", s)
		}
	}
	if err != nil && r.root != nil {
		return nil, r.root.explain(err)
	}
	if err == nil && r.root != nil && root.Height > r.root.height {
		r.root.advance(root)
	}
	return root, err
}

// LatestHeight is the light verifier's (primary and witnesses).
func (r *reportingRoots) LatestHeight(ctx context.Context) (int64, error) {
	return r.v.LatestHeight(ctx)
}
