package main

// CLI of the exchange pools module: `riffchain tx pool create|add|remove|swap`
// and `riffchain query pool|pools|quote`. The rules are in spec/pools.md.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/contracts/pools"
)

func init() {
	extraTxCommands = append(extraTxCommands, newPoolTxCmd)
	extraQueryCommands = append(extraQueryCommands, qPool, qPools, qQuote)
}

func newPoolTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "pool", Short: "Create exchange pools, add and remove liquidity, swap"}
	c.AddCommand(newPoolCreateCmd(), newPoolAddCmd(), newPoolRemoveCmd(), newPoolSwapCmd())
	return c
}

func newPoolCreateCmd() *cobra.Command {
	var f txFlags
	var amountA, amountB string
	var fee uint32
	c := &cobra.Command{
		Use:   "create ASSET_A ASSET_B --amount-a N --amount-b M [--fee-bps F]",
		Short: "Create the pool of a pair and fee tier with its first deposit; prints pool_id and shares",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var p amountFlags
			a, b := p.requiredOf("amount-a", amountA, args[0]), p.requiredOf("amount-b", amountB, args[1])
			if p.err != nil {
				return p.err
			}
			return f.send(pools.TypeCreate, pools.MsgCreate{AssetA: args[0], AssetB: args[1], AmountA: a, AmountB: b, FeeBps: fee})
		},
	}
	c.Flags().StringVar(&amountA, "amount-a", "", "deposit of ASSET_A (required)")
	c.Flags().StringVar(&amountB, "amount-b", "", "deposit of ASSET_B (required)")
	c.Flags().Uint32Var(&fee, "fee-bps", 30, "fee in basis points of the input: 5, 30 or 100")
	f.register(c)
	return c
}

func newPoolAddCmd() *cobra.Command {
	var f txFlags
	var amountA, amountB, minShares string
	var expiry int64
	c := &cobra.Command{
		Use:   "add POOL_ID --amount-a N --amount-b M [--min-shares S]",
		Short: "Add liquidity (at most the given amounts, in the pool's ratio); prints amount_a, amount_b, shares",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			assetA, assetB, shareAsset, err := poolAssetsFor(args[0])
			if err != nil {
				return err
			}
			var p amountFlags
			a, b := p.requiredOf("amount-a", amountA, assetA), p.requiredOf("amount-b", amountB, assetB)
			ms := p.optionalOf("min-shares", minShares, shareAsset)
			if p.err != nil {
				return p.err
			}
			return f.send(pools.TypeAdd, pools.MsgAdd{Pool: args[0], AmountA: a, AmountB: b, MinShares: ms, Expiry: expiry})
		},
	}
	c.Flags().StringVar(&amountA, "amount-a", "", "most of the pool's asset_a to deposit (required)")
	c.Flags().StringVar(&amountB, "amount-b", "", "most of the pool's asset_b to deposit (required)")
	c.Flags().StringVar(&minShares, "min-shares", "", "fail unless at least this many shares are minted")
	c.Flags().Int64Var(&expiry, "expiry", 0, "fail when included after this block height (0 = never)")
	f.register(c)
	return c
}

func newPoolRemoveCmd() *cobra.Command {
	var f txFlags
	var shares, minA, minB string
	var expiry int64
	c := &cobra.Command{
		Use:   "remove POOL_ID --shares N [--min-a A] [--min-b B]",
		Short: "Burn shares for the pro-rata reserves; prints amount_a, amount_b, shares",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			assetA, assetB, shareAsset, err := poolAssetsFor(args[0])
			if err != nil {
				return err
			}
			var p amountFlags
			s, a, b := p.requiredOf("shares", shares, shareAsset), p.optionalOf("min-a", minA, assetA), p.optionalOf("min-b", minB, assetB)
			if p.err != nil {
				return p.err
			}
			return f.send(pools.TypeRemove, pools.MsgRemove{Pool: args[0], Shares: s, MinAmountA: a, MinAmountB: b, Expiry: expiry})
		},
	}
	c.Flags().StringVar(&shares, "shares", "", "shares to burn (required)")
	c.Flags().StringVar(&minA, "min-a", "", "fail unless at least this much of asset_a is paid")
	c.Flags().StringVar(&minB, "min-b", "", "fail unless at least this much of asset_b is paid")
	c.Flags().Int64Var(&expiry, "expiry", 0, "fail when included after this block height (0 = never)")
	f.register(c)
	return c
}

