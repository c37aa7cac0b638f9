package agreements

import (
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// The flag mini-language of `agreement new`: each action and obligation
// is one colon-separated flag value. This file owns its grammar; the words
// in it (addresses, amounts, what a transfer moves) are read by a Words the
// caller gives, so the CLI can accept key names and display amounts.
//
//	--transfer      FROM:TO:AMOUNT:ASSET or FROM:TO:ASSET/ITEM
//	--hand-over     FROM:TO:ASSET or FROM:TO:ASSET:holdings
//	--pool-swap     TRADER:POOL:AMOUNT_IN:ASSET_IN:MIN_OUT
//	--lens-transfer FROM:TO:LENS
//	--obligation    BY:TO:WHAT (WHAT may contain colons)

// Action flag kinds: the Body's action names.
const (
	FlagTransfer     = "transfer"
	FlagHandOver     = "hand_over"
	FlagPoolSwap     = "pool_swap"
	FlagLensTransfer = "lens_transfer"
)

// ActionFlag is one action flag as given: its kind (FlagTransfer, ...) and
// its value.
type ActionFlag struct{ Kind, Value string }

// Words reads the words of action and obligation flags.
type Words struct {
	// Address reads an address (the CLI also takes key names).
	Address func(s string) (ledger.Address, error)
	// Amount reads an amount of asset (the CLI also takes display amounts).
	Amount func(s, asset string) (ledger.Amount, error)
	// Move reads what a transfer to `to` moves: [AMOUNT ASSET] or
	// [ASSET/ITEM].
	Move func(to ledger.Address, what []string) (ledger.Move, error)
	// MinOut reads a pool swap's MIN_OUT, an amount of the asset pool pays
	// for assetIn (the CLI takes display units of that asset); nil reads
	// base units.
	MinOut func(s, pool, assetIn string) (ledger.Amount, error)
}

// flagName is the command-line name of an action kind ("hand-over").
func flagName(kind string) string { return strings.ReplaceAll(kind, "_", "-") }

// ParseActionFlag reads one action flag into an action. Errors name the
// flag and its value.
func ParseActionFlag(f ActionFlag, w Words) (Action, error) {
	parts := strings.Split(f.Value, ":")
	flag := flagName(f.Kind)
	fail := func(err error) (Action, error) {
		return Action{}, fmt.Errorf("--%s %q: %w", flag, f.Value, err)
	}
	want := func(syntax string) (Action, error) {
		return Action{}, fmt.Errorf("--%s %q: want %s", flag, f.Value, syntax)
	}
	// fromTo reads the FROM and TO that lead transfer, hand_over and
	// lens_transfer values.
	fromTo := func() (from, to ledger.Address, err error) {
		if from, err = w.Address(parts[0]); err != nil {
			return from, to, err
		}
		to, err = w.Address(parts[1])
		return from, to, err
	}
	switch f.Kind {
	case FlagTransfer:
		if len(parts) != 3 && len(parts) != 4 {
			return want("FROM:TO:AMOUNT:ASSET or FROM:TO:ASSET/ITEM")
		}
		from, to, err := fromTo()
		if err != nil {
			return fail(err)
		}
		m, err := w.Move(to, parts[2:])
		if err != nil {
			return fail(err)
		}
		return Action{Transfer: &TransferAction{From: from, To: to, Asset: m.Asset, Amount: m.Amount, Item: m.Item}}, nil
	case FlagHandOver:
		if len(parts) != 3 && !(len(parts) == 4 && parts[3] == "holdings") {
			return want("FROM:TO:ASSET or FROM:TO:ASSET:holdings")
		}
		from, to, err := fromTo()
		if err != nil {
			return fail(err)
		}
		return Action{HandOver: &HandOverAction{Asset: parts[2], From: from, To: to, Holdings: len(parts) == 4}}, nil
	case FlagPoolSwap:
		if len(parts) != 5 {
			return want("TRADER:POOL:AMOUNT_IN:ASSET_IN:MIN_OUT")
		}
		trader, err := w.Address(parts[0])
		if err != nil {
			return fail(err)
		}
		in, err := w.Amount(parts[2], parts[3])
		if err != nil {
			return fail(fmt.Errorf("amount_in: %w", err))
		}
		readMinOut := w.MinOut
		if readMinOut == nil {
			readMinOut = func(s, _, _ string) (ledger.Amount, error) { return ledger.ParseAmount(s) }
		}
		minOut, err := readMinOut(parts[4], parts[1], parts[3])
		if err != nil {
			return fail(fmt.Errorf("min_out: %w", err))
		}
		return Action{PoolSwap: &PoolSwapAction{Trader: trader, Pool: parts[1], AssetIn: parts[3], AmountIn: in, MinOut: minOut}}, nil
	case FlagLensTransfer:
		if len(parts) != 3 {
			return want("FROM:TO:LENS")
		}
		from, to, err := fromTo()
		if err != nil {
			return fail(err)
		}
		return Action{LensTransfer: &LensTransferAction{From: from, To: to, Lens: parts[2]}}, nil
	}
	return want("a known action")
}

// ParseObligationFlag reads one --obligation BY:TO:WHAT.
func ParseObligationFlag(s string, w Words) (Obligation, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || parts[2] == "" {
		return Obligation{}, fmt.Errorf("--obligation %q: want BY:TO:WHAT", s)
	}
	by, err := w.Address(parts[0])
	if err != nil {
		return Obligation{}, fmt.Errorf("--obligation %q: %w", s, err)
	}
	to, err := w.Address(parts[1])
	if err != nil {
		return Obligation{}, fmt.Errorf("--obligation %q: %w", s, err)
	}
	return Obligation{By: by, To: to, What: parts[2]}, nil
}

// InferParties lists the parties a body without any implies: the sources
// of its actions, then its obligors, each once, in order of appearance.
func (b *Body) InferParties() []ledger.Address {
	var out []ledger.Address
	seen := map[ledger.Address]bool{}
	add := func(a ledger.Address) {
		if !a.IsZero() && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for i := range b.Actions {
		add(b.Actions[i].Source())
	}
	for _, o := range b.Obligations {
		add(o.By)
	}
	return out
}
