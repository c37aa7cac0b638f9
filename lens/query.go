package lens

// The Lens module's query paths (spec/lenses.md "Queries"): /lens and
// /lenses here, /view (query_view.go), /seeding (query_seeding.go),
// /manifest (query_manifest.go) and /hosts (query_hosts.go). Each is a
// QueryX(r, parts, params) answering a query.Result with the state keys
// that prove it; the app's module list routes them (app/modules.go).

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// notFound turns "no such Lens" into the generic not-found answer (code
// 26) so that every query of a missing Lens reads alike.
func notFound(err error) error {
	if errors.Is(err, ErrUnknownLens) {
		return fmt.Errorf("%w: %w", query.ErrNotFound, err)
	}
	return err
}

// handleArg checks the single path argument of a /lens-like query.
func handleArg(parts []string, usage string) (string, error) {
	if err := query.NeedArgs(parts, 1, usage); err != nil {
		return "", err
	}
	if !ValidHandle(parts[0]) {
		return "", fmt.Errorf("%w: %q", ErrBadHandle, parts[0])
	}
	return parts[0], nil
}

// nonNil returns s, or an empty slice (encoded [], never null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// InfoAnswer is the value of the /lens/HANDLE query: Info (the record,
// owner and follows) plus the stored bytes of the Lens record and of the
// LENS item, and every role record (active or not).
type InfoAnswer struct {
	Info
	Roles []RoleGrant `json:"roles"`
	// Record is the stored Lens record (LensKey); OwnerRecord the stored
	// LENS item (OwnerKey), null when burned.
	Record      json.RawMessage `json:"record"`
	OwnerRecord json.RawMessage `json:"owner_record"`
}

// KVs returns the keys and values that back v, in the order /lens proves
// them: the Lens record, the LENS item (absent when burned), then each
// follow record, then each role record. It fails when v's fields disagree
// with its records, so a verified proof vouches for the handle, counts,
// owner and follows (their number is the record's follow_count, so none can
// be left out) and each listed role (its stored grant; whether a role was
// left out is not proven).
func (v *InfoAnswer) KVs() ([]query.KV, error) {
	var rec Lens
	if err := json.Unmarshal(v.Record, &rec); err != nil || rec != v.Lens {
		return nil, fmt.Errorf("%w: lens record differs from the answer", query.ErrBadQuery)
	}
	var owner []byte
	if len(v.OwnerRecord) > 0 && string(v.OwnerRecord) != "null" {
		var it ledger.Item
		if err := json.Unmarshal(v.OwnerRecord, &it); err != nil || v.Owner == nil || it.Owner != *v.Owner ||
			it.Asset != AssetID || it.ID != rec.Handle {
			return nil, fmt.Errorf("%w: owner record differs from the answer", query.ErrBadQuery)
		}
		owner = v.OwnerRecord
	} else if v.Owner != nil {
		return nil, fmt.Errorf("%w: owner without its record", query.ErrBadQuery)
	}
	if uint64(len(v.Follows)) != rec.FollowCount {
		return nil, fmt.Errorf("%w: %d follows listed, record counts %d", query.ErrBadQuery, len(v.Follows), rec.FollowCount)
	}
	kvs := []query.KV{{Key: LensKey(rec.Handle), Value: v.Record}, {Key: OwnerKey(rec.Handle), Value: owner}}
	for _, f := range v.Follows {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("encode follow: %w", err)
		}
		kvs = append(kvs, query.KV{Key: FollowKey(rec.Handle, f.Target), Value: b})
	}
	for _, g := range v.Roles {
		// The stored grant is the listed one without Active, which is
		// computed on read: active while granted under the current owner.
		if g.Lens != rec.Handle || g.Active != (v.Owner != nil && g.Owner == *v.Owner) {
			return nil, fmt.Errorf("%w: role of %s differs from its record", query.ErrBadQuery, g.Address)
		}
		g.Active = false
		b, err := json.Marshal(g)
		if err != nil {
			return nil, fmt.Errorf("encode role: %w", err)
		}
		kvs = append(kvs, query.KV{Key: RoleKey(rec.Handle, g.Address), Value: b})
	}
	return kvs, nil
}

// QueryLens answers "/lens/HANDLE": an InfoAnswer. Proven: the Lens
// record, the LENS item, the follows and the roles (InfoAnswer.KVs). A
// missing Lens is query.ErrNotFound with a proof that its record is absent.
func QueryLens(r ledger.Reader, parts []string, _ url.Values) (*query.Result, error) {
	h, err := handleArg(parts, "/lens/HANDLE")
	if err != nil {
		return nil, err
	}
	rec, err := r.Get(LensKey(h))
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return query.Single(r, LensKey(h), "lens "+h)
	}
	k := NewReader(r)
	info, err := k.Info(h)
	if err != nil {
		return nil, err
	}
	roles, err := k.Roles(h)
	if err != nil {
		return nil, err
	}
	ownerRec, err := r.Get(OwnerKey(h))
	if err != nil {
		return nil, err
	}
	v := InfoAnswer{Info: info, Roles: nonNil(roles), Record: rec, OwnerRecord: ownerRec}
	return query.Proven(&v, "lens")
}

// LensesPage is the value of the /lenses query: a page of Lens records in
// handle order (the list envelope; next is the last handle listed).
type LensesPage struct {
	query.List[Lens]
}

// KVs returns the state keys and values that back the page, the ones
// /lenses proves: each listed Lens's record at its LensKey (the stored
// record is the JSON of the listed one). That no Lens was left out is not
// proven.
func (p *LensesPage) KVs() ([]query.KV, error) {
	kvs := make([]query.KV, len(p.Entries))
	for i, l := range p.Entries {
		b, err := json.Marshal(l)
		if err != nil {
			return nil, fmt.Errorf("encode lens: %w", err)
		}
		kvs[i] = query.KV{Key: LensKey(l.Handle), Value: b}
	}
	return kvs, nil
}

// QueryLenses answers "/lenses?after=HANDLE&limit=N": a LensesPage, each
// listed record proven (LensesPage.KVs).
func QueryLenses(r ledger.Reader, parts []string, params url.Values) (*query.Result, error) {
	if err := query.NeedArgs(parts, 0, "/lenses?after=HANDLE&limit=N"); err != nil {
		return nil, err
	}
	limit, err := query.PageLimit(params)
	if err != nil {
		return nil, err
	}
	after := params.Get("after")
	if after != "" && !ValidHandle(after) {
		return nil, fmt.Errorf("%w: after=%q", ErrBadHandle, after)
	}
	ls, err := NewReader(r).Lenses(after, limit+1)
	if err != nil {
		return nil, err
	}
	page := LensesPage{List: query.NewList[Lens]()}
	if len(ls) > limit {
		ls = ls[:limit]
		page.Next = ls[limit-1].Handle
	}
	page.Entries = nonNil(ls)
	return query.Proven(&page, "lenses")
}
