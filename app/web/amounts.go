package web

import (
	"context"

	"github.com/riffchain/riffchain/app/verify"
)

// The pages write values with the verifier's functions (package
// app/verify), so that the page's verifier can compare what a page shows
// with what is proven.
var (
	formatUnits = verify.FormatUnits
	ppmText     = verify.PPMText
	short       = verify.Short
)

// amountText is an amount of asset for people: "2.5 ACME" with the
// asset's decimals, or in base units when the asset cannot be read.
func (r *reader) amountText(ctx context.Context, base, asset string) string {
	a := r.asset(ctx, asset)
	if a == nil {
		return verify.AmountText(base, asset, 0, false)
	}
	return verify.AmountText(base, asset, a.Decimals, true)
}
