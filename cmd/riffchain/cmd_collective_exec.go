package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

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
//	riffchain collective submit FILE --from KEY

func init() {
	extraCommands = append(extraCommands, newCollectiveExecCmd)
}

// execFile is the on-disk exec file: the collective/exec message plus the
// chain id its signatures are made for (dropped when submitting).
type execFile struct {
	ChainID string `json:"chain_id"`
	agreements.MsgCollectiveExec
}

func readExecFile(path string) (*execFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read exec file: %w", err)
	}
	var f execFile
	if err := app.StrictUnmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.ChainID == "" {
		return nil, fmt.Errorf("%s: chain_id missing", path)
	}
	if f.Signatures == nil {
		f.Signatures = []agreements.ExecSignature{}
	}
	return &f, nil
}

func (f *execFile) encode() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode exec file: %w", err)
	}
	return append(b, '\n'), nil
}

// execReport is what exec and sign print about a file.
func execReport(path string, f *execFile) (map[string]any, error) {
	signers, err := agreements.ExecSigners(&f.MsgCollectiveExec, f.ChainID)
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
  collective submit FILE --from KEY                            (any account)`,
	}
	c.AddCommand(newCollectiveExecBuildCmd(), newCollectiveExecSignCmd(), newCollectiveExecSubmitCmd())
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
				var st app.CollectiveExecState
				code, log, err := fetchRecord("/collective-exec/"+coll.String(), "collective exec state", &st)
				if err != nil {
					return err
				}
				if code != 0 {
					return fmt.Errorf("query collective %s: code %d: %s", coll, code, log)
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
			f := &execFile{ChainID: chainID, MsgCollectiveExec: agreements.MsgCollectiveExec{
				Collective: coll, Version: version, Nonce: nonce, Msgs: msgs, Signatures: []agreements.ExecSignature{}}}
			if err := f.Check(); err != nil {
				return err
			}
			enc, err := f.encode()
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, enc, 0o644); err != nil {
				return fmt.Errorf("write exec file: %w", err)
			}
			rep, err := execReport(out, f)
			if err != nil {
				return err
			}
			return emit(rep)
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
	var from, out string
	c := &cobra.Command{
		Use:   "sign FILE --from KEY",
		Short: "Sign an exec file as a member, offline; the signature is appended in place (or to --out)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := readExecFile(args[0])
			if err != nil {
				return err
			}
			if _, err := agreements.ExecSigners(&f.MsgCollectiveExec, f.ChainID); err != nil {
				return err
			}
			kr, err := openKeyring()
			if err != nil {
				return err
			}
			priv, err := kr.PrivKey(from)
			if err != nil {
				return err
			}
			if err := agreements.SignExec(&f.MsgCollectiveExec, f.ChainID, priv); err != nil {
				return err
			}
			enc, err := f.encode()
			if err != nil {
				return err
			}
			if out, err = writeSigned(args[0], out, enc, "exec file"); err != nil {
				return err
			}
			rep, err := execReport(out, f)
			if err != nil {
				return err
			}
			rep["signer"] = ledger.AddressFromPubKey(f.Signatures[len(f.Signatures)-1].PubKey).String()
			return emit(rep)
		},
	}
	c.Flags().StringVar(&from, flagFrom, "", "key to sign with (a member of the collective)")
	c.Flags().StringVar(&out, "out", "", "write the signed file here instead of in place")
	_ = c.MarkFlagRequired(flagFrom)
	return c
}

func newCollectiveExecSubmitCmd() *cobra.Command {
	var tf txFlags
	c := &cobra.Command{
		Use:   "submit FILE --from KEY",
		Short: "Submit a signed exec file (any account may; it pays the tx's fee and nonce)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := readExecFile(args[0])
			if err != nil {
				return err
			}
			if tf.chainID != "" && tf.chainID != f.ChainID {
				return errors.New("--chain-id differs from the exec file's chain_id")
			}
			tf.chainID = f.ChainID
			return tf.sendWith(map[string]any{"collective": f.Collective.String()}, agreements.TypeCollectiveExec, &f.MsgCollectiveExec)
		},
	}
	tf.register(c)
	return c
}
