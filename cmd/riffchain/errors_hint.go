package main

// What a failed command says: the error, and for the common mistakes a
// hint about what to do. With -o json the failure is one JSON object on
// stdout, {"error": "...", "code": N, "hint": "..."} ("hint" only when
// there is one), and nothing else; in text the error and the hint go to
// stderr. code is the ABCI code when the chain (or the node's query)
// refused, otherwise the exit status (1, or 3 for a proof that does not
// verify).

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
)

// errorHint returns what to do about err, or "".
func errorHint(err error) string {
	msg := err.Error()
	switch {
	case amountsInBaseUnits() && (errors.Is(err, errBadDisplayAmount) || strings.Contains(msg, "is not a decimal integer")):
		return "with --base-units amounts are whole base units (RIFF has 6 decimals: 1 RIFF = 1000000); leave --base-units out to write display amounts such as 1.5"
	case errors.Is(err, errTooManyDecimals):
		return "amounts are in display units with the asset's decimals (RIFF has 6: its smallest amount is 0.000001; `riffchain query asset ID` shows an asset's); give whole base units with --base-units"
	case errors.Is(err, errUnknownAsset):
		return "asset ids are SYMBOL-N as printed by `tx asset create` (asset_id), or RIFF; `riffchain query asset ID` checks one"
	case errors.Is(err, errAmountAsset):
		return fmt.Sprintf("an amount in display units is scaled by its asset's decimals, which the CLI asks the node for (%s): start one with `riffchain dev` or give --node ADDR; offline, give whole base units with --base-units", cfgNode())
	case errors.Is(err, errBadDisplayAmount):
		return "write an amount and its asset as 2500 ACME-1, 1.5RIFF or 1.5:RIFF (display units); --base-units for whole base units"
	case strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host"):
		return fmt.Sprintf("is a node running at %s? Start one with `riffchain dev`, or point the CLI at yours with --node ADDR (or node in %s/config/client.toml)", cfgNode(), cfgHome())
	case strings.Contains(msg, "is neither an address nor a key"):
		return fmt.Sprintf("create the key with `riffchain keys add NAME` (keys live in the %s keyring of %s; a dev home's client.toml selects the test keyring; else pass --keyring-backend test)", cfg.GetString(flagBackend), cfgHome())
	case strings.Contains(msg, "agreement has no expiry"):
		return "give --expires-in BLOCKS (or --expires-at-height H, --expires-at-time UNIX, or expires_at_height in the spec file)"
	case errors.Is(err, client.ErrProofInvalid) || errors.Is(err, client.ErrHeaderInvalid):
		return "the node's answer did not verify against a signed header: do not trust this node's answer"
	case strings.Contains(msg, "required flag(s) \"from\""):
		return "say which key signs with --from KEY (riffchain keys list shows yours)"
	case strings.Contains(msg, "unknown command"):
		return "riffchain --help lists the commands"
	}
	return ""
}

