package main

// Everyday chain queries: a committed tx decoded (signer, nonce, each
// message in words and as JSON, events), a block (hash, time, proposer,
// txs; the hash is what --trust-hash wants), and who hosts a CID.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

func init() {
	extraQueryCommands = append(extraQueryCommands, qBlock, qHosts)
}

// parseTxHash parses a hex tx hash (as tx commands print it).
func parseTxHash(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(s), "0x"))
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("tx hash %q: want 64 hex digits, as txhash prints it", s)
	}
	return b, nil
}

func qTx() *cobra.Command {
	return &cobra.Command{
		Use:   "tx HASH",
		Short: "A committed transaction: result, signer, nonce, messages (in words and JSON), events",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hash, err := parseTxHash(args[0])
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			r, err := c.RPC.Tx(ctx, hash, false)
			if err != nil {
				out := map[string]any{"txhash": strings.ToUpper(args[0]), "found": false}
				return fail(out, 1, fmt.Errorf("%w: tx %s: %v", errNotFound, args[0], err))
			}
			out := map[string]any{
				"txhash": strings.ToUpper(hex.EncodeToString(r.Hash)), "height": r.Height, "index": r.Index,
				"code": r.TxResult.Code, "log": r.TxResult.Log, "gas_wanted": r.TxResult.GasWanted, "gas_used": r.TxResult.GasUsed,
				"events": eventsJSON(r.TxResult.Events), "result": map[string]any{},
			}
			if err := addDecodedTx(out, r.Tx); err != nil {
				return err
			}
			if len(r.TxResult.Data) > 0 {
				var data map[string]any
				if json.Unmarshal(r.TxResult.Data, &data) == nil {
					out["result"] = data
					for k, v := range data { // also at the top level, as before
						if _, taken := out[k]; !taken {
							out[k] = v
						}
					}
				}
			}
			return emit(out)
		},
	}
}

// addDecodedTx adds signer, nonce, memo, fee, chain_id and msgs (each
// type, value and summary) of the wire tx raw to out.
func addDecodedTx(out map[string]any, raw []byte) error {
	tx, err := app.DecodeTx(raw)
	if err != nil {
		return fmt.Errorf("decode tx: %w", err)
	}
	msgs := make([]map[string]any, 0, len(tx.Body.Msgs))
	for _, m := range tx.Body.Msgs {
		msgs = append(msgs, map[string]any{"type": m.Type, "value": m.Value, "summary": describeMsg(m)})
	}
	out["signer"], out["nonce"], out["chain_id"], out["memo"] = tx.Body.Signer.String(), tx.Body.Nonce, tx.Body.ChainID, tx.Body.Memo
	out["fee"] = nil
	if tx.Body.Fee != nil {
		out["fee"] = map[string]any{"asset": tx.Body.Fee.Asset, "amount": tx.Body.Fee.Amount.String()}
	}
	out["msgs"] = msgs
	return nil
}

// describeMsg says in words what a message does; unknown types are named
// with their JSON.
func describeMsg(m app.Msg) string {
	move := func(mv ledger.Move) string {
		if mv.Item != "" {
			return fmt.Sprintf("%s/%s to %s", mv.Asset, mv.Item, mv.To)
		}
		amt := "?"
		if mv.Amount != nil {
			amt = mv.Amount.String()
		}
		return fmt.Sprintf("%s %s to %s", amt, mv.Asset, mv.To)
	}
	switch m.Type {
	case "transfer":
		var mv ledger.Move
		if json.Unmarshal(m.Value, &mv) == nil {
			return "transfer " + move(mv)
		}
	case "multi-transfer":
		var mt ledger.MsgMultiTransfer
		if json.Unmarshal(m.Value, &mt) == nil {
			parts := make([]string, 0, len(mt.Moves))
			for _, mv := range mt.Moves {
				parts = append(parts, move(mv))
			}
			return "transfer " + strings.Join(parts, "; ")
		}
	case "asset/create":
		var c ledger.MsgCreateAsset
		if json.Unmarshal(m.Value, &c) == nil {
			return fmt.Sprintf("create %s asset %s (%q, %d decimals)", c.Kind, c.Symbol, c.Name, c.Decimals)
		}
	case "asset/mint":
		var mm ledger.MsgMint
		if json.Unmarshal(m.Value, &mm) == nil {
			if mm.Item != "" {
				return fmt.Sprintf("mint item %s/%s", mm.Asset, mm.Item)
			}
			if mm.Amount != nil {
				return fmt.Sprintf("mint %s %s", mm.Amount, mm.Asset)
			}
		}
	}
	return m.Type + " " + string(m.Value)
}

// eventsJSON renders ABCI events as [{type, attributes: {key: value}}].
func eventsJSON(evs []abci.Event) []map[string]any {
	out := make([]map[string]any, 0, len(evs))
	for _, e := range evs {
		attrs := map[string]string{}
		for _, a := range e.Attributes {
			attrs[a.Key] = a.Value
		}
		out = append(out, map[string]any{"type": e.Type, "attributes": attrs})
	}
	return out
}

func qBlock() *cobra.Command {
	return &cobra.Command{
		Use:   "block [HEIGHT]",
		Short: "A block: hash (for --trust-hash), time, proposer, app hash, its txs (default the latest)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var height *int64
			if len(args) == 1 {
				h, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil || h < 1 {
					return fmt.Errorf("height %q: want a block height (1, 2, ...)", args[0])
				}
				height = &h
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			b, err := c.RPC.Block(ctx, height)
			if err != nil {
				return fmt.Errorf("block: %w", err)
			}
			txs := make([]map[string]any, 0, len(b.Block.Txs))
			for _, raw := range b.Block.Txs {
				t := map[string]any{"txhash": strings.ToUpper(hex.EncodeToString(raw.Hash()))}
				if tx, err := app.DecodeTx(raw); err == nil {
					t["signer"], t["nonce"] = tx.Body.Signer.String(), tx.Body.Nonce
					sums := make([]string, 0, len(tx.Body.Msgs))
					for _, m := range tx.Body.Msgs {
						sums = append(sums, describeMsg(m))
					}
					t["msgs"] = sums
				}
				txs = append(txs, t)
			}
			h := b.Block.Header
			return emit(map[string]any{
				"height": h.Height, "hash": b.BlockID.Hash.String(), "time": h.Time.UTC().Format(time.RFC3339Nano),
				"proposer": h.ProposerAddress.String(), "app_hash": h.AppHash.String(), "chain_id": h.ChainID,
				"num_txs": len(txs), "txs": txs,
			})
		},
	}
}

func qHosts() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use:   "hosts CID",
		Short: "Who hosts a CID (announced with tx seed announce), in address order, paged",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cid := args[0]
			if _, err := lens.CanonicalCID(cid); err != nil {
				return fmt.Errorf("%q is not a CID", cid)
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			var ans lens.HostsAnswer
			decode := func(v []byte) ([]app.KV, error) {
				var got lens.HostsAnswer
				if err := json.Unmarshal(v, &got); err != nil {
					return nil, fmt.Errorf("decode hosts: %w", err)
				}
				ans = got
				return ans.KVs(cid), nil
			}
			a, err := f.queryDecoded(ctx, "/hosts/"+url.PathEscape(cid)+"?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"cid": cid, "hosts": nonNil(ans.Entries), "count": ans.Count, "next": ans.Next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this address (from a previous page's next)")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	f.register(c, true)
	return c
}
