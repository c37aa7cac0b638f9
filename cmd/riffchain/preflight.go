package main

// Pre-flight checks before a tx goes to the chain: agreement submit and
// propose first run what `agreement check` runs (with collectives resolved
// on chain), and --dry-run on any tx simulates the signed tx on the node
// and prints the verdict without broadcasting it.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// onChainCollectives resolves collective parties with the node (nil when
// no node answers: the check then leaves them undecided, as offline).
func onChainCollectives() agreements.CollectiveLookup {
	c, err := newClient()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.RPC.Status(ctx); err != nil {
		return nil
	}
	return func(addr ledger.Address) (*agreements.Collective, error) {
		ctx, cancel := ctxTimeout()
		defer cancel()
		res, err := c.Query(ctx, "/collective/"+addr.String(), client.QueryOpts{})
		if err != nil {
			return nil, err
		}
		if res.Response.Code == app.CodeNotFound {
			return nil, nil
		}
		if res.Response.Code != 0 {
			return nil, fmt.Errorf("collective %s: %s", addr, res.Response.Log)
		}
		var col agreements.Collective
		if err := json.Unmarshal(res.Response.Value, &col); err != nil {
			return nil, fmt.Errorf("decode collective %s: %w", addr, err)
		}
		return &col, nil
	}
}

// preflightSubmit refuses to send an agreement file that would fail for
// want of approvals, saying who is missing.
func preflightSubmit(path string, f *agreements.File, submitter ledger.Address) error {
	rep, err := approvalReportFor(path, f, &submitter)
	if err != nil {
		return refusedBeforeSending(path, err)
	}
	if rep["complete"] == true {
		return nil
	}
	rep["code"] = app.CodeOf(agreements.ErrMissingSignature) // what the chain would answer
	return fail(rep, 1, fmt.Errorf("%w: not sent: %s lacks approval from %s (each signs with `riffchain agreement sign %s --from KEY`; `riffchain agreement check %s` shows the state)",
		agreements.ErrMissingSignature, path, listAddrs(rep["missing"], rep["undecided"]), path, path))
}

// preflightPropose refuses to propose a file whose body the chain would
// refuse (parties, actions, expiry), or that the proposer is no party of.
func preflightPropose(path string, f *agreements.File, proposer ledger.Address) error {
	if err := f.Body.Validate(f.Body.ChainID); err != nil {
		return refusedBeforeSending(path, err)
	}
	for _, p := range f.Body.Parties {
		if p == proposer {
			return nil
		}
	}
	return refusedBeforeSending(path, fmt.Errorf("%w: %s is not a party (parties: %s)", agreements.ErrNotParty, proposer, listAddrs(f.Body.Parties)))
}

// refusedBeforeSending reports a file the chain would refuse, with the
// code the chain would give, without sending it.
func refusedBeforeSending(path string, err error) error {
	out := map[string]any{"file": path, "code": app.CodeOf(err), "log": err.Error(), "sent": false}
	if id, idErr := agreementIDOfFile(path); idErr == nil {
		out["agreement_id"] = id
	}
	return fail(out, 1, fmt.Errorf("%s: not sent: %w", path, err))
}

func agreementIDOfFile(path string) (string, error) {
	f, err := agreementFiles.read(path)
	if err != nil {
		return "", err
	}
	return f.Body.ID()
}

func listAddrs(lists ...any) string {
	var out []string
	for _, l := range lists {
		switch v := l.(type) {
		case []ledger.Address:
			for _, a := range v {
				out = append(out, a.String())
			}
		}
	}
	if len(out) == 0 {
		return "nobody"
	}
	return strings.Join(out, ", ")
}

// dryRun simulates tx on the node (the /simulate query: the tx runs as
// the next block would run it, on a copy of the last committed state;
// nothing is kept) and prints the verdict without broadcasting the tx.
func dryRun(ctx context.Context, tx []byte, extra map[string]any) error {
	c, err := newClient()
	if err != nil {
		return err
	}
	h := app.Hash(tx)
	out := map[string]any{}
	for k, v := range extra {
		out[k] = v
	}
	out["dry_run"], out["checked"], out["height"] = true, "simulate", int64(0)
	out["txhash"] = strings.ToUpper(hex.EncodeToString(h[:]))
	code, log, gasUsed := uint32(0), "", uint64(0)
	res, err := c.Simulate(ctx, tx)
	var refused *client.SimulateError
	switch {
	case errors.As(err, &refused):
		code, log = refused.Code, refused.Log
	case err != nil:
		return fmt.Errorf("dry run: %w", err)
	default:
		code, log, gasUsed = res.Code, res.Log, res.GasUsed
	}
	out["code"], out["log"], out["gas_used"] = code, log, gasUsed
	if code != 0 {
		out["summary"] = fmt.Sprintf("would fail (code %d): %s", code, log)
		return fail(out, 1, fmt.Errorf("dry run: the tx would fail: code %d: %s", code, log))
	}
	if s := txSummary(tx, map[string]any{"code": uint32(0)}); s != "" {
		out["summary"] = "would succeed (not sent): " + s
	}
	return emit(out)
}

// registerDryRun adds --dry-run to a tx command.
func (f *txFlags) registerDryRun(c *cobra.Command) {
	c.Flags().BoolVar(&f.dryRun, "dry-run", false, "sign and simulate the tx on the node (run as the next block would, on a copy of the state; nothing kept), print the verdict, send nothing")
}