// txCodeHints say what to do about a tx the chain refused, by ABCI code.
var txCodeHints = map[uint32]string{
	app.CodeInsufficient:  "the sender lacks the funds: on a dev chain `riffchain dev fund KEY AMOUNT`; check with `riffchain query balances KEY`",
	app.CodeUnknownAsset:  "no such asset: asset ids are SYMBOL-N as printed by `tx asset create` (asset_id); `riffchain query asset ID` checks one",
	app.CodeBadNonce:      "another tx from this key got in first; send again (or give --nonce)",
	app.CodeFeeTooLow:     "this node wants a fee: add --fee AMOUNTASSET (e.g. --fee 0.01RIFF, display units); its minimum, in base units, is in the log",
	app.CodeWrongChainID:  "the tx was built for another chain: drop --chain-id or give the node's (riffchain status)",
	app.CodeNotIssuer:     "only the asset's issuer may do this (riffchain query asset ID shows the issuer)",
	app.CodeNotOwner:      "the signer does not own that item (riffchain query owner ASSET/ITEM)",
	app.CodeAssetExists:   "an asset with that id exists already",
	app.CodeInvalidField:  "a field is malformed; the log names it",
	app.CodeMempoolFull:   "this node holds too many pending txs from the signer; wait a block and retry",
	app.CodeTxTooLarge:    "the tx is larger than this node admits (app.toml max_tx_bytes)",
	app.CodeInvalidAmount: "an amount must be more than zero (display units with the asset's decimals, or whole base units with --base-units)",
	112:                   "a party has not signed: `riffchain agreement check FILE` lists who is missing; each signs with `riffchain agreement sign FILE --from KEY`",
	119:                   "the agreement expired: make a new one with a later --expires-in",
	302:                   "that handle is taken: choose another (for `lens import`, --handle NEW)",
	203:                   "the swap would pay out less than --min-out (display units of the asset out): `riffchain query quote --in AMOUNT ASSET --out ASSET` shows what it pays now (amount_out_display)",
	204:                   "the swap would cost more than --max-in (display units of the asset in): `riffchain query quote --out AMOUNT ASSET --in ASSET` shows what it costs now (amount_in_display)",
	304:                   "not a CID: add the content first (`riffchain content add FILE --field cid`) and use the CID it prints",
}

// shortfall matches the ledger's insufficient-funds log: "debit AMOUNT
// ASSET from ADDR: insufficient funds: have H, need N" (base units).
var shortfall = regexp.MustCompile(`debit [0-9]+ (\S+) from \S+: insufficient funds: have ([0-9]+), need ([0-9]+)`)

// shortfallWords says in display units what an insufficient-funds log says
// in base units ("it holds 30.15 RIFF and needs 1,000,000 RIFF"), or "".
func shortfallWords(log string) string {
	m := shortfall.FindStringSubmatch(log)
	if m == nil {
		return ""
	}
	have, err1 := ledger.ParseAmount(m[2])
	need, err2 := ledger.ParseAmount(m[3])
	if err1 != nil || err2 != nil {
		return ""
	}
	return fmt.Sprintf("it holds %s and needs %s", amountWords(have, m[1]), amountWords(need, m[1])) // txsummary.go
}

// failureObject is the JSON object of a failure that produced no result.
func failureObject(err error, code int) map[string]any {
	out := map[string]any{"error": err.Error(), "code": code}
	if h := errorHint(err); h != "" {
		out["hint"] = h
	}
	return out
}

// printError reports a failure that printed nothing yet: one JSON object
// on stdout with -o json, else the error and its hint on stderr.
func printError(err error, code int) {
	if cfgOutput() == "json" {
		b, merr := marshalOutput(failureObject(err, code))
		if merr != nil {
			b = []byte(fmt.Sprintf(`{"error":%q,"code":%d}`, err.Error(), code))
		}
		fmt.Println(string(b))
		return
	}
	fmt.Fprintln(os.Stderr, "Error:", err)
	if h := errorHint(err); h != "" {
		fmt.Fprintln(os.Stderr, "Hint: ", h)
	}
}

// addFailure puts the error (and a hint for a refused tx's code, or for
// the error) into a failed result before it is printed.
func addFailure(out map[string]any, err error) {
	out["error"] = err.Error()
	hint := errorHint(err)
	if code, ok := out["code"].(uint32); ok && txCodeHints[code] != "" {
		hint = txCodeHints[code]
		if w := shortfallWords(fmt.Sprint(out["log"])); code == app.CodeInsufficient && w != "" {
			hint = strings.Replace(hint, "lacks the funds", "lacks the funds ("+w+")", 1)
		}
	}
	if hint != "" {
		out["hint"] = hint
	}
}

// strictGroups makes every command that only groups others refuse an
// unknown subcommand (cobra would print help and exit 0), suggesting the
// nearest one.
func strictGroups(c *cobra.Command) {
	for _, sub := range c.Commands() {
		strictGroups(sub)
	}
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if cmd.SuggestionsMinimumDistance <= 0 {
				cmd.SuggestionsMinimumDistance = 2
			}
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return errors.New(msg)
		}
	}
}
