package lens

import (
	"encoding/hex"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// ManifestVersion is the manifest format this package writes and reads.
const ManifestVersion = 1

// HexKey is a state key, hex-encoded in JSON.
type HexKey []byte

// MarshalText encodes the key as lower-case hex.
func (h HexKey) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText decodes hex.
func (h *HexKey) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("%w: key: %v", ErrBadManifest, err)
	}
	*h = v
	return nil
}

// Manifest is a deterministic description of a Lens's ledger state: its
// record and owner, entries (seq ascending), follows (target order), active
// roles (address order) and blocks (CIDs in CID order, then lenses in
// handle order), plus Keys: every state key those come from, in that order,
// beginning with the ownership item and the Lens record, so the app can
// attach a Merkle proof of each at Height. ChainID and Height are filled by
// the app (the package does not know them).
type Manifest struct {
	Version int            `json:"version"`
	ChainID string         `json:"chain_id,omitempty"`
	Height  int64          `json:"height,omitempty"`
	Owner   ledger.Address `json:"owner"`
	Lens    Lens           `json:"lens"`
	Entries []Entry        `json:"entries"`
	Follows []Follow       `json:"follows"`
	Roles   []RoleGrant    `json:"roles"`
	Blocks  []Block        `json:"blocks"`
	Keys    []HexKey       `json:"keys,omitempty"`
}

// Manifest exports a Lens's ledger state. A Lens whose item was burned has
// no owner and cannot be exported.
func (k *Keeper) Manifest(handle string) (Manifest, error) {
	rec, err := k.Lens(handle)
	if err != nil {
		return Manifest{}, err
	}
	owner, ok, err := k.Owner(handle)
	if err != nil {
		return Manifest{}, err
	}
	if !ok {
		return Manifest{}, fmt.Errorf("%w: %q has no owner", ErrUnknownLens, handle)
	}
	// Bounded work: a manifest holds no more than an import accepts, and
	// the record's counts say so before anything is read.
	if rec.EntryCount > MaxImportEntries || rec.CIDBlocks+rec.LensBlocks > MaxImportBlocks {
		return Manifest{}, fmt.Errorf("%w: %q has %d entries and %d blocks; a manifest carries at most %d and %d (what an import accepts): remove entries, or read them page by page with /view",
			ErrTooMany, handle, rec.EntryCount, rec.CIDBlocks+rec.LensBlocks, MaxImportEntries, MaxImportBlocks)
	}
	m := Manifest{Version: ManifestVersion, Owner: owner, Lens: rec,
		Entries: []Entry{}, Follows: []Follow{}, Roles: []RoleGrant{}, Blocks: []Block{},
		Keys: []HexKey{OwnerKey(handle), LensKey(handle)}}
	entries, err := k.Entries(handle, 0, 0)
	if err != nil {
		return Manifest{}, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		m.Entries = append(m.Entries, entries[i])
		m.Keys = append(m.Keys, EntryKey(handle, entries[i].Seq))
	}
	follows, err := k.Follows(handle)
	if err != nil {
		return Manifest{}, err
	}
	for _, f := range follows {
		m.Follows = append(m.Follows, f)
		m.Keys = append(m.Keys, FollowKey(handle, f.Target))
	}
	roles, err := k.Roles(handle)
	if err != nil {
		return Manifest{}, err
	}
	for _, g := range roles {
		if g.Active {
			m.Roles = append(m.Roles, g)
			m.Keys = append(m.Keys, RoleKey(handle, g.Address))
		}
	}
	blocks, err := k.Blocks(handle)
	if err != nil {
		return Manifest{}, err
	}
	for _, b := range blocks {
		m.Blocks = append(m.Blocks, b)
		if b.CID != "" {
			m.Keys = append(m.Keys, BlockCIDKey(handle, b.CID))
		} else {
			m.Keys = append(m.Keys, BlockLensKey(handle, b.Target))
		}
	}
	return m, nil
}

