package web

import (
	"context"
	"strings"
)

// formatUnits writes a base-unit integer string with decimals places:
// ("2500000", 6) → "2.5". Anything that is not a plain integer is returned
// as it is.
func formatUnits(base string, decimals uint8) string {
	if decimals == 0 || base == "" {
		return base
	}
	for i := 0; i < len(base); i++ {
		if base[i] < '0' || base[i] > '9' {
			return base
		}
	}
	d := int(decimals)
	if len(base) <= d {
		base = strings.Repeat("0", d-len(base)+1) + base
	}
	whole, frac := base[:len(base)-d], strings.TrimRight(base[len(base)-d:], "0")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// amountText is an amount of asset for people: "2.5 ACME" with the
// asset's decimals and symbol, or "2500000 ACME (base units)" when the
// asset cannot be read.
func (r *reader) amountText(ctx context.Context, base, asset string) string {
	a := r.asset(ctx, asset)
	if a == nil {
		return base + " " + asset
	}
	sym := a.Symbol
	if sym == "" || sym != asset {
		sym = asset
	}
	return formatUnits(base, a.Decimals) + " " + sym
}
