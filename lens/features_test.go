package lens

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

func TestHandleForm(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"abc", true}, {"a-b_c9", true}, {"0lens", true}, {"abcdefghijklmnopqrstuvwxyz012345", true},
		{"ab", false}, {"abcdefghijklmnopqrstuvwxyz0123456", false}, {"-abc", false}, {"_abc", false},
		{"Abc", false}, {"ab c", false}, {"ab/c", false}, {"ab.c", false}, {"", false}, {"ábc", false},
	}
	for _, c := range cases {
		if got := ValidHandle(c.in); got != c.ok {
			t.Errorf("ValidHandle(%q) = %v, want %v", c.in, got, c.ok)
		}
	}
}

func TestCanonicalCID(t *testing.T) {
	v1 := testCID("hello")
	if c, err := CanonicalCID(v1); err != nil || c != v1 {
		t.Fatalf("canonical %q: %q %v", v1, c, err)
	}
	// The same CID in base58btc multibase normalises to base32.
	const v1b58 = "zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA"
	c, err := CanonicalCID(v1b58)
	if err != nil || c[0] != 'b' {
		t.Fatalf("base58 v1: %q %v", c, err)
	}
	if c, err := CanonicalCID("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"); err != nil || c != "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG" {
		t.Fatalf("v0: %q %v", c, err)
	}
	for _, bad := range []string{"", "hello", "bafy", "Qm123", string(make([]byte, 300))} {
		if _, err := CanonicalCID(bad); !errors.Is(err, ErrBadCID) {
			t.Errorf("CanonicalCID(%q): %v", bad, err)
		}
	}
}

func TestRegistryAndOwnership(t *testing.T) {
	e := newEnv(t)
	alice, bob := addr(1), addr(2)
	e.create(t, alice, "first")
	a, err := e.reader().l.Asset(AssetID)
	if err != nil || a.Kind != ledger.Unique || a.Issuer != RegistryAddress || a.Supply.Cmp(ledger.NewAmount(1)) != 0 {
		t.Fatalf("LENS asset %+v %v", a, err)
	}
	e.create(t, bob, "second")
	it, err := e.reader().l.Item(AssetID, "second")
	if err != nil || it.Owner != bob {
		t.Fatalf("item %+v %v", it, err)
	}
	// Burning the item freezes the lens: nobody holds a role any more.
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return nil, k.l.BurnItem(AssetID, "second", bob)
	})
	e.fails(t, ErrNotMember, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecAddEntry(b, bob, &MsgAddEntry{Lens: "second", CID: testCID("x"), Kind: "post"})
	})
	info, err := e.reader().Info("second")
	if err != nil || info.Owner != nil {
		t.Fatalf("burned lens info %+v %v", info, err)
	}
	// A LENS asset that is not the registry's is refused.
	e2 := newEnv(t)
	e2.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return nil, k.l.CreateAsset(ledger.Asset{ID: AssetID, Kind: ledger.Unique, Symbol: "LENS", Issuer: alice})
	})
	e2.fails(t, ErrRegistry, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecCreate(b, alice, &MsgCreate{Handle: "first", Name: "x"})
	})
}