func newPoolSwapCmd() *cobra.Command {
	var f txFlags
	var inFlag, outFlag, minOut, maxIn, path string
	var expiry int64
	c := &cobra.Command{
		Use: "swap POOL_ID --in AMOUNT ASSET --min-out N | swap POOL_ID --out AMOUNT ASSET --max-in N",
		Short: "Swap exact in (prints amount_out) or exact out (prints amount_in), " +
			"through one pool or along --path P1,P2,...",
		Long: `Swap through POOL_ID, or along --path P1,P2,... (then POOL_ID is left out).

Exact in:  --in AMOUNT ASSET --min-out N   sells exactly AMOUNT of ASSET.
Exact out: --out AMOUNT ASSET --max-in N   buys exactly AMOUNT of ASSET; the asset
           paid is the one the path starts with (looked up from the node).

The amount and its asset may be written as two words (--in 100 ACME-1), as one
word AMOUNT:ASSET (--in 100:ACME-1) or quoted (--in "100 ACME-1").
Prints amount_in, amount_out, asset_in, asset_out and path.`,
		Args: cobra.RangeArgs(0, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ids []string
			if path != "" {
				ids = strings.Split(path, ",")
			} else {
				if len(args) == 0 {
					return fmt.Errorf("give POOL_ID or --path P1,P2")
				}
				ids, args = []string{args[0]}, args[1:]
			}
			in, out, exactIn, err := sides(inFlag, outFlag, args)
			if err != nil {
				return err
			}
			m := pools.MsgSwap{Path: ids, Expiry: expiry}
			if exactIn {
				if out.asset != "" {
					return fmt.Errorf("--out ASSET is not used in an exact-in swap: the path decides the asset out")
				}
				ai, err := parseAmountFlagOf("in", in.amount, in.asset)
				if err != nil {
					return err
				}
				var assetOut string
				if !amountsInBaseUnits() { // a display amount: of the asset the path ends with
					if assetOut, err = walkPath(ids, in.asset, false); err != nil {
						return err
					}
				}
				mo, err := parseAmountFlagOf("min-out", minOut, assetOut)
				if err != nil {
					return fmt.Errorf("%w (0 accepts any amount)", err)
				}
				if maxIn != "" {
					return fmt.Errorf("--max-in belongs to an exact-out swap (--out)")
				}
				m.AssetIn, m.AmountIn, m.MinOut = in.asset, &ai, &mo
			} else {
				ao, err := parseAmountFlagOf("out", out.amount, out.asset)
				if err != nil {
					return err
				}
				if minOut != "" {
					return fmt.Errorf("--min-out belongs to an exact-in swap (--in)")
				}
				if maxIn == "" {
					return fmt.Errorf("--max-in is required")
				}
				assetIn, err := walkPath(ids, out.asset, true)
				if err != nil {
					return err
				}
				mi, err := parseAmountFlagOf("max-in", maxIn, assetIn)
				if err != nil {
					return err
				}
				if in.asset != "" && in.asset != assetIn {
					return fmt.Errorf("the path starts with %s, not %s", assetIn, in.asset)
				}
				m.AssetIn, m.AmountOut, m.MaxIn = assetIn, &ao, &mi
			}
			return f.send(pools.TypeSwap, m)
		},
	}
	c.Flags().StringVar(&inFlag, "in", "", "exact in: AMOUNT ASSET to sell (see above)")
	c.Flags().StringVar(&outFlag, "out", "", "exact out: AMOUNT ASSET to buy (see above)")
	c.Flags().StringVar(&minOut, "min-out", "", "exact in: fail unless at least this much comes out (required; 0 = any)")
	c.Flags().StringVar(&maxIn, "max-in", "", "exact out: fail if more than this must go in (required)")
	c.Flags().StringVar(&path, "path", "", "comma-separated pool ids for a multi-hop swap (instead of POOL_ID)")
	c.Flags().Int64Var(&expiry, "expiry", 0, "fail when included after this block height (0 = never)")
	f.register(c)
	return c
}

