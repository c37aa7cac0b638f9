package main

// The JSON contract's two rules beyond "one object on stdout":
//
//   - Numbers. Counts, heights, indexes, sequence numbers, weights, powers
//     and thresholds are JSON numbers when they fit in 53 bits (what a
//     JavaScript or float64 reader keeps exactly) and decimal strings
//     otherwise. Asset amounts (amount, amount_in, shares, supply, ...) are
//     always base-unit decimal strings, whatever their size.
//   - Promised fields are always present: an empty list, null or zero,
//     never left out.

import (
	"strconv"
	"strings"
)

// countKeys are the tx result fields (ABCI result data, which carries
// strings) that are counts or numbers, not amounts.
var countKeys = map[string]bool{
	"seq": true, "weight": true, "threshold": true, "version": true, "obligation": true,
	"recreated_entries": true, "recreated_follows_skipped": true, "recreate_txs": true,
	"announced": true, "withdrawn": true, "entries": true, "follows": true, "hosts": true,
	"count": true, "power": true, "signed_power": true, "total_power": true, "new_total_power": true,
	"fee_bps": true, "expires_at_height": true, "index": true, "nonce": true, "hops": true,
	"exec_nonce": true, "recreated_blocks": true, "recreated_follows": true, "recreated_roles": true,
}

// listKeys are the tx result fields that the chain joins with "," and the
// CLI prints as JSON lists.
var listKeys = map[string]bool{"signers": true}

// maxExactJSON is 2^53: integers below it are exact in a float64.
const maxExactJSON = 1 << 53

// jsonNumber returns s as a JSON number when it is a decimal integer that
// fits in 53 bits, else s unchanged.
func jsonNumber(s string) any {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n < maxExactJSON && strconv.FormatUint(n, 10) == s {
		return n
	}
	return s
}

// typedResult applies the number rule to a tx result's data fields and
// splits its comma-joined lists.
func typedResult(out map[string]any) {
	for k, v := range out {
		s, ok := v.(string)
		switch {
		case ok && countKeys[k]:
			out[k] = jsonNumber(s)
		case ok && listKeys[k] && s == "":
			out[k] = []string{}
		case ok && listKeys[k]:
			out[k] = strings.Split(s, ",")
		}
	}
}

// withDefaults fills every promised field of out that is missing.
func withDefaults(out map[string]any, defaults map[string]any) map[string]any {
	for k, v := range defaults {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// agreementDefaults are the promised fields of an agreement record.
func agreementDefaults() map[string]any {
	return map[string]any{
		"accepted_by": []any{}, "rejected_by": nil, "proposer": nil, "obligations": []any{},
		"escrow": nil, "last_error": "", "last_error_height": 0, "settled_height": 0, "history": []any{},
		"signatures": []any{},
	}
}

// promiseLensFields gives a Lens's follows their tags ([] when none) and
// its roles "active" (the node leaves it out when false).
func promiseLensFields(out map[string]any) {
	if fs, ok := out["follows"].([]any); ok {
		for _, f := range fs {
			if m, ok := f.(map[string]any); ok {
				withDefaults(m, map[string]any{"tags": []any{}})
			}
		}
	} else {
		out["follows"] = []any{}
	}
	if rs, ok := out["roles"].([]any); ok {
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok {
				withDefaults(m, map[string]any{"active": false})
			}
		}
	} else {
		out["roles"] = []any{}
	}
}
