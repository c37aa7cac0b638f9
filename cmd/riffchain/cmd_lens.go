package main

// Lens commands: `riffchain tx lens ...` and `riffchain tx seed ...`
// (messages of package lens), `riffchain query lens|lenses|view|seeding`,
// and `riffchain lens export|import` (a Lens and its content as a CAR file
// with a proven manifest). The rules are in spec/lenses.md.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/lens"
)

func init() {
	extraTxCommands = append(extraTxCommands, newLensTxCmd, newSeedTxCmd)
	extraQueryCommands = append(extraQueryCommands, qLens, qLenses, qView, qSeeding, qRoles)
	extraCommands = append(extraCommands, newLensCmd)
}

// parsePPM reads an integer weight in parts per million.
func parsePPM(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("weight %q: want an integer number of parts per million (1000000 = 1.0)", s)
	}
	return uint32(n), nil
}

// parseReweights reads repeated OTHER=PPM (or OTHER:PPM) flags.
func parseReweights(list []string) (map[string]uint32, error) {
	if len(list) == 0 {
		return nil, nil
	}
	return lens.ParseReweight(strings.Join(list, ","))
}

func newLensTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "lens", Short: "Create and run Lenses: entries, follows, blocks, roles, forks"}
	c.AddCommand(lensCreateCmd(), lensGrantCmd(), lensRevokeCmd(), lensAddEntryCmd(), lensEditEntryCmd(),
		lensRemoveEntryCmd(), lensFollowCmd(), lensUnfollowCmd(), lensBlockCmd(false), lensBlockCmd(true), lensForkCmd())
	return c
}

func lensCreateCmd() *cobra.Command {
	var f txFlags
	var name, desc string
	c := &cobra.Command{
		Use:   "create HANDLE --name NAME",
		Short: "Create a Lens owned by the signer (its ownership is the item LENS/HANDLE); prints lens",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.send(lens.TypeCreate, lens.MsgCreate{Handle: args[0], Name: name, DescriptionCID: desc})
		},
	}
	c.Flags().StringVar(&name, "name", "", "display name (1-64 bytes)")
	c.Flags().StringVar(&desc, "description-cid", "", "optional CID of a description document")
	_ = c.MarkFlagRequired("name")
	f.register(c)
	return c
}

func lensGrantCmd() *cobra.Command {
	var f txFlags
	c := &cobra.Command{
		Use:   "grant HANDLE ADDRESS|KEY admin|moderator|member",
		Short: "Give an address a role in a Lens (replacing its role)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			return f.send(lens.TypeGrant, lens.MsgGrant{Lens: args[0], Address: addr, Role: lens.Role(args[2])})
		},
	}
	f.register(c)
	return c
}

func lensRevokeCmd() *cobra.Command {
	var f txFlags
	c := &cobra.Command{
		Use:   "revoke HANDLE ADDRESS|KEY",
		Short: "Remove an address's role in a Lens",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			return f.send(lens.TypeRevoke, lens.MsgRevoke{Lens: args[0], Address: addr})
		},
	}
	f.register(c)
	return c
}

func lensAddEntryCmd() *cobra.Command {
	var f txFlags
	var kind, title string
	var tags []string
	var size uint64
	c := &cobra.Command{
		Use:   "add-entry HANDLE CID --kind KIND --title TITLE [--tag T ...]",
		Short: "Anchor content (a CID) in a Lens; the signer is its author; prints lens, seq, cid",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.send(lens.TypeAddEntry, lens.MsgAddEntry{Lens: args[0], CID: args[1], Kind: kind, Title: title, Tags: tags, Size: size})
		},
	}
	c.Flags().StringVar(&kind, "kind", "", "video, audio, image, document, post, collection or other")
	c.Flags().StringVar(&title, "title", "", "title (at most 200 bytes)")
	c.Flags().StringArrayVar(&tags, "tag", nil, "a tag (repeat, at most 8)")
	c.Flags().Uint64Var(&size, "size", 0, "content size in bytes (0 = unknown)")
	_ = c.MarkFlagRequired("kind")
	f.register(c)
	return c
}

