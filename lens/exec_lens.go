package lens

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// ExecCreate executes MsgCreate: registers the Lens and mints its LENS item
// to the signer. Output: {"lens": handle}.
func (k *Keeper) ExecCreate(blk ledger.Block, signer ledger.Address, m *MsgCreate) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	desc := ""
	if m.DescriptionCID != "" {
		desc, _ = CanonicalCID(m.DescriptionCID) // checked above
	}
	if _, err := k.createLens(blk, signer, Lens{Handle: m.Handle, Name: m.Name, DescriptionCID: desc}); err != nil {
		return nil, fmt.Errorf("create lens %s: %w", m.Handle, err)
	}
	return ledger.Output{"lens": m.Handle}, nil
}

// ExecGrant executes MsgGrant. The owner grants any role; an admin grants
// moderator or member. Nobody changes the role of someone at or above their
// own level.
func (k *Keeper) ExecGrant(blk ledger.Block, signer ledger.Address, m *MsgGrant) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	_, mine, err := k.authLens(m.Lens, signer, RoleAdmin, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	if m.Role.Level() >= mine.Level() {
		return nil, fmt.Errorf("%w: %s cannot grant %s in lens %q", ErrUnauthorized, mine, m.Role, m.Lens)
	}
	theirs, err := k.RoleOf(m.Lens, m.Address)
	if err != nil {
		return nil, err
	}
	if theirs.Level() >= mine.Level() {
		return nil, fmt.Errorf("%w: %s cannot change the role of %s (%s) in lens %q", ErrUnauthorized, mine, m.Address, theirs, m.Lens)
	}
	owner, _, err := k.Owner(m.Lens)
	if err != nil {
		return nil, err
	}
	g := RoleGrant{Lens: m.Lens, Address: m.Address, Role: m.Role, GrantedBy: signer, Owner: owner, Height: blk.Height}
	if err := k.putRole(g); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_role_granted", "lens", m.Lens, "address", m.Address.String(), "role", string(m.Role), "by", signer.String())
	return ledger.Output{"lens": m.Lens, "role": string(m.Role)}, nil
}

// ExecRevoke executes MsgRevoke. The owner revokes any stored role
// (including inactive ones granted under an earlier owner); an admin revokes
// moderators and members.
func (k *Keeper) ExecRevoke(blk ledger.Block, signer ledger.Address, m *MsgRevoke) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	_, mine, err := k.authLens(m.Lens, signer, RoleAdmin, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	var g RoleGrant
	found, err := k.getJSON(RoleKey(m.Lens, m.Address), &g)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: %s in %q", ErrNoRole, m.Address, m.Lens)
	}
	theirs, err := k.RoleOf(m.Lens, m.Address)
	if err != nil {
		return nil, err
	}
	if mine != RoleOwner && (theirs.Level() >= mine.Level() || g.Role.Level() >= mine.Level()) {
		return nil, fmt.Errorf("%w: %s cannot revoke %s (%s) in lens %q", ErrUnauthorized, mine, m.Address, g.Role, m.Lens)
	}
	if err := k.deleteRole(m.Lens, m.Address); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_role_revoked", "lens", m.Lens, "address", m.Address.String(), "role", string(g.Role), "by", signer.String())
	return ledger.Output{"lens": m.Lens}, nil
}

// Transfer hands the Lens handle over: its LENS item moves from from (who
// must own it) to to, as an ordinary item transfer, and with it the Lens
// (roles granted by the old owner become inactive). Agreements settle their
// lens_transfer action with it (the app's agreement hooks).
func (k *Keeper) Transfer(from, to ledger.Address, handle string) error {
	if !ValidHandle(handle) {
		return fmt.Errorf("lens_transfer: %w: %q", ErrBadHandle, handle)
	}
	if err := k.l.TransferItem(from, to, AssetID, handle); err != nil {
		return fmt.Errorf("lens_transfer %s: %w", handle, err)
	}
	return nil
}