func TestRolesMatrix(t *testing.T) {
	e := newEnv(t)
	owner, admin, mod, member, other, stranger := addr(1), addr(2), addr(3), addr(4), addr(5), addr(6)
	e.create(t, owner, "club")
	e.create(t, stranger, "elsewhere")
	e.grant(t, owner, "club", admin, RoleAdmin)
	e.grant(t, admin, "club", mod, RoleModerator)
	e.grant(t, admin, "club", member, RoleMember)
	e.grant(t, owner, "club", other, RoleMember)
	// Admins manage roles below admin only.
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecGrant(b, admin, &MsgGrant{Lens: "club", Address: stranger, Role: RoleAdmin})
	})
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecGrant(b, mod, &MsgGrant{Lens: "club", Address: stranger, Role: RoleMember})
	})
	e.grant(t, owner, "club", addr(7), RoleAdmin)
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRevoke(b, admin, &MsgRevoke{Lens: "club", Address: addr(7)})
	})
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecGrant(b, admin, &MsgGrant{Lens: "club", Address: owner, Role: RoleMember})
	})
	// Members add; authors edit and remove their own; moderators anyone's.
	s1 := e.add(t, member, "club", "m1")
	s2 := e.add(t, other, "club", "o1")
	title := "edited"
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecEditEntry(b, member, &MsgEditEntry{Lens: "club", Seq: s1, Title: &title})
	})
	en, err := e.reader().Entry("club", s1)
	if err != nil || en.Title != "edited" || en.Author != member || en.Editor == nil || *en.Editor != member {
		t.Fatalf("edited entry %+v %v", en, err)
	}
	e.fails(t, ErrNotModerator, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRemoveEntry(b, member, &MsgRemoveEntry{Lens: "club", Seq: s2})
	})
	kind, tags := "video", []string{"live"}
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecEditEntry(b, mod, &MsgEditEntry{Lens: "club", Seq: s2, Kind: &kind, Tags: &tags})
	})
	en, _ = e.reader().Entry("club", s2)
	if en.Author != other || en.Kind != "video" || !reflect.DeepEqual(en.Tags, tags) {
		t.Fatalf("moderated entry %+v", en)
	}
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRemoveEntry(b, mod, &MsgRemoveEntry{Lens: "club", Seq: s2})
	})
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRemoveEntry(b, member, &MsgRemoveEntry{Lens: "club", Seq: s1})
	})
	// Moderators block, members cannot; admins follow, moderators cannot.
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(b, mod, &MsgBlock{Lens: "club", CID: testCID("spam")})
	})
	e.fails(t, ErrAlreadyBlocked, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(b, owner, &MsgBlock{Lens: "club", CID: testCID("spam")})
	})
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecFollow(b, mod, &MsgFollow{Lens: "club", Target: "elsewhere", Weight: 1})
	})
	e.follow(t, admin, "club", "elsewhere", 1)
	// Revoked members lose their rights at once.
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRevoke(b, admin, &MsgRevoke{Lens: "club", Address: member})
	})
	e.fails(t, ErrNotMember, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecAddEntry(b, member, &MsgAddEntry{Lens: "club", CID: testCID("late"), Kind: "post"})
	})
	// After a transfer every earlier grant is inactive; moving the item back
	// revives them (documented).
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return nil, k.l.TransferItem(owner, stranger, AssetID, "club")
	})
	for _, who := range []ledger.Address{admin, mod, other} {
		if r, _ := e.reader().RoleOf("club", who); r != RoleNone {
			t.Fatalf("role after transfer %s", r)
		}
	}
	if r, _ := e.reader().RoleOf("club", stranger); r != RoleOwner {
		t.Fatalf("new owner role %s", r)
	}
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return nil, k.l.TransferItem(stranger, owner, AssetID, "club")
	})
	if r, _ := e.reader().RoleOf("club", admin); r != RoleAdmin {
		t.Fatalf("role after transfer back %s", r)
	}
}

func TestSeeding(t *testing.T) {
	e := newEnv(t)
	owner, h1, h2 := addr(1), addr(2), addr(3)
	e.create(t, owner, "seeds")
	e.add(t, owner, "seeds", "one")
	e.add(t, owner, "seeds", "two")
	e.add(t, owner, "seeds", "three")
	ann := func(who ledger.Address, contents ...string) {
		var cids []string
		for _, c := range contents {
			cids = append(cids, testCID(c))
		}
		e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAnnounce(b, who, &MsgAnnounce{CIDs: cids})
		})
	}
	ann(h1, "one", "two")
	ann(h2, "one", "one") // duplicate in one message counts once
	ann(h2, "one")        // again: no change
	if n, _ := e.reader().Hosts(testCID("one")); n != 2 {
		t.Fatalf("hosts of one: %d", n)
	}
	list, _, err := e.reader().Seeding("seeds", 2, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, it := range list {
		got = append(got, it.Title)
	}
	if !reflect.DeepEqual(got, []string{"three", "two"}) || list[0].Hosts != 0 || list[1].Hosts != 1 {
		t.Fatalf("seeding: %+v", list)
	}
	if list, next, _ := e.reader().Seeding("seeds", 3, 0, 1); len(list) != 1 || list[0].Title != "three" || next != 3 {
		t.Fatalf("seeding limit: %+v", list)
	}
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecWithdraw(b, h1, &MsgWithdraw{CIDs: []string{testCID("one"), testCID("three")}})
	})
	if n, _ := e.reader().Hosts(testCID("one")); n != 1 {
		t.Fatalf("hosts after withdraw: %d", n)
	}
	if hosted, _ := e.reader().Hosted(h1); !reflect.DeepEqual(hosted, []string{testCID("two")}) {
		t.Fatalf("hosted: %v", hosted)
	}
	if _, _, err := e.reader().Seeding("seeds", 0, 0, 0); !errors.Is(err, ErrBadQuery) {
		t.Fatalf("target 0: %v", err)
	}
	if _, _, err := e.reader().Seeding("nothere", 1, 0, 0); !errors.Is(err, ErrUnknownLens) {
		t.Fatalf("unknown lens: %v", err)
	}
}

