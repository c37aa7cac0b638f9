package verify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The claims a page can make, by kind: on which page, and what each of
// its fields must read, from the proven records. The page's subject comes
// from its address; a row's identity comes from its visible text or Ref.

type kind struct {
	page   string
	expect func(c *checker, cl *Claim) (map[string]string, error)
}

var kinds = map[string]kind{
	// Account page (/account/ADDR).
	"nonce":         {"account", expectNonce},
	"balance":       {"account", expectBalance},
	"lens-owned":    {"account", expectLensOwned},
	"agreement-row": {"account", expectAgreementRow},
	"role-held":     {"account", expectRoleHeld},
	"collective":    {"account", expectCollective},
	// Asset page (/asset/ID).
	"asset":  {"asset", expectAsset},
	"holder": {"asset", expectHolder},
	// Agreement page (/agreement/ID).
	"agreement":  {"agreement", expectAgreement},
	"party":      {"agreement", expectParty},
	"obligation": {"agreement", expectObligation},
	"event":      {"agreement", expectEvent},
	// Lens page (/lens/HANDLE).
	"lens":      {"lens", expectLens},
	"lens-role": {"lens", expectLensRole},
	"follow":    {"lens", expectFollow},
	"entry":     {"lens", expectEntry},
	// Pool page (/pool/ID).
	"pool": {"pool", expectPool},
}

// The records' fields the pages show (their JSON names are the stored
// ones; amounts are decimal strings, addresses bech32).
type (
	assetRecord struct {
		ID        string  `json:"id"`
		Kind      string  `json:"kind"`
		Name      string  `json:"name"`
		Decimals  uint8   `json:"decimals"`
		Issuer    string  `json:"issuer"`
		MaxSupply *string `json:"max_supply"`
		Supply    string  `json:"supply"`
	}
	agreementRecord struct {
		ID          string   `json:"id"`
		Status      string   `json:"status"`
		Mode        string   `json:"mode"`
		Parties     []string `json:"parties"`
		AcceptedBy  []string `json:"accepted_by"`
		Obligations []struct {
			By    string `json:"by"`
			To    string `json:"to"`
			What  string `json:"what"`
			State string `json:"state"`
		} `json:"obligations"`
		History []struct {
			Height int64   `json:"height"`
			Event  string  `json:"event"`
			By     *string `json:"by"`
			Detail string  `json:"detail"`
		} `json:"history"`
		Body struct {
			Title           string `json:"title"`
			ExpiresAtHeight int64  `json:"expires_at_height"`
		} `json:"body"`
	}
	lensRecord struct {
		Handle      string `json:"handle"`
		Name        string `json:"name"`
		EntryCount  uint64 `json:"entry_count"`
		FollowCount uint64 `json:"follow_count"`
	}
	entryRecord struct {
		Lens   string   `json:"lens"`
		Seq    uint64   `json:"seq"`
		CID    string   `json:"cid"`
		Kind   string   `json:"kind"`
		Title  string   `json:"title"`
		Tags   []string `json:"tags"`
		Author string   `json:"author"`
	}
	poolRecord struct {
		ID         string `json:"id"`
		AssetA     string `json:"asset_a"`
		AssetB     string `json:"asset_b"`
		FeeBps     uint32 `json:"fee_bps"`
		Account    string `json:"account"`
		ShareAsset string `json:"share_asset"`
	}
)

func expectNonce(c *checker, _ *Claim) (map[string]string, error) {
	key, err := AccountKey(c.subject)
	if err != nil {
		return nil, err
	}
	var a struct {
		Nonce uint64 `json:"nonce"`
	}
	if _, err := c.record(key, "the account", &a); err != nil {
		return nil, err
	}
	return map[string]string{"nonce": strconv.FormatUint(a.Nonce, 10)}, nil
}

func expectBalance(c *checker, cl *Claim) (map[string]string, error) {
	asset := normalize(cl.Shown["asset"])
	base, err := c.balance(c.subject, asset)
	if err != nil {
		return nil, err
	}
	amt, err := c.amount(base, asset)
	if err != nil {
		return nil, err
	}
	return map[string]string{"asset": asset, "amount": amt}, nil
}

func expectLensOwned(c *checker, cl *Claim) (map[string]string, error) {
	h := normalize(cl.Shown["handle"])
	key, err := OwnedKey(c.subject, LensAsset, h)
	if err != nil {
		return nil, err
	}
	_, ok, err := c.proven(key, "the ownership of Lens "+h)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s is proven not to own Lens %s", ErrAnswer, c.subject, h)
	}
	return map[string]string{"handle": h}, err
}

func expectAgreementRow(c *checker, cl *Claim) (map[string]string, error) {
	var r agreementRecord
	if err := c.must(AgreementKey(cl.Ref), "agreement "+Short(cl.Ref), &r); err != nil {
		return nil, err
	}
	if !contains(r.Parties, c.subject) {
		return nil, fmt.Errorf("%w: %s is not a party to agreement %s", ErrAnswer, c.subject, Short(cl.Ref))
	}
	return map[string]string{"status": r.Status, "title": r.Body.Title, "id": Short(r.ID)}, nil
}

