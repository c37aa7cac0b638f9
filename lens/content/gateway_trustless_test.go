package content

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/files"
	"github.com/ipfs/boxo/gateway"
	mdag "github.com/ipfs/boxo/ipld/merkledag"
	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	"github.com/ipfs/boxo/path"
	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
)

// TestGatewayTrustlessClients fetches Lens content from the gateway with
// the IPFS project's own trustless clients, which verify every block
// against its CID themselves: boxo's remote blockstore (raw blocks,
// ?format=raw), boxo's CAR backend (?format=car, dag-scope, entity-bytes)
// and go-car's block reader. None of riffchain's verification is used on
// the client side.
func TestGatewayTrustlessClients(t *testing.T) {
	ctx := context.Background()
	s, _ := NewMemory(ProfileDefault)
	dc, err := s.AddPath(ctx, writeVectorDir(t))
	if err != nil {
		t.Fatal(err)
	}
	want := vectorData("dir-b", 300000)
	bc, err := s.Resolve(ctx, dc, "sub/b.bin")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mustGateway(t, s, GatewayOptions{}))
	defer srv.Close()

	t.Run("raw blocks through boxo's verifying remote blockstore", func(t *testing.T) {
		rbs, err := gateway.NewRemoteBlockstore([]string{srv.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		dag := mdag.NewDAGService(blockservice.New(rbs, nil))
		nd, err := dag.Get(ctx, bc)
		if err != nil {
			t.Fatal(err)
		}
		dr, err := uio.NewDagReader(ctx, nd, dag)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(dr)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	})
	t.Run("CAR through boxo's CAR backend", func(t *testing.T) {
		cb, err := gateway.NewRemoteCarBackend([]string{srv.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := path.Join(path.FromCid(dc), "sub", "b.bin")
		if err != nil {
			t.Fatal(err)
		}
		ip, _ := path.NewImmutablePath(p)
		_, nd, err := cb.GetAll(ctx, ip)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := nd.(files.File)
		if !ok {
			t.Fatalf("node %T", nd)
		}
		got, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	})
	t.Run("go-car reads and verifies every block", func(t *testing.T) {
		for _, tc := range []struct {
			query  string
			blocks int
		}{
			{"dag-scope=all", 7},                                  // dir, sub, a.txt, b.bin root + 2 leaves, empty
			{"dag-scope=block", 1 + 2},                            // the path's blocks, then b.bin's root
			{"entity-bytes=0:10", 1 + 2 + 2},                      // the path, b.bin root and its leaves (boxo sends both)
			{"dag-scope=entity&entity-bytes=270000:*", 1 + 2 + 1}, // ... the second leaf only
		} {
			u := srv.URL + "/ipfs/" + dc.String()
			if tc.query != "dag-scope=all" {
				u += "/sub/b.bin"
			}
			resp, err := http.Get(u + "?format=car&" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			br, err := carv2.NewBlockReader(resp.Body, carv2.WithTrustedCAR(false))
			if err != nil {
				t.Fatalf("%s: %v", tc.query, err)
			}
			// The header names the requested path's terminal CID.
			root := bc
			if tc.query == "dag-scope=all" {
				root = dc
			}
			if len(br.Roots) != 1 || !br.Roots[0].Equals(root) {
				t.Fatalf("%s: roots %v", tc.query, br.Roots)
			}
			var got []cid.Cid
			for {
				b, err := br.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s: block %d: %v", tc.query, len(got), err)
				}
				got = append(got, b.Cid())
			}
			resp.Body.Close()
			if resp.Header.Get("Content-Type") != "application/vnd.ipld.car; version=1; order=dfs; dups=n" || len(got) != tc.blocks {
				t.Fatalf("%s: %q, %d blocks %v", tc.query, resp.Header.Get("Content-Type"), len(got), got)
			}
		}
	})
}