func lensEditEntryCmd() *cobra.Command {
	var f txFlags
	var kind, title string
	var tags []string
	var clearTags bool
	c := &cobra.Command{
		Use:   "edit-entry HANDLE SEQ [--kind K] [--title T] [--tag T ... | --clear-tags]",
		Short: "Change an entry's kind, title or tags (its author, or a moderator)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			seq, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("SEQ %q: %w", args[1], err)
			}
			m := lens.MsgEditEntry{Lens: args[0], Seq: seq}
			if cmd.Flags().Changed("kind") {
				m.Kind = &kind
			}
			if cmd.Flags().Changed("title") {
				m.Title = &title
			}
			if clearTags || cmd.Flags().Changed("tag") {
				t := append([]string{}, tags...)
				m.Tags = &t
			}
			return f.send(lens.TypeEditEntry, m)
		},
	}
	c.Flags().StringVar(&kind, "kind", "", "new kind")
	c.Flags().StringVar(&title, "title", "", "new title")
	c.Flags().StringArrayVar(&tags, "tag", nil, "new tags (repeat; replaces all tags)")
	c.Flags().BoolVar(&clearTags, "clear-tags", false, "remove every tag")
	f.register(c)
	return c
}

func lensRemoveEntryCmd() *cobra.Command {
	var f txFlags
	c := &cobra.Command{
		Use:   "remove-entry HANDLE SEQ",
		Short: "Remove an entry (its author, or a moderator)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			seq, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("SEQ %q: %w", args[1], err)
			}
			return f.send(lens.TypeRemoveEntry, lens.MsgRemoveEntry{Lens: args[0], Seq: seq})
		},
	}
	f.register(c)
	return c
}

func lensFollowCmd() *cobra.Command {
	var f txFlags
	var weight string
	var tags []string
	c := &cobra.Command{
		Use:   "follow HANDLE TARGET --weight PPM [--tag T ...]",
		Short: "Make a Lens follow another with a weight in ppm (1..1000000; following again replaces it)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parsePPM(weight)
			if err != nil {
				return err
			}
			return f.send(lens.TypeFollow, lens.MsgFollow{Lens: args[0], Target: args[1], Weight: w, Tags: tags})
		},
	}
	c.Flags().StringVar(&weight, "weight", "", "weight in parts per million (500000 = 0.5)")
	c.Flags().StringArrayVar(&tags, "tag", nil, "only entries with one of these tags come through (repeat)")
	_ = c.MarkFlagRequired("weight")
	f.register(c)
	return c
}

func lensUnfollowCmd() *cobra.Command {
	var f txFlags
	c := &cobra.Command{
		Use:   "unfollow HANDLE TARGET",
		Short: "Stop following a Lens (immediate)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.send(lens.TypeUnfollow, lens.MsgUnfollow{Lens: args[0], Target: args[1]})
		},
	}
	f.register(c)
	return c
}

// blockTarget reads "CID or Lens handle": a handle-shaped argument is a
// Lens (no CID string has that form), anything else a CID.
func blockTarget(h, arg string) lens.MsgBlock {
	if lens.ValidHandle(arg) {
		return lens.MsgBlock{Lens: h, Target: arg}
	}
	return lens.MsgBlock{Lens: h, CID: arg}
}

func lensBlockCmd(unblock bool) *cobra.Command {
	var f txFlags
	use, short, typ := "block HANDLE (CID|LENS)", "Hide a CID or a whole Lens from this Lens's view", lens.TypeBlock
	if unblock {
		use, short, typ = "unblock HANDLE (CID|LENS)", "Lift a block", lens.TypeUnblock
	}
	c := &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := blockTarget(args[0], args[1])
			if unblock {
				return f.send(typ, lens.MsgUnblock(m))
			}
			return f.send(typ, m)
		},
	}
	f.register(c)
	return c
}

