package main

// What a sent transaction did, in words, for the "summary" field of a tx
// result (printed first in text output): "settled agreement 9dfd…: sent
// 1,000 RIFF riff1hw…3a3 → riff1m0…dyd; handed over ACME-1 …".

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// shortAddr abbreviates an address for a sentence: riff1abcd…wxyz.
func shortAddr(a ledger.Address) string {
	s := a.String()
	if len(s) <= 16 {
		return s
	}
	return s[:9] + "…" + s[len(s)-4:]
}

// amountWords renders an amount of asset for a sentence, in display units
// when the decimals are known ("1,000.5 RIFF").
func amountWords(amt ledger.Amount, asset string) string {
	if d := displayOf(amt, asset, true); d != "" {
		return d
	}
	return amt.String() + " " + asset
}

// stringAmountWords is amountWords for a base-unit amount given as a
// decimal string (a tx output field).
func stringAmountWords(amount, asset string) string {
	if a, err := ledger.ParseAmount(amount); err == nil {
		return amountWords(a, asset)
	}
	return amount + " " + asset
}

// txSummary says what the tx of raw did, given its result out.
func txSummary(raw []byte, out map[string]any) string {
	if code, _ := out["code"].(uint32); code != 0 {
		return fmt.Sprintf("refused (code %d): %v", code, out["log"])
	}
	tx, err := app.DecodeTx(raw)
	if err != nil {
		return ""
	}
	parts := make([]string, 0, len(tx.Body.Msgs))
	for _, m := range tx.Body.Msgs {
		parts = append(parts, msgWords(m, out))
	}
	return strings.Join(parts, "; ")
}

