package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
)

// This file is the CLI of validator set changes and misbehaviour evidence:
//
//	riffchain validator show-key|propose|sign|check|submit
//	riffchain query validators|evidence|validator-change

func init() {
	extraCommands = append(extraCommands, newValidatorCmd)
	extraQueryCommands = append(extraQueryCommands, qValidators, qEvidence, qValidatorChange)
}

func newValidatorCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "validator",
		Short: "Change the validator set by agreement of more than 2/3 of the voting power",
		Long: `A validator set change is a proposal file that validators sign offline with
their consensus keys (priv_validator_key.json):

  validator propose --add PUBKEY:POWER ... --expires-at-height H --out FILE
  validator sign FILE            (each validator, with its node's --home)
  validator submit FILE --from KEY

It applies when the signers hold more than 2/3 of the current voting power;
CometBFT uses the new set from two blocks later. "validator show-key" prints
a node's consensus public key for the proposer.`,
	}
	c.AddCommand(newValidatorShowKeyCmd(), newValidatorProposeCmd(), newValidatorSignCmd(),
		newValidatorCheckCmd(), newValidatorSubmitCmd())
	return c
}

// consensusKeyFile returns path, or HOME/config/priv_validator_key.json.
func consensusKeyFile(path string) string {
	if path != "" {
		return path
	}
	return filepath.Join(cfgHome(), "config", "priv_validator_key.json")
}

// loadConsensusKey reads a CometBFT priv_validator_key.json.
func loadConsensusKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("consensus key: %w", err)
	}
	var k privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("consensus key %s: %w", path, err)
	}
	if k.PrivKey == nil || k.PrivKey.Type() != "ed25519" || len(k.PrivKey.Bytes()) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("consensus key %s: not an ed25519 key", path)
	}
	return ed25519.PrivateKey(k.PrivKey.Bytes()), nil
}

func keyInfo(pub []byte) map[string]any {
	addr := validators.AddressOf(pub)
	return map[string]any{
		"pub_key": base64.StdEncoding.EncodeToString(pub),
		"address": validators.HexAddress(addr),
		"account": addr.String(),
	}
}

func newValidatorShowKeyCmd() *cobra.Command {
	var keyFile string
	c := &cobra.Command{
		Use:   "show-key",
		Short: "Print this node's consensus public key (base64) and address",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			priv, err := loadConsensusKey(consensusKeyFile(keyFile))
			if err != nil {
				return err
			}
			return emit(keyInfo(priv.Public().(ed25519.PublicKey)))
		},
	}
	c.Flags().StringVar(&keyFile, "key-file", "", "priv_validator_key.json to read (default HOME/config/priv_validator_key.json)")
	return c
}

// parsePubKey decodes a base64 ed25519 public key.
func parsePubKey(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key %q: want 32 bytes in standard base64 (see validator show-key)", s)
	}
	return b, nil
}

// parseKeyPower parses PUBKEY_B64:POWER.
func parseKeyPower(s string) (validators.Change, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return validators.Change{}, fmt.Errorf("%q: want PUBKEY_B64:POWER", s)
	}
	pub, err := parsePubKey(s[:i])
	if err != nil {
		return validators.Change{}, err
	}
	p, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || p < 1 {
		return validators.Change{}, fmt.Errorf("%q: power must be a positive integer (use --remove to remove)", s)
	}
	return validators.Change{PubKey: pub, Power: p}, nil
}

// nodeStatus returns the node's chain id and latest height.
func nodeStatus(ctx context.Context) (string, int64, error) {
	c, err := newClient()
	if err != nil {
		return "", 0, err
	}
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("status: %w", err)
	}
	return st.NodeInfo.Network, st.SyncInfo.LatestBlockHeight, nil
}

