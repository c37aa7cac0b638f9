package agreements

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// Page sizes of AgreementsByParty: those of every listing.
const (
	DefaultPageLimit = query.DefaultPageLimit
	MaxPageLimit     = query.MaxPageLimit
)

// GetAgreement returns the record of agreement id.
func GetAgreement(r ledger.Reader, id string) (*Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var rec Record
	ok, err := ledger.GetJSON(r, AgreementKey(id), &rec)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAgreement, id)
	}
	return &rec, nil
}

// Page is one page of a party's agreements. Next, when set, is the opaque
// cursor to pass as after for the following page.
type Page struct {
	Agreements []Record `json:"agreements"`
	Next       string   `json:"next,omitempty"`
}

// AgreementsByParty lists the agreements party is a party to, optionally
// only those in status (""= any), ordered by status, then creation height
// (oldest first), then id, after the cursor after (from a previous
// Page.Next: "STATUS/HEIGHT/ID"), at most limit (0 = default 100, at most
// 1000).
//
// The party index is read from index (the node-local store in a node,
// spec/state.md "Local indexes"; the same reader as state in a keeper
// that keeps its index in state) and every record from state. An entry
// whose record is not in state in the entry's status (index newer than a
// historical state) is left out, so a page may hold fewer than limit
// records and still have a Next cursor.
func AgreementsByParty(state, index ledger.Reader, party ledger.Address, status Status, after string, limit int) (*Page, error) {
	if _, err := ParseStatus(string(status)); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultPageLimit
	}
	if limit > MaxPageLimit {
		limit = MaxPageLimit
	}
	base := PartyIndexPrefix(party)
	prefix := base
	if status != "" {
		prefix = PartyStatusPrefix(party, status)
	}
	start := prefix
	if after != "" {
		suffix, err := cursorKey(after)
		if err != nil {
			return nil, err
		}
		start = append(append(append([]byte(nil), base...), suffix...), 0)
		if string(start) < string(prefix) {
			start = prefix
		}
	}
	var ids, statuses, cursors []string
	err := index.Iterate(start, ledger.PrefixEnd(prefix), func(k, _ []byte) bool {
		suffix := k[len(base):]
		if len(suffix) < 1+8+64 {
			return true // not an index entry of this layout
		}
		n := len(suffix)
		ids = append(ids, string(suffix[n-64:]))
		statuses = append(statuses, string(suffix[:n-64-8-1]))
		cursors = append(cursors, cursorOf(suffix))
		return len(ids) <= limit
	})
	if err != nil {
		return nil, err
	}
	page := &Page{Agreements: []Record{}}
	if len(ids) > limit {
		ids = ids[:limit]
		page.Next = cursors[limit-1]
	}
	for i, id := range ids {
		rec, err := GetAgreement(state, id)
		if errors.Is(err, ErrUnknownAgreement) {
			continue // created after this state's height
		}
		if err != nil {
			return nil, err
		}
		if string(rec.Status) != statuses[i] {
			continue // in another status at this state's height
		}
		page.Agreements = append(page.Agreements, *rec)
	}
	return page, nil
}

// RebuildPartyIndex writes the party index entries of every agreement
// record in state into index (which should be empty): how a node makes its
// local index after state sync, or when the index lags its state.
func RebuildPartyIndex(state ledger.Reader, index ledger.KV) (int, error) {
	n := 0
	var werr error
	err := state.Iterate(AgreementsPrefix(), ledger.PrefixEnd(AgreementsPrefix()), func(k, v []byte) bool {
		var rec Record
		if werr = json.Unmarshal(v, &rec); werr != nil {
			werr = fmt.Errorf("%w: agreement record %s: %v", ledger.ErrStore, k, werr)
			return false
		}
		for _, p := range rec.Parties {
			if werr = index.Set(PartyIndexKey(p, rec.Status, rec.CreatedHeight, rec.ID), []byte{}); werr != nil {
				return false
			}
		}
		n++
		return true
	})
	if err != nil {
		return n, err
	}
	return n, werr
}

// GetCollective returns a collective's current state.
func GetCollective(r ledger.Reader, addr ledger.Address) (*Collective, error) {
	var c Collective
	ok, err := ledger.GetJSON(r, CollectiveKey(addr), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownCollective, addr)
	}
	return &c, nil
}

// CollectiveAt returns a collective as it was at version v.
func CollectiveAt(r ledger.Reader, addr ledger.Address, v uint64) (*Collective, error) {
	var c Collective
	ok, err := ledger.GetJSON(r, CollectiveVersionKey(addr, v), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s version %d", ErrUnknownCollective, addr, v)
	}
	return &c, nil
}

// CollectivesOf lists the collectives member currently belongs to, in
// address order.
func CollectivesOf(r ledger.Reader, member ledger.Address) ([]ledger.Address, error) {
	prefix := MemberIndexPrefix(member)
	out := []ledger.Address{}
	err := r.Iterate(prefix, ledger.PrefixEnd(prefix), func(k, _ []byte) bool {
		var a ledger.Address
		copy(a[:], k[len(prefix):])
		out = append(out, a)
		return true
	})
	return out, err
}

// Agreement returns the record of agreement id (keeper form of GetAgreement).
func (k *Keeper) Agreement(id string) (*Record, error) { return GetAgreement(k.kv, id) }

// Collective is the keeper form of GetCollective.
func (k *Keeper) Collective(addr ledger.Address) (*Collective, error) {
	return GetCollective(k.kv, addr)
}

// cursorOf turns a party index key suffix ({status}/{height be8}{id}) into
// the text cursor "STATUS/HEIGHT/ID".
func cursorOf(suffix []byte) string {
	n := len(suffix)
	status := string(suffix[:n-64-8-1])
	height := binary.BigEndian.Uint64(suffix[n-64-8 : n-64])
	return status + "/" + strconv.FormatUint(height, 10) + "/" + string(suffix[n-64:])
}

// cursorKey is the key suffix a cursor from cursorOf names.
func cursorKey(cursor string) ([]byte, error) {
	parts := strings.Split(cursor, "/")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: cursor %q: want STATUS/HEIGHT/ID", ErrInvalidBody, cursor)
	}
	st, err := ParseStatus(parts[0])
	if err != nil || st == "" {
		return nil, fmt.Errorf("%w: cursor %q: status", ErrInvalidBody, cursor)
	}
	h, err := strconv.ParseUint(parts[1], 10, 63)
	if err != nil {
		return nil, fmt.Errorf("%w: cursor %q: height", ErrInvalidBody, cursor)
	}
	if err := checkID(parts[2]); err != nil {
		return nil, fmt.Errorf("%w: cursor %q: id", ErrInvalidBody, cursor)
	}
	k := append([]byte(st), '/')
	k = append(k, be8(h)...)
	return append(k, parts[2]...), nil
}