func badManifest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadManifest, fmt.Sprintf(format, args...))
}

// normalize checks every rule an importable manifest obeys and returns a
// copy with canonical CIDs and sorted tags.
func (m *Manifest) normalize() (Manifest, error) {
	out := *m
	if m.Version != ManifestVersion {
		return out, badManifest("version %d, want %d", m.Version, ManifestVersion)
	}
	if m.Owner.IsZero() {
		return out, badManifest("owner missing")
	}
	h := m.Lens.Handle
	if err := checkHandle(h); err != nil {
		return out, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if err := checkText("name", m.Lens.Name, MaxNameLen, true); err != nil {
		return out, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if m.Lens.DescriptionCID != "" {
		c, err := CanonicalCID(m.Lens.DescriptionCID)
		if err != nil {
			return out, fmt.Errorf("%w: description: %w", ErrBadManifest, err)
		}
		out.Lens.DescriptionCID = c
	}
	if len(m.Entries) > MaxImportEntries || len(m.Follows) > MaxFollows ||
		len(m.Roles) > MaxImportRoles || len(m.Blocks) > MaxImportBlocks {
		return out, fmt.Errorf("%w: %w: %d entries, %d follows, %d roles, %d blocks", ErrBadManifest, ErrTooMany,
			len(m.Entries), len(m.Follows), len(m.Roles), len(m.Blocks))
	}
	entries, err := normalizeEntries(h, m.Entries)
	if err != nil {
		return out, err
	}
	out.Entries = entries
	out.Follows = make([]Follow, len(m.Follows))
	for i, f := range m.Follows {
		if f.Lens != h || (i > 0 && f.Target <= m.Follows[i-1].Target) {
			return out, badManifest("follow %d: lens %q target %q out of order", i, f.Lens, f.Target)
		}
		mf := MsgFollow{Lens: h, Target: f.Target, Weight: f.Weight, Tags: f.Tags}
		if err := mf.Check(); err != nil {
			return out, fmt.Errorf("%w: follow %d: %w", ErrBadManifest, i, err)
		}
		f.Tags, _ = canonicalTags(f.Tags)
		out.Follows[i] = f
	}
	for i, g := range m.Roles {
		if g.Lens != h || !g.Role.grantable() || g.Address.IsZero() || g.Address == m.Owner ||
			(i > 0 && string(g.Address[:]) <= string(m.Roles[i-1].Address[:])) {
			return out, badManifest("role %d: lens %q %s %q", i, g.Lens, g.Address, g.Role)
		}
	}
	out.Blocks = make([]Block, len(m.Blocks))
	seen := make(map[string]bool, len(m.Blocks))
	for i, b := range m.Blocks {
		if b.Lens != h {
			return out, badManifest("block %d: lens %q", i, b.Lens)
		}
		mb := MsgBlock{Lens: h, CID: b.CID, Target: b.Target}
		if err := mb.Check(); err != nil {
			return out, fmt.Errorf("%w: block %d: %w", ErrBadManifest, i, err)
		}
		key := "l:" + b.Target
		if b.CID != "" {
			b.CID, _ = CanonicalCID(b.CID)
			key = "c:" + b.CID
		}
		if seen[key] {
			return out, badManifest("block %d: %s twice", i, key)
		}
		seen[key] = true
		out.Blocks[i] = b
	}
	return out, nil
}

// normalizeEntries checks the entries of a manifest of Lens h (or of a
// lens/import-entries message importing from h): each names h, has an
// author, a valid canonical-able CID not repeated among them, valid fields
// and a seq above the previous one; the last seq leaves a next seq. It
// returns copies with canonical CIDs and sorted tags. Errors wrap
// ErrBadManifest.
func normalizeEntries(h string, in []Entry) ([]Entry, error) {
	out := make([]Entry, len(in))
	cids := make(map[string]bool, len(in))
	var last uint64
	for i, e := range in {
		if e.Lens != h || e.Seq <= last || e.Author.IsZero() {
			return nil, badManifest("entry %d: lens %q seq %d author %s", i, e.Lens, e.Seq, e.Author)
		}
		last = e.Seq
		c, err := CanonicalCID(e.CID)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrBadManifest, i, err)
		}
		if cids[c] {
			return nil, fmt.Errorf("%w: entry %d: %w: %s", ErrBadManifest, i, ErrDuplicateEntry, c)
		}
		cids[c] = true
		if err := checkEntryFields(e.Kind, e.Title, e.Tags); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrBadManifest, i, err)
		}
		e.CID = c
		e.Tags, _ = canonicalTags(e.Tags)
		out[i] = e
	}
	if last == ^uint64(0) {
		return nil, badManifest("entry seq %d leaves no next seq", last)
	}
	return out, nil
}

