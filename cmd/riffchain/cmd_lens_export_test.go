package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/lens/content"
)

// TestExportRecordRoundTrip writes export records small (one raw block)
// and large (a chunked UnixFS DAG, as a Lens with thousands of entries
// needs) and reads them back; a flipped byte anywhere in the record's
// blocks is refused.
func TestExportRecordRoundTrip(t *testing.T) {
	ctx := context.Background()
	store, err := content.NewMemory(content.ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := store.Add(ctx, strings.NewReader("entry content"))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{10, 300_000, 1_000_000} {
		e := lensExport{Format: lensExportFormat, Manifest: lens.Manifest{Version: 1, Entries: []lens.Entry{}}}
		for len(e.Records)*1000 < size {
			e.Records = append(e.Records, bytes.Repeat([]byte{byte(len(e.Records))}, 1000))
		}
		rec, _ := json.Marshal(e)
		var car bytes.Buffer
		res, err := writeLensCAR(ctx, store, &car, rec, []cid.Cid{entry}, true)
		if err != nil {
			t.Fatal(err)
		}
		got, root, err := readExportRecord(ctx, bytes.NewReader(car.Bytes()))
		if err != nil || !root.Equals(res.Manifest) || len(got.Records) != len(e.Records) || got.Format != lensExportFormat {
			t.Fatalf("size %d: %v (root %s, manifest %s)", size, err, root, res.Manifest)
		}
		if size > 262144 && root.Type() != cid.DagProtobuf {
			t.Fatalf("size %d: record root %s is not a DAG", size, root)
		}
		// Flip a byte in the middle of the record's blocks.
		bad := bytes.Clone(car.Bytes())
		bad[len(bad)/2] ^= 1
		if _, _, err := readExportRecord(ctx, bytes.NewReader(bad)); err == nil || !errors.Is(err, errBadExport) {
			t.Fatalf("size %d: tampered record: %v", size, err)
		}
		// The whole CAR still imports into a store (entry content included).
		dst, _ := content.NewMemory(content.ProfileDefault)
		if _, err := content.ImportCAR(ctx, dst, bytes.NewReader(car.Bytes())); err != nil {
			t.Fatal(err)
		}
		if ok, _ := dst.Has(ctx, entry); !ok {
			t.Fatal("entry content missing from the CAR")
		}
	}
}

func TestExportVerifyRejects(t *testing.T) {
	e := lensExport{Format: "other"}
	if _, err := e.verify(); !errors.Is(err, errBadExport) {
		t.Fatalf("wrong format: %v", err)
	}
	e.Format = lensExportFormat
	if _, err := e.verify(); !errors.Is(err, errBadExport) || !errors.Is(err, lens.ErrBadManifest) {
		t.Fatalf("empty manifest: %v", err)
	}
}

func TestBlockTarget(t *testing.T) {
	c := content.RawCID([]byte("x")).String()
	if m := blockTarget("lens-a", c); m.CID != c || m.Target != "" {
		t.Fatalf("CID: %+v", m)
	}
	if m := blockTarget("lens-a", "lens-b"); m.Target != "lens-b" || m.CID != "" {
		t.Fatalf("lens: %+v", m)
	}
	if m := blockTarget("lens-a", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"); m.CID == "" {
		t.Fatalf("CIDv0: %+v", m)
	}
}
