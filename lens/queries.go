package lens

import (
	"encoding/json"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Info is a Lens as a reader sees it: its record, current owner and follows.
type Info struct {
	Lens
	Owner   *ledger.Address `json:"owner"` // nil when the LENS item was burned
	Follows []Follow        `json:"follows"`
}

// Lens returns a Lens record, or ErrUnknownLens.
func (k *Keeper) Lens(handle string) (Lens, error) {
	if err := checkHandle(handle); err != nil {
		return Lens{}, err
	}
	return k.lens(handle)
}

// Info returns a Lens with its owner and follows (what `query lens` prints).
func (k *Keeper) Info(handle string) (Info, error) {
	rec, err := k.Lens(handle)
	if err != nil {
		return Info{}, err
	}
	info := Info{Lens: rec}
	owner, ok, err := k.Owner(handle)
	if err != nil {
		return Info{}, err
	}
	if ok {
		info.Owner = &owner
	}
	if info.Follows, err = k.Follows(handle); err != nil {
		return Info{}, err
	}
	if info.Follows == nil {
		info.Follows = []Follow{}
	}
	return info, nil
}

func iterJSON[T any](kv ledger.Reader, prefix []byte, limit int, fn func(T)) error {
	var derr error
	n := 0
	err := kv.Iterate(prefix, ledger.PrefixEnd(prefix), func(key, val []byte) bool {
		var v T
		if err := json.Unmarshal(val, &v); err != nil {
			derr = fmt.Errorf("%w: decode %q: %v", ledger.ErrStore, key, err)
			return false
		}
		fn(v)
		n++
		return limit == 0 || n < limit
	})
	if err != nil {
		return err
	}
	return derr
}

// Follows lists a Lens's follows in target order.
func (k *Keeper) Follows(handle string) ([]Follow, error) {
	var out []Follow
	err := iterJSON(k.kv, FollowsPrefix(handle), 0, func(f Follow) { out = append(out, f) })
	return out, err
}

// Roles lists a Lens's stored roles in address order, each marked Active
// when it was granted under the current owner.
func (k *Keeper) Roles(handle string) ([]RoleGrant, error) {
	owner, ok, err := k.Owner(handle)
	if err != nil {
		return nil, err
	}
	var out []RoleGrant
	err = iterJSON(k.kv, RolesPrefix(handle), 0, func(g RoleGrant) {
		g.Active = ok && g.Owner == owner
		out = append(out, g)
	})
	return out, err
}

// Blocks lists a Lens's blocks: CIDs (in CID order) then lenses (in handle
// order).
func (k *Keeper) Blocks(handle string) ([]Block, error) {
	var out []Block
	err := iterJSON(k.kv, BlocksPrefix(handle), 0, func(b Block) { out = append(out, b) })
	return out, err
}

// Entries lists a Lens's entries newest first, starting below seq before
// (0 = from the newest), at most limit (0 = all).
func (k *Keeper) Entries(handle string, before uint64, limit int) ([]Entry, error) {
	start := EntriesPrefix(handle)
	if before == 1 {
		return nil, nil
	}
	if before > 1 {
		start = EntryKey(handle, before-1)
	}
	var out []Entry
	var derr error
	p := EntriesPrefix(handle)
	err := k.kv.Iterate(start, ledger.PrefixEnd(p), func(key, val []byte) bool {
		var e Entry
		if err := json.Unmarshal(val, &e); err != nil {
			derr = fmt.Errorf("%w: decode %q: %v", ledger.ErrStore, key, err)
			return false
		}
		out = append(out, e)
		return limit == 0 || len(out) < limit
	})
	if err != nil {
		return nil, err
	}
	return out, derr
}

// Lenses lists Lens records in handle order after the handle after
// (exclusive), at most limit (0 = all).
func (k *Keeper) Lenses(after string, limit int) ([]Lens, error) {
	start := LensesPrefix()
	if after != "" {
		start = append(LensKey(after), 0)
	}
	var out []Lens
	var derr error
	err := k.kv.Iterate(start, ledger.PrefixEnd(LensesPrefix()), func(key, val []byte) bool {
		var l Lens
		if err := json.Unmarshal(val, &l); err != nil {
			derr = fmt.Errorf("%w: decode %q: %v", ledger.ErrStore, key, err)
			return false
		}
		out = append(out, l)
		return limit == 0 || len(out) < limit
	})
	if err != nil {
		return nil, err
	}
	return out, derr
}