func newValidatorProposeCmd() *cobra.Command {
	var adds, sets, removes []string
	var expiresAt, expiresIn int64
	var salt, chainID, out string
	c := &cobra.Command{
		Use:   "propose",
		Short: "Write an unsigned validator set change proposal file",
		Long: `propose writes a proposal file. --add adds a key, --set changes an existing
validator's power, --remove removes one (all may repeat; the file lists adds,
then sets, then removes). The chain id comes from --chain-id or the node;
the expiry from --expires-at-height, or --expires-in blocks after the node's
latest height.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var changes []validators.Change
			for _, s := range append(append([]string{}, adds...), sets...) {
				ch, err := parseKeyPower(s)
				if err != nil {
					return err
				}
				changes = append(changes, ch)
			}
			for _, s := range removes {
				pub, err := parsePubKey(s)
				if err != nil {
					return err
				}
				changes = append(changes, validators.Change{PubKey: pub})
			}
			if len(changes) == 0 {
				return errors.New("no changes: give --add, --set or --remove")
			}
			if (expiresAt > 0) == (expiresIn > 0) {
				return errors.New("give exactly one of --expires-at-height and --expires-in")
			}
			if chainID == "" || expiresIn > 0 {
				ctx, cancel := ctxTimeout()
				defer cancel()
				id, h, err := nodeStatus(ctx)
				if err != nil {
					return err
				}
				if chainID == "" {
					chainID = id
				}
				if expiresIn > 0 {
					expiresAt = h + expiresIn
				}
			}
			if salt == "" {
				var b [8]byte
				if _, err := rand.Read(b[:]); err != nil {
					return err
				}
				salt = hex.EncodeToString(b[:])
			}
			f, err := validators.NewFile(validators.Proposal{ChainID: chainID, Changes: changes, ExpiresAtHeight: expiresAt, Salt: salt})
			if err != nil {
				return err
			}
			return proposalFiles.create(out, f, map[string]any{"file": out, "id": f.ID, "chain_id": chainID, "changes": len(changes), "expires_at_height": expiresAt})
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&adds, "add", nil, "add a validator: PUBKEY_B64:POWER (repeatable)")
	fl.StringArrayVar(&sets, "set", nil, "set a validator's power: PUBKEY_B64:POWER (repeatable)")
	fl.StringArrayVar(&removes, "remove", nil, "remove a validator: PUBKEY_B64 (repeatable)")
	fl.Int64Var(&expiresAt, "expires-at-height", 0, "last block height at which the change may apply")
	fl.Int64Var(&expiresIn, "expires-in", 0, "expire this many blocks after the node's latest height")
	fl.StringVar(&salt, "salt", "", "salt making the proposal id unique (default random)")
	fl.StringVar(&chainID, "chain-id", "", "chain id (default: the node's)")
	fl.StringVar(&out, "out", "", "write the file here (default: stdout)")
	return c
}

// proposalFiles is the validator change proposal file flow
// (contracts/signfile) on the command line.
var proposalFiles = signedFile[*validators.MsgChange]{what: "proposal", parse: validators.ParseFile}

func newValidatorSignCmd() *cobra.Command {
	return proposalFiles.signCmd(signStep[*validators.MsgChange]{
		use:   "sign FILE",
		short: "Sign a proposal file with this node's consensus key (written back in place, or to --out)",
		key:   &consensusKey{},
		sign: func(f *validators.MsgChange, priv ed25519.PrivateKey) (map[string]any, error) {
			if err := f.Check(); err != nil {
				return nil, fmt.Errorf("proposal file: %w", err)
			}
			if err := validators.Sign(f, priv); err != nil {
				return nil, err
			}
			return keyInfo(priv.Public().(ed25519.PublicKey)), nil
		},
		report: func(path string, f *validators.MsgChange) (map[string]any, error) {
			return map[string]any{"file": path, "id": f.ID, "signatures": len(f.Signatures)}, nil
		},
	})
}

// recordedSet queries /validators.
func recordedSet(ctx context.Context, f *queryFlags) (*answer, []validators.Validator, int64, error) {
	var vals []validators.Validator
	var total int64
	decode := func(v []byte) ([]app.KV, error) {
		var set validators.ValidatorSet
		if err := json.Unmarshal(v, &set); err != nil {
			return nil, fmt.Errorf("decode validators: %w", err)
		}
		var kvs []app.KV
		var err error
		vals, kvs, err = decodeEntries(set.Entries, "validator", func(val validators.Validator) []byte { return validators.ValidatorKey(val.Account) })
		if err != nil {
			return nil, err
		}
		// The total printed is the sum of the proven entries.
		total = 0
		for _, val := range vals {
			if val.Power < 0 || val.Power > validators.MaxTotalVotingPower-total {
				return nil, fmt.Errorf("%w: validator powers out of range", client.ErrWrongAnswer)
			}
			total += val.Power
		}
		if total != set.TotalPower {
			return nil, fmt.Errorf("%w: total power %d, the listed validators sum to %d", client.ErrWrongAnswer, set.TotalPower, total)
		}
		return kvs, nil
	}
	a, err := f.queryDecoded(ctx, "/validators", decode)
	if err != nil {
		return nil, nil, 0, err
	}
	return a, vals, total, nil
}

func newValidatorCheckCmd() *cobra.Command {
	return proposalFiles.checkCmd(checkStep[*validators.MsgChange]{
		use:   "check FILE",
		short: "Verify a proposal file's signatures and show the signed power against the node's set",
		check: func(_ string, f *validators.MsgChange) (checked, error) {
			if err := f.Check(); err != nil {
				return checked{}, err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			var qf queryFlags
			a, vals, total, err := recordedSet(ctx, &qf)
			if err != nil {
				return checked{}, err
			}
			if a.code != 0 {
				return checked{}, fmt.Errorf("validators: code %d: %s", a.code, a.log)
			}
			power := map[string]int64{}
			for _, v := range vals {
				power[v.Address] = v.Power
			}
			var signed int64
			unknown := []string{}
			for _, s := range f.Signatures {
				addr := validators.HexAddress(validators.AddressOf(s.PubKey))
				if p, ok := power[addr]; ok {
					signed += p
				} else {
					unknown = append(unknown, addr)
				}
			}
			// Not enough power yet is reported, not an error: validators
			// check the file while they are still collecting signatures.
			return checked{report: map[string]any{"id": f.ID, "signatures": len(f.Signatures), "signed_power": signed,
				"total_power": total, "enough": 3*signed > 2*total && len(unknown) == 0, "not_validators": unknown,
				"expires_at_height": f.Proposal.ExpiresAtHeight, "height": a.height}}, nil
		},
	})
}

func newValidatorSubmitCmd() *cobra.Command {
	return proposalFiles.submitCmd(submitStep[*validators.MsgChange]{
		use:   "submit FILE",
		short: "Submit a signed proposal file (message validator/change; any account may submit)",
		typ:   validators.TypeChange,
		message: func(_ string, f *validators.MsgChange, _ ledger.Address, _ *txFlags) (any, map[string]any, error) {
			return f, nil, nil
		},
	})
}

func qValidators() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use: "validators", Short: "The validator set the chain has recorded (address order)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, vals, total, err := recordedSet(ctx, &f)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"validators": nonNil(vals), "total_power": total, "count": len(vals)})
		},
	}
	f.register(c, true)
	return c
}

func qEvidence() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use: "evidence", Short: "Misbehaviour evidence CometBFT reported, oldest first, paged", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := ctxTimeout()
			defer cancel()
			var list []validators.Evidence
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var page query.List[json.RawMessage]
				if err := json.Unmarshal(v, &page); err != nil {
					return nil, fmt.Errorf("decode evidence: %w", err)
				}
				next = page.Next
				var kvs []app.KV
				var err error
				list, kvs, err = decodeEntries(page.Entries, "evidence", func(e validators.Evidence) []byte { return validators.EvidenceKey(e.BlockHeight, e.Index) })
				return kvs, err
			}
			a, err := f.queryDecoded(ctx, "/evidence?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"evidence": nonNil(list), "next": next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this cursor BLOCK_HEIGHT-INDEX (a previous page's next)")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	f.register(c, true)
	return c
}

func qValidatorChange() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use: "validator-change ID", Short: "The record of an applied validator set change", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := map[string]any{"id": args[0]}
			return f.queryPrint("/validator-change/"+url.PathEscape(args[0]), validators.AppliedKey(args[0]), out, func(v []byte) (map[string]any, error) {
				var rec validators.Applied
				if err := json.Unmarshal(v, &rec); err != nil {
					return nil, fmt.Errorf("decode record: %w", err)
				}
				out["record"] = rec
				return out, nil
			})
		},
	}
	f.register(c, true)
	return c
}
