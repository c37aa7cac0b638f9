package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// AssetView is the answer of /api/v1/asset/ID?after=ADDR&limit=N: the
// definition, one page of holders and the latest movements.
type AssetView struct {
	Meta
	ledger.Asset
	SupplyDisplay string         `json:"supply_display"`
	Holders       []Holder       `json:"holders"`
	Next          string         `json:"next,omitempty"`
	History       []app.Movement `json:"history"` // amounts in the asset's decimals
}

// Holder is a holder of an asset; for a unique class, the items it owns
// (the first assetItemsEach, for the first assetItemHolders holders).
type Holder struct {
	Address string   `json:"address"`
	Amount  string   `json:"amount"`
	Display string   `json:"display"`
	Items   []string `json:"items,omitempty"`
}

// Asset page limits.
const (
	assetHistory     = 20
	assetItemHolders = 10 // holders of a unique class whose items are listed
	assetItemsEach   = 20 // items listed per holder
)

// pageLimit reads ?limit= (1..MaxPageSize, default DefaultPageSize).
func pageLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return DefaultPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxPageSize {
		return 0, fmt.Errorf("%w: limit=%q, want 1..%d", ErrBadRequest, s, MaxPageSize)
	}
	return n, nil
}

func (s *Server) loadAsset(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	id := r.PathValue("id")
	if !ledger.ValidAssetID(id) {
		return nil, fmt.Errorf("%w: %q is not an asset id", ErrBadRequest, id)
	}
	limit, err := pageLimit(r)
	if err != nil {
		return nil, err
	}
	ans, err := rd.query(ctx, "/asset/"+pathArg(id))
	if err != nil {
		return nil, err
	}
	if !ans.found {
		return nil, fmt.Errorf("%w: asset %s", ErrNotFound, id)
	}
	v := &AssetView{Holders: []Holder{}, History: []app.Movement{}}
	if err := json.Unmarshal(ans.value, &v.Asset); err != nil {
		return nil, fmt.Errorf("decode asset: %w", err)
	}
	v.Title = "Asset " + id
	v.SupplyDisplay = formatUnits(v.Supply.String(), v.Decimals)
	{
		q := fmt.Sprintf("/holders/%s?limit=%d", pathArg(id), limit)
		if after := r.URL.Query().Get("after"); after != "" {
			if _, err := ledger.ParseAddress(after); err != nil {
				return nil, fmt.Errorf("%w: after: %v", ErrBadRequest, err)
			}
			q += "&after=" + after
		}
		if ans, err = rd.query(ctx, q); err != nil {
			return nil, err
		}
		var hs []ledger.Holding
		if err := decodeList(ans.value, &hs); err != nil {
			return nil, fmt.Errorf("decode holders: %w", err)
		}
		for i, h := range hs {
			hv := Holder{Address: h.Address.String(), Amount: h.Amount.String(), Display: formatUnits(h.Amount.String(), v.Decimals)}
			if v.Kind == ledger.Unique && i < assetItemHolders {
				ans, err := rd.query(ctx, fmt.Sprintf("/items/%s/%s?limit=%d", hv.Address, pathArg(id), assetItemsEach))
				if err != nil {
					return nil, err
				}
				if err := decodeList(ans.value, &hv.Items); err != nil {
					return nil, fmt.Errorf("decode items: %w", err)
				}
			}
			v.Holders = append(v.Holders, hv)
		}
		var p struct {
			Next string `json:"next"`
		}
		_ = json.Unmarshal(ans.value, &p)
		v.Next = p.Next
	}
	page, perPage := 1, assetHistory
	txs, err := s.chain.TxSearch(ctx, fmt.Sprintf("transfer.asset='%s'", id), false, &page, &perPage, "desc")
	if err == nil { // a node without a tx index still shows the asset
		for _, m := range app.Movements(txs.Txs, id) {
			if m.Amount != "" {
				m.Amount = formatUnits(m.Amount, v.Decimals)
			}
			v.History = append(v.History, m)
		}
	}
	v.CLI = []string{
		"riffchain query asset " + id + " --prove",
		"riffchain query holders " + id,
		"riffchain tx transfer TO AMOUNT " + id + " --from KEY",
	}
	return v, nil
}
