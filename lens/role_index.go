package lens

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// The roles index: which Lenses an address holds a stored role in, for
// listings by address (the account page's "Roles held"). It is a
// node-local index (spec/state.md "Local indexes"): execution writes it
// through the keeper's role index (SetRoleIndex) and never reads it, a
// rebuild recreates it from the role records, and a listing proves each
// role it returns from state.

// prefixRoleIndex is the local index of roles by address:
// lens/ri/{addr}{handle} -> "".
const prefixRoleIndex = "lens/ri/"

// RoleIndexKey is the local index entry saying addr has a stored role in
// the Lens handle.
func RoleIndexKey(addr ledger.Address, handle string) []byte {
	return append(append([]byte(prefixRoleIndex), addr[:]...), handle...)
}

// RoleIndexPrefix is the key prefix of addr's entries in the roles index.
func RoleIndexPrefix(addr ledger.Address) []byte {
	return append([]byte(prefixRoleIndex), addr[:]...)
}

// SetRoleIndex makes the keeper keep the roles index in idx (the node's
// local store). Without one the keeper writes no index.
func (k *Keeper) SetRoleIndex(idx ledger.KV) { k.roleIndex = idx }

// putRole stores a role grant and its index entry.
func (k *Keeper) putRole(g RoleGrant) error {
	if err := k.setJSON(RoleKey(g.Lens, g.Address), g); err != nil {
		return err
	}
	if k.roleIndex == nil {
		return nil
	}
	return k.roleIndex.Set(RoleIndexKey(g.Address, g.Lens), []byte{})
}

// deleteRole deletes a role grant and its index entry.
func (k *Keeper) deleteRole(handle string, addr ledger.Address) error {
	if err := k.kv.Delete(RoleKey(handle, addr)); err != nil {
		return err
	}
	if k.roleIndex == nil {
		return nil
	}
	return k.roleIndex.Delete(RoleIndexKey(addr, handle))
}

// RebuildRoleIndex writes the index entry of every stored role in state
// to index and returns how many it wrote.
func RebuildRoleIndex(state ledger.Reader, index ledger.KV) (int, error) {
	n := 0
	var werr error
	prefix := []byte(prefixRole)
	err := state.Iterate(prefix, ledger.PrefixEnd(prefix), func(_, v []byte) bool {
		var g RoleGrant
		if err := json.Unmarshal(v, &g); err != nil {
			werr = fmt.Errorf("%w: decode role: %v", ledger.ErrStore, err)
			return false
		}
		if werr = index.Set(RoleIndexKey(g.Address, g.Lens), []byte{}); werr != nil {
			return false
		}
		n++
		return true
	})
	if err != nil {
		return n, err
	}
	return n, werr
}

// RoleHeld is one entry of /roles/ADDR: a stored role grant (its stored
// JSON, proven by RoleKey) and whether it is active now (granted under the
// Lens's current owner, proven by the LENS item: OwnerRecord, absent when
// the Lens is burned).
type RoleHeld struct {
	Grant       json.RawMessage `json:"grant"`
	Lens        string          `json:"lens"`
	Role        Role            `json:"role"`
	Active      bool            `json:"active"`
	OwnerRecord json.RawMessage `json:"owner_record,omitempty"`
}

