package main

// Display amounts: an asset with D decimals counts in base units, and
// 1 display unit is 10^D base units (RIFF has 6 decimals, so 1.5 RIFF is
// 1500000 base units). These helpers convert between the two without
// floating point.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
)

var (
	// errBadDisplayAmount marks an amount that does not parse.
	errBadDisplayAmount = errors.New("not an amount")
	// errTooManyDecimals marks a display amount finer than its asset's
	// smallest unit.
	errTooManyDecimals = errors.New("too many decimals")
	// errAmountAsset marks an amount whose asset's decimals could not be had
	// (no such asset, no node).
	errAmountAsset = errors.New("amount in display units")
	// errUnknownAsset marks an asset id the node does not know.
	errUnknownAsset = errors.New("unknown asset")
)

// displayToBase parses s (digits, optionally a point and at most decimals
// fraction digits; "_" and "," group digits) as display units and returns
// the base-unit amount.
func displayToBase(s string, decimals uint8) (ledger.Amount, error) {
	if !commasGroupThousands(s) {
		return ledger.Amount{}, fmt.Errorf("%w: %q: a comma groups thousands (1,000,000); the decimal separator is a point (1.5)", errBadDisplayAmount, s)
	}
	clean := strings.NewReplacer("_", "", ",", "").Replace(s)
	whole, frac, hasPoint := strings.Cut(clean, ".")
	if whole == "" && frac == "" || !isDecimal(orZero(whole)) || hasPoint && frac != "" && !isDecimal(frac) {
		return ledger.Amount{}, fmt.Errorf("%w: %q (want digits, e.g. 1.5)", errBadDisplayAmount, s)
	}
	if len(frac) > int(decimals) {
		return ledger.Amount{}, fmt.Errorf("%w: %q has %d decimals, the asset only %d", errTooManyDecimals, s, len(frac), decimals)
	}
	digits := orZero(whole) + frac + strings.Repeat("0", int(decimals)-len(frac))
	return ledger.ParseAmount(strings.TrimLeft(digits, "0") + zeroIfAllTrimmed(digits))
}