func lensForkCmd() *cobra.Command {
	var f txFlags
	var source, name, tag, kind string
	var depth, maxEntries int
	var reweights []string
	var follows bool
	c := &cobra.Command{
		Use:   "fork NEW_HANDLE --from-view LENS [--name NAME] [--depth D] [--reweight OTHER=PPM ...] [--tag T] [--kind K] [--max-entries N] [--follows]",
		Short: "Create your own Lens seeded with the entries (and with --follows, the follows) of a view",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rw, err := parseReweights(reweights)
			if err != nil {
				return err
			}
			if name == "" {
				name = args[0]
			}
			return f.send(lens.TypeFork, lens.MsgFork{Handle: args[0], Name: name, Source: source, Depth: depth,
				Reweight: rw, Tag: tag, Kind: kind, MaxEntries: maxEntries, Follows: follows})
		},
	}
	c.Flags().StringVar(&source, "from-view", "", "the Lens whose view seeds the fork")
	c.Flags().StringVar(&name, "name", "", "display name (default: the handle)")
	c.Flags().IntVar(&depth, "depth", 0, "view depth (default 2, max 4)")
	c.Flags().StringArrayVar(&reweights, "reweight", nil, "OTHER=PPM: weight of every follow into OTHER (0 removes it; repeat)")
	c.Flags().StringVar(&tag, "tag", "", "only entries with this tag")
	c.Flags().StringVar(&kind, "kind", "", "only entries of this kind")
	c.Flags().IntVar(&maxEntries, "max-entries", 0, "entries to copy (default and max 1000)")
	c.Flags().BoolVar(&follows, "follows", false, "also follow what the source Lens follows")
	_ = c.MarkFlagRequired("from-view")
	f.register(c)
	return c
}

func newSeedTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "seed", Short: "Announce (or withdraw) that the signer hosts content"}
	for _, withdraw := range []bool{false, true} {
		var f txFlags
		use, short, typ := "announce CID...", "Announce that the signer hosts these CIDs (1..64)", lens.TypeAnnounce
		if withdraw {
			use, short, typ = "withdraw CID...", "Withdraw hosting announcements", lens.TypeWithdraw
		}
		sub := &cobra.Command{
			Use: use, Short: short, Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var err error
				if withdraw {
					err = f.send(typ, lens.MsgWithdraw{CIDs: args})
				} else {
					err = f.send(typ, lens.MsgAnnounce{CIDs: args})
				}
				if err == nil && !f.generateOnly {
					seedPins(args, withdraw) // cmd_content_pin.go
				}
				return err
			},
		}
		f.register(sub)
		c.AddCommand(sub)
	}
	return c
}

func qLens() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use:   "lens HANDLE",
		Short: "A Lens: owner, follows (target, weight), counts, roles (with --prove: record, owner and follows proven)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h := args[0]
			var info lens.InfoAnswer
			decode := func(v []byte) ([]app.KV, error) {
				if len(v) == 0 {
					return []app.KV{{Key: lens.LensKey(h)}}, nil
				}
				if err := json.Unmarshal(v, &info); err != nil {
					return nil, fmt.Errorf("decode lens: %w", err)
				}
				if info.Handle != h {
					return nil, fmt.Errorf("%w: asked for lens %s, got %s", client.ErrWrongAnswer, h, info.Handle)
				}
				return info.KVs()
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.queryDecoded(ctx, "/lens/"+url.PathEscape(h), decode)
			if err != nil {
				return err
			}
			out := map[string]any{"handle": h}
			if a.code == 0 {
				info.Record, info.OwnerRecord = nil, nil
				if out, err = jsonMap(info); err != nil {
					return err
				}
				delete(out, "record")
				delete(out, "owner_record")
				promiseLensFields(out) // output_fields.go
			}
			return a.finish(out)
		},
	}
	f.register(c, true)
	return c
}