func TestForkKeepsAuthorsAndOrder(t *testing.T) {
	e := newEnv(t)
	alice, bob, carol := addr(1), addr(2), addr(3)
	e.create(t, alice, "src")
	e.create(t, bob, "friend")
	e.add(t, alice, "src", "s1")
	e.add(t, bob, "friend", "f1")
	e.add(t, bob, "friend", "s1") // same CID as src's: kept once
	e.follow(t, alice, "src", "friend", 700_000, "x")
	e.follow(t, alice, "src", "friend", 700_000)
	out := e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecFork(b, carol, &MsgFork{Handle: "mine", Name: "My fork", Source: "src", Follows: true})
	})
	if out["entries"] != "2" || out["follows"] != "1" {
		t.Fatalf("fork output %v", out)
	}
	v := e.view(t, "mine", ViewOptions{Depth: 1})
	// Own entries (1e6) in the source view's order, then the followed lens.
	if len(v.Entries) < 2 || v.Entries[0].Title != "s1" || v.Entries[0].Author != alice || v.Entries[1].Author != bob ||
		v.Entries[0].Origin == nil || v.Entries[0].Origin.Lens != "src" {
		t.Fatalf("fork view %+v", v.Entries)
	}
	if it, _ := e.reader().l.Item(AssetID, "mine"); it.Owner != carol {
		t.Fatalf("fork owner %s", it.Owner)
	}
	// Reweight 0 drops a follow; max_entries bounds the copy.
	out = e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecFork(b, carol, &MsgFork{Handle: "mine2", Name: "n", Source: "src", Follows: true, MaxEntries: 1,
			Reweight: map[string]uint32{"friend": 0}})
	})
	if out["entries"] != "1" || out["follows"] != "0" {
		t.Fatalf("fork 2 output %v", out)
	}
}

func TestManifestAndImport(t *testing.T) {
	src := newEnv(t)
	alice, bob, carol := addr(1), addr(2), addr(3)
	src.create(t, alice, "home")
	src.create(t, bob, "pal")
	src.grant(t, alice, "home", bob, RoleMember)
	src.add(t, alice, "home", "a1", "news")
	src.add(t, bob, "home", "b1")
	gone := src.add(t, alice, "home", "gone")
	src.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRemoveEntry(b, alice, &MsgRemoveEntry{Lens: "home", Seq: gone})
	})
	src.follow(t, alice, "home", "pal", 300_000)
	src.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(b, alice, &MsgBlock{Lens: "home", CID: testCID("bad")})
	})
	m1, err := src.reader().Manifest("home")
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := src.reader().Manifest("home")
	j1, _ := json.Marshal(m1)
	j2, _ := json.Marshal(m2)
	if string(j1) != string(j2) {
		t.Fatal("manifest not deterministic")
	}
	if len(m1.Entries) != 2 || m1.Entries[0].Title != "a1" || len(m1.Follows) != 1 || len(m1.Roles) != 1 ||
		len(m1.Blocks) != 1 || len(m1.Keys) != 2+2+1+1+1 || m1.Owner != alice {
		t.Fatalf("manifest %s", j1)
	}
	// Every key listed holds a value in state (the app proves each).
	for _, key := range m1.Keys {
		if v, _ := src.tree.Get(key); v == nil {
			t.Fatalf("manifest key %x has no value", []byte(key))
		}
	}
	// Round trip through JSON, as the CAR file carries it.
	var decoded Manifest
	if err := json.Unmarshal(j1, &decoded); err != nil {
		t.Fatal(err)
	}
	decoded.ChainID = "source-chain"

	dst := newEnv(t)
	dst.create(t, carol, "pal") // a different "pal" exists on the other network
	dst.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, bob, &MsgImport{Manifest: decoded})
	})
	tampered := decoded
	tampered.Follows = []Follow{{Lens: "home", Target: "pal", Weight: 2_000_000}}
	dst.fails(t, ErrBadManifest, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, alice, &MsgImport{Manifest: tampered})
	})
	tampered = decoded
	tampered.Entries = append([]Entry{}, decoded.Entries...)
	tampered.Entries[1].CID = "not-a-cid"
	dst.fails(t, ErrBadManifest, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, alice, &MsgImport{Manifest: tampered})
	})
	out := dst.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, alice, &MsgImport{Manifest: decoded})
	})
	if out["entries"] != "2" || out["follows"] != "1" || out["roles"] != "1" || out["blocks"] != "1" {
		t.Fatalf("import output %v", out)
	}
	got, err := dst.reader().Manifest("home")
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != alice || len(got.Entries) != 2 || got.Entries[1].Author != bob || got.Entries[1].Seq != m1.Entries[1].Seq ||
		got.Entries[0].Origin == nil || got.Entries[0].Origin.Chain != "source-chain" || got.Lens.NextSeq != m1.Lens.NextSeq {
		t.Fatalf("imported %+v", got)
	}
	if r, _ := dst.reader().RoleOf("home", bob); r != RoleMember {
		t.Fatalf("imported role %s", r)
	}
	dst.fails(t, ErrDuplicateHandle, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, alice, &MsgImport{Manifest: decoded})
	})
	// Renamed import; a follow of a lens missing here is skipped.
	decoded.Follows = append(decoded.Follows, Follow{Lens: "home", Target: "zzz-missing", Weight: 5})
	out = dst.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecImport(b, alice, &MsgImport{Manifest: decoded, Handle: "home-2"})
	})
	if out["lens"] != "home-2" || out["follows_skipped"] != "1" {
		t.Fatalf("renamed import %v", out)
	}
}

