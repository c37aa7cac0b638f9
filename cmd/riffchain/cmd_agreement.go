package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file is the CLI of signed multi-party agreements:
//
//	riffchain agreement sign|check|submit|propose|accept|reject|withdraw|execute|attest
//
// and registers the agreement and collective commands: agreement new is in
// cmd_agreement_new.go, the queries in cmd_agreement_query.go, collectives
// in cmd_collective.go. The agreement file is one of the three signed-file
// flows (signed_files.go).

func init() {
	extraCommands = append(extraCommands, newAgreementCmd)
	extraTxCommands = append(extraTxCommands, newCollectiveTxCmd)
	extraQueryCommands = append(extraQueryCommands, qAgreement, qAgreements, qCollective, qCollectives)
}

func newAgreementCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "agreement",
		Short: "Build, sign, submit and settle multi-party agreements",
		Long: `Agreements settle atomically, in one of two ways:

  offline: agreement new → every party runs agreement sign (the file travels
           by any channel) → anyone runs agreement submit; it settles in that block.
  on-ledger: agreement propose (optionally --escrow) → every other party runs
           agreement accept (or reject); the last acceptance settles it.

After settlement, beneficiaries attest obligations with agreement attest.`,
	}
	c.AddCommand(newAgreementNewCmd(), newAgreementSignCmd(), newAgreementCheckCmd(),
		newAgreementSubmitCmd(), newAgreementProposeCmd(),
		newAgreementIDCmd("accept", "Accept a proposed agreement (the last acceptance settles it)", true, false),
		newAgreementIDCmd("reject", "Reject a proposed agreement", true, true),
		newAgreementIDCmd("withdraw", "Withdraw your proposal (proposer only)", false, false),
		newAgreementIDCmd("execute", "Retry the settlement of a fully accepted agreement", false, false),
		newAgreementAttestCmd())
	return c
}

// agreementFiles is the agreement file flow (contracts/signfile) on the
// command line: new, sign, check and submit read and write through it.
var agreementFiles = signedFile[*agreements.File]{what: "agreement file", parse: agreements.ParseFile}

// approvalReport is what sign and check print about a file's signatures
// (collective thresholds checked with the node; left "undecided" when no
// node answers).
func approvalReport(path string, f *agreements.File) (map[string]any, error) {
	return approvalReportFor(path, f, nil)
}

// approvalReportFor is approvalReport for a file submitter will submit (nil:
// anyone): a submitting party counts as approved.
func approvalReportFor(path string, f *agreements.File, submitter *ledger.Address) (map[string]any, error) {
	var ap *agreements.Approval
	var err error
	lookup := onChainCollectives() // preflight.go; nil offline: collectives stay undecided
	if submitter != nil {
		ap, err = agreements.CheckSubmission(f, f.Body.ChainID, lookup, *submitter)
	} else {
		ap, err = agreements.CheckSignatures(f, f.Body.ChainID, lookup)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"file": path, "agreement_id": ap.ID, "chain_id": f.Body.ChainID,
		"parties": f.Body.Parties, "signed": ap.Signed, "missing": ap.Missing,
		"undecided": nonNil(ap.Undecided), "signatures": len(f.Signatures),
		"complete": len(ap.Missing) == 0 && len(ap.Undecided) == 0,
	}, nil
}

