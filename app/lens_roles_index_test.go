package app

import (
	"context"
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// The roles index (lens/role_index.go) lives in the node-local store: a
// grant writes no lens/ri/ key to the tree, /roles/ADDR lists the grant
// with proofs of the grant and the Lens's owner, and an app over the same
// state with an empty local store rebuilds the same answer.
func TestLensRolesIndexIsLocal(t *testing.T) {
	alice, bob := newTestKey("alice"), newTestKey("bob")
	c := newChain(t, fundedGenesis(alice, bob))
	mustOK(t, c.block(c.tx(alice, mustMsg(t, lens.TypeCreate, lens.MsgCreate{Handle: "club", Name: "Club"}))))
	mustOK(t, c.block(c.tx(alice, mustMsg(t, lens.TypeGrant, lens.MsgGrant{Lens: "club", Address: bob.addr, Role: lens.RoleModerator}))))
	if err := c.app.tree.Iterate([]byte("lens/ri/"), ledger.PrefixEnd([]byte("lens/ri/")), func(k, _ []byte) bool {
		t.Fatalf("roles index key in state: %q", k)
		return false
	}); err != nil {
		t.Fatal(err)
	}
	roles := func(a *App) string {
		t.Helper()
		r, err := a.Query(context.Background(), &abci.RequestQuery{Path: "/roles/" + bob.addr.String(), Prove: true})
		if err != nil || r.Code != 0 {
			t.Fatalf("roles: %v %d %s", err, r.Code, r.Log)
		}
		var l struct {
			Entries []lens.RoleHeld `json:"entries"`
		}
		if err := json.Unmarshal(r.Value, &l); err != nil {
			t.Fatal(err)
		}
		if r.ProofOps == nil || len(r.ProofOps.Ops) != 2*len(l.Entries) {
			t.Fatalf("%d entries, proofs %v", len(l.Entries), r.ProofOps)
		}
		out := ""
		for _, e := range l.Entries {
			out += e.Lens + ":" + string(e.Role)
			if e.Active {
				out += "+"
			}
		}
		return out
	}
	if got := roles(c.app); got != "club:moderator+" {
		t.Fatalf("roles of bob: %q", got)
	}
	fresh := New(c.app.tree, testChain, nil) // empty local store: rebuilt from state
	defer fresh.local.Close()
	if got := roles(fresh); got != "club:moderator+" {
		t.Fatalf("after rebuild: %q", got)
	}
	mustOK(t, c.block(c.tx(alice, mustMsg(t, lens.TypeRevoke, lens.MsgRevoke{Lens: "club", Address: bob.addr}))))
	if got := roles(c.app); got != "" {
		t.Fatalf("after revoke: %q", got)
	}
}
