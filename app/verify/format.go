package verify

import (
	"fmt"
	"math/big"
	"strings"
)

// How the explorer writes values for people. The pages render them with
// these functions and the verifier writes each proven value with them
// again, so that it can compare what a page shows with what is proven.

// FormatUnits writes a base-unit integer string with decimals places:
// ("2500000", 6) → "2.5". Anything that is not a plain integer is returned
// as it is.
func FormatUnits(base string, decimals uint8) string {
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

// AmountText is an amount of asset for people: "2.5 ACME" with the
// asset's decimals; known=false (no definition) writes base units.
func AmountText(base, asset string, decimals uint8, known bool) string {
	if !known {
		return base + " " + asset
	}
	return FormatUnits(base, decimals) + " " + asset
}

// PPMText writes parts per million as a percentage: 500000 → "50%".
func PPMText(v uint64) string {
	whole, frac := v/10_000, v%10_000
	if frac == 0 {
		return fmt.Sprintf("%d%%", whole)
	}
	s := strings.TrimRight(fmt.Sprintf("%04d", frac), "0")
	return fmt.Sprintf("%d.%s%%", whole, s)
}

// Short abbreviates a long address or hash: "riff1qasx7…zusc".
func Short(s string) string {
	if len(s) > 16 {
		return s[:10] + "…" + s[len(s)-4:]
	}
	return s
}

// priceScale is 10^18, the scale of a pool's e18 price.
var priceScale = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

// PriceE18 is reserveB·10^18/reserveA, rounded down, as a decimal string
// ("" when reserveA is zero or either is not an integer): the pool's spot
// price of base units of A in base units of B (pools.Scaled).
func PriceE18(reserveA, reserveB string) string {
	a, okA := new(big.Int).SetString(reserveA, 10)
	b, okB := new(big.Int).SetString(reserveB, 10)
	if !okA || !okB || a.Sign() <= 0 {
		return ""
	}
	return new(big.Int).Quo(new(big.Int).Mul(b, priceScale), a).String()
}

// PriceText is the spot price of one whole A in B from the e18 price of
// base units, corrected for both assets' decimals: "0.4 RIFF per ACME".
func PriceText(e18, a, b string, decA, decB uint8) string {
	// price (whole B per whole A) = e18 * 10^decA / 10^decB / 10^18
	shift := 18 + int(decB) - int(decA)
	if shift < 0 {
		return e18
	}
	return FormatUnits(e18, uint8(shift)) + " " + b + " per " + a
}
