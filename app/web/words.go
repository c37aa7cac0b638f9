package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/contracts/agreements"
)

// Messages in words: what a person reads on the overview, tx and block
// pages instead of JSON ("alice… transferred 2.5 ACME to bob…").

// maxWordsMsgs bounds the messages of one tx put into words; the rest are
// counted.
const maxWordsMsgs = 16

// txWords decodes raw tx bytes and says each message in words. A tx that
// does not decode says so.
func (r *reader) txWords(ctx context.Context, raw []byte) (signer string, words []string) {
	tx, err := app.DecodeTx(raw)
	if err != nil {
		return "", []string{"undecodable transaction: " + err.Error()}
	}
	signer = tx.Body.Signer.String()
	for i, m := range tx.Body.Msgs {
		if i == maxWordsMsgs {
			words = append(words, fmt.Sprintf("… and %d more messages", len(tx.Body.Msgs)-i))
			break
		}
		words = append(words, r.msgWords(ctx, signer, m))
	}
	return signer, words
}

// fields is a message value read loosely, for wording only.
type fields map[string]any

func (f fields) s(k string) string {
	switch v := f[k].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// msgWords says one message in words; unknown types say their type.
func (r *reader) msgWords(ctx context.Context, signer string, m app.Msg) string {
	var f fields
	_ = json.Unmarshal(m.Value, &f)
	who := short(signer)
	amt := func(amount, asset string) string { return r.amountText(ctx, amount, asset) }
	switch m.Type {
	case "transfer":
		if f.s("item") != "" {
			return fmt.Sprintf("%s transferred %s/%s to %s", who, f.s("asset"), f.s("item"), short(f.s("to")))
		}
		return fmt.Sprintf("%s transferred %s to %s", who, amt(f.s("amount"), f.s("asset")), short(f.s("to")))
	case "multi-transfer":
		var mt struct {
			Moves []fields `json:"moves"`
		}
		_ = json.Unmarshal(m.Value, &mt)
		parts := []string{}
		for i, mv := range mt.Moves {
			if i == 4 {
				parts = append(parts, fmt.Sprintf("%d more", len(mt.Moves)-i))
				break
			}
			if mv.s("item") != "" {
				parts = append(parts, fmt.Sprintf("%s/%s to %s", mv.s("asset"), mv.s("item"), short(mv.s("to"))))
			} else {
				parts = append(parts, fmt.Sprintf("%s to %s", amt(mv.s("amount"), mv.s("asset")), short(mv.s("to"))))
			}
		}
		return fmt.Sprintf("%s transferred %s", who, strings.Join(parts, ", "))
	case "asset/create":
		return fmt.Sprintf("%s created the %s asset %s (%s decimals)", who, orWord(f.s("kind"), "fungible"), f.s("symbol"), orWord(f.s("decimals"), "0"))
	case "asset/mint":
		to := orWord(f.s("to"), signer)
		if f.s("item") != "" {
			return fmt.Sprintf("%s minted %s/%s to %s", who, f.s("asset"), f.s("item"), short(to))
		}
		return fmt.Sprintf("%s minted %s to %s", who, amt(f.s("amount"), f.s("asset")), short(to))
	case "asset/burn":
		if f.s("item") != "" {
			return fmt.Sprintf("%s burned %s/%s", who, f.s("asset"), f.s("item"))
		}
		return fmt.Sprintf("%s burned %s", who, amt(f.s("amount"), f.s("asset")))
	case "asset/transfer-issuer":
		return fmt.Sprintf("%s handed the issuer rights of %s to %s", who, f.s("asset"), short(f.s("to")))
	case "pool/create":
		return fmt.Sprintf("%s created a pool of %s and %s", who, amt(f.s("amount_a"), f.s("asset_a")), amt(f.s("amount_b"), f.s("asset_b")))
	case "pool/add":
		return fmt.Sprintf("%s added liquidity to pool %s", who, f.s("pool"))
	case "pool/remove":
		return fmt.Sprintf("%s removed %s shares from pool %s", who, f.s("shares"), f.s("pool"))
	case "pool/swap":
		if f.s("amount_in") != "" {
			return fmt.Sprintf("%s swapped %s through pool %s", who, amt(f.s("amount_in"), f.s("asset_in")), f.s("path"))
		}
		return fmt.Sprintf("%s swapped %s for exactly %s out through pool %s", who, f.s("asset_in"), f.s("amount_out"), f.s("path"))
	case "lens/create":
		return fmt.Sprintf("%s created the Lens %s (%q)", who, f.s("handle"), f.s("name"))
	case "lens/add-entry":
		return fmt.Sprintf("%s added the %s %q to Lens %s", who, f.s("kind"), f.s("title"), f.s("lens"))
	case "lens/follow":
		w, _ := strconv.ParseUint(f.s("weight"), 10, 32)
		return fmt.Sprintf("Lens %s follows %s with weight %s", f.s("lens"), f.s("target"), ppmText(w))
	case "lens/unfollow":
		return fmt.Sprintf("Lens %s unfollowed %s", f.s("lens"), f.s("target"))
	case "lens/grant":
		return fmt.Sprintf("%s made %s %s of Lens %s", who, short(f.s("address")), f.s("role"), f.s("lens"))
	case "seed/announce", "seed/withdraw":
		var c struct {
			CIDs []string `json:"cids"`
		}
		_ = json.Unmarshal(m.Value, &c)
		verb := "hosts"
		if m.Type == "seed/withdraw" {
			verb = "no longer hosts"
		}
		return fmt.Sprintf("%s %s %d content item(s)", who, verb, len(c.CIDs))
	case "agreement/submit", "agreement/propose":
		var b struct {
			Body agreements.Body `json:"body"`
		}
		_ = json.Unmarshal(m.Value, &b)
		verb := "submitted"
		if m.Type == "agreement/propose" {
			verb = "proposed"
		}
		return fmt.Sprintf("%s %s the agreement %q between %d parties", who, verb, b.Body.Title, len(b.Body.Parties))
	case "agreement/accept", "agreement/reject", "agreement/withdraw", "agreement/execute":
		verb := map[string]string{"agreement/accept": "accepted", "agreement/reject": "rejected",
			"agreement/withdraw": "withdrew", "agreement/execute": "executed"}[m.Type]
		return fmt.Sprintf("%s %s agreement %s", who, verb, short(f.s("id")))
	case "agreement/attest":
		return fmt.Sprintf("%s attested obligation %s of agreement %s", who, f.s("obligation"), short(f.s("id")))
	case "lens/revoke":
		return fmt.Sprintf("%s revoked the role of %s in Lens %s", who, short(f.s("address")), f.s("lens"))
	case "collective/create":
		var c struct {
			Members []string `json:"members"`
		}
		_ = json.Unmarshal(m.Value, &c)
		return fmt.Sprintf("%s created a collective of %d members, %s to sign", who, len(c.Members), f.s("threshold"))
	case "collective/leave":
		return fmt.Sprintf("%s left the collective %s", who, short(f.s("collective")))
	}
	return fmt.Sprintf("%s sent %s", who, m.Type)
}

func orWord(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// actionWords says an agreement action in words.
func (r *reader) actionWords(ctx context.Context, a agreements.Action) string {
	switch {
	case a.Transfer != nil:
		t := a.Transfer
		if t.Item != "" {
			return fmt.Sprintf("%s gives %s/%s to %s", short(t.From.String()), t.Asset, t.Item, short(t.To.String()))
		}
		amount := ""
		if t.Amount != nil {
			amount = t.Amount.String()
		}
		return fmt.Sprintf("%s pays %s to %s", short(t.From.String()), r.amountText(ctx, amount, t.Asset), short(t.To.String()))
	case a.HandOver != nil:
		h := a.HandOver
		s := fmt.Sprintf("%s hands the issuer rights of %s to %s", short(h.From.String()), h.Asset, short(h.To.String()))
		if h.Holdings {
			s += ", with all its holdings"
		}
		return s
	case a.PoolSwap != nil:
		p := a.PoolSwap
		return fmt.Sprintf("%s swaps %s in pool %s", short(p.Trader.String()), r.amountText(ctx, p.AmountIn.String(), p.AssetIn), p.Pool)
	case a.LensTransfer != nil:
		l := a.LensTransfer
		return fmt.Sprintf("%s gives the Lens %s to %s", short(l.From.String()), l.Lens, short(l.To.String()))
	}
	return "an action this explorer cannot read"
}