// RolesHeldKVs checks that each entry of a /roles/ADDR page fits its
// proven records (the grant is addr's role in that Lens, Active follows
// from the owner record) and returns the key/values the page's proofs
// must show: RoleKey and OwnerKey of each entry, as RolesHeld proves them.
func RolesHeldKVs(addr ledger.Address, entries []RoleHeld) ([]query.KV, error) {
	kvs := make([]query.KV, 0, 2*len(entries))
	for _, e := range entries {
		var g RoleGrant
		if err := json.Unmarshal(e.Grant, &g); err != nil || g.Lens != e.Lens || g.Address != addr || g.Role != e.Role || g.Active {
			return nil, fmt.Errorf("%w: role grant in %q differs from the entry", query.ErrBadQuery, e.Lens)
		}
		var owner []byte
		active := false
		if len(e.OwnerRecord) > 0 {
			var it ledger.Item
			if err := json.Unmarshal(e.OwnerRecord, &it); err != nil || it.Asset != AssetID || it.ID != e.Lens {
				return nil, fmt.Errorf("%w: owner record of %q differs from the entry", query.ErrBadQuery, e.Lens)
			}
			owner, active = e.OwnerRecord, it.Owner == g.Owner
		}
		if active != e.Active {
			return nil, fmt.Errorf("%w: role in %q: active=%v, its records say %v", query.ErrBadQuery, e.Lens, e.Active, active)
		}
		kvs = append(kvs, query.KV{Key: RoleKey(e.Lens, addr), Value: e.Grant}, query.KV{Key: OwnerKey(e.Lens), Value: owner})
	}
	return kvs, nil
}

// RolesHeld lists the stored roles of addr at state, from the roles index
// in handle order after the handle after, at most limit: each entry is
// read from state (an index entry whose role does not exist at this
// state's height is skipped), and Proven holds each role's record and the
// owner record of its Lens. Next is the after= of the next page.
func RolesHeld(state, index ledger.Reader, addr ledger.Address, after string, limit int) (query.List[RoleHeld], []query.KV, error) {
	list := query.NewList[RoleHeld]()
	prefix := RoleIndexPrefix(addr)
	start := prefix
	if after != "" {
		if !ValidHandle(after) {
			return list, nil, fmt.Errorf("%w: after=%q", ErrBadHandle, after)
		}
		start = append(append([]byte(nil), prefix...), after+"\x00"...)
	}
	var handles []string
	err := index.Iterate(start, ledger.PrefixEnd(prefix), func(k, _ []byte) bool {
		handles = append(handles, string(k[len(prefix):]))
		return len(handles) <= limit
	})
	if err != nil {
		return list, nil, err
	}
	if len(handles) > limit {
		handles = handles[:limit]
		list.Next = handles[limit-1]
	}
	var kvs []query.KV
	for _, h := range handles {
		raw, err := state.Get(RoleKey(h, addr))
		if err != nil {
			return list, nil, err
		}
		if raw == nil {
			continue // granted after this state's height
		}
		var g RoleGrant
		if err := json.Unmarshal(raw, &g); err != nil {
			return list, nil, fmt.Errorf("%w: decode role: %v", ledger.ErrStore, err)
		}
		ownerRec, err := state.Get(OwnerKey(h))
		if err != nil {
			return list, nil, err
		}
		var it ledger.Item
		if ownerRec != nil {
			if err := json.Unmarshal(ownerRec, &it); err != nil {
				return list, nil, fmt.Errorf("%w: decode owner of %s: %v", ledger.ErrStore, h, err)
			}
		}
		list.Entries = append(list.Entries, RoleHeld{Grant: raw, Lens: h, Role: g.Role, Active: ownerRec != nil && it.Owner == g.Owner, OwnerRecord: ownerRec})
		kvs = append(kvs, query.KV{Key: RoleKey(h, addr), Value: raw}, query.KV{Key: OwnerKey(h), Value: ownerRec})
	}
	return list, kvs, nil
}

// QueryRolesHeld answers "/roles/ADDR?after=HANDLE&limit=N" from the roles
// index (local) and state: a query.List of RoleHeld, each role and its
// Lens's owner proven. That the list is complete rests on the node's word.
func QueryRolesHeld(state, local ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 1, "/roles/ADDR?after=HANDLE&limit=N"); err != nil {
		return nil, err
	}
	addr, err := ledger.ParseAddress(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", query.ErrBadQuery, err)
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	list, kvs, err := RolesHeld(state, local, addr, params.Get("after"), limit)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("%w: encode roles: %v", ledger.ErrStore, err)
	}
	return &query.Result{Value: b, Proven: kvs}, nil
}
