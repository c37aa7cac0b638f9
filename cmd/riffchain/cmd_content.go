package main

// riffchain content add|get: the off-ledger content store (lens/content)
// used by this home — the embedded store at HOME/data/content (or app.toml's
// content_dir), or the IPFS node at app.toml's content_ipfs_api. The node
// serves the same store at /ipfs/CID when app.toml sets gateway_addr.

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/lens/content"
)

func init() {
	extraCommands = append(extraCommands, newContentCmd)
}

// storeFlags choose the content store; by default app.toml's.
type storeFlags struct {
	profile string
	ipfsAPI string
	dir     string
}

func (f *storeFlags) register(c *cobra.Command, withProfile bool) {
	if withProfile {
		c.Flags().StringVar(&f.profile, "profile", "default", "CID profile: default (256 KiB chunks, 174 links, = `ipfs add --cid-version=1`) or 1mib")
	}
	c.Flags().StringVar(&f.ipfsAPI, "ipfs-api", "", "use this IPFS node's RPC API instead of app.toml's setting (e.g. http://127.0.0.1:5001)")
	c.Flags().StringVar(&f.dir, "content-dir", "", "embedded store folder instead of app.toml's content_dir (default HOME/data/content)")
}

// config is the store configuration: flags, else HOME/config/app.toml,
// else the embedded store under HOME/data/content.
func (f *storeFlags) config() (content.Config, error) {
	home := cfgHome()
	ac, err := app.LoadAppConfig(home)
	if err != nil {
		return content.Config{}, err
	}
	c := app.ContentConfig(ac, home)
	if f.dir != "" {
		c.Dir, c.IPFSAPI = f.dir, ""
	}
	if f.ipfsAPI != "" {
		c.IPFSAPI = f.ipfsAPI
	}
	c.Profile = f.profile
	return c, nil
}

func (f *storeFlags) open() (content.Store, content.Config, error) {
	c, err := f.config()
	if err != nil {
		return nil, c, err
	}
	s, err := content.Open(c)
	if err != nil {
		return nil, c, err
	}
	return s, c, nil
}

func storeName(c content.Config) string {
	if c.IPFSAPI != "" {
		return c.IPFSAPI
	}
	return c.Dir
}

func newContentCmd() *cobra.Command {
	c := &cobra.Command{Use: "content", Short: "Add and read off-ledger content (IPFS-compatible CIDs)"}
	c.AddCommand(newContentAddCmd(), newContentGetCmd(), newContentImportCmd(), newContentExportCmd(),
		newContentPinCmd(false), newContentPinCmd(true), newContentLsCmd(), newContentGCCmd())
	return c
}

func newContentAddCmd() *cobra.Command {
	var f storeFlags
	var onlyHash bool
	c := &cobra.Command{
		Use:   "add PATH",
		Short: "Store a file or a folder; prints its cid (the CID kubo's `ipfs add --cid-version=1` prints)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fi, err := os.Stat(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			out := map[string]any{"path": args[0], "profile": f.profile}
			if !fi.IsDir() {
				out["size"] = fi.Size()
			}
			var root cid.Cid
			if onlyHash {
				p, err := content.ParseProfile(f.profile)
				if err != nil {
					return err
				}
				if root, err = content.ComputePathCID(ctx, args[0], p); err != nil {
					return err
				}
			} else {
				s, sc, err := f.open()
				if err != nil {
					return err
				}
				defer s.Close()
				if root, err = s.AddPath(ctx, args[0]); err != nil {
					return err
				}
				out["store"] = storeName(sc)
			}
			out["cid"] = root.String()
			out["directory"] = fi.IsDir()
			return emit(out)
		},
	}
	f.register(c, true)
	c.Flags().BoolVar(&onlyHash, "only-hash", false, "compute the CID without storing anything")
	return c
}

func newContentGetCmd() *cobra.Command {
	var f storeFlags
	var out string
	c := &cobra.Command{
		Use:   "get CID [--out FILE]",
		Short: "Read a file back, verifying every block against its hash (raw bytes to stdout, or to --out FILE)",
		Long: `get reads the file CID from the content store, checking every block
against its CID before a byte of it is written. Without --out the bytes go
to stdout (nothing else is printed); with --out FILE they go to FILE and a
result (cid, size, file) is printed; the file appears only when every block
verified. On stdout, bytes before a damaged block may already be written when
the command fails (exit status 1). (-o is the global --output format flag,
so the file is named with --out.) A folder CID lists its entries instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := content.ParseCID(args[0])
			if err != nil {
				return err
			}
			s, _, err := f.open()
			if err != nil {
				return err
			}
			defer s.Close()
			ctx, cancel := ctxTimeout()
			defer cancel()
			file, err := s.Get(ctx, c)
			if errors.Is(err, content.ErrIsDirectory) {
				ents, lerr := s.List(ctx, c)
				if lerr != nil {
					return lerr
				}
				return emit(map[string]any{"cid": c.String(), "directory": true, "entries": nonNil(ents)})
			}
			if err != nil {
				return err
			}
			defer file.Close()
			if out == "" {
				_, err := io.Copy(os.Stdout, file)
				return err
			}
			n, err := writeVerified(file, out)
			if err != nil {
				return err
			}
			return emit(map[string]any{"cid": c.String(), "size": n, "file": out})
		},
	}
	f.register(c, false)
	c.Flags().StringVar(&out, "out", "", "write the content to FILE (verified; the file is only left behind when every block checked out)")
	return c
}

// writeVerified copies r into path through a temporary file that is renamed
// into place only when every byte was read (and so verified).
func writeVerified(r io.Reader, path string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".riffchain-get-*")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return 0, err
	}
	return n, nil
}

// devGatewayAddr picks the gateway address a new dev home gets:
// 127.0.0.1:8080 when that port is free, else a free loopback port.
func devGatewayAddr() string { return loopbackAddr("127.0.0.1:8080") }

// initDevContent turns the content gateway on in a new dev home's app.toml.
func initDevContent(home string) error { return setDevGateway(home, devGatewayAddr()) }