// commasGroupThousands reports whether the commas of s, if any, stand
// only in its whole part between groups of three digits (1,000 or
// 12,345,678.5, never 1,5 or 1,00), so that a decimal comma is refused
// rather than read as a thousands separator.
func commasGroupThousands(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	if strings.Contains(frac, ",") {
		return false
	}
	groups := strings.Split(whole, ",")
	for i, g := range groups {
		if i > 0 && len(g) != 3 || i == 0 && len(groups) > 1 && (len(g) == 0 || len(g) > 3) {
			return false
		}
	}
	return true
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// zeroIfAllTrimmed returns "0" when digits is only zeros (so that trimming
// leading zeros leaves a valid amount).
func zeroIfAllTrimmed(digits string) string {
	if strings.TrimLeft(digits, "0") == "" {
		return "0"
	}
	return ""
}

// baseToDisplay renders a base-unit amount in display units: the shortest
// exact decimal ("1.5", "1000000000"); grouped puts thousands separators
// in the whole part ("1,000,000,000") for text output.
func baseToDisplay(a ledger.Amount, decimals uint8, grouped bool) string {
	s := a.String()
	d := int(decimals)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	whole, frac := s[:len(s)-d], strings.TrimRight(s[len(s)-d:], "0")
	if grouped {
		whole = groupThousands(whole)
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// groupThousands puts a comma between every three digits from the right.
func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// splitAmountAsset splits "AMOUNT ASSET", "AMOUNTASSET" (1.5RIFF) and
// "AMOUNT:ASSET" into its amount and asset; a bare amount gives asset "".
func splitAmountAsset(s string) (amount, asset string) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ":"); ok {
		return strings.TrimSpace(a), strings.TrimSpace(b)
	}
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '_' || s[i] == ',') {
		i++
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// assetDecimals asks the node for asset's decimals.
func assetDecimals(ctx context.Context, c *client.Client, asset string) (uint8, error) {
	res, err := c.Query(ctx, "/asset/"+url.PathEscape(asset), client.QueryOpts{})
	if err != nil {
		return 0, err
	}
	if res.Response.Code == app.CodeNotFound || res.Response.Code == app.CodeUnknownAsset {
		return 0, fmt.Errorf("%w: %s: no such asset on this chain", errUnknownAsset, asset)
	}
	if res.Response.Code != 0 {
		return 0, fmt.Errorf("asset %s: %s", asset, res.Response.Log)
	}
	var def ledger.Asset
	if err := json.Unmarshal(res.Response.Value, &def); err != nil {
		return 0, fmt.Errorf("decode asset %s: %w", asset, err)
	}
	return def.Decimals, nil
}

// decimalsCache keeps each asset's decimals for one command run.
var decimalsCache = map[string]uint8{}

// decimalsFor asks the node for asset's decimals (once per run).
func decimalsFor(asset string) (uint8, error) {
	if d, ok := decimalsCache[asset]; ok {
		return d, nil
	}
	c, err := newClient()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := assetDecimals(ctx, c, asset)
	if err != nil {
		return 0, fmt.Errorf("%w of %s needs the asset's decimals: %w", errAmountAsset, asset, err)
	}
	decimalsCache[asset] = d
	return d, nil
}

// flagBaseUnits is the global --base-units flag (RIFFCHAIN_BASE_UNITS): every
// amount the CLI takes is then a whole number of base units, as scripts that
// build exact protocol amounts want.
const flagBaseUnits = "base-units"

// amountsInBaseUnits reports whether --base-units is on.
func amountsInBaseUnits() bool { return cfg.GetBool(flagBaseUnits) }

// parseAmountOf parses an amount of asset as the CLI accepts it, and is
// the one place every amount argument and flag goes through (transfers,
// fees, mint/burn, pool and quote amounts, agreement action flags, dev
// fund): display units scaled by the asset's decimals, whole or fractional
// (RIFF has 6 decimals: "1" is 1000000 base units, "1.5" is 1500000), the
// decimals asked of the node once per run; with --base-units a whole
// number of base units, asking nothing.
func parseAmountOf(s, asset string) (ledger.Amount, error) {
	return parseAmountWith(s, asset, amountsInBaseUnits(), decimalsFor)
}

// parseAmountWith is parseAmountOf with the unit chosen by baseUnits and
// the asset's decimals from lookup (the node, a genesis file, a --decimals
// flag); lookup is called only for a display amount that parses.
func parseAmountWith(s, asset string, baseUnits bool, lookup func(asset string) (uint8, error)) (ledger.Amount, error) {
	if baseUnits {
		if strings.Contains(s, ".") {
			return ledger.Amount{}, fmt.Errorf("%w: %q has a decimal point, but --base-units takes whole base units", errBadDisplayAmount, s)
		}
		return ledger.ParseAmount(s)
	}
	if !isAmount(strings.NewReplacer("_", "", ",", "").Replace(s)) {
		return ledger.Amount{}, fmt.Errorf("%w: %q (want a number such as 2500 or 1.5)", errBadDisplayAmount, s)
	}
	if asset == "" {
		return ledger.Amount{}, fmt.Errorf("%w: %q: an amount in display units needs its asset", errBadDisplayAmount, s)
	}
	d, err := lookup(asset)
	if err != nil {
		return ledger.Amount{}, err
	}
	a, err := displayToBase(s, d)
	if err != nil {
		return ledger.Amount{}, fmt.Errorf("%w (%s)", err, asset)
	}
	return a, nil
}

// displayOf renders amount of asset in display units with the asset id
// ("1.5 RIFF"), or "" when the decimals cannot be had.
func displayOf(amount ledger.Amount, asset string, grouped bool) string {
	d, err := decimalsFor(asset)
	if err != nil {
		return ""
	}
	return baseToDisplay(amount, d, grouped) + " " + asset
}

// displayOfString is displayOf for a base-unit amount given as a decimal
// string (as in a query answer); "" when it is not one.
func displayOfString(amount any, asset string) string {
	s, _ := amount.(string)
	a, err := ledger.ParseAmount(s)
	if err != nil {
		return ""
	}
	return displayOf(a, asset, false)
}

// holdingsWithDisplay lists holdings as JSON objects with their display
// amount added ("display": "1.5 RIFF").
func holdingsWithDisplay(hs []ledger.Holding) []map[string]any {
	out := make([]map[string]any, 0, len(hs))
	for _, h := range hs {
		out = append(out, map[string]any{"address": h.Address.String(), "asset": h.Asset, "amount": h.Amount.String(),
			"display": displayOf(h.Amount, h.Asset, false)})
	}
	return out
}

// priceDecimals is how many decimals a display price keeps.
const priceDecimals = 9

// displayPrice turns a base-unit price given ×10^18 (e18, a decimal
// string) of numerator asset num per denominator asset den into a decimal
// in display units (×10^(decimals(den) − decimals(num))), rounded down to
// priceDecimals places; "" when it cannot.
func displayPrice(e18, num, den string) string {
	v, ok := new(big.Int).SetString(e18, 10)
	if !ok || v.Sign() < 0 {
		return ""
	}
	dn, err1 := decimalsFor(num)
	dd, err2 := decimalsFor(den)
	if err1 != nil || err2 != nil {
		return ""
	}
	shift := int(dd) - int(dn) + priceDecimals - 18 // result in units of 10^-priceDecimals
	if shift >= 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	} else {
		v.Quo(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-shift)), nil))
	}
	amt, err := ledger.AmountFromBig(v)
	if err != nil {
		return ""
	}
	return baseToDisplay(amt, priceDecimals, false)
}
