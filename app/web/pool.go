package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/riffchain/riffchain/app/verify"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

// PoolView is the answer of /api/v1/pool/ID: the fields `riffchain query
// pool -o json` prints, with reserves for people, and a quote when the
// request carries one (?in=AMOUNT&asset_in=A or ?out=AMOUNT&asset_out=B).
type PoolView struct {
	Meta
	PoolID        string            `json:"pool_id"`
	AssetA        string            `json:"asset_a"`
	AssetB        string            `json:"asset_b"`
	Reserves      map[string]string `json:"reserves"`
	ReserveA      string            `json:"reserve_a"`
	ReserveB      string            `json:"reserve_b"`
	ReserveADisp  string            `json:"reserve_a_display"`
	ReserveBDisp  string            `json:"reserve_b_display"`
	FeeBps        uint32            `json:"fee_bps"`
	ShareAsset    string            `json:"share_asset"`
	TotalShares   string            `json:"total_shares"`
	SharesDisplay string            `json:"total_shares_display"`
	Account       string            `json:"account"`
	Creator       string            `json:"creator"`
	CreatedHeight int64             `json:"created_height"`
	PriceBA       string            `json:"price_b_per_a"`
	PriceBAE18    string            `json:"price_b_per_a_e18"`
	PriceDisplay  string            `json:"price_display"`
	Quote         *QuoteView        `json:"quote,omitempty"`
}

// QuoteView is the answer of /api/v1/quote: the app's quote (best path)
// with its amounts for people.
type QuoteView struct {
	Meta
	pools.Quote
	In  string `json:"in_display"`
	Out string `json:"out_display"`
}

func (s *Server) loadPool(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	id := r.PathValue("id")
	if id == "" || len(id) > 64 {
		return nil, fmt.Errorf("%w: bad pool id", ErrBadRequest)
	}
	ans, err := rd.query(ctx, "/pool/"+pathArg(id))
	if err != nil {
		return nil, err
	}
	if !ans.found {
		return nil, fmt.Errorf("%w: pool %s", ErrNotFound, id)
	}
	var pv pools.PoolView
	if err := json.Unmarshal(ans.value, &pv); err != nil {
		return nil, fmt.Errorf("decode pool: %w", err)
	}
	v := &PoolView{PoolID: pv.ID, AssetA: pv.AssetA, AssetB: pv.AssetB, Reserves: map[string]string{},
		ReserveA: pv.ReserveA.String(), ReserveB: pv.ReserveB.String(), FeeBps: pv.FeeBps, ShareAsset: pv.ShareAsset,
		TotalShares: pv.TotalShares.String(), Account: pv.Account.String(), Creator: pv.Creator.String(),
		CreatedHeight: pv.CreatedHeight, PriceBA: pv.PriceBA, PriceBAE18: pv.PriceBAE18}
	for k, a := range pv.Reserves {
		v.Reserves[k] = a.String()
	}
	v.ReserveADisp = rd.amountText(ctx, v.ReserveA, v.AssetA)
	v.ReserveBDisp = rd.amountText(ctx, v.ReserveB, v.AssetB)
	v.SharesDisplay = rd.amountText(ctx, v.TotalShares, v.ShareAsset)
	v.PriceDisplay = priceDisplay(rd, ctx, pv.PriceBAE18, v.AssetA, v.AssetB)
	v.Title = fmt.Sprintf("Pool %s (%s/%s)", id, v.AssetA, v.AssetB)
	q := r.URL.Query()
	if q.Get("in") != "" || q.Get("out") != "" {
		qv, err := quote(ctx, rd, q)
		if err != nil {
			return nil, err
		}
		v.Quote = qv
	}
	v.CLI = []string{
		"riffchain query pool " + id + " --prove",
		"riffchain tx pool swap " + id + " --in AMOUNT " + v.AssetA + " --min-out N --from KEY",
		"riffchain tx pool add " + id + " --amount-a N --amount-b M --min-shares S --from KEY",
	}
	if v.Quote != nil {
		qu := v.Quote
		v.CLI = append(v.CLI, fmt.Sprintf("riffchain query quote --in %s %s --out %s", qu.AmountIn, qu.AssetIn, qu.AssetOut))
	}
	return v, nil
}

// priceDisplay is the spot price of one whole A in B, from the e18 price
// of base units, corrected for both assets' decimals.
func priceDisplay(rd *reader, ctx context.Context, e18, a, b string) string {
	da, db := uint8(0), uint8(0)
	if x := rd.asset(ctx, a); x != nil {
		da = x.Decimals
	}
	if x := rd.asset(ctx, b); x != nil {
		db = x.Decimals
	}
	return verify.PriceText(e18, a, b, da, db)
}

func (s *Server) loadQuote(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	return quote(ctx, rd, r.URL.Query())
}

// quote asks the app's /quote with amounts people typed (decimals applied
// here): in=AMOUNT&asset_in=A&asset_out=B (exact in) or
// out=AMOUNT&asset_out=B&asset_in=A (exact out).
func quote(ctx context.Context, rd *reader, q url.Values) (*QuoteView, error) {
	in, out, ain, aout := q.Get("in"), q.Get("out"), q.Get("asset_in"), q.Get("asset_out")
	if (in == "") == (out == "") || ain == "" || aout == "" {
		return nil, fmt.Errorf("%w: a quote needs asset_in, asset_out and exactly one of in= and out=", ErrBadRequest)
	}
	aq := url.Values{"asset_in": {ain}, "asset_out": {aout}}
	if in != "" {
		base, err := parseUnits(rd, ctx, in, ain)
		if err != nil {
			return nil, err
		}
		aq.Set("in", base)
	} else {
		base, err := parseUnits(rd, ctx, out, aout)
		if err != nil {
			return nil, err
		}
		aq.Set("out", base)
	}
	ans, err := rd.query(ctx, "/quote?"+aq.Encode())
	if err != nil {
		return nil, err
	}
	if !ans.found {
		return nil, fmt.Errorf("%w: no pool path from %s to %s", ErrNotFound, ain, aout)
	}
	v := &QuoteView{}
	if err := json.Unmarshal(ans.value, &v.Quote); err != nil {
		return nil, fmt.Errorf("decode quote: %w", err)
	}
	v.In = rd.amountText(ctx, v.AmountIn.String(), v.AssetIn)
	v.Out = rd.amountText(ctx, v.AmountOut.String(), v.AssetOut)
	v.Title = "Quote"
	v.CLI = []string{fmt.Sprintf("riffchain query quote --in %s %s --out %s", v.AmountIn, v.AssetIn, v.AssetOut)}
	return v, nil
}

// parseUnits reads an amount a person typed ("2.5") in asset's decimals
// and returns it in base units.
func parseUnits(rd *reader, ctx context.Context, s, asset string) (string, error) {
	dec := uint8(0)
	if a := rd.asset(ctx, asset); a != nil {
		dec = a.Decimals
	}
	whole, frac, _ := cutDot(s)
	if len(frac) > int(dec) {
		return "", fmt.Errorf("%w: %q has more than %d decimals", ErrBadRequest, s, dec)
	}
	for len(frac) < int(dec) {
		frac += "0"
	}
	base := strings.TrimLeft(whole+frac, "0")
	if base == "" {
		base = "0"
	}
	amt, err := ledger.ParseAmount(base)
	if err != nil {
		return "", fmt.Errorf("%w: amount %q: %v", ErrBadRequest, s, err)
	}
	return amt.String(), nil
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
