package main

// riffchain content pin|unpin|ls|gc: the content store's lifecycle, as an
// IPFS node operator knows it from kubo (ipfs pin add|rm|ls, ipfs repo gc).
// Adds and imports pin what they store; `tx seed announce` pins what this
// home announces (label "seed") until `tx seed withdraw`.

import (
	"context"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/lens/content"
)

func parseCIDs(args []string) ([]cid.Cid, error) {
	out := make([]cid.Cid, 0, len(args))
	for _, a := range args {
		c, err := content.ParseCID(a)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// withStore opens the store the flags name, runs fn under a timeout and
// closes the store.
func (f *storeFlags) withStore(timeout time.Duration, fn func(ctx context.Context, s content.Store) error) error {
	s, _, err := f.open()
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return fn(ctx, s)
}

// newContentPinCmd is `content pin` (unpin false) or `content unpin`.
func newContentPinCmd(unpin bool) *cobra.Command {
	var f storeFlags
	use, short, key := "pin CID...", "Keep these DAGs from content gc (every block read and verified first)", "pinned"
	if unpin {
		use, short, key = "unpin CID...", "Let content gc collect these DAGs (unless still pinned as announced by tx seed announce)", "unpinned"
	}
	c := &cobra.Command{
		Use: use, Short: short, Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, err := parseCIDs(args)
			if err != nil {
				return err
			}
			err = f.withStore(2*time.Minute, func(ctx context.Context, s content.Store) error {
				for _, c := range cs {
					var err error
					if unpin {
						err = s.Unpin(ctx, c, content.PinUser)
					} else {
						err = s.Pin(ctx, c, content.PinUser, true)
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			return emit(map[string]any{key: args})
		},
	}
	f.register(c, false)
	return c
}

func newContentLsCmd() *cobra.Command {
	var f storeFlags
	c := &cobra.Command{
		Use:   "ls",
		Short: "List pinned roots and why they are pinned (user: add/import/pin; seed: announced by tx seed announce)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var pins []content.Pin
			err := f.withStore(2*time.Minute, func(ctx context.Context, s content.Store) (err error) {
				pins, err = s.Pins(ctx)
				return err
			})
			if err != nil {
				return err
			}
			type pinOut struct {
				CID    string   `json:"cid"`
				Labels []string `json:"labels"`
			}
			out := make([]pinOut, 0, len(pins))
			for _, p := range pins {
				out = append(out, pinOut{CID: p.CID.String(), Labels: p.Labels})
			}
			return emit(map[string]any{"pins": out})
		},
	}
	f.register(c, false)
	return c
}

func newContentGCCmd() *cobra.Command {
	var f storeFlags
	var o content.GCOptions
	c := &cobra.Command{
		Use:   "gc",
		Short: "Delete every block no pin reaches; compact pack files that are mostly garbage",
		Long: `gc marks every block reachable from a pinned root and deletes the rest.
In the pack layout (the default) a pack with no live block is deleted, and a
pack with more garbage than live bytes is rewritten with its live blocks only;
the garbage of mostly-live packs waits for a later gc. Blocks and packs written
within --grace (default 15m) are kept, so an add running meanwhile in another
process (the node) is safe. The node may keep serving during a gc.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Grace == 0 {
				o.Grace = -1 // --grace 0s: collect everything unpinned
			}
			var res content.GCResult
			err := f.withStore(time.Hour, func(ctx context.Context, s content.Store) (err error) {
				res, err = s.GC(ctx, o)
				return err
			})
			if err != nil {
				return err
			}
			return emit(res)
		},
	}
	f.register(c, false)
	c.Flags().DurationVar(&o.Grace, "grace", content.DefaultGCGrace, "keep blocks written within this long (0s: none)")
	c.Flags().BoolVar(&o.DryRun, "dry-run", false, "count what would be removed, remove nothing")
	return c
}

// seedPins pins (announce) or unpins (withdraw) the CIDs a `tx seed`
// command names in this home's content store, label "seed": content this
// node announces stays pinned until it withdraws. CIDs the store does not
// hold, or a store that keeps no pins (an IPFS node backend), are skipped.
func seedPins(cids []string, withdraw bool) {
	var f storeFlags
	_ = f.withStore(2*time.Minute, func(ctx context.Context, s content.Store) error {
		for _, a := range cids {
			c, err := content.ParseCID(a)
			if err != nil {
				continue
			}
			if withdraw {
				_ = s.Unpin(ctx, c, content.PinSeed)
			} else {
				_ = s.Pin(ctx, c, content.PinSeed, false)
			}
		}
		return nil
	})
}