// InactiveRole is what the account page writes after a role granted under
// an earlier owner of the Lens.
const InactiveRole = "(inactive: granted under an earlier owner)"

func expectRoleHeld(c *checker, cl *Claim) (map[string]string, error) {
	h := normalize(cl.Shown["lens"])
	role, inactive, err := c.role(h, c.subject)
	if err != nil {
		return nil, err
	}
	return map[string]string{"lens": h, "role": role, "inactive": inactive}, nil
}

func expectLensRole(c *checker, cl *Claim) (map[string]string, error) {
	role, inactive, err := c.role(c.subject, cl.Ref)
	if err != nil {
		return nil, err
	}
	return map[string]string{"address": Short(cl.Ref), "role": role, "inactive": inactive}, nil
}

// role is address's proven role in Lens h and what the pages write after
// it: InactiveRole when it was granted under an earlier owner, else "".
func (c *checker) role(h, address string) (string, string, error) {
	key, err := RoleKey(h, address)
	if err != nil {
		return "", "", err
	}
	var g struct {
		Role  string `json:"role"`
		Owner string `json:"owner"`
	}
	if err := c.must(key, "the role of "+Short(address)+" in Lens "+h, &g); err != nil {
		return "", "", err
	}
	var it struct {
		Owner string `json:"owner"`
	}
	owned, err := c.record(ItemKey(LensAsset, h), "the owner of Lens "+h, &it)
	if err != nil {
		return "", "", err
	}
	if owned && it.Owner == g.Owner {
		return g.Role, "", nil
	}
	return g.Role, InactiveRole, nil
}

func expectCollective(c *checker, cl *Claim) (map[string]string, error) {
	ckey, err := CollectiveKey(cl.Ref)
	if err != nil {
		return nil, err
	}
	var col struct {
		Address   string   `json:"address"`
		Name      string   `json:"name"`
		Members   []string `json:"members"`
		Threshold uint32   `json:"threshold"`
	}
	if err := c.must(ckey, "collective "+Short(cl.Ref), &col); err != nil {
		return nil, err
	}
	if !contains(col.Members, c.subject) {
		return nil, fmt.Errorf("%w: %s is not a member of collective %s", ErrAnswer, c.subject, Short(cl.Ref))
	}
	return map[string]string{"address": Short(col.Address), "name": col.Name,
		"threshold": fmt.Sprintf("%d of %d", col.Threshold, len(col.Members))}, nil
}

func expectAsset(c *checker, _ *Claim) (map[string]string, error) {
	var a assetRecord
	if err := c.must(AssetKey(c.subject), "the definition of "+c.subject, &a); err != nil {
		return nil, err
	}
	max := ""
	if a.MaxSupply != nil {
		max = FormatUnits(*a.MaxSupply, a.Decimals)
	}
	return map[string]string{"id": a.ID, "kind": a.Kind, "name": a.Name, "issuer": a.Issuer,
		"decimals": strconv.Itoa(int(a.Decimals)), "supply": AmountText(a.Supply, a.ID, a.Decimals, true), "max_supply": max}, nil
}

func expectHolder(c *checker, cl *Claim) (map[string]string, error) {
	addr := normalize(cl.Shown["address"])
	key, err := HolderKey(c.subject, addr)
	if err != nil {
		return nil, err
	}
	v, ok, err := c.proven(key, "the holding of "+addr)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s is proven to hold no %s", ErrAnswer, addr, c.subject)
	}
	d, _, err := c.decimals(c.subject)
	if err != nil {
		return nil, err
	}
	// The unique items listed beside a holding: those proven owned by the
	// holder (owned/{addr}{asset}/{item}); an item without a proof makes
	// the field read otherwise. That none is left out is not proven.
	shown := strings.Split(normalize(cl.Shown["items"]), ", ")
	if len(shown) > MaxClaims {
		return nil, fmt.Errorf("%w: %d items", ErrAnswer, len(shown))
	}
	var items []string
	for _, it := range shown {
		if it == "" {
			continue
		}
		key, _ := OwnedKey(addr, c.subject, it)
		_, ok, err := c.proven(key, "the ownership of "+c.subject+"/"+it)
		if errors.Is(err, ErrProof) {
			return nil, err
		}
		if ok {
			items = append(items, it)
		}
	}
	return map[string]string{"address": addr, "amount": FormatUnits(string(v), d), "items": strings.Join(items, ", ")}, nil
}

