package lens

import (
	"fmt"
	"sort"

	"github.com/riffchain/riffchain/ledger"
)

// Message type names, as routed by the app.
const (
	TypeCreate        = "lens/create"
	TypeGrant         = "lens/grant"
	TypeRevoke        = "lens/revoke"
	TypeAddEntry      = "lens/add-entry"
	TypeEditEntry     = "lens/edit-entry"
	TypeRemoveEntry   = "lens/remove-entry"
	TypeFollow        = "lens/follow"
	TypeUnfollow      = "lens/unfollow"
	TypeBlock         = "lens/block"
	TypeUnblock       = "lens/unblock"
	TypeFork          = "lens/fork"
	TypeImport        = "lens/import"
	TypeImportEntries = "lens/import-entries"
	TypeAnnounce      = "seed/announce"
	TypeWithdraw      = "seed/withdraw"
)

// Validator tags on these messages check presence and sizes only; the form
// of handles, CIDs, kinds and weights is checked by each Check method, so a
// malformed value fails with this package's sentinel (ErrBadHandle,
// ErrBadCID, ErrBadKind, ErrBadWeight) and its ABCI code rather than the
// app's generic invalid-field code.

// MsgCreate registers a new Lens owned by the signer.
type MsgCreate struct {
	Handle         string `json:"handle" validate:"required"`
	Name           string `json:"name" validate:"required,maxbytes=64"`
	DescriptionCID string `json:"description_cid,omitempty"`
}

// MsgGrant gives Address a role (admin, moderator or member) in Lens,
// replacing any role it had.
type MsgGrant struct {
	Lens    string         `json:"lens" validate:"required"`
	Address ledger.Address `json:"address"`
	Role    Role           `json:"role" validate:"required,oneof=admin moderator member"`
}

// MsgRevoke removes Address's role in Lens.
type MsgRevoke struct {
	Lens    string         `json:"lens" validate:"required"`
	Address ledger.Address `json:"address"`
}

// MsgAddEntry anchors a CID in Lens; the signer is its author.
type MsgAddEntry struct {
	Lens  string   `json:"lens" validate:"required"`
	CID   string   `json:"cid" validate:"required"`
	Kind  string   `json:"kind" validate:"required"`
	Title string   `json:"title,omitempty" validate:"maxbytes=200"`
	Tags  []string `json:"tags,omitempty" validate:"max=8"`
	Size  uint64   `json:"size,omitempty"`
}

// MsgEditEntry changes the kind, title and/or tags of entry Seq; absent
// fields are kept, "tags": [] clears the tags.
type MsgEditEntry struct {
	Lens  string    `json:"lens" validate:"required"`
	Seq   uint64    `json:"seq" validate:"required"`
	Kind  *string   `json:"kind,omitempty"`
	Title *string   `json:"title,omitempty"`
	Tags  *[]string `json:"tags,omitempty"`
}

// MsgRemoveEntry removes entry Seq from Lens.
type MsgRemoveEntry struct {
	Lens string `json:"lens" validate:"required"`
	Seq  uint64 `json:"seq" validate:"required"`
}

// MsgFollow makes Lens follow Target with Weight ppm (1..1,000,000),
// optionally scoped to entries carrying one of Tags; following again
// replaces weight and scope.
type MsgFollow struct {
	Lens   string   `json:"lens" validate:"required"`
	Target string   `json:"target" validate:"required"`
	Weight uint32   `json:"weight"`
	Tags   []string `json:"tags,omitempty" validate:"max=8"`
}

// MsgUnfollow removes Lens's follow of Target.
type MsgUnfollow struct {
	Lens   string `json:"lens" validate:"required"`
	Target string `json:"target" validate:"required"`
}

// MsgBlock makes Lens block a CID or a whole other Lens (Target) from its
// view; exactly one of CID and Target.
type MsgBlock struct {
	Lens   string `json:"lens" validate:"required"`
	CID    string `json:"cid,omitempty"`
	Target string `json:"target,omitempty" validate:"omitempty"`
}

