package lens

import (
	"errors"
	"reflect"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestEndToEnd is the scenario at package level.
func TestEndToEnd(t *testing.T) {
	e := newEnv(t)
	alice, bob, carol, dave := addr(1), addr(2), addr(3), addr(4)
	e.create(t, alice, "lens-a")
	e.create(t, bob, "lens-b")
	e.create(t, carol, "lens-c")
	e.add(t, alice, "lens-a", "a1")
	e.add(t, bob, "lens-b", "b1")
	e.add(t, carol, "lens-c", "c1")
	e.add(t, carol, "lens-c", "c2")
	e.follow(t, alice, "lens-a", "lens-b", 500_000)
	e.follow(t, bob, "lens-b", "lens-c", 500_000)

	want := map[string]uint64{"lens-a/a1": 1_000_000, "lens-b/b1": 500_000, "lens-c/c1": 250_000, "lens-c/c2": 250_000}
	v := e.view(t, "lens-a", ViewOptions{})
	if got := scores(v); !reflect.DeepEqual(got, want) {
		t.Fatalf("view scores %v, want %v", got, want)
	}
	wantOrder := []string{"a1", "b1", "c2", "c1"} // score desc, lens asc, seq desc
	for i, en := range v.Entries {
		if en.Title != wantOrder[i] {
			t.Fatalf("entry %d is %s, want %s", i, en.Title, wantOrder[i])
		}
	}
	if v.Entries[0].Author != alice || v.Entries[2].Author != carol {
		t.Fatalf("authors not kept: %+v", v.Entries)
	}
	// Depth 1 stops at B.
	if got := scores(e.view(t, "lens-a", ViewOptions{Depth: 1})); len(got) != 2 {
		t.Fatalf("depth 1 view %v", got)
	}
	// Reweight C to 0 removes C's entries; reweight B raises B and C.
	if got := scores(e.view(t, "lens-a", ViewOptions{Reweight: map[string]uint32{"lens-c": 0}})); !reflect.DeepEqual(got,
		map[string]uint64{"lens-a/a1": 1_000_000, "lens-b/b1": 500_000}) {
		t.Fatalf("reweight c=0: %v", got)
	}
	if got := scores(e.view(t, "lens-a", ViewOptions{Reweight: map[string]uint32{"lens-b": 1_000_000}})); got["lens-c/c1"] != 500_000 {
		t.Fatalf("reweight b=1e6: %v", got)
	}
	// A blocks one CID: it disappears.
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecBlock(b, alice, &MsgBlock{Lens: "lens-a", CID: testCID("c1")})
	})
	if got := scores(e.view(t, "lens-a", ViewOptions{})); len(got) != 3 || got["lens-c/c1"] != 0 {
		t.Fatalf("after block: %v", got)
	}
	// B's own view still shows c1: A's block applies only to A's view.
	if got := scores(e.view(t, "lens-b", ViewOptions{})); got["lens-c/c1"] != 500_000 {
		t.Fatalf("b's view after a's block: %v", got)
	}
	// B unfollows C: A's view changes at once.
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecUnfollow(b, bob, &MsgUnfollow{Lens: "lens-b", Target: "lens-c"})
	})
	if got := scores(e.view(t, "lens-a", ViewOptions{})); !reflect.DeepEqual(got,
		map[string]uint64{"lens-a/a1": 1_000_000, "lens-b/b1": 500_000}) {
		t.Fatalf("after unfollow: %v", got)
	}
	// Bob made carol an admin of B; then B's item moves to dave through the
	// ledger alone. Carol's role lapses; dave controls roles and follows.
	e.grant(t, bob, "lens-b", carol, RoleAdmin)
	e.follow(t, carol, "lens-b", "lens-c", 400_000)
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return nil, k.l.TransferItem(bob, dave, AssetID, "lens-b")
	})
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecUnfollow(b, bob, &MsgUnfollow{Lens: "lens-b", Target: "lens-c"})
	})
	e.fails(t, ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecUnfollow(b, carol, &MsgUnfollow{Lens: "lens-b", Target: "lens-c"})
	})
	roles, err := e.reader().Roles("lens-b")
	if err != nil || len(roles) != 1 || roles[0].Active {
		t.Fatalf("roles after transfer: %+v %v", roles, err)
	}
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRevoke(b, dave, &MsgRevoke{Lens: "lens-b", Address: carol})
	})
	e.grant(t, dave, "lens-b", alice, RoleAdmin)
	e.ok(t, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecUnfollow(b, alice, &MsgUnfollow{Lens: "lens-b", Target: "lens-c"})
	})
	info, err := e.reader().Info("lens-b")
	if err != nil || info.Owner == nil || *info.Owner != dave || len(info.Follows) != 0 {
		t.Fatalf("info after transfer: %+v %v", info, err)
	}
	// Bob may no longer add entries; dave may.
	e.fails(t, ErrNotMember, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecAddEntry(b, bob, &MsgAddEntry{Lens: "lens-b", CID: testCID("b2"), Kind: "post"})
	})
	e.add(t, dave, "lens-b", "b2")
}

