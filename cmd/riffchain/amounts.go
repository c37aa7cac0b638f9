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
	"net/url"
	"strings"

	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
)

// errBadDisplayAmount marks a display amount that does not parse.
var errBadDisplayAmount = errors.New("not an amount")

// displayToBase parses s (digits, optionally a point and at most decimals
// fraction digits; "_" and "," group digits) as display units and returns
// the base-unit amount.
func displayToBase(s string, decimals uint8) (ledger.Amount, error) {
	clean := strings.NewReplacer("_", "", ",", "").Replace(s)
	whole, frac, hasPoint := strings.Cut(clean, ".")
	if whole == "" && frac == "" || !isDecimal(orZero(whole)) || hasPoint && frac != "" && !isDecimal(frac) {
		return ledger.Amount{}, fmt.Errorf("%w: %q (want digits, e.g. 1.5)", errBadDisplayAmount, s)
	}
	if len(frac) > int(decimals) {
		return ledger.Amount{}, fmt.Errorf("%w: %q has %d decimals, the asset only %d", errBadDisplayAmount, s, len(frac), decimals)
	}
	digits := orZero(whole) + frac + strings.Repeat("0", int(decimals)-len(frac))
	return ledger.ParseAmount(strings.TrimLeft(digits, "0") + zeroIfAllTrimmed(digits))
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
	if res.Response.Code != 0 {
		return 0, fmt.Errorf("asset %s: %s", asset, res.Response.Log)
	}
	var def ledger.Asset
	if err := json.Unmarshal(res.Response.Value, &def); err != nil {
		return 0, fmt.Errorf("decode asset %s: %w", asset, err)
	}
	return def.Decimals, nil
}
