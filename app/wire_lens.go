package app

// Wiring of the Lens module (package lens): the lens/* and seed/* message
// routes, error codes 300–349, the agreements' lens_transfer action, and the
// queries /lens/HANDLE, /view/HANDLE, /seeding/HANDLE, /manifest/HANDLE,
// /lenses. The rules are in spec/lenses.md.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// agreementLensTransfer is the agreements hook that executes an agreement's lens_transfer action: the
// LENS item moves from the party to the recipient (the party must own it).
func agreementLensTransfer(l *ledger.Ledger, _ ledger.Block, a *agreements.LensTransferAction) error {
	if !lens.ValidHandle(a.Lens) {
		return fmt.Errorf("lens_transfer: %w: %q", lens.ErrBadHandle, a.Lens)
	}
	if err := l.TransferItem(a.From, a.To, lens.AssetID, a.Lens); err != nil {
		return fmt.Errorf("lens_transfer %s: %w", a.Lens, err)
	}
	return nil
}

func registerLens(r *Router) {
	keeper := func(env *Env) *lens.Keeper {
		k := lens.New(env.Ledger)
		if env.Local != nil {
			k.SetRoleIndex(env.Local) // the node-local roles index (lens/role_index.go)
		}
		return k
	}
	handleExec(r, lens.TypeCreate, keeper, (*lens.Keeper).ExecCreate)
	handleExec(r, lens.TypeGrant, keeper, (*lens.Keeper).ExecGrant)
	handleExec(r, lens.TypeRevoke, keeper, (*lens.Keeper).ExecRevoke)
	handleExec(r, lens.TypeAddEntry, keeper, (*lens.Keeper).ExecAddEntry)
	handleExec(r, lens.TypeEditEntry, keeper, (*lens.Keeper).ExecEditEntry)
	handleExec(r, lens.TypeRemoveEntry, keeper, (*lens.Keeper).ExecRemoveEntry)
	handleExec(r, lens.TypeFollow, keeper, (*lens.Keeper).ExecFollow)
	handleExec(r, lens.TypeUnfollow, keeper, (*lens.Keeper).ExecUnfollow)
	handleExec(r, lens.TypeBlock, keeper, (*lens.Keeper).ExecBlock)
	handleExec(r, lens.TypeUnblock, keeper, (*lens.Keeper).ExecUnblock)
	handleExec(r, lens.TypeFork, keeper, (*lens.Keeper).ExecFork)
	handleExec(r, lens.TypeImport, keeper, (*lens.Keeper).ExecImport)
	handleExec(r, lens.TypeImportEntries, keeper, (*lens.Keeper).ExecImportEntries)
	handleExec(r, lens.TypeAnnounce, keeper, (*lens.Keeper).ExecAnnounce)
	handleExec(r, lens.TypeWithdraw, keeper, (*lens.Keeper).ExecWithdraw)
}

// lensNotFound turns "no such Lens" into the generic not-found answer
// (code 26) so that every query of a missing Lens reads alike.
func lensNotFound(err error) error {
	if errors.Is(err, lens.ErrUnknownLens) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// lensHandleArg checks the single path argument of a /lens-like query.
func lensHandleArg(parts []string, usage string) (string, error) {
	if err := needArgs(parts, 1, usage); err != nil {
		return "", err
	}
	if !lens.ValidHandle(parts[0]) {
		return "", fmt.Errorf("%w: %q", lens.ErrBadHandle, parts[0])
	}
	return parts[0], nil
}

// LensInfo is the value of the /lens/HANDLE query: lens.Info (the record,
// owner and follows) plus the stored bytes of the Lens record and of the
// LENS item, and every role record (active or not).
type LensInfo struct {
	lens.Info
	Roles []lens.RoleGrant `json:"roles"`
	// Record is the stored Lens record (lens.LensKey); OwnerRecord the
	// stored LENS item (lens.OwnerKey), null when burned.
	Record      json.RawMessage `json:"record"`
	OwnerRecord json.RawMessage `json:"owner_record"`
}

// KVs returns the keys and values that back v, in the order /lens proves
// them: the Lens record, the LENS item (absent when burned), then each
// follow record. It fails when v's fields disagree with its records, so a
// verified proof vouches for the handle, counts, owner and follows (their
// number is the record's follow_count, so none can be left out) and each
// listed role (its stored grant; whether a role was left out is not
// proven).
func (v *LensInfo) KVs() ([]KV, error) {
	var rec lens.Lens
	if err := json.Unmarshal(v.Record, &rec); err != nil || rec != v.Lens {
		return nil, fmt.Errorf("%w: lens record differs from the answer", ErrBadQuery)
	}
	var owner []byte
	if len(v.OwnerRecord) > 0 && string(v.OwnerRecord) != "null" {
		var it ledger.Item
		if err := json.Unmarshal(v.OwnerRecord, &it); err != nil || v.Owner == nil || it.Owner != *v.Owner ||
			it.Asset != lens.AssetID || it.ID != rec.Handle {
			return nil, fmt.Errorf("%w: owner record differs from the answer", ErrBadQuery)
		}
		owner = v.OwnerRecord
	} else if v.Owner != nil {
		return nil, fmt.Errorf("%w: owner without its record", ErrBadQuery)
	}
	if uint64(len(v.Follows)) != rec.FollowCount {
		return nil, fmt.Errorf("%w: %d follows listed, record counts %d", ErrBadQuery, len(v.Follows), rec.FollowCount)
	}
	kvs := []KV{{Key: lens.LensKey(rec.Handle), Value: v.Record}, {Key: lens.OwnerKey(rec.Handle), Value: owner}}
	for _, f := range v.Follows {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("%w: encode follow: %v", ErrInternal, err)
		}
		kvs = append(kvs, KV{Key: lens.FollowKey(rec.Handle, f.Target), Value: b})
	}
	for _, g := range v.Roles {
		// The stored grant is the listed one without Active, which is
		// computed on read: active while granted under the current owner.
		if g.Lens != rec.Handle || g.Active != (v.Owner != nil && g.Owner == *v.Owner) {
			return nil, fmt.Errorf("%w: role of %s differs from its record", ErrBadQuery, g.Address)
		}
		g.Active = false
		b, err := json.Marshal(g)
		if err != nil {
			return nil, fmt.Errorf("%w: encode role: %v", ErrInternal, err)
		}
		kvs = append(kvs, KV{Key: lens.RoleKey(rec.Handle, g.Address), Value: b})
	}
	return kvs, nil
}

