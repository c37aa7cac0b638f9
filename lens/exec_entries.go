package lens

import (
	"fmt"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// Entry returns entry seq of a Lens, or ErrUnknownEntry.
func (k *Keeper) Entry(handle string, seq uint64) (Entry, error) {
	var e Entry
	ok, err := k.getJSON(EntryKey(handle, seq), &e)
	if err != nil {
		return Entry{}, err
	}
	if !ok {
		return Entry{}, fmt.Errorf("%w: %s#%d", ErrUnknownEntry, handle, seq)
	}
	return e, nil
}

// EntryByCID returns the entry of a Lens anchoring cid, or ErrUnknownEntry.
func (k *Keeper) EntryByCID(handle, cid string) (Entry, error) {
	c, err := CanonicalCID(cid)
	if err != nil {
		return Entry{}, err
	}
	b, err := k.kv.Get(CIDIndexKey(handle, c))
	if err != nil {
		return Entry{}, err
	}
	if b == nil {
		return Entry{}, fmt.Errorf("%w: %s has no %s", ErrUnknownEntry, handle, c)
	}
	seq, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: cid index: %v", ledger.ErrStore, err)
	}
	return k.Entry(handle, seq)
}

// putNewEntry stores e (Lens, CID, Kind, Title, Tags, Size, Author, Origin
// set; Seq 0 = next) in rec, updating rec's counters (the caller stores rec).
func (k *Keeper) putNewEntry(blk ledger.Block, rec *Lens, e Entry) (Entry, error) {
	dup, err := k.has(CIDIndexKey(rec.Handle, e.CID))
	if err != nil {
		return Entry{}, err
	}
	if dup {
		return Entry{}, fmt.Errorf("%w: %s in %q", ErrDuplicateEntry, e.CID, rec.Handle)
	}
	if e.Seq == 0 {
		e.Seq = rec.NextSeq
	}
	if e.Seq < rec.NextSeq {
		return Entry{}, fmt.Errorf("%w: seq %d below next %d", ErrBadManifest, e.Seq, rec.NextSeq)
	}
	rec.NextSeq = e.Seq
	if err := inc(&rec.NextSeq); err != nil {
		return Entry{}, err
	}
	if err := inc(&rec.EntryCount); err != nil {
		return Entry{}, err
	}
	e.Lens = rec.Handle
	e.Height = blk.Height
	e.Editor, e.Edited = nil, 0
	if err := k.setJSON(EntryKey(rec.Handle, e.Seq), e); err != nil {
		return Entry{}, err
	}
	if err := k.kv.Set(CIDIndexKey(rec.Handle, e.CID), []byte(u64(e.Seq))); err != nil {
		return Entry{}, err
	}
	k.ev.Emit("lens_entry_added", "lens", rec.Handle, "seq", u64(e.Seq), "cid", e.CID,
		"author", e.Author.String(), "kind", e.Kind)
	return e, nil
}

// ExecAddEntry executes MsgAddEntry: a member (or higher) anchors a CID; the
// signer is the author. Output: {"lens", "seq", "cid"}.
func (k *Keeper) ExecAddEntry(blk ledger.Block, signer ledger.Address, m *MsgAddEntry) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, _, err := k.authLens(m.Lens, signer, RoleMember, ErrNotMember)
	if err != nil {
		return nil, err
	}
	c, _ := CanonicalCID(m.CID)
	tags, _ := canonicalTags(m.Tags)
	e, err := k.putNewEntry(blk, &rec, Entry{CID: c, Kind: m.Kind, Title: m.Title, Tags: tags, Size: m.Size, Author: signer})
	if err != nil {
		return nil, err
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	return ledger.Output{"lens": m.Lens, "seq": u64(e.Seq), "cid": c}, nil
}

// entryAuth loads an entry and checks that signer may change it: a member
// (or higher) for their own entries, a moderator (or higher) for anyone's.
func (k *Keeper) entryAuth(handle string, seq uint64, signer ledger.Address) (Lens, Entry, error) {
	rec, err := k.lens(handle)
	if err != nil {
		return Lens{}, Entry{}, err
	}
	e, err := k.Entry(handle, seq)
	if err != nil {
		return Lens{}, Entry{}, err
	}
	role, err := k.require(handle, signer, RoleMember, ErrNotMember)
	if err != nil {
		return Lens{}, Entry{}, err
	}
	if e.Author != signer && role.Level() < RoleModerator.Level() {
		return Lens{}, Entry{}, fmt.Errorf("%w: %s#%d is by %s", ErrNotModerator, handle, seq, e.Author)
	}
	return rec, e, nil
}

// ExecEditEntry executes MsgEditEntry. The author stays the original one;
// the editor and height are recorded.
func (k *Keeper) ExecEditEntry(blk ledger.Block, signer ledger.Address, m *MsgEditEntry) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	_, e, err := k.entryAuth(m.Lens, m.Seq, signer)
	if err != nil {
		return nil, err
	}
	if m.Kind != nil {
		e.Kind = *m.Kind
	}
	if m.Title != nil {
		e.Title = *m.Title
	}
	if m.Tags != nil {
		e.Tags, _ = canonicalTags(*m.Tags)
	}
	ed := signer
	e.Editor, e.Edited = &ed, blk.Height
	if err := k.setJSON(EntryKey(m.Lens, m.Seq), e); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_entry_edited", "lens", m.Lens, "seq", u64(m.Seq), "cid", e.CID, "editor", signer.String())
	return ledger.Output{"lens": m.Lens, "seq": u64(m.Seq)}, nil
}

// ExecRemoveEntry executes MsgRemoveEntry.
func (k *Keeper) ExecRemoveEntry(blk ledger.Block, signer ledger.Address, m *MsgRemoveEntry) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	rec, e, err := k.entryAuth(m.Lens, m.Seq, signer)
	if err != nil {
		return nil, err
	}
	if err := k.kv.Delete(EntryKey(m.Lens, m.Seq)); err != nil {
		return nil, err
	}
	if err := k.kv.Delete(CIDIndexKey(m.Lens, e.CID)); err != nil {
		return nil, err
	}
	if err := dec(&rec.EntryCount); err != nil {
		return nil, err
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_entry_removed", "lens", m.Lens, "seq", u64(m.Seq), "cid", e.CID, "by", signer.String())
	return ledger.Output{"lens": m.Lens, "seq": u64(m.Seq)}, nil
}