// walkPath asks the node which asset a path ends with when it starts with
// from, or (backward) which asset it must start with to end in from. A pool
// that does not exist or a path that does not connect is reported like a
// failed transaction (its pool code, exit status 1).
func walkPath(ids []string, from string, backward bool) (string, error) {
	cur := from
	for k := range ids {
		i := k
		if backward {
			i = len(ids) - 1 - k
		}
		v, err := knownPool(ids[i])
		if err != nil {
			return "", err
		}
		prev, ok := v.Other(cur)
		if !ok {
			log := fmt.Sprintf("%s: %s holds %s and %s, not %s", pools.ErrBadPath, v.ID, v.AssetA, v.AssetB, cur)
			return "", fail(map[string]any{"code": app.CodePoolBadPath, "log": log}, 1, fmt.Errorf("%s", log))
		}
		cur = prev
	}
	return cur, nil
}

// knownPool reads pool id; one that does not exist is reported like a
// failed transaction (its pool code, exit status 1).
func knownPool(id string) (*pools.PoolView, error) {
	v, code, log, err := fetchPool(id)
	if err != nil {
		return nil, err
	}
	if code == app.CodeNotFound {
		code, log = app.CodePoolUnknown, fmt.Sprintf("%s: %q", pools.ErrUnknownPool, id)
	}
	if code != 0 {
		return nil, fail(map[string]any{"code": code, "log": log}, 1, fmt.Errorf("pool %s: code %d: %s", id, code, log))
	}
	return v, nil
}

// fetchPool reads /pool/ID (unproven) at the latest height.
func fetchPool(id string) (*pools.PoolView, uint32, string, error) {
	var v pools.PoolView
	code, log, err := fetchRecord("/pool/"+url.PathEscape(id), "pool "+id, &v)
	if err != nil || code != 0 {
		return nil, code, log, err
	}
	return &v, 0, "", nil
}

// poolOut is how the CLI prints a pool.
func poolOut(v *pools.PoolView) map[string]any {
	reserves := map[string]string{}
	for k, a := range v.Reserves {
		reserves[k] = a.String()
	}
	return map[string]any{
		"pool_id":           v.ID,
		"asset_a":           v.AssetA,
		"asset_b":           v.AssetB,
		"reserves":          reserves,
		"reserve_a":         v.ReserveA.String(),
		"reserve_b":         v.ReserveB.String(),
		"fee_bps":           v.FeeBps,
		"share_asset":       v.ShareAsset,
		"total_shares":      v.TotalShares.String(),
		"account":           v.Account.String(),
		"creator":           v.Creator.String(),
		"created_height":    v.CreatedHeight,
		"price_b_per_a":     v.PriceBA,
		"price_b_per_a_e18": v.PriceBAE18,
		// amounts.go: B per A in display units, e.g. "4.000000001"
		"price_b_per_a_display": displayPrice(v.PriceBAE18, v.AssetB, v.AssetA),
	}
}

func qPool() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use:   "pool POOL_ID",
		Short: "A pool: reserves, fee, share asset, total shares, price (--prove: reserves and record Merkle-proven)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxTimeout()
			defer cancel()
			var v pools.PoolView
			decode := func(value []byte) ([]app.KV, error) {
				if len(value) == 0 { // not found: the record is proven absent
					return []app.KV{{Key: pools.PoolKey(args[0])}}, nil
				}
				if err := json.Unmarshal(value, &v); err != nil {
					return nil, fmt.Errorf("decode pool: %w", err)
				}
				if v.ID != args[0] || v.Pool.ID != args[0] {
					return nil, fmt.Errorf("%w: asked for pool %s, got %s", client.ErrWrongAnswer, args[0], v.Pool.ID)
				}
				return v.KVs()
			}
			a, err := f.queryDecoded(ctx, "/pool/"+url.PathEscape(args[0]), decode)
			if err != nil {
				return err
			}
			out := map[string]any{"pool_id": args[0]}
			if a.code == 0 {
				out = poolOut(&v)
			}
			return a.finish(out)
		},
	}
	f.register(c, true)
	return c
}