// ExecImport executes MsgImport: recreates the Lens of a manifest exported
// elsewhere, owned by the signer, who must be the manifest's owner. Entries
// keep their seq numbers and authors (origin records the source chain, lens
// and seq); roles are granted under the new owner; blocks are copied;
// follows of lenses that do not exist here are skipped. Output: {"lens",
// "entries", "follows", "follows_skipped", "roles", "blocks"}.
func (k *Keeper) ExecImport(blk ledger.Block, signer ledger.Address, m *MsgImport) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	man, _ := m.Manifest.normalize()
	if signer != man.Owner {
		return nil, fmt.Errorf("%w: import of %q must be signed by its owner %s", ErrUnauthorized, man.Lens.Handle, man.Owner)
	}
	src := man.Lens.Handle
	h := src
	if m.Handle != "" {
		h = m.Handle
	}
	rec, err := k.createLens(blk, signer, Lens{Handle: h, Name: man.Lens.Name, DescriptionCID: man.Lens.DescriptionCID,
		Origin: "import:" + man.ChainID + "/" + src})
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", h, err)
	}
	for _, e := range man.Entries {
		ne := Entry{Seq: e.Seq, CID: e.CID, Kind: e.Kind, Title: e.Title, Tags: e.Tags, Size: e.Size,
			Author: e.Author, Origin: &Origin{Chain: man.ChainID, Lens: src, Seq: e.Seq}}
		if _, err := k.putNewEntry(blk, &rec, ne); err != nil {
			return nil, err
		}
	}
	if man.Lens.NextSeq > rec.NextSeq {
		rec.NextSeq = man.Lens.NextSeq
	}
	followed, skipped := 0, 0
	for _, f := range man.Follows {
		exists, err := k.has(LensKey(f.Target))
		if err != nil {
			return nil, err
		}
		if !exists || f.Target == h {
			skipped++
			continue
		}
		if err := k.putFollow(blk, &rec, Follow{Target: f.Target, Weight: f.Weight, Tags: f.Tags}); err != nil {
			return nil, err
		}
		followed++
	}
	for _, g := range man.Roles {
		ng := RoleGrant{Lens: h, Address: g.Address, Role: g.Role, GrantedBy: signer, Owner: signer, Height: blk.Height}
		if err := k.putRole(ng); err != nil {
			return nil, err
		}
		k.ev.Emit("lens_role_granted", "lens", h, "address", g.Address.String(), "role", string(g.Role), "by", signer.String())
	}
	for _, b := range man.Blocks {
		if b.Target == h {
			continue
		}
		if err := k.putBlock(blk, &rec, Block{CID: b.CID, Target: b.Target, By: signer}); err != nil {
			return nil, err
		}
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	k.ev.Emit("lens_imported", "lens", h, "source", src, "chain", man.ChainID, "entries", u64(uint64(len(man.Entries))))
	return ledger.Output{"lens": h, "entries": u64(uint64(len(man.Entries))), "follows": u64(uint64(followed)),
		"follows_skipped": u64(uint64(skipped)), "roles": u64(uint64(len(man.Roles))), "blocks": u64(uint64(rec.CIDBlocks + rec.LensBlocks))}, nil
}
