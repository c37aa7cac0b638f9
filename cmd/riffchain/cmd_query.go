package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
)

// queryFlags are shared by every query command.
type queryFlags struct {
	height int64
	prove  bool
	maxAge int64
	// Trusted header for light-client verification (cmd_query_light.go).
	trustHeight int64
	trustHash   string
	witnesses   []string
	trustNode   bool
}

func (f *queryFlags) register(c *cobra.Command, provable bool) {
	c.Flags().Int64Var(&f.height, "height", 0, "state height to query (0 = latest)")
	if provable {
		c.Flags().BoolVar(&f.prove, "prove", false, "verify the answer's Merkle proof against a signed header's app hash")
		c.Flags().Int64Var(&f.maxAge, "max-age", client.DefaultMaxAge, "with --prove and no --height: how many blocks the answer may lag the newest height known")
		f.registerLight(c)
	}
}

// errNotFound marks a query that found nothing (exit status 1).
var errNotFound = errors.New("not found")

// answer is a query's raw result.
type answer struct {
	value  []byte
	height int64
	code   uint32
	log    string
	proven bool
}

// query runs path, verifying proofs when f.prove. expect maps the answer
// to the key/values its proofs must show, derived from the question (see
// client.Expect); it is only called with --prove.
func (f *queryFlags) query(ctx context.Context, path string, expect client.Expect) (*answer, error) {
	c, err := newClient()
	if err != nil {
		return nil, err
	}
	if f.prove {
		roots, err := f.rootSource(ctx, c)
		if err != nil {
			return nil, err
		}
		a, err := c.QueryVerified(ctx, roots, path, client.ProveOpts{Height: f.height, MaxAge: f.maxAge}, expect)
		if err != nil {
			return nil, err
		}
		return &answer{value: a.Value, height: a.Height, code: a.Code, log: a.Log, proven: a.Proven}, nil
	}
	res, err := c.Query(ctx, path, client.QueryOpts{Height: f.height})
	if err != nil {
		return nil, err
	}
	r := res.Response
	return &answer{value: r.Value, height: r.Height, code: r.Code, log: r.Log}, nil
}

// finish prints out (adding height and proof_verified) and maps the code.
func (a *answer) finish(out map[string]any) error {
	out["height"] = a.height
	out["proof_verified"] = a.proven
	switch a.code {
	case 0:
		return emit(out)
	case app.CodeNotFound:
		out["found"] = false
		return fail(out, 1, fmt.Errorf("%w: %s", errNotFound, a.log))
	default:
		out["code"], out["log"] = a.code, a.log
		return fail(out, 1, fmt.Errorf("query failed: code %d: %s", a.code, a.log))
	}
}

func newQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Query state (with --prove: Merkle-proven)"}
	c.AddCommand(qAccount(), qBalance(), qBalances(), qOwner(), qAsset(), qHolders(), qItems(), qHistory(), qTx())
	for _, add := range extraQueryCommands {
		c.AddCommand(add())
	}
	return c
}

// extraQueryCommands are added under "query" by further modules' files.
var extraQueryCommands []func() *cobra.Command

func qAccount() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use: "account ADDRESS|KEY", Short: "An account's public key and nonce", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			out := map[string]any{"address": addr.String()}
			return f.queryPrint("/account/"+addr.String(), ledger.AccountKey(addr), out, func(v []byte) (map[string]any, error) {
				var acc ledger.Account
				if err := json.Unmarshal(v, &acc); err != nil {
					return nil, fmt.Errorf("decode account: %w", err)
				}
				out["nonce"], out["pub_key"] = acc.Nonce, acc.PubKey
				return out, nil
			})
		},
	}
	f.register(c, true)
	return c
}

func qBalance() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use: "balance ADDRESS|KEY ASSET", Short: "An account's balance of one asset",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return fmt.Errorf("give the asset too: riffchain query balance %s RIFF (riffchain query balances %s lists every asset it holds)", args[0], args[0])
			}
			return cobra.ExactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.query(ctx, "/balance/"+addr.String()+"/"+url.PathEscape(args[1]), client.ExpectKey(ledger.BalanceKey(addr, args[1])))
			if err != nil {
				return err
			}
			amount := "0"
			if len(a.value) > 0 {
				amount = string(a.value)
			}
			out := map[string]any{"address": addr.String(), "asset": args[1], "amount": amount}
			if amt, err := ledger.ParseAmount(amount); err == nil && a.code == 0 {
				out["display"] = displayOf(amt, args[1], false) // amounts.go
			}
			return a.finish(out)
		},
	}
	f.register(c, true)
	return c
}

