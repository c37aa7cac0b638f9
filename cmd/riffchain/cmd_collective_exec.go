package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file is the CLI of collective execution (spec/agreements.md,
// "Collective execution"):
//
//	riffchain collective exec COLLECTIVE --msg-file MSGS.json --out FILE
//	riffchain collective sign FILE --from KEY
//	riffchain collective check FILE
//	riffchain collective submit FILE --from KEY

func init() {
	extraCommands = append(extraCommands, newCollectiveExecCmd)
}

// execFiles is the collective exec file flow (contracts/signfile) on the
// command line.
var execFiles = signedFile[*agreements.ExecFile]{what: "exec file", parse: agreements.ParseExecFile}

// execReport is what exec and sign print about a file.
func execReport(path string, f *agreements.ExecFile) (map[string]any, error) {
	signers, err := f.Signers()
	if err != nil {
		return nil, err
	}
	h, err := agreements.ExecMsgsHash(f.Msgs)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"file": path, "chain_id": f.ChainID, "collective": f.Collective.String(), "version": f.Version,
		"nonce": f.Nonce, "msgs": len(f.Msgs), "msgs_hash": h, "signers": signers,
	}, nil
}

func newCollectiveExecCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "collective",
		Short: "Act as a collective: build, sign and submit a collective exec file",
		Long: `A collective acts through a file of ordinary messages signed offline by
threshold current members; anyone submits it and the messages run in
order, all or nothing, with the collective as their signer:

  collective exec COLLECTIVE --msg-file MSGS.json --out FILE  (reads version and nonce from the node)
  collective sign FILE --from KEY                              (each member; in place or --out)
  collective check FILE                                        (signers against the node's members and threshold)
  collective submit FILE --from KEY                            (any account)`,
	}
	c.AddCommand(newCollectiveExecBuildCmd(), newCollectiveExecSignCmd(), newCollectiveExecCheckCmd(), newCollectiveExecSubmitCmd())
	return c
}

func newCollectiveExecBuildCmd() *cobra.Command {
	var msgFile, out, chainID string
	var version, nonce uint64
	c := &cobra.Command{
		Use:   "exec COLLECTIVE --msg-file MSGS.json --out FILE",
		Short: "Build an unsigned exec file (MSGS.json: a JSON array of {\"type\",\"value\"})",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			coll, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			raw, err := os.ReadFile(msgFile)
			if err != nil {
				return fmt.Errorf("read --msg-file: %w", err)
			}
			var msgs []agreements.ExecMsg
			if err := app.StrictUnmarshal(raw, &msgs); err != nil {
				return fmt.Errorf("%s: want a JSON array of {\"type\",\"value\"}: %w", msgFile, err)
			}
			if version == 0 || nonce == 0 {
				st, err := fetchExecState(coll)
				if err != nil {
					return err
				}
				if version == 0 {
					version = st.Version
				}
				if nonce == 0 {
					nonce = st.NextNonce
				}
			}
			if chainID == "" {
				ctx, cancel := ctxTimeout()
				defer cancel()
				if chainID, _, err = nodeStatus(ctx); err != nil {
					return err
				}
			}
			f, err := agreements.NewExecFile(chainID, agreements.MsgCollectiveExec{
				Collective: coll, Version: version, Nonce: nonce, Msgs: msgs})
			if err != nil {
				return err
			}
			rep, err := execReport(out, f)
			if err != nil {
				return err
			}
			return execFiles.create(out, f, rep)
		},
	}
	c.Flags().StringVar(&msgFile, "msg-file", "", "JSON array of the messages to run as the collective")
	c.Flags().StringVar(&out, "out", "", "exec file to write")
	c.Flags().StringVar(&chainID, "chain-id", "", "chain id (default: the node's)")
	c.Flags().Uint64Var(&version, "version", 0, "collective version (default: the node's current)")
	c.Flags().Uint64Var(&nonce, "nonce", 0, "exec nonce (default: the node's next)")
	_ = c.MarkFlagRequired("msg-file")
	_ = c.MarkFlagRequired("out")
	return c
}