// MsgUnblock lifts a block; exactly one of CID and Target.
type MsgUnblock MsgBlock

// MsgFork creates Handle, owned by the signer, seeded with the entries of
// Source's view (authors preserved) and, with Follows, Source's follows
// (reweights applied; a reweight of 0 drops one).
type MsgFork struct {
	Handle     string            `json:"handle" validate:"required"`
	Name       string            `json:"name" validate:"required,maxbytes=64"`
	Source     string            `json:"source" validate:"required"`
	Depth      int               `json:"depth,omitempty" validate:"min=0,max=4"`
	Reweight   map[string]uint32 `json:"reweight,omitempty" validate:"max=64"`
	Tag        string            `json:"tag,omitempty" validate:"maxbytes=32"`
	Kind       string            `json:"kind,omitempty" validate:"omitempty,oneof=video audio image document post collection other"`
	MaxEntries int               `json:"max_entries,omitempty" validate:"min=0,max=1000"`
	Follows    bool              `json:"follows,omitempty"`
}

// MsgImport recreates a Lens (entries, follows, roles, blocks) from a
// manifest exported on another network. The signer must be the manifest's
// owner. Handle, when set, renames the Lens on import.
type MsgImport struct {
	Manifest Manifest `json:"manifest"`
	Handle   string   `json:"handle,omitempty" validate:"omitempty"`
}

// MsgAnnounce says the signer hosts CIDs.
type MsgAnnounce struct {
	CIDs []string `json:"cids" validate:"required,max=64,dive,required"`
}