// queryLens answers "/lens/HANDLE": a LensInfo. Proven: the Lens record,
// the LENS item, the follows and the roles (LensInfo.KVs). A missing Lens is
// ErrNotFound with a proof that its record is absent.
func queryLens(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	h, err := lensHandleArg(parts, "/lens/HANDLE")
	if err != nil {
		return nil, err
	}
	rec, err := r.Get(lens.LensKey(h))
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return single(r, lens.LensKey(h), "lens "+h)
	}
	k := lens.NewReader(r)
	info, err := k.Info(h)
	if err != nil {
		return nil, err
	}
	roles, err := k.Roles(h)
	if err != nil {
		return nil, err
	}
	ownerRec, err := r.Get(lens.OwnerKey(h))
	if err != nil {
		return nil, err
	}
	v := LensInfo{Info: info, Roles: nonNilSlice(roles), Record: rec, OwnerRecord: ownerRec}
	return provenResult(&v, "lens")
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// LensesPage is the value of the /lenses query.
type LensesPage struct {
	Lenses []lens.Lens `json:"lenses"`
	Next   string      `json:"next,omitempty"`
}

// queryLenses answers "/lenses[?after=HANDLE][&limit=N]": Lens records in
// handle order, paged; not proven.
func queryLenses(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 0, "/lenses?after=HANDLE&limit=N"); err != nil {
		return nil, err
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	after := params.Get("after")
	if after != "" && !lens.ValidHandle(after) {
		return nil, fmt.Errorf("%w: after=%q", lens.ErrBadHandle, after)
	}
	ls, err := lens.NewReader(r).Lenses(after, limit+1)
	if err != nil {
		return nil, err
	}
	page := LensesPage{Lenses: nonNilSlice(ls)}
	if len(ls) > limit {
		page.Lenses = ls[:limit]
		page.Next = ls[limit-1].Handle
	}
	b, err := json.Marshal(page)
	if err != nil {
		return nil, fmt.Errorf("%w: encode lenses: %v", ErrInternal, err)
	}
	return &QueryResult{Value: b}, nil
}

// ParseReweight parses "a:500000,b:0" (also "a=500000") into a reweight
// map; an empty string is no reweight.
func ParseReweight(s string) (map[string]uint32, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]uint32{}
	for _, item := range strings.Split(s, ",") {
		i := strings.IndexAny(item, ":=")
		if i <= 0 {
			return nil, fmt.Errorf("%w: reweight %q: want HANDLE:PPM", lens.ErrBadQuery, item)
		}
		h := item[:i]
		n, err := strconv.ParseUint(item[i+1:], 10, 32)
		if err != nil || n > lens.FullWeight {
			return nil, fmt.Errorf("%w: reweight %q: weight must be 0..%d", lens.ErrBadWeight, item, lens.FullWeight)
		}
		if _, dup := out[h]; dup {
			return nil, fmt.Errorf("%w: reweight of %q given twice", lens.ErrBadQuery, h)
		}
		out[h] = uint32(n)
	}
	return out, nil
}

