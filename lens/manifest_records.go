package lens

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// ManifestKeys returns the state keys a manifest's records come from, in the
// order Keeper.Manifest lists them in Manifest.Keys: OwnerKey, LensKey, each
// entry, each follow, each role, each block. It is computed from the
// records themselves, so a verifier does not have to trust Manifest.Keys.
func (m *Manifest) ManifestKeys() [][]byte {
	h := m.Lens.Handle
	keys := [][]byte{OwnerKey(h), LensKey(h)}
	for _, e := range m.Entries {
		keys = append(keys, EntryKey(h, e.Seq))
	}
	for _, f := range m.Follows {
		keys = append(keys, FollowKey(h, f.Target))
	}
	for _, g := range m.Roles {
		keys = append(keys, RoleKey(h, g.Address))
	}
	for _, b := range m.Blocks {
		if b.CID != "" {
			keys = append(keys, BlockCIDKey(h, b.CID))
		} else {
			keys = append(keys, BlockLensKey(h, b.Target))
		}
	}
	return keys
}

// CheckRecords checks that records — the stored values of m's keys, in
// ManifestKeys order, as a Merkle proof vouches for them — say exactly what
// m says: the owner item names m.Owner, the Lens record equals m.Lens (so
// its counts prove that no entry, follow or block is left out), and every
// entry, follow, role and block equals its stored record. Roles must be
// active: granted under the current owner. Any difference is ErrBadManifest.
func (m *Manifest) CheckRecords(records [][]byte) error {
	keys := m.ManifestKeys()
	if len(records) != len(keys) {
		return badManifest("%d records for %d keys", len(records), len(keys))
	}
	if len(m.Keys) != 0 {
		if len(m.Keys) != len(keys) {
			return badManifest("%d keys listed, %d implied by the records", len(m.Keys), len(keys))
		}
		for i := range keys {
			if !bytes.Equal(m.Keys[i], keys[i]) {
				return badManifest("key %d is %x, want %x", i, []byte(m.Keys[i]), keys[i])
			}
		}
	}
	h := m.Lens.Handle
	var item ledger.Item
	if err := json.Unmarshal(records[0], &item); err != nil || item.Asset != AssetID || item.ID != h || item.Owner != m.Owner {
		return badManifest("owner record %q does not name owner %s of %q", records[0], m.Owner, h)
	}
	var rec Lens
	if err := json.Unmarshal(records[1], &rec); err != nil || rec != m.Lens {
		return badManifest("lens record %q differs from the manifest's lens", records[1])
	}
	if rec.EntryCount != uint64(len(m.Entries)) || rec.FollowCount != uint64(len(m.Follows)) ||
		rec.CIDBlocks+rec.LensBlocks != uint64(len(m.Blocks)) {
		return badManifest("lens record counts %d entries, %d follows, %d blocks; manifest has %d, %d, %d",
			rec.EntryCount, rec.FollowCount, rec.CIDBlocks+rec.LensBlocks, len(m.Entries), len(m.Follows), len(m.Blocks))
	}
	i := 2
	same := func(what string, want any, stored []byte, decoded any) error {
		if err := json.Unmarshal(stored, decoded); err != nil {
			return badManifest("%s record %q: %v", what, stored, err)
		}
		a, err1 := json.Marshal(want)
		b, err2 := json.Marshal(decoded)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			return badManifest("%s differs from its stored record %q", what, stored)
		}
		return nil
	}
	for _, e := range m.Entries {
		if err := same(fmt.Sprintf("entry %d", e.Seq), e, records[i], new(Entry)); err != nil {
			return err
		}
		i++
	}
	for _, f := range m.Follows {
		if err := same("follow of "+f.Target, f, records[i], new(Follow)); err != nil {
			return err
		}
		i++
	}
	for _, g := range m.Roles {
		var stored RoleGrant
		if err := json.Unmarshal(records[i], &stored); err != nil {
			return badManifest("role record %q: %v", records[i], err)
		}
		if stored.Owner != m.Owner {
			return badManifest("role of %s was granted under another owner", g.Address)
		}
		stored.Active = g.Active
		if err := same("role of "+g.Address.String(), g, mustJSON(stored), new(RoleGrant)); err != nil {
			return err
		}
		i++
	}
	for _, b := range m.Blocks {
		if err := same("block", b, records[i], new(Block)); err != nil {
			return err
		}
		i++
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
