package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// Account is the answer of /api/v1/account/ADDR.
type Account struct {
	Meta
	Address     string              `json:"address"`
	Nonce       uint64              `json:"nonce"`
	PubKey      []byte              `json:"pub_key,omitempty"`
	Balances    []Balance           `json:"balances"`
	Lenses      []string            `json:"lenses"`
	Roles       []RoleSummary       `json:"roles"`
	Collectives []CollectiveSummary `json:"collectives"`
	Agreements  []AgreementSummary  `json:"agreements"`
	Txs         []TxSummary         `json:"txs"`
}

// Balance is a holding with the asset's decimals applied in Display.
type Balance struct {
	Asset   string `json:"asset"`
	Amount  string `json:"amount"`
	Display string `json:"display"`
}

// RoleSummary is a role the account holds in a Lens; Active is false for
// a role granted under an earlier owner of the Lens.
type RoleSummary struct {
	Lens   string `json:"lens"`
	Role   string `json:"role"`
	Active bool   `json:"active"`
}

// CollectiveSummary is a collective the account is a member of.
type CollectiveSummary struct {
	Address   string `json:"address"`
	Name      string `json:"name"`
	Threshold uint32 `json:"threshold"`
	Members   int    `json:"members"`
}

// AgreementSummary is an agreement in a list.
type AgreementSummary struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

// Account page limits.
const (
	accountLenses     = 50
	accountRoles      = 25
	accountColls      = 25
	accountAgreements = 25
	accountTxs        = 10
)

func (s *Server) loadAccount(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	addr, err := ledger.ParseAddress(r.PathValue("addr"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	a := &Account{Address: addr.String(), Balances: []Balance{}, Lenses: []string{}, Roles: []RoleSummary{},
		Collectives: []CollectiveSummary{}, Agreements: []AgreementSummary{}, Txs: []TxSummary{}}
	a.Title = "Account " + short(a.Address)
	ans, err := rd.query(ctx, "/account/"+a.Address)
	if err != nil {
		return nil, err
	}
	if ans.found {
		var acc ledger.Account
		if err := json.Unmarshal(ans.value, &acc); err != nil {
			return nil, fmt.Errorf("decode account: %w", err)
		}
		a.Nonce, a.PubKey = acc.Nonce, acc.PubKey
	}
	if ans, err = rd.query(ctx, "/balances/"+a.Address); err != nil {
		return nil, err
	}
	var hs []ledger.Holding
	if err := decodeList(ans.value, &hs); err != nil {
		return nil, fmt.Errorf("decode balances: %w", err)
	}
	for _, h := range hs {
		a.Balances = append(a.Balances, Balance{Asset: h.Asset, Amount: h.Amount.String(), Display: rd.amountText(ctx, h.Amount.String(), h.Asset)})
	}
	if ans, err = rd.query(ctx, fmt.Sprintf("/items/%s/%s?limit=%d", a.Address, lens.AssetID, accountLenses)); err != nil {
		return nil, err
	}
	if err := decodeList(ans.value, &a.Lenses); err != nil {
		return nil, fmt.Errorf("decode lenses: %w", err)
	}
	if ans, err = rd.query(ctx, fmt.Sprintf("/roles/%s?limit=%d", a.Address, accountRoles)); err != nil {
		return nil, err
	}
	var roles []lens.RoleHeld
	if err := decodeList(ans.value, &roles); err != nil {
		return nil, fmt.Errorf("decode roles: %w", err)
	}
	for _, r := range roles {
		a.Roles = append(a.Roles, RoleSummary{Lens: r.Lens, Role: string(r.Role), Active: r.Active})
	}
	if ans, err = rd.query(ctx, fmt.Sprintf("/collectives/%s?limit=%d", a.Address, accountColls)); err != nil {
		return nil, err
	}
	var colls []agreements.Collective
	if err := decodeList(ans.value, &colls); err != nil {
		return nil, fmt.Errorf("decode collectives: %w", err)
	}
	for _, c := range colls {
		a.Collectives = append(a.Collectives, CollectiveSummary{Address: c.Address.String(), Name: c.Name, Threshold: c.Threshold, Members: len(c.Members)})
	}
	if ans, err = rd.query(ctx, fmt.Sprintf("/agreements/%s?limit=%d", a.Address, accountAgreements)); err != nil {
		return nil, err
	}
	var recs []agreements.Record
	if err := decodeList(ans.value, &recs); err != nil {
		return nil, fmt.Errorf("decode agreements: %w", err)
	}
	for _, rec := range recs {
		a.Agreements = append(a.Agreements, AgreementSummary{ID: rec.ID, Title: rec.Body.Title, Status: string(rec.Status)})
	}
	page, perPage := 1, accountTxs
	txs, err := s.chain.TxSearch(ctx, fmt.Sprintf("tx.signer='%s'", a.Address), false, &page, &perPage, "desc")
	if err == nil { // a node without a tx index still shows the account
		for _, tx := range txs.Txs {
			a.Txs = append(a.Txs, s.txSummary(ctx, rd, tx))
		}
	}
	a.CLI = []string{
		"riffchain query balances " + a.Address + " --prove",
		"riffchain tx transfer " + a.Address + " AMOUNT ASSET --from KEY",
		"riffchain query agreements --party " + a.Address,
	}
	return a, nil
}

// decodeList decodes the entries of a list answer ({"entries":[...]}) into
// out; an empty answer is an empty list.
func decodeList[T any](v []byte, out *[]T) error {
	if len(v) == 0 {
		return nil
	}
	var p struct {
		Entries []T `json:"entries"`
	}
	if err := json.Unmarshal(v, &p); err != nil {
		return err
	}
	if p.Entries != nil {
		*out = p.Entries
	}
	return nil
}

// pathArg escapes one path segment of an app query.
func pathArg(s string) string { return url.PathEscape(s) }
