package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

func newTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "tx", Short: "Build, sign and send transactions"}
	c.AddCommand(newAssetCmd(), newTransferCmd(), newMultiTransferCmd(), newTxSignCmd(), newTxBroadcastCmd())
	for _, add := range extraTxCommands {
		c.AddCommand(add())
	}
	return c
}

// extraTxCommands are added under "tx" by the files that wire further modules.
var extraTxCommands []func() *cobra.Command

func newTransferCmd() *cobra.Command {
	var f txFlags
	c := &cobra.Command{
		Use:   "transfer TO (AMOUNT ASSET | ASSET/ITEM)",
		Short: "Transfer an amount of a fungible asset (display units: 1.5 RIFF, 2500 ACME-1), or one unique item",
		Args:  cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			m, err := parseMove(to, args[1:])
			if err != nil {
				return err
			}
			return f.send("transfer", m)
		},
	}
	f.register(c)
	return c
}

func newMultiTransferCmd() *cobra.Command {
	var f txFlags
	var moves []string
	c := &cobra.Command{
		Use:   "multi-transfer --move TO:AMOUNT:ASSET --move TO:ASSET/ITEM ...",
		Short: "Several transfers from one signer in one atomic message",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var mt ledger.MsgMultiTransfer
			for _, s := range moves {
				parts := strings.Split(s, ":")
				if len(parts) < 2 {
					return fmt.Errorf("--move %q: want TO:AMOUNT:ASSET or TO:ASSET/ITEM", s)
				}
				to, err := resolveAddress(parts[0])
				if err != nil {
					return err
				}
				m, err := parseMove(to, parts[1:])
				if err != nil {
					return fmt.Errorf("--move %q: %w", s, err)
				}
				mt.Moves = append(mt.Moves, m)
			}
			return f.send("multi-transfer", mt)
		},
	}
	c.Flags().StringArrayVar(&moves, "move", nil, "a movement TO:AMOUNT:ASSET or TO:ASSET/ITEM (repeat)")
	f.register(c)
	return c
}

func newAssetCmd() *cobra.Command {
	c := &cobra.Command{Use: "asset", Short: "Create, mint, burn assets and hand over issuer rights"}

	var cf txFlags
	var kind, name, maxSupply, cidStr string
	var decimals uint8
	create := &cobra.Command{
		Use:   "create SYMBOL",
		Short: "Create a fungible asset or a unique class; prints asset_id",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := ledger.MsgCreateAsset{Kind: ledger.AssetKind(kind), Symbol: args[0], Name: name, Decimals: decimals, CID: cidStr}
			if maxSupply != "" {
				amt, err := parseAmountWith(maxSupply, args[0], amountsInBaseUnits(), func(string) (uint8, error) { return decimals, nil })
				if err != nil {
					return fmt.Errorf("--max-supply: %w", err)
				}
				m.MaxSupply = &amt
			}
			return cf.send("asset/create", m)
		},
	}
	create.Flags().StringVar(&kind, "kind", "fungible", "fungible or unique")
	create.Flags().StringVar(&name, "name", "", "display name")
	create.Flags().Uint8Var(&decimals, "decimals", 0, "decimals (fungible only, at most 18)")
	create.Flags().StringVar(&maxSupply, "max-supply", "", "optional maximum supply (display units with --decimals, e.g. 1000000.5; whole base units with --base-units)")
	create.Flags().StringVar(&cidStr, "cid", "", "optional CID of a description document")
	cf.register(create)

	var mf txFlags
	var mintTo, mintItem, mintCID string
	mint := &cobra.Command{
		Use:   "mint ASSET [AMOUNT]",
		Short: "Mint an amount (fungible) or --item ID (unique); issuer only",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := ledger.MsgMint{Asset: args[0], Item: mintItem, CID: mintCID}
			amt, err := optionalAmountArg(args, 1, args[0])
			if err != nil {
				return err
			}
			m.Amount = amt
			if mintTo != "" {
				to, err := resolveAddress(mintTo)
				if err != nil {
					return err
				}
				m.To = &to
			}
			return mf.send("asset/mint", m)
		},
	}
	mint.Flags().StringVar(&mintTo, "to", "", "recipient (default: the signer)")
	mint.Flags().StringVar(&mintItem, "item", "", "item id to mint (unique classes)")
	mint.Flags().StringVar(&mintCID, "cid", "", "content CID of the item")
	mf.register(mint)

	var bf txFlags
	var burnItem string
	burn := &cobra.Command{
		Use:   "burn ASSET [AMOUNT]",
		Short: "Burn an amount or --item ID that the signer holds",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := ledger.MsgBurn{Asset: args[0], Item: burnItem}
			amt, err := optionalAmountArg(args, 1, args[0])
			if err != nil {
				return err
			}
			m.Amount = amt
			return bf.send("asset/burn", m)
		},
	}
	burn.Flags().StringVar(&burnItem, "item", "", "item id to burn")
	bf.register(burn)

	var tf txFlags
	var holdings bool
	ti := &cobra.Command{
		Use:   "transfer-issuer ASSET TO",
		Short: "Hand over issuer rights (with --holdings: and all of the signer's holdings of it)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			return tf.send("asset/transfer-issuer", ledger.MsgTransferIssuer{Asset: args[0], To: to, Holdings: holdings})
		},
	}
	ti.Flags().BoolVar(&holdings, "holdings", false, "also transfer all of the signer's holdings of the asset")
	tf.register(ti)

	c.AddCommand(create, mint, burn, ti)
	return c
}

var _ = app.NativeAsset
