package lens

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// putFollow creates or replaces rec's follow of f.Target (already checked),
// updating rec's counter (the caller stores rec).
func (k *Keeper) putFollow(blk ledger.Block, rec *Lens, f Follow) error {
	exists, err := k.has(FollowKey(rec.Handle, f.Target))
	if err != nil {
		return err
	}
	if !exists {
		if rec.FollowCount >= MaxFollows {
			return fmt.Errorf("%w: %q follows %d lenses", ErrTooManyFollows, rec.Handle, rec.FollowCount)
		}
		if err := inc(&rec.FollowCount); err != nil {
			return err
		}
	}
	f.Lens, f.Height = rec.Handle, blk.Height
	if err := k.setJSON(FollowKey(rec.Handle, f.Target), f); err != nil {
		return err
	}
	k.ev.Emit("lens_followed", "lens", rec.Handle, "target", f.Target, "weight", u64(uint64(f.Weight)))
	return nil
}

// ExecFollow executes MsgFollow: the follower's owner or an admin creates or
// changes a follow of an existing Lens.
func (k *Keeper) ExecFollow(blk ledger.Block, signer ledger.Address, m *MsgFollow) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, _, err := k.authLens(m.Lens, signer, RoleAdmin, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	if _, err := k.lens(m.Target); err != nil {
		return nil, fmt.Errorf("follow target: %w", err)
	}
	tags, _ := canonicalTags(m.Tags)
	if err := k.putFollow(blk, &rec, Follow{Target: m.Target, Weight: m.Weight, Tags: tags}); err != nil {
		return nil, err
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	return ledger.Output{"lens": m.Lens, "target": m.Target, "weight": u64(uint64(m.Weight))}, nil
}

// ExecUnfollow executes MsgUnfollow; it takes effect at once.
func (k *Keeper) ExecUnfollow(blk ledger.Block, signer ledger.Address, m *MsgUnfollow) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, _, err := k.authLens(m.Lens, signer, RoleAdmin, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	err = k.deleteCounted(FollowKey(m.Lens, m.Target), &rec.FollowCount, func() error {
		return fmt.Errorf("%w: %q -> %q", ErrUnknownFollow, m.Lens, m.Target)
	})
	if err != nil {
		return nil, err
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_unfollowed", "lens", m.Lens, "target", m.Target)
	return ledger.Output{"lens": m.Lens, "target": m.Target}, nil
}

// putBlock stores a block (already checked, CID canonical), updating rec's
// counters (the caller stores rec).
func (k *Keeper) putBlock(blk ledger.Block, rec *Lens, b Block) error {
	key, counter := BlockLensKey(rec.Handle, b.Target), &rec.LensBlocks
	if b.CID != "" {
		key, counter = BlockCIDKey(rec.Handle, b.CID), &rec.CIDBlocks
	}
	exists, err := k.has(key)
	if err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("%w: %q blocks %s%s", ErrAlreadyBlocked, rec.Handle, b.CID, b.Target)
	}
	if err := inc(counter); err != nil {
		return err
	}
	b.Lens, b.Height = rec.Handle, blk.Height
	if err := k.setJSON(key, b); err != nil {
		return err
	}
	k.ev.Emit("lens_blocked", "lens", rec.Handle, "cid", b.CID, "target", b.Target, "by", b.By.String())
	return nil
}

// ExecBlock executes MsgBlock (moderator or higher).
func (k *Keeper) ExecBlock(blk ledger.Block, signer ledger.Address, m *MsgBlock) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, _, err := k.authLens(m.Lens, signer, RoleModerator, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	b := Block{Target: m.Target, By: signer}
	if m.CID != "" {
		b.CID, _ = CanonicalCID(m.CID)
	}
	if err := k.putBlock(blk, &rec, b); err != nil {
		return nil, err
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	return ledger.Output{"lens": m.Lens}, nil
}

// ExecUnblock executes MsgUnblock (moderator or higher).
func (k *Keeper) ExecUnblock(blk ledger.Block, signer ledger.Address, m *MsgUnblock) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, _, err := k.authLens(m.Lens, signer, RoleModerator, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	key, counter := BlockLensKey(m.Lens, m.Target), &rec.LensBlocks
	cid := ""
	if m.CID != "" {
		cid, _ = CanonicalCID(m.CID)
		key, counter = BlockCIDKey(m.Lens, cid), &rec.CIDBlocks
	}
	err = k.deleteCounted(key, counter, func() error {
		return fmt.Errorf("%w: %q does not block %s%s", ErrUnknownBlock, m.Lens, cid, m.Target)
	})
	if err != nil {
		return nil, err
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_unblocked", "lens", m.Lens, "cid", cid, "target", m.Target, "by", signer.String())
	return ledger.Output{"lens": m.Lens}, nil
}

// deleteCounted deletes the record at key, counted by counter (the caller
// stores the counter's owner); missing makes the error when there is none.
func (k *Keeper) deleteCounted(key []byte, counter *uint64, missing func() error) error {
	exists, err := k.has(key)
	if err != nil {
		return err
	}
	if !exists {
		return missing()
	}
	if err := k.kv.Delete(key); err != nil {
		return err
	}
	return dec(counter)
}
