package lens

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// MsgImportEntries appends entries of the manifest a Lens was imported
// from (lens/import) to that Lens, for manifests too large for one
// transaction. Lens is the handle on this network; Entries are manifest
// entries (their lens field names the source Lens, seq ascending). Only the
// current owner may send it.
type MsgImportEntries struct {
	Lens    string  `json:"lens" validate:"required"`
	Entries []Entry `json:"entries"`
}

// Check runs the message's stateless rules beyond its tags: a valid
// handle, 1..MaxImportBatch entries that all name one source Lens and obey
// the manifest's entry rules.
func (m *MsgImportEntries) Check() error {
	_, err := m.normalize()
	return err
}

// normalize checks m and returns its entries with canonical CIDs and tags.
func (m *MsgImportEntries) normalize() ([]Entry, error) {
	if err := checkHandle(m.Lens); err != nil {
		return nil, err
	}
	if len(m.Entries) == 0 || len(m.Entries) > MaxImportBatch {
		return nil, fmt.Errorf("%w: %d entries, want 1..%d", ErrTooMany, len(m.Entries), MaxImportBatch)
	}
	src := m.Entries[0].Lens
	if err := checkHandle(src); err != nil {
		return nil, fmt.Errorf("%w: entry 0: %w", ErrBadManifest, err)
	}
	return normalizeEntries(src, m.Entries)
}

// importSource parses the origin "import:CHAIN/HANDLE" of an imported Lens.
func importSource(rec Lens) (chain, src string, ok bool) {
	rest, found := strings.CutPrefix(rec.Origin, "import:")
	if !found {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// ExecImportEntries executes MsgImportEntries: the current owner of a Lens
// created by lens/import appends further entries of its manifest. Each
// entry must come from the Lens's import source (its origin), keeps its seq
// and author, and records its origin (source chain, lens, seq) like
// lens/import. A seq already stored is ErrDuplicateSeq, a CID already
// anchored ErrDuplicateEntry. Output: {"lens", "entries"}.
func (k *Keeper) ExecImportEntries(blk ledger.Block, signer ledger.Address, m *MsgImportEntries) (ledger.Output, error) {
	entries, err := m.normalize()
	if err != nil {
		return nil, err
	}
	rec, _, err := k.authLens(m.Lens, signer, RoleOwner, ErrUnauthorized)
	if err != nil {
		return nil, err
	}
	chain, src, ok := importSource(rec)
	if !ok {
		return nil, badManifest("lens %q was not created by lens/import (origin %q)", m.Lens, rec.Origin)
	}
	if entries[0].Lens != src {
		return nil, badManifest("entries of %q cannot be imported into %q, imported from %q", entries[0].Lens, m.Lens, src)
	}
	for _, e := range entries {
		exists, err := k.has(EntryKey(rec.Handle, e.Seq))
		if err != nil {
			return nil, err
		}
		if exists {
			return nil, fmt.Errorf("%w: %s#%d", ErrDuplicateSeq, rec.Handle, e.Seq)
		}
		// putNewEntry refuses a seq below the next one; an imported Lens's
		// next seq is already the manifest's, so store at the recorded seq
		// and restore the larger next seq afterwards.
		next := rec.NextSeq
		rec.NextSeq = e.Seq
		ne := Entry{Seq: e.Seq, CID: e.CID, Kind: e.Kind, Title: e.Title, Tags: e.Tags, Size: e.Size,
			Author: e.Author, Origin: &Origin{Chain: chain, Lens: src, Seq: e.Seq}}
		if _, err := k.putNewEntry(blk, &rec, ne); err != nil {
			return nil, err
		}
		if next > rec.NextSeq {
			rec.NextSeq = next
		}
	}
	if err := k.putLens(rec); err != nil {
		return nil, err
	}
	n := u64(uint64(len(entries)))
	k.ev.Emit("lens_entries_imported", "lens", rec.Handle, "source", src, "chain", chain, "entries", n)
	return ledger.Output{"lens": rec.Handle, "entries": n}, nil
}

// SplitImport splits the import of man (renamed to handle when set) into
// messages that each encode to at most maxBytes of JSON: a lens/import
// carrying the Lens record, follows, roles, blocks and the first entries
// that fit (without the manifest's Keys, which import ignores), then
// lens/import-entries messages of at most MaxImportBatch entries for the
// rest. It fails with ErrTooMany when the lens/import without entries, or
// one entry, does not fit.
func SplitImport(man Manifest, handle string, maxBytes int) (MsgImport, []MsgImportEntries, error) {
	all := man.Entries
	man.Keys = nil
	man.Entries = []Entry{}
	first := MsgImport{Manifest: man, Handle: handle}
	b, err := json.Marshal(first)
	if err != nil {
		return MsgImport{}, nil, err
	}
	size := len(b)
	if size > maxBytes {
		return MsgImport{}, nil, fmt.Errorf("%w: lens/import without entries is %d bytes, limit %d", ErrTooMany, size, maxBytes)
	}
	sizes := make([]int, len(all))
	for i := range all {
		eb, err := json.Marshal(all[i])
		if err != nil {
			return MsgImport{}, nil, err
		}
		sizes[i] = len(eb) + 1 // and a comma
	}
	i := 0
	for i < len(all) && size+sizes[i] <= maxBytes {
		size += sizes[i]
		i++
	}
	first.Manifest.Entries = all[:i]
	lensHandle := handle
	if lensHandle == "" {
		lensHandle = man.Lens.Handle
	}
	empty, err := json.Marshal(MsgImportEntries{Lens: lensHandle, Entries: []Entry{}})
	if err != nil {
		return MsgImport{}, nil, err
	}
	var rest []MsgImportEntries
	for i < len(all) {
		start, size := i, len(empty)
		for i < len(all) && i-start < MaxImportBatch && size+sizes[i] <= maxBytes {
			size += sizes[i]
			i++
		}
		if i == start {
			return MsgImport{}, nil, fmt.Errorf("%w: entry seq %d alone exceeds %d bytes", ErrTooMany, all[i].Seq, maxBytes)
		}
		rest = append(rest, MsgImportEntries{Lens: lensHandle, Entries: all[start:i]})
	}
	return first, rest, nil
}
