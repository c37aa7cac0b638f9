package main

// Parsing of the amounts, assets and items that commands take as
// arguments and flags: AMOUNT ASSET and ASSET/ITEM (transfers), AMOUNT:ASSET
// (swap and quote sides), AMOUNT+ASSET (fees) and amount flags. Every
// amount is read by parseAmountOf (amounts.go).

import (
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// parseAmountFlagOf parses a required amount flag of asset (see
// parseAmountOf: display units, or base units with --base-units).
func parseAmountFlagOf(name, s, asset string) (ledger.Amount, error) {
	if s == "" {
		return ledger.Amount{}, fmt.Errorf("--%s is required", name)
	}
	a, err := parseAmountOf(s, asset)
	if err != nil {
		return ledger.Amount{}, fmt.Errorf("--%s: %w", name, err)
	}
	return a, nil
}

// amountFlags parses amount flags one after another and keeps the first
// error in err; once there is one, it parses nothing more.
type amountFlags struct{ err error }

// requiredOf parses a required amount flag of asset (see parseAmountFlagOf).
func (p *amountFlags) requiredOf(name, s, asset string) ledger.Amount {
	if p.err != nil {
		return ledger.Amount{}
	}
	a, err := parseAmountFlagOf(name, s, asset)
	p.err = err
	return a
}

// optionalOf parses an optional amount flag of asset ("" = 0; see
// parseAmountFlagOf).
func (p *amountFlags) optionalOf(name, s, asset string) ledger.Amount {
	if s == "" {
		return ledger.Amount{}
	}
	return p.requiredOf(name, s, asset)
}

// optionalAmountArg parses args[i] as an amount of asset (see
// parseAmountOf), or returns nil when there is no args[i].
func optionalAmountArg(args []string, i int, asset string) (*ledger.Amount, error) {
	if len(args) <= i {
		return nil, nil
	}
	amt, err := parseAmountOf(args[i], asset)
	if err != nil {
		return nil, err
	}
	return &amt, nil
}

// parseFee parses AMOUNT[ ]ASSET such as 0.01RIFF, "0.01 RIFF" or
// 0.01:RIFF (see parseAmountOf).
func parseFee(s string) (*app.Fee, error) {
	amount, asset := splitAmountAsset(s)
	if amount == "" || !ledger.ValidAssetID(asset) {
		return nil, fmt.Errorf("--fee %q: want AMOUNT followed by an asset id, e.g. 10RIFF", s)
	}
	amt, err := parseAmountOf(amount, asset)
	if err != nil {
		return nil, fmt.Errorf("--fee %q: %w", s, err)
	}
	return &app.Fee{Asset: asset, Amount: amt}, nil
}

// parseItemRef splits "ASSET/ITEM".
func parseItemRef(s string) (asset, item string, ok bool) {
	i := strings.IndexByte(s, '/')
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// parseMove parses the AMOUNT ASSET or ASSET/ITEM of a movement to to.
func parseMove(to ledger.Address, args []string) (ledger.Move, error) {
	m := ledger.Move{To: to}
	if len(args) == 1 { // AMOUNTASSET in one word (1.5RIFF, 100:ACME-1)
		if amount, asset := splitAmountAsset(args[0]); amount != "" && asset != "" && !strings.Contains(asset, "/") {
			args = []string{amount, asset}
		}
	}
	switch len(args) {
	case 1:
		asset, item, ok := parseItemRef(args[0])
		if !ok {
			return m, fmt.Errorf("%q: want ASSET/ITEM (or AMOUNT ASSET)", args[0])
		}
		m.Asset, m.Item = asset, item
	case 2:
		amt, err := parseAmountOf(args[0], args[1])
		if err != nil {
			return m, err
		}
		m.Amount, m.Asset = &amt, args[1]
	default:
		return m, fmt.Errorf("want AMOUNT ASSET or ASSET/ITEM")
	}
	return m, nil
}

// side is one side of a swap or quote: an amount and/or an asset.
type side struct {
	amount string
	asset  string
}

// isDecimal reports whether s is all digits (an amount; asset ids never are).
func isDecimal(s string) bool { return s != "" && digitPrefix(s) == len(s) }

// isAmount reports whether s is a whole or display amount (digits with at
// most one decimal point).
func isAmount(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	return s != "" && s != "." && (whole == "" || isDecimal(whole)) && (frac == "" || isDecimal(frac))
}

// digitPrefix returns how many bytes at the start of s are ASCII digits.
func digitPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// parseSide parses a --in/--out value: "AMOUNT ASSET", "AMOUNT:ASSET",
// "AMOUNT" (the asset then comes as a positional argument) or "ASSET".
func parseSide(flag, s string) (side, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' })
	if len(fields) == 1 { // 1.5RIFF in one word
		if amount, asset := splitAmountAsset(fields[0]); amount != "" && asset != "" {
			fields = []string{amount, asset}
		}
	}
	switch {
	case len(fields) == 1 && isAmount(fields[0]):
		return side{amount: fields[0]}, nil
	case len(fields) == 1:
		return side{asset: fields[0]}, nil
	case len(fields) == 2 && isAmount(fields[0]) && !isAmount(fields[1]):
		return side{amount: fields[0], asset: fields[1]}, nil
	}
	return side{}, fmt.Errorf("--%s %q: want AMOUNT ASSET, AMOUNT:ASSET, AMOUNT (asset as the next argument) or ASSET", flag, s)
}

// sides parses --in and --out and gives the positional asset (if any) to
// the side that has an amount but no asset. Exactly one side must carry an
// amount; it is returned as exactIn.
func sides(inFlag, outFlag string, rest []string) (in, out side, exactIn bool, err error) {
	if inFlag != "" {
		if in, err = parseSide("in", inFlag); err != nil {
			return
		}
	}
	if outFlag != "" {
		if out, err = parseSide("out", outFlag); err != nil {
			return
		}
	}
	if (in.amount == "") == (out.amount == "") {
		err = fmt.Errorf("give exactly one amount: --in AMOUNT ASSET (exact in) or --out AMOUNT ASSET (exact out)")
		return
	}
	exactIn = in.amount != ""
	amounted := &out
	if exactIn {
		amounted = &in
	}
	switch {
	case len(rest) > 1:
		err = fmt.Errorf("unexpected arguments %q", rest[1:])
	case len(rest) == 1 && amounted.asset != "":
		err = fmt.Errorf("unexpected argument %q: the asset is already given", rest[0])
	case len(rest) == 1:
		amounted.asset = rest[0]
	}
	if err == nil && amounted.asset == "" {
		err = fmt.Errorf("the amount's asset is missing: write --in AMOUNT ASSET or --out AMOUNT ASSET")
	}
	return
}
