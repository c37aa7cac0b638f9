package lens

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// TestRolesIndex: grants and revokes keep the roles index in step with the
// role records, a rebuild from state writes the same index, and /roles
// lists an address's roles in handle order, paged, each proven and marked
// active only under the Lens's current owner.
func TestRolesIndex(t *testing.T) {
	e := newEnv(t)
	idx, err := ledger.OpenTree("", "local")
	if err != nil {
		t.Fatal(err)
	}
	// indexed runs a message with the keeper writing the roles index, as
	// the app does (a branch per message, kept on success).
	indexed := func(fn func(k *Keeper, blk ledger.Block) (ledger.Output, error)) {
		t.Helper()
		e.ok(t, func(k *Keeper, blk ledger.Block) (ledger.Output, error) {
			ib := ledger.NewBranch(idx)
			k.SetRoleIndex(ib)
			out, err := fn(k, blk)
			if err == nil {
				err = ib.Write()
			}
			return out, err
		})
	}
	owner, x := addr(1), addr(2)
	for _, h := range []string{"club", "band", "choir"} {
		e.create(t, owner, h)
	}
	for _, g := range []MsgGrant{{Lens: "club", Address: x, Role: RoleMember}, {Lens: "band", Address: x, Role: RoleAdmin},
		{Lens: "choir", Address: x, Role: RoleModerator}} {
		indexed(func(k *Keeper, b ledger.Block) (ledger.Output, error) { return k.ExecGrant(b, owner, &g) })
	}
	indexed(func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		return k.ExecRevoke(b, owner, &MsgRevoke{Lens: "choir", Address: x})
	})
	// The Lens band changes hands: x's role there is kept but inactive.
	e.ok(t, func(k *Keeper, _ ledger.Block) (ledger.Output, error) {
		return nil, k.l.TransferItem(owner, addr(3), AssetID, "band")
	})

	list, kvs, err := RolesHeld(e.tree, idx, x, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, r := range list.Entries {
		got += r.Lens + ":" + string(r.Role) + map[bool]string{true: "+", false: "-"}[r.Active] + " "
	}
	if got != "band:admin- club:member+ " || list.Next != "" || len(kvs) != 4 {
		t.Fatalf("roles held: %q next %q, %d proven", got, list.Next, len(kvs))
	}
	for i, kv := range kvs {
		v, _ := e.tree.Get(kv.Key)
		if string(v) != string(kv.Value) {
			t.Fatalf("proven kv %d is not the stored value", i)
		}
	}
	page, _, err := RolesHeld(e.tree, idx, x, "", 1)
	if err != nil || len(page.Entries) != 1 || page.Next != "band" {
		t.Fatalf("first page: %+v %v", page, err)
	}
	page, _, err = RolesHeld(e.tree, idx, x, page.Next, 1)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Lens != "club" || page.Next != "" {
		t.Fatalf("second page: %+v %v", page, err)
	}

	// A rebuild from state writes the same entries.
	fresh, _ := ledger.OpenTree("", "rebuilt")
	if n, err := RebuildRoleIndex(e.tree, fresh); err != nil || n != 2 {
		t.Fatalf("rebuild: %d entries, %v", n, err)
	}
	var a, b []string
	collect := func(r ledger.Reader, out *[]string) {
		_ = r.Iterate([]byte(prefixRoleIndex), ledger.PrefixEnd([]byte(prefixRoleIndex)), func(k, _ []byte) bool {
			*out = append(*out, string(k))
			return true
		})
	}
	collect(idx, &a)
	collect(fresh, &b)
	if len(a) != 2 || len(a) != len(b) || a[0] != b[0] || a[1] != b[1] {
		t.Fatalf("index %q, rebuilt %q", a, b)
	}

	// An index entry whose role is not in this state (granted later) is skipped.
	if err := idx.Set(RoleIndexKey(x, "zeta"), []byte{}); err != nil {
		t.Fatal(err)
	}
	res, err := QueryRolesHeld(e.tree, idx, []string{x.String()}, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		Entries []RoleHeld `json:"entries"`
	}
	if err := json.Unmarshal(res.Value, &ans); err != nil || len(ans.Entries) != 2 || len(res.Proven) != 4 {
		t.Fatalf("query: %s %v", res.Value, err)
	}
	// A client rebuilds exactly the proven key/values from the answer,
	// and refuses an entry whose active flag its records contradict.
	kvs, err = RolesHeldKVs(x, ans.Entries)
	if err != nil || len(kvs) != len(res.Proven) {
		t.Fatalf("kvs %d %v, proven %d", len(kvs), err, len(res.Proven))
	}
	for i := range kvs {
		if !bytes.Equal(kvs[i].Key, res.Proven[i].Key) || !bytes.Equal(kvs[i].Value, res.Proven[i].Value) {
			t.Fatalf("kv %d: %q, proven %q", i, kvs[i], res.Proven[i])
		}
	}
	ans.Entries[0].Active = !ans.Entries[0].Active
	if _, err := RolesHeldKVs(x, ans.Entries); !errors.Is(err, query.ErrBadQuery) {
		t.Fatalf("a flipped active flag: %v", err)
	}
	if _, err := RolesHeldKVs(owner, ans.Entries[1:]); !errors.Is(err, query.ErrBadQuery) {
		t.Fatalf("another address's grant: %v", err)
	}
	if _, err := QueryRolesHeld(e.tree, idx, []string{"riff1bad"}, url.Values{}); err == nil {
		t.Fatal("a bad address was accepted")
	}
}