func qBalances() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use: "balances ADDRESS|KEY", Short: "An account's balances, in asset order, paged", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			var hs []ledger.Holding
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var kvs []app.KV
				var err error
				kvs, next, err = holdingsKVs(v, &hs, func(h ledger.Holding) []byte { return ledger.BalanceKey(addr, h.Asset) })
				return kvs, err
			}
			a, err := f.queryDecoded(ctx, "/balances/"+addr.String()+"?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"address": addr.String(), "balances": holdingsWithDisplay(hs), "next": next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this asset id (from a previous page's next)")
	c.Flags().IntVar(&limit, "limit", app.DefaultPageLimit, fmt.Sprintf("page size (1..%d)", app.MaxPageLimit))
	f.register(c, true)
	return c
}

// holdingsKVs decodes a page of holdings into out and returns the
// key/values its proofs must show and the page's next cursor.
func holdingsKVs(v []byte, out *[]ledger.Holding, key func(ledger.Holding) []byte) ([]app.KV, string, error) {
	p, err := parseListPage(v, "list")
	if err != nil {
		return nil, "", err
	}
	var kvs []app.KV
	*out = (*out)[:0]
	for _, e := range p.Entries {
		var h ledger.Holding
		if err := json.Unmarshal(e, &h); err != nil {
			return nil, "", fmt.Errorf("decode entry: %w", err)
		}
		*out = append(*out, h)
		if key != nil {
			kvs = append(kvs, app.KV{Key: key(h), Value: []byte(h.Amount.String())})
		}
	}
	return kvs, p.Next, nil
}

func qOwner() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use: "owner ASSET/ITEM", Short: "The owner of a unique item", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asset, item, ok := parseItemRef(args[0])
			if !ok {
				return fmt.Errorf("%q: want ASSET/ITEM", args[0])
			}
			out := map[string]any{"asset": asset, "item": item}
			return f.queryPrint("/owner/"+url.PathEscape(asset)+"/"+url.PathEscape(item), ledger.ItemKey(asset, item), out, func(v []byte) (map[string]any, error) {
				var it ledger.Item
				if err := json.Unmarshal(v, &it); err != nil {
					return nil, fmt.Errorf("decode item: %w", err)
				}
				out["owner"], out["cid"] = it.Owner.String(), it.CID
				return out, nil
			})
		},
	}
	f.register(c, true)
	return c
}

func qAsset() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use: "asset ID", Short: "An asset's definition and supply", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.queryMerged("/asset/"+url.PathEscape(args[0]), ledger.AssetKey(args[0]), "asset", map[string]any{"id": args[0]})
		},
	}
	f.register(c, true)
	return c
}

func qHolders() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use: "holders ASSET", Short: "An asset's holders, in address order, paged", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxTimeout()
			defer cancel()
			var hs []ledger.Holding
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var kvs []app.KV
				var err error
				kvs, next, err = holdingsKVs(v, &hs, func(h ledger.Holding) []byte { return ledger.HolderKey(args[0], h.Address) })
				return kvs, err
			}
			a, err := f.queryDecoded(ctx, "/holders/"+url.PathEscape(args[0])+"?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"asset": args[0], "holders": holdingsWithDisplay(hs), "next": next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this address (from a previous page's next)")
	c.Flags().IntVar(&limit, "limit", app.DefaultPageLimit, fmt.Sprintf("page size (1..%d)", app.MaxPageLimit))
	f.register(c, true)
	return c
}

func qItems() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use: "items ADDRESS|KEY ASSET", Short: "The items of a unique class an account owns, paged", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.query(ctx, "/items/"+addr.String()+"/"+url.PathEscape(args[1])+"?"+pageValues(limit, after).Encode(), nil)
			if err != nil {
				return err
			}
			p, err := parseListPage(a.value, "items")
			if err != nil {
				return err
			}
			items := []string{}
			for _, e := range p.Entries {
				var s string
				_ = json.Unmarshal(e, &s)
				items = append(items, s)
			}
			return a.finish(map[string]any{"address": addr.String(), "asset": args[1], "items": items, "next": p.Next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this item id (from a previous page's next)")
	c.Flags().IntVar(&limit, "limit", app.DefaultPageLimit, fmt.Sprintf("page size (1..%d)", app.MaxPageLimit))
	f.register(c, false)
	return c
}

func qHistory() *cobra.Command {
	var page, perPage int
	c := &cobra.Command{
		Use: "history ASSET", Short: "An asset's transfers, mints, burns and issuer changes (from the tx index)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !ledger.ValidAssetID(args[0]) {
				return fmt.Errorf("%w: %q", ledger.ErrUnknownAsset, args[0])
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			res, err := c.RPC.TxSearch(ctx, fmt.Sprintf("transfer.asset='%s'", args[0]), false, &page, &perPage, "asc")
			if err != nil {
				return fmt.Errorf("tx_search: %w", err)
			}
			entries := app.Movements(res.Txs, args[0])
			return emit(map[string]any{"asset": args[0], "transfers": entries, "total_txs": res.TotalCount, "page": page})
		},
	}
	c.Flags().IntVar(&page, "page", 1, "page of matching transactions")
	c.Flags().IntVar(&perPage, "limit", 100, "transactions per page (at most 100)")
	return c
}
