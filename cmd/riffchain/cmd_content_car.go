package main

// riffchain content import|export: CAR files in and out of the content
// store, the equivalents of kubo's `ipfs dag import` / `ipfs dag export`.
// Every block is verified against its CID on the way in and on the way out.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/lens/content"
)

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func cidStrings(cs []cid.Cid) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func newContentImportCmd() *cobra.Command {
	var f storeFlags
	c := &cobra.Command{
		Use:   "import FILE.car",
		Short: "Store every block of a CAR file (CARv1 or v2), each verified against its CID; prints the roots",
		Long: `import reads a CAR file (what kubo's ` + "`ipfs dag export`" + ` or riffchain's
` + "`content export`" + ` writes), verifies every block against its CID and stores it.
The first block that does not match stops the import (exit 1); blocks before it
stay (they were verified). Prints the header's roots, the number of blocks and
the bytes read. The roots are pinned (kept by ` + "`content gc`" + `).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			s, sc, err := f.open()
			if err != nil {
				return err
			}
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			cr := &countingReader{r: in}
			res, err := content.ImportCAR(ctx, s, cr)
			if err != nil {
				return fmt.Errorf("import %s: %w", args[0], err)
			}
			return emit(map[string]any{"roots": cidStrings(res.Roots), "blocks": res.Blocks, "bytes": cr.n, "store": storeName(sc)})
		},
	}
	f.register(c, false)
	return c
}

func newContentExportCmd() *cobra.Command {
	var f storeFlags
	var out string
	c := &cobra.Command{
		Use:   "export CID... --out FILE.car",
		Short: "Write the whole DAG of each CID to a CARv1 file, every block verified",
		Long: `export writes a CARv1 file whose header lists the CIDs as roots, followed by
every block reachable from them (depth-first, each once), each verified against
its CID as it is read. Every block must be present, else nothing is written
(exit 1). The file appears only when complete. kubo reads it with
` + "`ipfs dag import`" + `. Prints roots, blocks and bytes.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out FILE.car is required")
			}
			roots, err := parseCIDs(args)
			if err != nil {
				return err
			}
			tmp, err := os.CreateTemp(filepath.Dir(out), ".riffchain-export-*")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name()) // after the rename, a no-op
			cw := &countingWriter{w: tmp}
			var res content.ExportResult
			err = f.withStore(time.Hour, func(ctx context.Context, s content.Store) (err error) {
				res, err = content.ExportCAR(ctx, s, cw, roots, content.ExportOptions{RequireComplete: true})
				return err
			})
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp.Name(), out)
			}
			if err != nil {
				return err
			}
			return emit(map[string]any{"roots": cidStrings(res.Roots), "blocks": res.Blocks, "bytes": cw.n, "file": out})
		},
	}
	f.register(c, false)
	c.Flags().StringVar(&out, "out", "", "the CAR file to write")
	return c
}
