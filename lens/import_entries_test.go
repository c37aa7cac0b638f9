package lens

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// bigManifest is a manifest of Lens "home" owned by owner with n entries
// (seq 1..n, every third by author), as exported on chain "src-chain".
func bigManifest(owner, author ledger.Address, n int) Manifest {
	m := Manifest{Version: ManifestVersion, ChainID: "src-chain", Height: 9, Owner: owner,
		Lens:    Lens{Handle: "home", Name: "Home", Created: 1, NextSeq: uint64(n) + 5, EntryCount: uint64(n)},
		Entries: []Entry{}, Follows: []Follow{}, Roles: []RoleGrant{}, Blocks: []Block{}}
	for i := 1; i <= n; i++ {
		a := owner
		if i%3 == 0 {
			a = author
		}
		m.Entries = append(m.Entries, Entry{Lens: "home", Seq: uint64(i), CID: testCID(fmt.Sprint("e", i)), Kind: "post",
			Title: fmt.Sprintf("entry number %d", i), Tags: []string{"t"}, Author: a, Height: int64(i)})
	}
	return m
}

func TestImportEntries(t *testing.T) {
	alice, bob, carol := addr(1), addr(2), addr(3)
	man := bigManifest(alice, bob, 10)
	e := newEnv(t)
	first := man
	first.Entries = man.Entries[:4]
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, alice, &MsgImport{Manifest: first, Handle: "home-2"})
	})
	e.grant(t, alice, "home-2", bob, RoleAdmin)
	e.create(t, carol, "plain")
	batch := func(lens string, es ...Entry) func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecImportEntries(b, alice, &MsgImportEntries{Lens: lens, Entries: es})
		}
	}
	badCID := man.Entries[5]
	badCID.CID = "nope"
	dupCID := man.Entries[5]
	dupCID.CID = man.Entries[0].CID
	dupSeq := man.Entries[3]
	dupSeq.CID = testCID("fresh content, old seq")
	wrongSrc := man.Entries[5]
	wrongSrc.Lens = "other"
	tooMany := make([]Entry, MaxImportBatch+1)
	for i := range tooMany {
		tooMany[i] = man.Entries[4]
		tooMany[i].Seq = uint64(100 + i)
	}
	for _, tc := range []struct {
		name string
		want error
		fn   func(k *Keeper, b ledger.Block) (ledger.Output, error)
	}{
		{"admin is not the owner", ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecImportEntries(b, bob, &MsgImportEntries{Lens: "home-2", Entries: man.Entries[4:6]})
		}},
		{"stranger", ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecImportEntries(b, carol, &MsgImportEntries{Lens: "home-2", Entries: man.Entries[4:6]})
		}},
		{"duplicate seq", ErrDuplicateSeq, batch("home-2", dupSeq)},
		{"seq out of order", ErrBadManifest, batch("home-2", man.Entries[6], man.Entries[5])},
		{"CID already anchored", ErrDuplicateEntry, batch("home-2", man.Entries[4], dupCID)},
		{"bad CID", ErrBadManifest, batch("home-2", man.Entries[4], badCID)},
		{"other source lens", ErrBadManifest, batch("home-2", wrongSrc)},
		{"not an imported lens", ErrBadManifest, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			es := []Entry{man.Entries[4]}
			es[0].Lens = "plain"
			return k.ExecImportEntries(b, carol, &MsgImportEntries{Lens: "plain", Entries: es})
		}},
		{"unknown lens", ErrUnknownLens, batch("nope-lens", man.Entries[4])},
		{"empty", ErrTooMany, batch("home-2")},
		{"too many", ErrTooMany, batch("home-2", tooMany...)},
	} {
		t.Run(tc.name, func(t *testing.T) { e.fails(t, tc.want, tc.fn) })
	}

	out := e.ok(t, batch("home-2", man.Entries[4:8]...))
	if out["lens"] != "home-2" || out["entries"] != "4" {
		t.Fatalf("output %v", out)
	}
	e.ok(t, batch("home-2", man.Entries[8:]...))
	e.fails(t, ErrDuplicateSeq, batch("home-2", man.Entries[9]))

	got, err := e.reader().Manifest("home-2")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 10 || got.Lens.EntryCount != 10 || got.Lens.NextSeq != man.Lens.NextSeq {
		t.Fatalf("imported %d entries, record %+v", len(got.Entries), got.Lens)
	}
	for i, g := range got.Entries {
		w := man.Entries[i]
		if g.Seq != w.Seq || g.CID != w.CID || g.Author != w.Author || g.Title != w.Title || g.Lens != "home-2" ||
			g.Origin == nil || *g.Origin != (Origin{Chain: "src-chain", Lens: "home", Seq: w.Seq}) {
			t.Fatalf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	// New entries after the import continue above the manifest's next seq.
	if seq := e.add(t, alice, "home-2", "fresh"); seq != man.Lens.NextSeq {
		t.Fatalf("next seq %d, want %d", seq, man.Lens.NextSeq)
	}
}

func TestSplitImport(t *testing.T) {
	alice, bob := addr(1), addr(2)
	man := bigManifest(alice, bob, 600)
	man.Keys = []HexKey{OwnerKey("home"), LensKey("home")}
	const limit = 16 * 1024
	first, rest, err := SplitImport(man, "", limit)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) < 2 || first.Manifest.Keys != nil {
		t.Fatalf("%d follow-up messages, keys %v", len(rest), first.Manifest.Keys)
	}
	var seqs []uint64
	check := func(v any) {
		b, _ := json.Marshal(v)
		if len(b) > limit {
			t.Fatalf("message of %d bytes, limit %d", len(b), limit)
		}
	}
	check(first)
	if err := first.Check(); err != nil {
		t.Fatal(err)
	}
	for _, e := range first.Manifest.Entries {
		seqs = append(seqs, e.Seq)
	}
	for _, m := range rest {
		check(m)
		if err := m.Check(); err != nil || m.Lens != "home" {
			t.Fatalf("batch %s: %v", m.Lens, err)
		}
		for _, e := range m.Entries {
			seqs = append(seqs, e.Seq)
		}
	}
	if len(seqs) != 600 {
		t.Fatalf("%d entries split, want 600", len(seqs))
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("entry %d has seq %d", i, s)
		}
	}
	// Renamed: the batches name the new handle.
	if _, rest, _ := SplitImport(man, "away", limit); rest[0].Lens != "away" {
		t.Fatalf("renamed batches name %q", rest[0].Lens)
	}
	// A limit below the bare import fails.
	if _, _, err := SplitImport(man, "", 100); !errors.Is(err, ErrTooMany) {
		t.Fatalf("tiny limit: %v", err)
	}
}