// FormatReweight is the inverse of ParseReweight (handles sorted).
func FormatReweight(rw map[string]uint32) string {
	keys := make([]string, 0, len(rw))
	for h := range rw {
		keys = append(keys, h)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, h := range keys {
		parts[i] = h + ":" + strconv.FormatUint(uint64(rw[h]), 10)
	}
	return strings.Join(parts, ",")
}

func intParam(params url.Values, name string) (int, error) {
	s := params.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s=%q", lens.ErrBadQuery, name, s)
	}
	return n, nil
}

// queryView answers "/view/HANDLE?depth=&reweight=a:500000,b:0&tag=&kind=&limit=&after=":
// a lens.ViewResult computed from the state at the queried height (same
// question, same height: same bytes on every node). Not proven.
func queryView(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	h, err := lensHandleArg(parts, "/view/HANDLE")
	if err != nil {
		return nil, err
	}
	var o lens.ViewOptions
	if o.Depth, err = intParam(params, "depth"); err != nil {
		return nil, err
	}
	if o.Limit, err = intParam(params, "limit"); err != nil {
		return nil, err
	}
	if o.Reweight, err = ParseReweight(params.Get("reweight")); err != nil {
		return nil, err
	}
	o.Tag, o.Kind, o.After = params.Get("tag"), params.Get("kind"), params.Get("after")
	res, err := lens.NewReader(r).View(h, o)
	if err != nil {
		return nil, lensNotFound(err)
	}
	if res.Entries == nil {
		res.Entries = []lens.ViewEntry{}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("%w: encode view: %v", ErrInternal, err)
	}
	return &QueryResult{Value: b}, nil
}

// SeedingAnswer is the value of the /seeding query.
type SeedingAnswer struct {
	Lens    string             `json:"lens"`
	Target  uint64             `json:"target"`
	Entries []lens.SeedingItem `json:"entries"`
	// Next, when not empty, is the after of the next page: the seq of the
	// last entry this page examined (older entries remain).
	Next string `json:"next,omitempty"`
}

// DefaultSeedingTarget is the host count /seeding aims for when the query
// names none.
const DefaultSeedingTarget = 3

// querySeeding answers "/seeding/HANDLE?target=R&limit=N&after=SEQ": the
// Lens's entries announced by fewer than R hosts (default 3), found among
// its entries newest first below seq SEQ, at most N (default 100, max 1000)
// and at most lens.MaxSeedingScan examined per page; most under-seeded
// first within the page. Not proven.
func querySeeding(r ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	h, err := lensHandleArg(parts, "/seeding/HANDLE?target=R")
	if err != nil {
		return nil, err
	}
	target := uint64(DefaultSeedingTarget)
	if s := params.Get("target"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%w: target=%q, want at least 1", lens.ErrBadQuery, s)
		}
		target = n
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	var before uint64
	if s := params.Get("after"); s != "" {
		if before, err = strconv.ParseUint(s, 10, 64); err != nil || before == 0 {
			return nil, fmt.Errorf("%w: after=%q, want the seq of a previous page's next", lens.ErrBadQuery, s)
		}
	}
	items, next, err := lens.NewReader(r).Seeding(h, target, before, limit)
	if err != nil {
		return nil, lensNotFound(err)
	}
	ans := SeedingAnswer{Lens: h, Target: target, Entries: nonNilSlice(items)}
	if next > 0 {
		ans.Next = strconv.FormatUint(next, 10)
	}
	b, err := json.Marshal(ans)
	if err != nil {
		return nil, fmt.Errorf("%w: encode seeding: %v", ErrInternal, err)
	}
	return &QueryResult{Value: b}, nil
}

// ManifestAnswer is the value of the /manifest query: the manifest (its
// height and chain id are left for the client to fill in: the response
// height and the node's chain id) and the stored value of each of its
// Keys, in order, so that a client can verify each proof and then
// lens.Manifest.CheckRecords.
type ManifestAnswer struct {
	Manifest lens.Manifest `json:"manifest"`
	Records  [][]byte      `json:"records"`
}

// queryManifest answers "/manifest/HANDLE": a ManifestAnswer. Proven: every
// key of Manifest.Keys with its stored value (Records), so an export
// carries a proof of each record.
func queryManifest(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	h, err := lensHandleArg(parts, "/manifest/HANDLE")
	if err != nil {
		return nil, err
	}
	m, err := lens.NewReader(r).Manifest(h)
	if err != nil {
		return nil, lensNotFound(err)
	}
	ans := ManifestAnswer{Manifest: m, Records: make([][]byte, len(m.Keys))}
	res := &QueryResult{Proven: make([]KV, len(m.Keys))}
	for i, key := range m.Keys {
		v, err := r.Get(key)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, fmt.Errorf("%w: manifest key %x has no value", ErrInternal, []byte(key))
		}
		ans.Records[i] = v
		res.Proven[i] = KV{Key: key, Value: v}
	}
	if res.Value, err = json.Marshal(ans); err != nil {
		return nil, fmt.Errorf("%w: encode manifest: %v", ErrInternal, err)
	}
	return res, nil
}