func TestBadInputLeavesStateUnchanged(t *testing.T) {
	e := newEnv(t)
	owner, member, stranger, mod := addr(1), addr(2), addr(3), addr(4)
	e.create(t, owner, "home")
	e.create(t, addr(9), "other")
	e.grant(t, owner, "home", member, RoleMember)
	e.grant(t, owner, "home", mod, RoleModerator)
	seq := e.add(t, owner, "home", "x")
	e.follow(t, owner, "home", "other", 10)
	type fn = func(k *Keeper, b ledger.Block) (ledger.Output, error)
	cases := []struct {
		name string
		want error
		run  fn
	}{
		{"duplicate handle", ErrDuplicateHandle, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecCreate(b, stranger, &MsgCreate{Handle: "home", Name: "again"})
		}},
		{"malformed handle upper", ErrBadHandle, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecCreate(b, stranger, &MsgCreate{Handle: "Home", Name: "n"})
		}},
		{"malformed handle short", ErrBadHandle, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecCreate(b, stranger, &MsgCreate{Handle: "ab", Name: "n"})
		}},
		{"malformed handle slash", ErrBadHandle, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecCreate(b, stranger, &MsgCreate{Handle: "a/bc", Name: "n"})
		}},
		{"empty name", ErrBadText, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecCreate(b, stranger, &MsgCreate{Handle: "fresh", Name: ""})
		}},
		{"malformed description cid", ErrBadCID, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecCreate(b, stranger, &MsgCreate{Handle: "fresh", Name: "n", DescriptionCID: "bafy-not-a-cid"})
		}},
		{"malformed cid", ErrBadCID, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAddEntry(b, owner, &MsgAddEntry{Lens: "home", CID: "Qmnope", Kind: "post"})
		}},
		{"bad kind", ErrBadKind, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAddEntry(b, owner, &MsgAddEntry{Lens: "home", CID: testCID("y"), Kind: "hologram"})
		}},
		{"too many tags", ErrBadTag, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAddEntry(b, owner, &MsgAddEntry{Lens: "home", CID: testCID("y"), Kind: "post",
				Tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}})
		}},
		{"duplicate cid in lens", ErrDuplicateEntry, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAddEntry(b, owner, &MsgAddEntry{Lens: "home", CID: testCID("x"), Kind: "post"})
		}},
		{"entry by non-member", ErrNotMember, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAddEntry(b, stranger, &MsgAddEntry{Lens: "home", CID: testCID("y"), Kind: "post"})
		}},
		{"entry in unknown lens", ErrUnknownLens, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAddEntry(b, owner, &MsgAddEntry{Lens: "nowhere", CID: testCID("y"), Kind: "post"})
		}},
		{"remove another's entry without moderator", ErrNotModerator, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecRemoveEntry(b, member, &MsgRemoveEntry{Lens: "home", Seq: seq})
		}},
		{"edit another's entry without moderator", ErrNotModerator, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			title := "mine now"
			return k.ExecEditEntry(b, member, &MsgEditEntry{Lens: "home", Seq: seq, Title: &title})
		}},
		{"empty edit", ErrEmptyEdit, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecEditEntry(b, owner, &MsgEditEntry{Lens: "home", Seq: seq})
		}},
		{"remove unknown entry", ErrUnknownEntry, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecRemoveEntry(b, owner, &MsgRemoveEntry{Lens: "home", Seq: 99})
		}},
		{"weight zero", ErrBadWeight, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFollow(b, owner, &MsgFollow{Lens: "home", Target: "other", Weight: 0})
		}},
		{"weight above 1e6", ErrBadWeight, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFollow(b, owner, &MsgFollow{Lens: "home", Target: "other", Weight: 1_000_001})
		}},
		{"self-follow", ErrSelfFollow, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFollow(b, owner, &MsgFollow{Lens: "home", Target: "home", Weight: 5})
		}},
		{"follow unknown lens", ErrUnknownLens, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFollow(b, owner, &MsgFollow{Lens: "home", Target: "nowhere", Weight: 5})
		}},
		{"follow without role", ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFollow(b, mod, &MsgFollow{Lens: "home", Target: "other", Weight: 5})
		}},
		{"unfollow without role", ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecUnfollow(b, stranger, &MsgUnfollow{Lens: "home", Target: "other"})
		}},
		{"unfollow not followed", ErrUnknownFollow, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecUnfollow(b, addr(9), &MsgUnfollow{Lens: "other", Target: "home"})
		}},
		{"block by member", ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecBlock(b, member, &MsgBlock{Lens: "home", CID: testCID("z")})
		}},
		{"block both", ErrBadBlock, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecBlock(b, owner, &MsgBlock{Lens: "home", CID: testCID("z"), Target: "other"})
		}},
		{"block self", ErrSelfBlock, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecBlock(b, owner, &MsgBlock{Lens: "home", Target: "home"})
		}},
		{"unblock not blocked", ErrUnknownBlock, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecUnblock(b, owner, &MsgUnblock{Lens: "home", Target: "other"})
		}},
		{"grant by member", ErrUnauthorized, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecGrant(b, member, &MsgGrant{Lens: "home", Address: stranger, Role: RoleMember})
		}},
		{"grant owner role", ErrBadRole, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecGrant(b, owner, &MsgGrant{Lens: "home", Address: stranger, Role: RoleOwner})
		}},
		{"revoke no role", ErrNoRole, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecRevoke(b, owner, &MsgRevoke{Lens: "home", Address: stranger})
		}},
		{"announce bad cid", ErrBadCID, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecAnnounce(b, stranger, &MsgAnnounce{CIDs: []string{testCID("ok"), "nope"}})
		}},
		{"fork depth above max", ErrDepth, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFork(b, stranger, &MsgFork{Handle: "forked", Name: "f", Source: "home", Depth: MaxDepth + 1})
		}},
		{"fork onto taken handle", ErrDuplicateHandle, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFork(b, stranger, &MsgFork{Handle: "other", Name: "f", Source: "home"})
		}},
		{"fork unknown source", ErrUnknownLens, func(k *Keeper, b ledger.Block) (ledger.Output, error) {
			return k.ExecFork(b, stranger, &MsgFork{Handle: "forked", Name: "f", Source: "nowhere"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { e.fails(t, tc.want, tc.run) })
	}
	// Depth above the maximum is refused by the query too.
	if _, err := e.reader().View("home", ViewOptions{Depth: MaxDepth + 1}); !errors.Is(err, ErrDepth) {
		t.Fatalf("view depth %d: %v", MaxDepth+1, err)
	}
	if _, err := e.reader().View("nowhere", ViewOptions{}); !errors.Is(err, ErrUnknownLens) {
		t.Fatalf("view of unknown lens: %v", err)
	}
	for _, bad := range []string{"!!", "djE", "djEveC9ob21lLzE"} {
		if _, err := e.reader().View("home", ViewOptions{After: bad}); !errors.Is(err, ErrBadQuery) {
			t.Fatalf("cursor %q: %v", bad, err)
		}
	}
}