func qPools() *cobra.Command {
	var f queryFlags
	var asset, after string
	var limit int
	c := &cobra.Command{
		Use:   "pools [--asset A]",
		Short: "All pools, or those holding asset A, in creation order, paged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxTimeout()
			defer cancel()
			q := pageValues(limit, after)
			if asset != "" {
				q.Set("asset", asset)
			}
			var page pools.PoolsPage
			decode := func(value []byte) ([]app.KV, error) {
				if err := json.Unmarshal(value, &page); err != nil {
					return nil, fmt.Errorf("decode pools: %w", err)
				}
				for _, p := range page.Entries {
					if asset != "" && p.Pool.AssetA != asset && p.Pool.AssetB != asset {
						return nil, fmt.Errorf("%w: pool %s does not hold %s", client.ErrWrongAnswer, p.Pool.ID, asset)
					}
				}
				return page.KVs()
			}
			a, err := f.queryDecoded(ctx, "/pools?"+q.Encode(), decode)
			if err != nil {
				return err
			}
			list := []map[string]any{}
			if a.code == 0 {
				for i := range page.Entries {
					list = append(list, poolOut(&page.Entries[i]))
				}
			}
			out := map[string]any{"pools": list, "next": page.Next}
			if asset != "" {
				out["asset"] = asset
			}
			return a.finish(out)
		},
	}
	c.Flags().StringVar(&asset, "asset", "", "only pools holding this asset")
	c.Flags().StringVar(&after, "after", "", "start after this pool id (from a previous page's next)")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	f.register(c, true)
	return c
}

func qQuote() *cobra.Command {
	var f queryFlags
	var inFlag, outFlag, path string
	c := &cobra.Command{
		Use:   "quote --in AMOUNT ASSET --out ASSET | quote --out AMOUNT ASSET --in ASSET",
		Short: "What a swap would give now (best direct or two-hop path, or --path): amounts, hops, price",
		Long: `Quote a swap against the state at the latest (or --height) block.

Exact in:  --in AMOUNT ASSET --out ASSET   the largest amount_out (best path).
Exact out: --out AMOUNT ASSET --in ASSET   the smallest amount_in (best path).
With --path P1,P2 the given path is quoted; the other side's asset may then be left out.
AMOUNT ASSET may also be written AMOUNT:ASSET or quoted as one word.
Prints path, asset_in, asset_out, amount_in, amount_out, price, price_e18 and hops.`,
		Args: cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, out, exactIn, err := sides(inFlag, outFlag, args)
			if err != nil {
				return err
			}
			q := url.Values{}
			if exactIn {
				amt, err := parseAmountFlagOf("in", in.amount, in.asset)
				if err != nil {
					return err
				}
				q.Set("in", amt.String())
			} else {
				amt, err := parseAmountFlagOf("out", out.amount, out.asset)
				if err != nil {
					return err
				}
				q.Set("out", amt.String())
			}
			if in.asset != "" {
				q.Set("asset_in", in.asset)
			}
			if out.asset != "" {
				q.Set("asset_out", out.asset)
			}
			if path != "" {
				q.Set("path", path)
			} else if in.asset == "" || out.asset == "" {
				return fmt.Errorf("give both assets (--in ... --out ...) or a --path")
			}
			res := map[string]any{}
			return f.queryPrint("/quote?"+q.Encode(), nil, res, func(v []byte) (map[string]any, error) {
				if err := json.Unmarshal(v, &res); err != nil {
					return nil, fmt.Errorf("decode quote: %w", err)
				}
				e18, _ := res["price_e18"].(string)
				ain, _ := res["asset_in"].(string)
				aout, _ := res["asset_out"].(string)
				res["price_display"] = displayPrice(e18, aout, ain) // amounts.go: out per in, display units
				// What --min-out / --max-in take: the amounts in display units.
				res["amount_in_display"] = displayOfString(res["amount_in"], ain)
				res["amount_out_display"] = displayOfString(res["amount_out"], aout)
				return res, nil
			})
		},
	}
	c.Flags().StringVar(&inFlag, "in", "", "AMOUNT ASSET to sell (exact in), or ASSET to pay with (exact out)")
	c.Flags().StringVar(&outFlag, "out", "", "ASSET to buy (exact in), or AMOUNT ASSET to buy (exact out)")
	c.Flags().StringVar(&path, "path", "", "quote this comma-separated path of pool ids instead of the best one")
	f.register(c, false)
	return c
}

// poolAssetsFor asks the node for the assets and the share asset of pool
// id, whose decimals its amount flags are read with; with --base-units it
// asks nothing and returns "", "", "".
func poolAssetsFor(id string) (assetA, assetB, shareAsset string, err error) {
	if amountsInBaseUnits() {
		return "", "", "", nil
	}
	v, err := knownPool(id)
	if err != nil {
		return "", "", "", err
	}
	return v.AssetA, v.AssetB, v.ShareAsset, nil
}
