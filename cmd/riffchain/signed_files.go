package main

import (
	"crypto/ed25519"
	"fmt"
	"maps"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/riffchain/riffchain/contracts/signfile"
	"github.com/riffchain/riffchain/ledger"
)

// This file drives the three offline-signed file flows (contracts/signfile)
// through one set of steps: write a new file, sign it (in place or to
// --out), check it, and submit it. Each flow is a signedFile value
// with its own steps' specifics:
//
//	agreement files        agreementFiles (cmd_agreement.go)
//	collective exec files  execFiles      (cmd_collective_exec.go)
//	validator changes      proposalFiles  (cmd_validator.go)

// signedFile is one kind of offline-signed file on the command line.
type signedFile[F signfile.File] struct {
	// what names the file in errors ("agreement file").
	what string
	// parse decodes a file strictly (the kind's ParseFile).
	parse func([]byte) (F, error)
}

// read reads and decodes the file at path.
func (k signedFile[F]) read(path string) (F, error) {
	var zero F
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", k.what, err)
	}
	f, err := k.parse(b)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// write writes f to out, or back in place to path when out is "", and
// returns the file written.
func (k signedFile[F]) write(path, out string, f F) (string, error) {
	b, err := f.Encode()
	if err != nil {
		return "", err
	}
	return writeSigned(path, out, b, k.what)
}

// create writes a new file f to out and prints summary, or prints the file
// itself when out is "".
func (k signedFile[F]) create(out string, f F, summary map[string]any) error {
	b, err := f.Encode()
	if err != nil {
		return err
	}
	if out == "" {
		_, err := os.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", k.what, err)
	}
	return emit(summary)
}

// signingKey is where a sign command takes its private key from.
type signingKey interface {
	register(c *cobra.Command)
	load() (ed25519.PrivateKey, error)
}

// keyringKey is a key of the keyring, named by a required --from.
type keyringKey struct{ from, help string }

func (k *keyringKey) register(c *cobra.Command) {
	c.Flags().StringVar(&k.from, flagFrom, "", k.help)
	_ = c.MarkFlagRequired(flagFrom)
}

func (k *keyringKey) load() (ed25519.PrivateKey, error) {
	kr, err := openKeyring()
	if err != nil {
		return nil, err
	}
	return kr.PrivKey(k.from)
}

// consensusKey is a node's consensus key (priv_validator_key.json).
type consensusKey struct{ file string }

func (k *consensusKey) register(c *cobra.Command) {
	c.Flags().StringVar(&k.file, "key-file", "", "priv_validator_key.json to sign with (default HOME/config/priv_validator_key.json)")
}

func (k *consensusKey) load() (ed25519.PrivateKey, error) {
	return loadConsensusKey(consensusKeyFile(k.file))
}

// signStep is a flow's sign command.
type signStep[F signfile.File] struct {
	use, short, long string
	key              signingKey
	// flags registers the flow's own flags.
	flags func(fl *pflag.FlagSet)
	// sign adds priv's signature to f and returns fields to print.
	sign func(f F, priv ed25519.PrivateKey) (map[string]any, error)
	// report is what is printed about the signed file written to path.
	report func(path string, f F) (map[string]any, error)
}

// signCmd builds the sign command: read FILE, sign it, write it back in
// place (or to --out) and print the report and sign's fields.
func (k signedFile[F]) signCmd(s signStep[F]) *cobra.Command {
	var out string
	c := k.fileCmd(s.use, s.short, s.long, func(path string, f F) error {
		priv, err := s.key.load()
		if err != nil {
			return err
		}
		fields, err := s.sign(f, priv)
		if err != nil {
			return err
		}
		written, err := k.write(path, out, f)
		if err != nil {
			return err
		}
		rep, err := s.report(written, f)
		if err != nil {
			return err
		}
		maps.Copy(rep, fields)
		return emit(rep)
	})
	s.key.register(c)
	c.Flags().StringVar(&out, "out", "", "write the signed file here instead of in place")
	if s.flags != nil {
		s.flags(c.Flags())
	}
	return c
}

// fileCmd builds a command whose one argument is a file of this kind: it
// reads the file and runs run on it.
func (k signedFile[F]) fileCmd(use, short, long string, run func(path string, f F) error) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Long: long,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := k.read(args[0])
			if err != nil {
				return err
			}
			return run(args[0], f)
		},
	}
}

// checkStep is a flow's check command.
type checkStep[F signfile.File] struct {
	use, short, long string
	// flags registers the flow's own flags.
	flags func(fl *pflag.FlagSet)
	// check verifies f's signatures (offline; against the node where the
	// flow says who must sign).
	check func(path string, f F) (checked, error)
}

// checked is what a check found: the report printed, and what the file
// still lacks before it can be submitted (nil: nothing; else the report is
// printed and the command fails).
type checked struct {
	report  map[string]any
	lacking error
}

// checkCmd builds the check command: read FILE, check it and print the
// report.
func (k signedFile[F]) checkCmd(s checkStep[F]) *cobra.Command {
	c := k.fileCmd(s.use, s.short, s.long, func(path string, f F) error {
		res, err := s.check(path, f)
		if err != nil {
			return err
		}
		if res.lacking != nil {
			return fail(res.report, 1, res.lacking)
		}
		return emit(res.report)
	})
	if s.flags != nil {
		s.flags(c.Flags())
	}
	return c
}

// submitStep is a flow's submit command.
type submitStep[F signfile.File] struct {
	use, short, long string
	// typ is the message type the file is sent as.
	typ string
	// flags registers the flow's own flags.
	flags func(fl *pflag.FlagSet)
	// message returns the message value sent for f by signer and the
	// fields printed with the result; it may refuse to send (a check
	// before sending) and may set tx flags (the file's chain id).
	message func(path string, f F, signer ledger.Address, tf *txFlags) (any, map[string]any, error)
}

// submitCmd builds the submit command: read FILE and send it as a message
// of type typ, signed by --from (any account may submit).
func (k signedFile[F]) submitCmd(s submitStep[F]) *cobra.Command {
	var tf txFlags
	c := k.fileCmd(s.use, s.short, s.long, func(path string, f F) error {
		signer, err := resolveAddress(tf.from)
		if err != nil {
			return err
		}
		v, extra, err := s.message(path, f, signer, &tf)
		if err != nil {
			return err
		}
		return tf.sendWith(extra, s.typ, v)
	})
	if s.flags != nil {
		s.flags(c.Flags())
	}
	tf.register(c)
	return c
}