// MsgWithdraw says the signer no longer hosts CIDs.
type MsgWithdraw struct {
	CIDs []string `json:"cids" validate:"required,max=64,dive,required"`
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgCreate) Check() error {
	if err := checkHandle(m.Handle); err != nil {
		return err
	}
	if err := checkText("name", m.Name, MaxNameLen, true); err != nil {
		return err
	}
	if m.DescriptionCID != "" {
		if _, err := CanonicalCID(m.DescriptionCID); err != nil {
			return fmt.Errorf("description: %w", err)
		}
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgGrant) Check() error {
	if err := checkHandle(m.Lens); err != nil {
		return err
	}
	if m.Address.IsZero() {
		return fmt.Errorf("%w: address missing", ledger.ErrInvalidAddress)
	}
	if !m.Role.grantable() {
		return fmt.Errorf("%w: %q", ErrBadRole, m.Role)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgRevoke) Check() error {
	if err := checkHandle(m.Lens); err != nil {
		return err
	}
	if m.Address.IsZero() {
		return fmt.Errorf("%w: address missing", ledger.ErrInvalidAddress)
	}
	return nil
}

func checkEntryFields(kind, title string, tags []string) error {
	if err := checkKind(kind); err != nil {
		return err
	}
	if err := checkText("title", title, MaxTitleLen, false); err != nil {
		return err
	}
	_, err := canonicalTags(tags)
	return err
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgAddEntry) Check() error {
	if err := checkHandle(m.Lens); err != nil {
		return err
	}
	if _, err := CanonicalCID(m.CID); err != nil {
		return err
	}
	return checkEntryFields(m.Kind, m.Title, m.Tags)
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgEditEntry) Check() error {
	if err := checkHandle(m.Lens); err != nil {
		return err
	}
	if m.Seq == 0 {
		return fmt.Errorf("%w: seq 0", ErrUnknownEntry)
	}
	if m.Kind == nil && m.Title == nil && m.Tags == nil {
		return ErrEmptyEdit
	}
	if m.Kind != nil {
		if err := checkKind(*m.Kind); err != nil {
			return err
		}
	}
	if m.Title != nil {
		if err := checkText("title", *m.Title, MaxTitleLen, false); err != nil {
			return err
		}
	}
	if m.Tags != nil {
		if _, err := canonicalTags(*m.Tags); err != nil {
			return err
		}
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgRemoveEntry) Check() error {
	if err := checkHandle(m.Lens); err != nil {
		return err
	}
	if m.Seq == 0 {
		return fmt.Errorf("%w: seq 0", ErrUnknownEntry)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgFollow) Check() error {
	if err := checkFollowPair(m.Lens, m.Target); err != nil {
		return err
	}
	if err := checkWeight(m.Weight); err != nil {
		return err
	}
	_, err := canonicalTags(m.Tags)
	return err
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgUnfollow) Check() error { return checkFollowPair(m.Lens, m.Target) }

// checkFollowPair checks the two handles of a follow: both valid, not the
// same Lens.
func checkFollowPair(lens, target string) error {
	if err := checkHandle(lens); err != nil {
		return err
	}
	if err := checkHandle(target); err != nil {
		return err
	}
	if lens == target {
		return fmt.Errorf("%w: %q", ErrSelfFollow, lens)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgBlock) Check() error {
	if err := checkHandle(m.Lens); err != nil {
		return err
	}
	if (m.CID == "") == (m.Target == "") {
		return ErrBadBlock
	}
	if m.CID != "" {
		_, err := CanonicalCID(m.CID)
		return err
	}
	if err := checkHandle(m.Target); err != nil {
		return err
	}
	if m.Target == m.Lens {
		return fmt.Errorf("%w: %q", ErrSelfBlock, m.Lens)
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgUnblock) Check() error { return (*MsgBlock)(m).Check() }

func checkReweight(rw map[string]uint32) error {
	if len(rw) > MaxReweights {
		return fmt.Errorf("%w: %d reweights, max %d", ErrTooMany, len(rw), MaxReweights)
	}
	keys := make([]string, 0, len(rw))
	for h := range rw {
		keys = append(keys, h)
	}
	sort.Strings(keys) // report the first bad one deterministically
	for _, h := range keys {
		if err := checkHandle(h); err != nil {
			return fmt.Errorf("reweight: %w", err)
		}
		if rw[h] > FullWeight {
			return fmt.Errorf("reweight %s: %w", h, checkWeight(rw[h]))
		}
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgFork) Check() error {
	if err := checkHandle(m.Handle); err != nil {
		return err
	}
	if err := checkHandle(m.Source); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if err := checkText("name", m.Name, MaxNameLen, true); err != nil {
		return err
	}
	if m.MaxEntries < 0 || m.MaxEntries > MaxForkEntries {
		return fmt.Errorf("%w: max_entries %d, max %d", ErrTooMany, m.MaxEntries, MaxForkEntries)
	}
	o := m.viewOptions()
	_, err := o.parse()
	return err
}

func (m *MsgFork) viewOptions() ViewOptions {
	limit := m.MaxEntries
	if limit == 0 {
		limit = MaxForkEntries
	}
	return ViewOptions{Depth: m.Depth, Reweight: m.Reweight, Tag: m.Tag, Kind: m.Kind, Limit: limit}
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgImport) Check() error {
	if m.Handle != "" {
		if err := checkHandle(m.Handle); err != nil {
			return err
		}
	}
	_, err := m.Manifest.normalize()
	return err
}

func checkCIDList(cids []string) error {
	if len(cids) == 0 || len(cids) > MaxAnnounce {
		return fmt.Errorf("%w: %d CIDs, want 1..%d", ErrTooMany, len(cids), MaxAnnounce)
	}
	for _, c := range cids {
		if _, err := CanonicalCID(c); err != nil {
			return err
		}
	}
	return nil
}

// Check runs the message's stateless rules beyond its tags.
func (m *MsgAnnounce) Check() error { return checkCIDList(m.CIDs) }

// Check runs the message's stateless rules beyond its tags.
func (m *MsgWithdraw) Check() error { return checkCIDList(m.CIDs) }
