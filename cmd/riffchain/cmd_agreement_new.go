package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file is `riffchain agreement new`: an unsigned agreement file from a
// spec file and/or flags. The spec's YAML form and account names in it, the
// flags' grammar and the parties inferred from the actions are
// contracts/agreements' (spec_file.go, spec_flags.go); what is here reads
// files, keys and the node.

// actionFlag is a repeatable flag that appends to a list shared by every
// action flag, so actions keep the order they were given in (the flags'
// grammar is agreements.ParseActionFlag's).
type actionFlag struct {
	kind string
	list *[]agreements.ActionFlag
}

func (f *actionFlag) String() string { return "" }
func (f *actionFlag) Type() string   { return "string" }
func (f *actionFlag) Set(s string) error {
	*f.list = append(*f.list, agreements.ActionFlag{Kind: f.kind, Value: s})
	return nil
}

// newSpecFlags are the flags of `agreement new`.
type newSpecFlags struct {
	file, title, termsCID, salt, chainID, out string
	parties, obligations, outputs             []string
	actions                                   []agreements.ActionFlag
	expiresAtHeight, expiresIn, expiresAtTime int64
}

func newAgreementNewCmd() *cobra.Command {
	var f newSpecFlags
	c := &cobra.Command{
		Use:   "new [--file SPEC.json|SPEC.yaml] [flags] -o AGREEMENT.json",
		Short: "Build an unsigned agreement file from a spec file and/or flags",
		Long: `Build an agreement body from a JSON or YAML spec file and/or flags, fill in
version and chain_id, give it a random salt (unless --salt or the spec sets one),
and write the unsigned agreement file.

The spec is the body's JSON shape, e.g.
  {"parties": [ADDR, ...], "title": "...", "terms_cid": "CID",
   "actions": [{"transfer": {"from": ADDR, "to": ADDR, "asset": ASSET, "amount": "N"}},
               {"transfer": {"from": ADDR, "to": ADDR, "asset": ASSET, "item": "ITEM"}},
               {"hand_over": {"asset": ASSET, "from": ADDR, "to": ADDR, "holdings": true}},
               {"pool_swap": {"trader": ADDR, "pool": POOL, "asset_in": ASSET, "amount_in": "N", "min_out": "M"}},
               {"lens_transfer": {"from": ADDR, "to": ADDR, "lens": LENS}}],
   "obligations": [{"by": ADDR, "to": ADDR, "what": "..."}],
   "expires_at_height": H}
Flags add to the spec: --party appends parties, action flags append actions
(in the order given), --obligation appends obligations, the others replace.
Without any party, the parties are the actions' sources and the obligors, in
order of appearance. Addresses in flags may be key names.

Output: -o FILE / --out FILE writes the file and prints {file, agreement_id, ...};
without a file the agreement file itself is printed. Because -o is also the
global --output flag, "-o json" and "-o text" keep meaning the output format
here; any other value is the file to write.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAgreementNew(cmd, &f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.file, "file", "", "spec file (JSON or YAML; - for stdin)")
	fl.StringArrayVar(&f.parties, "party", nil, "a party address or key name (repeat)")
	fl.StringVar(&f.title, "title", "", "short title")
	fl.StringVar(&f.termsCID, "terms-cid", "", "CID of the off-ledger terms document")
	fl.Var(&actionFlag{agreements.FlagTransfer, &f.actions}, "transfer", "action FROM:TO:AMOUNT:ASSET or FROM:TO:ASSET/ITEM (repeat)")
	fl.Var(&actionFlag{agreements.FlagHandOver, &f.actions}, "hand-over", "action FROM:TO:ASSET[:holdings] — issuer rights (and all holdings) (repeat)")
	fl.Var(&actionFlag{agreements.FlagPoolSwap, &f.actions}, "pool-swap", "action TRADER:POOL:AMOUNT_IN:ASSET_IN:MIN_OUT (repeat)")
	fl.Var(&actionFlag{agreements.FlagLensTransfer, &f.actions}, "lens-transfer", "action FROM:TO:LENS — hand over a Lens (repeat)")
	fl.StringArrayVar(&f.obligations, "obligation", nil, "obligation BY:TO:WHAT (repeat)")
	fl.Int64Var(&f.expiresAtHeight, "expires-at-height", 0, "last block height at which it can settle")
	fl.Int64Var(&f.expiresIn, "expires-in", 0, "expire this many blocks after the node's current height")
	fl.Int64Var(&f.expiresAtTime, "expires-at-time", 0, "last block time (Unix seconds) at which it can settle")
	fl.StringVar(&f.salt, "salt", "", "salt making the id unique (default: random)")
	fl.StringVar(&f.chainID, "chain-id", "", "chain id (default: the spec's, else the node's)")
	fl.StringVar(&f.out, "out", "", "write the agreement file here")
	// Shadows the global --output/-o so that "-o AGREEMENT.json" works.
	fl.StringArrayVarP(&f.outputs, flagOutput, "o", nil, "output format (json|text) or, for any other value, the agreement file to write")
	return c
}

// applyOutputs splits -o values into the output format and a file path.
func applyOutputs(values []string, out string) (string, error) {
	for _, v := range values {
		switch v {
		case "json", "text":
			cfg.Set(flagOutput, v)
		default:
			if out != "" && out != v {
				return "", fmt.Errorf("two output files given: %q and %q", out, v)
			}
			out = v
		}
	}
	return out, nil
}

func runAgreementNew(cmd *cobra.Command, f *newSpecFlags) error {
	outFile, err := applyOutputs(f.outputs, f.out)
	if err != nil {
		return err
	}
	body := agreements.Body{}
	if f.file != "" {
		b, err := readSpec(f.file)
		if err != nil {
			return err
		}
		if b, err = agreements.ResolveSpecAddresses(b, resolveAddress); err != nil { // key names as in the flags
			return err
		}
		parsed, err := agreements.ParseBody(b)
		if err != nil {
			return fmt.Errorf("spec %s: %w", f.file, err)
		}
		body = *parsed
	}
	if err := applySpecFlags(cmd, f, &body); err != nil {
		return err
	}
	if len(body.Parties) == 0 {
		body.Parties = body.InferParties()
	}
	if !cmd.Flags().Changed("salt") && body.Salt == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("random salt: %w", err)
		}
		body.Salt = hex.EncodeToString(b[:])
	} else if cmd.Flags().Changed("salt") {
		body.Salt = f.salt
	}
	chainID := f.chainID
	if chainID == "" {
		chainID = body.ChainID
	}
	ctx, cancel := ctxTimeout()
	defer cancel()
	if chainID == "" || f.expiresIn > 0 {
		c, err := newClient()
		if err != nil {
			return err
		}
		if chainID == "" {
			if chainID, err = c.ChainID(ctx); err != nil {
				return fmt.Errorf("chain id (give --chain-id to work offline): %w", err)
			}
		}
		if f.expiresIn > 0 {
			st, err := c.RPC.Status(ctx)
			if err != nil {
				return fmt.Errorf("node height for --expires-in: %w", err)
			}
			body.ExpiresAtHeight = st.SyncInfo.LatestBlockHeight + f.expiresIn
		}
	}
	file, err := agreements.NewFile(body, chainID)
	if err != nil {
		return err
	}
	return agreementFiles.create(outFile, file, map[string]any{
		"file": outFile, "agreement_id": file.ID, "chain_id": file.Body.ChainID,
		"parties": file.Body.Parties, "actions": len(file.Body.Actions), "obligations": len(file.Body.Obligations),
		"expires_at_height": file.Body.ExpiresAtHeight, "expires_at_time": file.Body.ExpiresAtTime,
		"salt": file.Body.Salt,
	})
}

// readSpec reads a JSON or YAML spec (- for stdin) and returns it as JSON.
func readSpec(path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return agreements.SpecJSON(path, b)
}

// specWords reads the words of action and obligation flags as every other
// command does: key names for addresses, display amounts.
var specWords = agreements.Words{Address: resolveAddress, Amount: parseAmountOf, Move: parseMove, MinOut: swapMinOut}

// swapMinOut reads a --pool-swap MIN_OUT: an amount of the asset pool pays
// for assetIn (asked of the node), in display units unless --base-units.
func swapMinOut(s, pool, assetIn string) (ledger.Amount, error) {
	assetOut := ""
	if !amountsInBaseUnits() {
		var err error
		if assetOut, err = walkPath([]string{pool}, assetIn, false); err != nil { // cmd_pool.go
			return ledger.Amount{}, err
		}
	}
	return parseAmountOf(s, assetOut)
}

func applySpecFlags(cmd *cobra.Command, f *newSpecFlags, body *agreements.Body) error {
	for _, p := range f.parties {
		a, err := resolveAddress(p)
		if err != nil {
			return fmt.Errorf("--party: %w", err)
		}
		body.Parties = append(body.Parties, a)
	}
	if cmd.Flags().Changed("title") {
		body.Title = f.title
	}
	if cmd.Flags().Changed("terms-cid") {
		body.TermsCID = f.termsCID
	}
	for _, af := range f.actions {
		a, err := agreements.ParseActionFlag(af, specWords)
		if err != nil {
			return err
		}
		body.Actions = append(body.Actions, a)
	}
	for _, s := range f.obligations {
		o, err := agreements.ParseObligationFlag(s, specWords)
		if err != nil {
			return err
		}
		body.Obligations = append(body.Obligations, o)
	}
	if cmd.Flags().Changed("expires-at-height") {
		body.ExpiresAtHeight = f.expiresAtHeight
	}
	if cmd.Flags().Changed("expires-at-time") {
		body.ExpiresAtTime = f.expiresAtTime
	}
	return nil
}