func qLenses() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use: "lenses [--after H] [--limit N]", Short: "All Lenses in handle order, paged (with --prove: each record proven)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxTimeout()
			defer cancel()
			var page lens.LensesPage
			decode := func(value []byte) ([]app.KV, error) {
				var got lens.LensesPage
				if err := json.Unmarshal(value, &got); err != nil {
					return nil, fmt.Errorf("decode lenses: %w", err)
				}
				page = got
				return page.KVs()
			}
			a, err := f.queryDecoded(ctx, "/lenses?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			// The CLI names the list and always prints next ("" on the
			// last page), as every listing command does.
			return a.finish(map[string]any{"lenses": nonNil(page.Entries), "next": page.Next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this handle (a previous page's next)")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	f.register(c, true)
	return c
}

func qView() *cobra.Command {
	var f queryFlags
	var depth, limit int
	var reweights []string
	var tag, kind, after string
	c := &cobra.Command{
		Use:   "view HANDLE [--depth D] [--reweight OTHER=PPM ...] [--tag T] [--kind K] [--limit N] [--after CURSOR]",
		Short: "The entries visible through a Lens, ranked by score (ppm), computed at one height",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			if depth != 0 {
				q.Set("depth", strconv.Itoa(depth))
			}
			if limit != 0 {
				q.Set("limit", strconv.Itoa(limit))
			}
			if len(reweights) > 0 {
				rw, err := parseReweights(reweights)
				if err != nil {
					return err
				}
				q.Set("reweight", lens.FormatReweight(rw))
			}
			for k, v := range map[string]string{"tag": tag, "kind": kind, "after": after} {
				if v != "" {
					q.Set(k, v)
				}
			}
			path := "/view/" + url.PathEscape(args[0])
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			return f.queryPrint(path, nil, map[string]any{"root": args[0]}, func(value []byte) (map[string]any, error) {
				var v lens.ViewResult
				if err := json.Unmarshal(value, &v); err != nil {
					return nil, fmt.Errorf("decode view: %w", err)
				}
				v.Entries = nonNil(v.Entries)
				m, err := jsonMap(v)
				if err != nil {
					return nil, err
				}
				return withDefaults(m, map[string]any{"next": ""}), nil // output_fields.go
			})
		},
	}
	c.Flags().IntVar(&depth, "depth", 0, fmt.Sprintf("follow hops (default %d, max %d)", lens.DefaultDepth, lens.MaxDepth))
	c.Flags().StringArrayVar(&reweights, "reweight", nil, "OTHER=PPM: your own weight for every follow into OTHER (0 removes it; repeat)")
	c.Flags().StringVar(&tag, "tag", "", "only entries with this tag")
	c.Flags().StringVar(&kind, "kind", "", "only entries of this kind")
	c.Flags().IntVar(&limit, "limit", 0, fmt.Sprintf("page size (default %d, max %d)", lens.DefaultLimit, lens.MaxLimit))
	c.Flags().StringVar(&after, "after", "", "cursor: the next of the previous page")
	f.register(c, false)
	return c
}

func qSeeding() *cobra.Command {
	var f queryFlags
	var target uint64
	var limit int
	var after string
	c := &cobra.Command{
		Use:   "seeding LENS [--target R]",
		Short: "A Lens's entries hosted by fewer than R announced hosts, newest entries first, paged (each page most under-seeded first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := pageValues(limit, after)
			q.Set("target", strconv.FormatUint(target, 10))
			return queryAs[lens.SeedingAnswer](&f, "/seeding/"+url.PathEscape(args[0])+"?"+q.Encode(), "seeding", map[string]any{"lens": args[0]}, nil)
		},
	}
	c.Flags().Uint64Var(&target, "target", lens.DefaultSeedingTarget, "wanted number of hosts per entry")
	c.Flags().IntVar(&limit, "limit", app.DefaultPageLimit, fmt.Sprintf("at most this many entries (1..%d)", app.MaxPageLimit))
	c.Flags().StringVar(&after, "after", "", "cursor: the next of the previous page")
	f.register(c, false)
	return c
}

func newLensCmd() *cobra.Command {
	c := &cobra.Command{Use: "lens", Short: "Take a Lens with you: export it (with its content and a proven manifest) and import it"}
	c.AddCommand(newLensExportCmd(), newLensImportCmd())
	return c
}

// tempNextTo creates a temporary file beside path (renamed into place when
// complete).
func tempNextTo(path string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(path), ".riffchain-"+filepath.Base(path)+"-*")
}