// msgWords says what one message did (out: the tx result's fields).
func msgWords(m app.Msg, out map[string]any) string {
	str := func(k string) string { s, _ := out[k].(string); return s }
	move := func(mv ledger.Move) string {
		if mv.Item != "" {
			return fmt.Sprintf("%s/%s to %s", mv.Asset, mv.Item, shortAddr(mv.To))
		}
		if mv.Amount == nil {
			return mv.Asset + " to " + shortAddr(mv.To)
		}
		return amountWords(*mv.Amount, mv.Asset) + " to " + shortAddr(mv.To)
	}
	switch m.Type {
	case "transfer":
		var mv ledger.Move
		if json.Unmarshal(m.Value, &mv) == nil {
			return "sent " + move(mv)
		}
	case "multi-transfer":
		var mt ledger.MsgMultiTransfer
		if json.Unmarshal(m.Value, &mt) == nil {
			ws := make([]string, 0, len(mt.Moves))
			for _, mv := range mt.Moves {
				ws = append(ws, move(mv))
			}
			return "sent " + strings.Join(ws, ", ")
		}
	case "asset/create":
		return "created asset " + str("asset_id")
	case "asset/mint":
		var mm ledger.MsgMint
		if json.Unmarshal(m.Value, &mm) == nil {
			if mm.Item != "" {
				return fmt.Sprintf("minted item %s/%s", mm.Asset, mm.Item)
			}
			if mm.Amount != nil {
				return "minted " + amountWords(*mm.Amount, mm.Asset)
			}
		}
	case agreements.TypeSubmit, agreements.TypePropose:
		var body agreements.Body
		if m.Type == agreements.TypeSubmit {
			var f agreements.File
			if json.Unmarshal(m.Value, &f) == nil {
				body = f.Body
			}
		} else {
			var p agreements.MsgPropose
			if json.Unmarshal(m.Value, &p) == nil {
				body = p.Body
			}
		}
		return fmt.Sprintf("%s agreement %s: %s", orWord(str("status"), "sent"), shortID(str("agreement_id")), actionsWords(body.Actions))
	case "pool/swap":
		return fmt.Sprintf("swapped %s for %s via %s", stringAmountWords(str("amount_in"), str("asset_in")), stringAmountWords(str("amount_out"), str("asset_out")), str("path"))
	case "pool/create":
		var mc pools.MsgCreate
		if json.Unmarshal(m.Value, &mc) == nil {
			return fmt.Sprintf("created pool %s with %s and %s for %s", str("pool_id"), amountWords(mc.AmountA, mc.AssetA), amountWords(mc.AmountB, mc.AssetB),
				stringAmountWords(str("shares"), str("share_asset")))
		}
	case "pool/add", "pool/remove":
		shares := str("shares") + " shares"
		if v, _, _, err := fetchPool(str("pool_id")); err == nil && v != nil { // cmd_pool.go: the share asset's decimals
			shares = stringAmountWords(str("shares"), v.ShareAsset)
		}
		assets := stringAmountWords(str("amount_a"), str("asset_a")) + " and " + stringAmountWords(str("amount_b"), str("asset_b"))
		if m.Type == "pool/remove" {
			return fmt.Sprintf("removed %s from %s for %s", shares, str("pool_id"), assets)
		}
		return fmt.Sprintf("added %s to %s for %s", assets, str("pool_id"), shares)
	case "asset/burn":
		var mb ledger.MsgBurn
		if json.Unmarshal(m.Value, &mb) == nil {
			if mb.Item != "" {
				return fmt.Sprintf("burned item %s/%s", mb.Asset, mb.Item)
			}
			if mb.Amount != nil {
				return "burned " + amountWords(*mb.Amount, mb.Asset)
			}
		}
	case "asset/transfer-issuer":
		var mt ledger.MsgTransferIssuer
		if json.Unmarshal(m.Value, &mt) == nil {
			what := "issuer rights"
			if mt.Holdings {
				what += " and holdings"
			}
			return fmt.Sprintf("handed %s %s to %s", mt.Asset, what, shortAddr(mt.To))
		}
	case lens.TypeGrant:
		var mg lens.MsgGrant
		if json.Unmarshal(m.Value, &mg) == nil {
			return fmt.Sprintf("granted %s %s in Lens %s", shortAddr(mg.Address), mg.Role, mg.Lens)
		}
	case lens.TypeRevoke:
		var mr lens.MsgRevoke
		if json.Unmarshal(m.Value, &mr) == nil {
			return fmt.Sprintf("revoked %s's role in Lens %s", shortAddr(mr.Address), mr.Lens)
		}
	case lens.TypeEditEntry, lens.TypeRemoveEntry:
		var me lens.MsgRemoveEntry // lens and seq, which both carry
		if json.Unmarshal(m.Value, &me) == nil {
			verb := "edited"
			if m.Type == lens.TypeRemoveEntry {
				verb = "removed"
			}
			return fmt.Sprintf("%s entry %d of Lens %s", verb, me.Seq, me.Lens)
		}
	case lens.TypeUnfollow:
		var mu lens.MsgUnfollow
		if json.Unmarshal(m.Value, &mu) == nil {
			return fmt.Sprintf("Lens %s no longer follows %s", mu.Lens, mu.Target)
		}
	case lens.TypeBlock, lens.TypeUnblock:
		var mb lens.MsgBlock // MsgUnblock has the same fields
		if json.Unmarshal(m.Value, &mb) == nil {
			verb := "blocks"
			if m.Type == lens.TypeUnblock {
				verb = "no longer blocks"
			}
			return fmt.Sprintf("Lens %s %s %s", mb.Lens, verb, mb.CID+mb.Target)
		}
	case lens.TypeAnnounce:
		return fmt.Sprintf("announced hosting %v CIDs", out["announced"])
	case lens.TypeWithdraw:
		return fmt.Sprintf("withdrew hosting of %v CIDs", out["withdrawn"])
	case lens.TypeCreate:
		return "created Lens " + str("lens")
	case lens.TypeAddEntry:
		return fmt.Sprintf("added entry %v to Lens %s", out["seq"], str("lens"))
	case lens.TypeFollow:
		return fmt.Sprintf("Lens %s follows %s (weight %v ppm)", str("lens"), str("target"), out["weight"])
	}
	if strings.HasPrefix(m.Type, "agreement/") {
		return fmt.Sprintf("%s: agreement %s is %s", strings.TrimPrefix(m.Type, "agreement/"), shortID(str("agreement_id")), orWord(str("status"), "updated"))
	}
	return m.Type + " done"
}

func orWord(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}

// actionsWords lists an agreement's actions: "1,000 RIFF A → B, ACME-1
// issuer rights and holdings A → B".
func actionsWords(actions []agreements.Action) string {
	ws := make([]string, 0, len(actions))
	for _, a := range actions {
		switch {
		case a.Transfer != nil:
			t := a.Transfer
			what := t.Asset + "/" + t.Item
			if t.Amount != nil {
				what = amountWords(*t.Amount, t.Asset)
			}
			ws = append(ws, fmt.Sprintf("%s %s → %s", what, shortAddr(t.From), shortAddr(t.To)))
		case a.HandOver != nil:
			h := a.HandOver
			what := h.Asset + " issuer rights"
			if h.Holdings {
				what += " and holdings"
			}
			ws = append(ws, fmt.Sprintf("%s %s → %s", what, shortAddr(h.From), shortAddr(h.To)))
		case a.PoolSwap != nil:
			p := a.PoolSwap
			ws = append(ws, fmt.Sprintf("%s swaps %s in %s", shortAddr(p.Trader), amountWords(p.AmountIn, p.AssetIn), p.Pool))
		case a.LensTransfer != nil:
			l := a.LensTransfer
			ws = append(ws, fmt.Sprintf("Lens %s %s → %s", l.Lens, shortAddr(l.From), shortAddr(l.To)))
		}
	}
	return strings.Join(ws, ", ")
}