func (c *checker) agreement() (*agreementRecord, error) {
	var r agreementRecord
	if err := c.must(AgreementKey(c.subject), "the agreement record", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func expectAgreement(c *checker, _ *Claim) (map[string]string, error) {
	r, err := c.agreement()
	if err != nil {
		return nil, err
	}
	expires := ""
	if r.Body.ExpiresAtHeight != 0 {
		expires = strconv.FormatInt(r.Body.ExpiresAtHeight, 10)
	}
	return map[string]string{"id": r.ID, "status": r.Status, "mode": r.Mode, "title": r.Body.Title, "expires": expires}, nil
}

func expectParty(c *checker, cl *Claim) (map[string]string, error) {
	r, err := c.agreement()
	if err != nil {
		return nil, err
	}
	addr := normalize(cl.Shown["address"])
	if !contains(r.Parties, addr) {
		return nil, fmt.Errorf("%w: %s is not a party", ErrAnswer, addr)
	}
	state := "not yet"
	if contains(r.AcceptedBy, addr) {
		state = "signed / accepted"
	}
	return map[string]string{"address": addr, "state": state}, nil
}

// index reads a row's Ref as an index below n.
func index(ref string, n int, what string) (int, error) {
	i, err := strconv.Atoi(ref)
	if err != nil || i < 0 || i >= n {
		return 0, fmt.Errorf("%w: there is no %s %q", ErrAnswer, what, ref)
	}
	return i, nil
}

func expectObligation(c *checker, cl *Claim) (map[string]string, error) {
	r, err := c.agreement()
	if err != nil {
		return nil, err
	}
	i, err := index(cl.Ref, len(r.Obligations), "obligation")
	if err != nil {
		return nil, err
	}
	o := r.Obligations[i]
	return map[string]string{"state": o.State, "by": Short(o.By), "to": Short(o.To), "what": o.What}, nil
}

func expectEvent(c *checker, cl *Claim) (map[string]string, error) {
	r, err := c.agreement()
	if err != nil {
		return nil, err
	}
	i, err := index(cl.Ref, len(r.History), "history step")
	if err != nil {
		return nil, err
	}
	h := r.History[i]
	by := ""
	if h.By != nil {
		by = Short(*h.By)
	}
	return map[string]string{"event": h.Event, "height": strconv.FormatInt(h.Height, 10), "by": by, "detail": h.Detail}, nil
}

func expectLens(c *checker, _ *Claim) (map[string]string, error) {
	var l lensRecord
	if err := c.must(LensKey(c.subject), "the Lens record", &l); err != nil {
		return nil, err
	}
	var it struct {
		Owner string `json:"owner"`
	}
	owned, err := c.record(ItemKey(LensAsset, c.subject), "the owner of Lens "+c.subject, &it)
	if err != nil {
		return nil, err
	}
	owner := "none (burned)"
	if owned {
		owner = it.Owner
	}
	return map[string]string{"handle": l.Handle, "name": l.Name, "owner": owner,
		"entries": strconv.FormatUint(l.EntryCount, 10)}, nil
}

func expectFollow(c *checker, cl *Claim) (map[string]string, error) {
	target := normalize(cl.Shown["target"])
	var f struct {
		Weight uint32   `json:"weight"`
		Tags   []string `json:"tags"`
	}
	if err := c.must(FollowKey(c.subject, target), "the follow of "+target, &f); err != nil {
		return nil, err
	}
	return map[string]string{"target": target, "weight": PPMText(uint64(f.Weight)), "tags": strings.Join(f.Tags, ", ")}, nil
}

func expectEntry(c *checker, cl *Claim) (map[string]string, error) {
	h, s, _ := strings.Cut(cl.Ref, "/")
	seq, err := strconv.ParseUint(s, 10, 64)
	if err != nil || h == "" {
		return nil, fmt.Errorf("%w: entry %q", ErrAnswer, cl.Ref)
	}
	var e entryRecord
	if err := c.must(EntryKey(h, seq), "entry "+cl.Ref, &e); err != nil {
		return nil, err
	}
	title := e.Title
	if title == "" {
		title = "untitled"
	}
	return map[string]string{"title": title, "kind": e.Kind, "lens": e.Lens, "seq": strconv.FormatUint(e.Seq, 10),
		"author": Short(e.Author), "tags": strings.Join(e.Tags, ", "), "cid": e.CID}, nil
}

func expectPool(c *checker, _ *Claim) (map[string]string, error) {
	var p poolRecord
	if err := c.must(PoolKey(c.subject), "the pool record", &p); err != nil {
		return nil, err
	}
	ra, err := c.balance(p.Account, p.AssetA)
	if err != nil {
		return nil, err
	}
	rb, err := c.balance(p.Account, p.AssetB)
	if err != nil {
		return nil, err
	}
	var share assetRecord
	if err := c.must(AssetKey(p.ShareAsset), "the share asset", &share); err != nil {
		return nil, err
	}
	da, _, err := c.decimals(p.AssetA)
	if err != nil {
		return nil, err
	}
	db, _, err := c.decimals(p.AssetB)
	if err != nil {
		return nil, err
	}
	resA, _ := c.amount(ra, p.AssetA)
	resB, _ := c.amount(rb, p.AssetB)
	return map[string]string{"id": p.ID, "reserve_a": resA, "reserve_b": resB,
		"price":   PriceText(PriceE18(ra, rb), p.AssetA, p.AssetB, da, db),
		"fee":     fmt.Sprintf("%d basis points", p.FeeBps),
		"shares":  AmountText(share.Supply, share.ID, share.Decimals, true),
		"account": p.Account}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