func newAgreementSignCmd() *cobra.Command {
	var as string
	var version uint64
	return agreementFiles.signCmd(signStep[*agreements.File]{
		use:   "sign FILE --from KEY [--as COLLECTIVE]",
		short: "Sign an agreement file offline; the signature is appended to the file in place",
		long: `Sign an agreement file offline. The signature binds the chain id, the
agreement id and the body version; it is appended to FILE (or written to --out).
A member of a collective party signs for it with --as COLLECTIVE; the collective's
current membership version is read from the node unless --collective-version is given.`,
		key: &keyringKey{help: "key to sign with"},
		flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&as, "as", "", "sign as a member of this collective party")
			fl.Uint64Var(&version, "collective-version", 0, "collective membership version (default: the node's current)")
		},
		sign: func(f *agreements.File, priv ed25519.PrivateKey) (map[string]any, error) {
			if as == "" {
				if err := agreements.Sign(f, priv); err != nil {
					return nil, err
				}
				return map[string]any{"signer": f.Signatures[len(f.Signatures)-1].Signer.String()}, nil
			}
			coll, err := resolveAddress(as)
			if err != nil {
				return nil, err
			}
			v := version
			if v == 0 {
				col, err := fetchCollective(coll)
				if err != nil {
					return nil, fmt.Errorf("collective version (or give --collective-version): %w", err)
				}
				v = col.Version
			}
			if err := agreements.SignForCollective(f, priv, coll, v); err != nil {
				return nil, err
			}
			return map[string]any{"signer": f.Signatures[len(f.Signatures)-1].Signer.String(),
				"as": coll.String(), "collective_version": v}, nil
		},
		report: approvalReport,
	})
}

func newAgreementCheckCmd() *cobra.Command {
	var submitter string
	return agreementFiles.checkCmd(checkStep[*agreements.File]{
		use:   "check FILE [--submitter KEY|ADDR]",
		short: "Verify an agreement file's signatures offline and list who has signed and who is missing",
		long: `Verify an agreement file's signatures offline and list who has signed and who
is missing. With --submitter, the check is for that account submitting it: a
submitter that is a party approves by its transaction signature, so its own
signature is not missing.`,
		flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&submitter, "submitter", "", "check for this key or address submitting the file")
		},
		check: func(path string, f *agreements.File) (checked, error) {
			var sub *ledger.Address
			if submitter != "" {
				a, err := resolveAddress(submitter)
				if err != nil {
					return checked{}, err
				}
				sub = &a
			}
			rep, err := approvalReportFor(path, f, sub)
			if err != nil {
				return checked{}, err
			}
			if rep["complete"] != true {
				return checked{rep, fmt.Errorf("%w: agreement is not fully signed", agreements.ErrMissingSignature)}, nil
			}
			return checked{report: rep}, nil
		},
	})
}

func newAgreementSubmitCmd() *cobra.Command {
	var skipCheck bool
	return agreementFiles.submitCmd(submitStep[*agreements.File]{
		use:   "submit FILE --from KEY",
		short: "Submit an agreement file signed by every party (the submitter's own signature may be missing: its tx signature approves); it settles in this block (prints agreement_id)",
		long: `Submit an agreement file signed by every party; it settles in this block.
The file is checked first, as agreement check does (collectives resolved on
chain): a file that lacks an approval is not sent (--skip-check sends it anyway).`,
		typ: agreements.TypeSubmit,
		flags: func(fl *pflag.FlagSet) {
			fl.BoolVar(&skipCheck, "skip-check", false, "send without checking the file first (the chain refuses a missing approval with code 112)")
		},
		message: func(path string, f *agreements.File, signer ledger.Address, _ *txFlags) (any, map[string]any, error) {
			if !skipCheck {
				if err := preflightSubmit(path, f, signer); err != nil {
					return nil, nil, err
				}
			}
			id, err := f.Body.ID()
			if err != nil {
				return nil, nil, err
			}
			// The submitter's transaction signature is its approval: its
			// own offline signature (and the id) need not travel.
			return f.ForSubmitter(signer), map[string]any{"agreement_id": id}, nil
		},
	})
}