func newCollectiveExecSignCmd() *cobra.Command {
	return execFiles.signCmd(signStep[*agreements.ExecFile]{
		use:   "sign FILE --from KEY",
		short: "Sign an exec file as a member, offline; the signature is appended in place (or to --out)",
		key:   &keyringKey{help: "key to sign with (a member of the collective)"},
		sign: func(f *agreements.ExecFile, priv ed25519.PrivateKey) (map[string]any, error) {
			if _, err := f.Signers(); err != nil {
				return nil, err
			}
			if err := f.Sign(priv); err != nil {
				return nil, err
			}
			return map[string]any{"signer": ledger.AddressFromPubKey(f.Signatures[len(f.Signatures)-1].PubKey).String()}, nil
		},
		report: execReport,
	})
}

// fetchExecState reads what the node says a collective's next exec must
// name (its version and next nonce) and who may sign it.
func fetchExecState(coll ledger.Address) (*agreements.CollectiveExecState, error) {
	var st agreements.CollectiveExecState
	code, log, err := fetchRecord("/collective-exec/"+coll.String(), "collective exec state", &st)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("query collective %s: code %d: %s", coll, code, log)
	}
	return &st, nil
}

func newCollectiveExecCheckCmd() *cobra.Command {
	return execFiles.checkCmd(checkStep[*agreements.ExecFile]{
		use:   "check FILE",
		short: "Verify an exec file's signatures offline and check them against the node's members, threshold, version and next nonce",
		long: `Verify every signature of an exec file offline, then ask the node whether the
file would run now: it names the collective's current version and next exec
nonce, every signer is a current member, and there are threshold signers.
A file that lacks anything is printed with what it lacks and the command fails
with the code the chain would give.`,
		check: func(path string, f *agreements.ExecFile) (checked, error) {
			rep, err := execReport(path, f)
			if err != nil {
				return checked{}, err
			}
			st, err := fetchExecState(f.Collective)
			if err != nil {
				return checked{}, err
			}
			signers, _ := rep["signers"].([]ledger.Address)
			notMembers := []ledger.Address{}
			for _, a := range signers {
				if !slices.Contains(st.Members, a) {
					notMembers = append(notMembers, a)
				}
			}
			lacking := execLacks(f, st, len(signers), notMembers)
			rep["threshold"], rep["current_version"], rep["next_nonce"] = st.Threshold, st.Version, st.NextNonce
			rep["not_members"], rep["complete"] = notMembers, lacking == nil
			if lacking != nil {
				rep["code"] = app.CodeOf(lacking) // what the chain would answer
			}
			return checked{rep, lacking}, nil
		},
	})
}

// execLacks says what keeps f, with its signers of whom notMembers are no
// members, from running now against st (nil: nothing), as the chain would
// refuse it.
func execLacks(f *agreements.ExecFile, st *agreements.CollectiveExecState, signers int, notMembers []ledger.Address) error {
	if f.Version != st.Version {
		return fmt.Errorf("%w: the collective is at version %d, the file names %d", agreements.ErrCollectiveVersion, st.Version, f.Version)
	}
	if f.Nonce != st.NextNonce {
		return fmt.Errorf("%w: the next exec nonce is %d, the file has %d", agreements.ErrExecNonce, st.NextNonce, f.Nonce)
	}
	if len(notMembers) > 0 {
		return fmt.Errorf("%w: %s is not a member of %s", agreements.ErrNotMember, notMembers[0], f.Collective)
	}
	if uint32(signers) < st.Threshold {
		return fmt.Errorf("%w: %d of %d (each member signs with `riffchain collective sign FILE --from KEY`)", agreements.ErrExecThreshold, signers, st.Threshold)
	}
	return nil
}

func newCollectiveExecSubmitCmd() *cobra.Command {
	return execFiles.submitCmd(submitStep[*agreements.ExecFile]{
		use:   "submit FILE --from KEY",
		short: "Submit a signed exec file (any account may; it pays the tx's fee and nonce)",
		typ:   agreements.TypeCollectiveExec,
		message: func(_ string, f *agreements.ExecFile, _ ledger.Address, tf *txFlags) (any, map[string]any, error) {
			if tf.chainID != "" && tf.chainID != f.ChainID {
				return nil, nil, errors.New("--chain-id differs from the exec file's chain_id")
			}
			tf.chainID = f.ChainID
			return &f.MsgCollectiveExec, map[string]any{"collective": f.Collective.String()}, nil
		},
	})
}