func TestEventsPerChange(t *testing.T) {
	e := newEnv(t)
	e.create(t, addr(1), "evts")
	e.add(t, addr(1), "evts", "x")
	want := []string{"asset_created", "transfer", "lens_created", "lens_entry_added"}
	var got []string
	for _, ev := range e.events {
		got = append(got, ev.Type)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// countingReader counts the keys a read touches.
type countingReader struct {
	ledger.Reader
	n int
}

func (c *countingReader) Get(key []byte) ([]byte, error) { c.n++; return c.Reader.Get(key) }

func (c *countingReader) Iterate(start, end []byte, fn func(k, v []byte) bool) error {
	return c.Reader.Iterate(start, end, func(k, v []byte) bool { c.n++; return fn(k, v) })
}

// TestSeedingBoundedWork: a page examines at most MaxSeedingScan entries
// (200 here) and stops once it has limit; pages walk every entry once. Before, every
// call read every entry and its host count, even for limit=1.
func TestSeedingBoundedWork(t *testing.T) {
	e := newEnv(t)
	owner := addr(1)
	e.create(t, owner, "big")
	defer func(n int) { seedingScan = n }(seedingScan)
	seedingScan = 200 // MaxSeedingScan's rule, with fewer entries to add
	total := seedingScan + 100
	for i := 0; i < total; i++ {
		e.add(t, owner, "big", fmt.Sprint("c", i))
	}
	cr := &countingReader{Reader: e.tree}
	list, next, err := NewReader(cr).Seeding("big", 1, 0, 1)
	if err != nil || len(list) != 1 || list[0].Seq != uint64(total) || next != uint64(total) {
		t.Fatalf("limit 1: %v %d %v", list, next, err)
	}
	if cr.n > 2*seedingChunk+10 {
		t.Fatalf("limit 1 touched %d keys", cr.n)
	}
	seen := map[uint64]bool{}
	before, pages := uint64(0), 0
	for {
		list, next, err := NewReader(e.tree).Seeding("big", 1, before, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > seedingScan {
			t.Fatalf("a page of %d", len(list))
		}
		for _, it := range list {
			if seen[it.Seq] {
				t.Fatalf("seq %d twice", it.Seq)
			}
			seen[it.Seq] = true
		}
		pages++
		if next == 0 {
			break
		}
		before = next
	}
	if len(seen) != total || pages != 2 {
		t.Fatalf("pages walked %d entries in %d pages, want %d in 2", len(seen), pages, total)
	}
}

// TestManifestBounded: a Lens with more entries than an import accepts
// gets no manifest (ErrTooMany, decided from the record's counts before
// any entry is read).
func TestManifestBounded(t *testing.T) {
	e := newEnv(t)
	owner := addr(1)
	e.create(t, owner, "huge")
	e.add(t, owner, "huge", "one")
	if _, err := e.reader().Manifest("huge"); err != nil {
		t.Fatal(err)
	}
	rec, err := e.reader().Lens("huge")
	if err != nil {
		t.Fatal(err)
	}
	rec.EntryCount = MaxImportEntries + 1
	b, _ := json.Marshal(rec)
	if err := e.tree.Set(LensKey("huge"), b); err != nil {
		t.Fatal(err)
	}
	cr := &countingReader{Reader: e.tree}
	if _, err := NewReader(cr).Manifest("huge"); !errors.Is(err, ErrTooMany) {
		t.Fatalf("manifest of a Lens over the import limit: %v", err)
	}
	if cr.n > 5 {
		t.Fatalf("refusing touched %d keys", cr.n)
	}
}