func newAgreementProposeCmd() *cobra.Command {
	var escrow, skipCheck bool
	return agreementFiles.submitCmd(submitStep[*agreements.File]{
		use:   "propose FILE --from KEY [--escrow]",
		short: "Propose an agreement on the ledger (counts as your acceptance); prints agreement_id",
		long: `Propose the agreement in FILE (from agreement new; signatures in it are ignored).
Proposing counts as the proposer's acceptance. With --escrow, the proposer's own
transfer actions are locked in the agreement's escrow account now; they go back
automatically if the agreement lapses, is rejected or withdrawn.`,
		typ: agreements.TypePropose,
		flags: func(fl *pflag.FlagSet) {
			fl.BoolVar(&escrow, "escrow", false, "lock the proposer's outgoing transfers in escrow now")
			fl.BoolVar(&skipCheck, "skip-check", false, "send without checking the file first")
		},
		message: func(path string, f *agreements.File, proposer ledger.Address, _ *txFlags) (any, map[string]any, error) {
			if !skipCheck {
				if err := preflightPropose(path, f, proposer); err != nil {
					return nil, nil, err
				}
			}
			id, err := f.Body.ID()
			if err != nil {
				return nil, nil, err
			}
			return agreements.MsgPropose{Body: f.Body, Escrow: escrow}, map[string]any{"agreement_id": id}, nil
		},
	})
}

// agreementIDArg accepts an agreement id or the path of an agreement file.
func agreementIDArg(s string) (string, error) {
	if len(s) == 64 {
		if _, err := hex.DecodeString(s); err == nil {
			return strings.ToLower(s), nil
		}
	}
	if _, err := os.Stat(s); err == nil {
		f, err := agreementFiles.read(s)
		if err != nil {
			return "", err
		}
		return f.Body.ID()
	}
	return "", fmt.Errorf("%w: %q is neither a 64-hex agreement id nor an agreement file", agreements.ErrUnknownAgreement, s)
}

// newAgreementIDCmd builds accept, reject, withdraw and execute.
func newAgreementIDCmd(action, short string, withAs, withReason bool) *cobra.Command {
	var f txFlags
	var as, reason string
	c := &cobra.Command{
		Use:   action + " ID|FILE --from KEY",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := agreementIDArg(args[0])
			if err != nil {
				return err
			}
			var asAddr *ledger.Address
			if as != "" {
				a, err := resolveAddress(as)
				if err != nil {
					return err
				}
				asAddr = &a
			}
			var v any
			switch action {
			case "accept":
				v = agreements.MsgAccept{ID: id, As: asAddr}
			case "reject":
				v = agreements.MsgReject{ID: id, As: asAddr, ReasonCID: reason}
			case "withdraw":
				v = agreements.MsgWithdraw{ID: id}
			case "execute":
				v = agreements.MsgExecute{ID: id}
			}
			return f.sendWith(map[string]any{"agreement_id": id}, "agreement/"+action, v)
		},
	}
	if withAs {
		c.Flags().StringVar(&as, "as", "", "act as a member of this collective party")
	}
	if withReason {
		c.Flags().StringVar(&reason, "reason", "", "CID of a document giving the reason")
	}
	f.register(c)
	return c
}

func newAgreementAttestCmd() *cobra.Command {
	var f txFlags
	var fulfilled bool
	var disputed string
	c := &cobra.Command{
		Use:   "attest ID|FILE OBLIGATION (--fulfilled | --disputed REASON_CID) --from KEY",
		Short: "Attest that an obligation (by index, from 0) of a settled agreement was fulfilled, or dispute it",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := agreementIDArg(args[0])
			if err != nil {
				return err
			}
			idx, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				return fmt.Errorf("%w: obligation must be an index (0, 1, ...)", agreements.ErrUnknownObligation)
			}
			if fulfilled == (disputed != "") {
				return errors.New("give exactly one of --fulfilled and --disputed REASON_CID")
			}
			if disputed != "" && !app.ValidCID(disputed) {
				return fmt.Errorf("--disputed %q is not a CID: write the reason to a file, add it with `riffchain content add FILE --field cid`, and pass that CID", disputed)
			}
			m := agreements.MsgAttest{ID: id, Obligation: uint32(idx), Fulfilled: fulfilled, Disputed: disputed}
			return f.sendWith(map[string]any{"agreement_id": id, "obligation": idx}, agreements.TypeAttest, m)
		},
	}
	c.Flags().BoolVar(&fulfilled, "fulfilled", false, "the obligation was fulfilled")
	c.Flags().StringVar(&disputed, "disputed", "", "dispute it, with the CID of a reason document")
	f.register(c)
	return c
}
