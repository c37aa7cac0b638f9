package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	yaml "go.yaml.in/yaml/v3"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file is the CLI of signed multi-party agreements and collectives:
//
//	riffchain agreement new|sign|check|submit|propose|accept|reject|withdraw|execute|attest
//	riffchain tx collective create|leave
//	riffchain query agreement|agreements|collective

func init() {
	extraCommands = append(extraCommands, newAgreementCmd)
	extraTxCommands = append(extraTxCommands, newCollectiveTxCmd)
	extraQueryCommands = append(extraQueryCommands, qAgreement, qAgreements, qCollective)
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

// ---------------------------------------------------------------- new

// rawAction is one action flag as given, in command-line order.
type rawAction struct{ kind, value string }

// actionFlag is a repeatable flag that appends to a list shared by every
// action flag, so actions keep the order they were given in.
type actionFlag struct {
	kind string
	list *[]rawAction
}

func (f *actionFlag) String() string { return "" }
func (f *actionFlag) Type() string   { return "string" }
func (f *actionFlag) Set(s string) error {
	*f.list = append(*f.list, rawAction{f.kind, s})
	return nil
}

// newSpecFlags are the flags of `agreement new`.
type newSpecFlags struct {
	file, title, termsCID, salt, chainID, out string
	parties, obligations, outputs             []string
	actions                                   []rawAction
	expiresAtHeight, expiresIn, expiresAtTime int64
}

func newAgreementNewCmd() *cobra.Command {
	var f newSpecFlags
	c := &cobra.Command{
		Use:   "new [--file SPEC.json|SPEC.yaml] [flags] -o AGREEMENT.json",
		Short: "Build an unsigned agreement file from a spec file and/or flags",
		Long: `Build an agreement body from a JSON or YAML spec file and/or flags, fill in
version and chain_id, give it a random salt (unless --salt or the spec sets one),
and write the unsigned agreement file.

The spec is the body's JSON shape, e.g.
  {"parties": [ADDR, ...], "title": "...", "terms_cid": "CID",
   "actions": [{"transfer": {"from": ADDR, "to": ADDR, "asset": ASSET, "amount": "N"}},
               {"transfer": {"from": ADDR, "to": ADDR, "asset": ASSET, "item": "ITEM"}},
               {"hand_over": {"asset": ASSET, "from": ADDR, "to": ADDR, "holdings": true}},
               {"pool_swap": {"trader": ADDR, "pool": POOL, "asset_in": ASSET, "amount_in": "N", "min_out": "M"}},
               {"lens_transfer": {"from": ADDR, "to": ADDR, "lens": LENS}}],
   "obligations": [{"by": ADDR, "to": ADDR, "what": "..."}],
   "expires_at_height": H}
Flags add to the spec: --party appends parties, action flags append actions
(in the order given), --obligation appends obligations, the others replace.
Without any party, the parties are the actions' sources and the obligors, in
order of appearance. Addresses in flags may be key names.

Output: -o FILE / --out FILE writes the file and prints {file, agreement_id, ...};
without a file the agreement file itself is printed. Because -o is also the
global --output flag, "-o json" and "-o text" keep meaning the output format
here; any other value is the file to write.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAgreementNew(cmd, &f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.file, "file", "", "spec file (JSON or YAML; - for stdin)")
	fl.StringArrayVar(&f.parties, "party", nil, "a party address or key name (repeat)")
	fl.StringVar(&f.title, "title", "", "short title")
	fl.StringVar(&f.termsCID, "terms-cid", "", "CID of the off-ledger terms document")
	fl.Var(&actionFlag{"transfer", &f.actions}, "transfer", "action FROM:TO:AMOUNT:ASSET or FROM:TO:ASSET/ITEM (repeat)")
	fl.Var(&actionFlag{"hand_over", &f.actions}, "hand-over", "action FROM:TO:ASSET[:holdings] — issuer rights (and all holdings) (repeat)")
	fl.Var(&actionFlag{"pool_swap", &f.actions}, "pool-swap", "action TRADER:POOL:AMOUNT_IN:ASSET_IN:MIN_OUT (repeat)")
	fl.Var(&actionFlag{"lens_transfer", &f.actions}, "lens-transfer", "action FROM:TO:LENS — hand over a Lens (repeat)")
	fl.StringArrayVar(&f.obligations, "obligation", nil, "obligation BY:TO:WHAT (repeat)")
	fl.Int64Var(&f.expiresAtHeight, "expires-at-height", 0, "last block height at which it can settle")
	fl.Int64Var(&f.expiresIn, "expires-in", 0, "expire this many blocks after the node's current height")
	fl.Int64Var(&f.expiresAtTime, "expires-at-time", 0, "last block time (Unix seconds) at which it can settle")
	fl.StringVar(&f.salt, "salt", "", "salt making the id unique (default: random)")
	fl.StringVar(&f.chainID, "chain-id", "", "chain id (default: the spec's, else the node's)")
	fl.StringVar(&f.out, "out", "", "write the agreement file here")
	// Shadows the global --output/-o so that "-o AGREEMENT.json" works.
	fl.StringArrayVarP(&f.outputs, flagOutput, "o", nil, "output format (json|text) or, for any other value, the agreement file to write")
	return c
}

// applyOutputs splits -o values into the output format and a file path.
func applyOutputs(values []string, out string) (string, error) {
	for _, v := range values {
		switch v {
		case "json", "text":
			cfg.Set(flagOutput, v)
		default:
			if out != "" && out != v {
				return "", fmt.Errorf("two output files given: %q and %q", out, v)
			}
			out = v
		}
	}
	return out, nil
}

func runAgreementNew(cmd *cobra.Command, f *newSpecFlags) error {
	outFile, err := applyOutputs(f.outputs, f.out)
	if err != nil {
		return err
	}
	body := agreements.Body{}
	if f.file != "" {
		b, err := readSpec(f.file)
		if err != nil {
			return err
		}
		if b, err = resolveSpecKeys(b); err != nil { // spec_keys.go: key names as in the flags
			return err
		}
		parsed, err := agreements.ParseBody(b)
		if err != nil {
			return fmt.Errorf("spec %s: %w", f.file, err)
		}
		body = *parsed
	}
	if err := applySpecFlags(cmd, f, &body); err != nil {
		return err
	}
	if len(body.Parties) == 0 {
		body.Parties = inferParties(&body)
	}
	if !cmd.Flags().Changed("salt") && body.Salt == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("random salt: %w", err)
		}
		body.Salt = hex.EncodeToString(b[:])
	} else if cmd.Flags().Changed("salt") {
		body.Salt = f.salt
	}
	chainID := f.chainID
	if chainID == "" {
		chainID = body.ChainID
	}
	ctx, cancel := ctxTimeout()
	defer cancel()
	if chainID == "" || f.expiresIn > 0 {
		c, err := newClient()
		if err != nil {
			return err
		}
		if chainID == "" {
			if chainID, err = c.ChainID(ctx); err != nil {
				return fmt.Errorf("chain id (give --chain-id to work offline): %w", err)
			}
		}
		if f.expiresIn > 0 {
			st, err := c.RPC.Status(ctx)
			if err != nil {
				return fmt.Errorf("node height for --expires-in: %w", err)
			}
			body.ExpiresAtHeight = st.SyncInfo.LatestBlockHeight + f.expiresIn
		}
	}
	file, err := agreements.NewFile(body, chainID)
	if err != nil {
		return err
	}
	return agreementFiles.create(outFile, file, map[string]any{
		"file": outFile, "agreement_id": file.ID, "chain_id": file.Body.ChainID,
		"parties": file.Body.Parties, "actions": len(file.Body.Actions), "obligations": len(file.Body.Obligations),
		"expires_at_height": file.Body.ExpiresAtHeight, "expires_at_time": file.Body.ExpiresAtTime,
		"salt": file.Body.Salt,
	})
}

// readSpec reads a JSON or YAML spec and returns it as JSON.
func readSpec(path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	trimmed := bytes.TrimSpace(b)
	if ext == ".json" || (ext != ".yaml" && ext != ".yml" && len(trimmed) > 0 && trimmed[0] == '{') {
		return b, nil
	}
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("spec %s: yaml: %w", path, err)
	}
	out, err := json.Marshal(yamlToJSON(v, ""))
	if err != nil {
		return nil, fmt.Errorf("spec %s: yaml to json: %w", path, err)
	}
	return out, nil
}

// yamlToJSON turns YAML-decoded values into JSON-encodable ones; unquoted
// numbers under amount keys become decimal strings.
func yamlToJSON(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = yamlToJSON(e, k)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = yamlToJSON(e, "")
		}
		return x
	case int, int64, uint64:
		if key == "amount" || key == "amount_in" || key == "min_out" {
			return fmt.Sprint(x)
		}
	}
	return v
}

func applySpecFlags(cmd *cobra.Command, f *newSpecFlags, body *agreements.Body) error {
	for _, p := range f.parties {
		a, err := resolveAddress(p)
		if err != nil {
			return fmt.Errorf("--party: %w", err)
		}
		body.Parties = append(body.Parties, a)
	}
	if cmd.Flags().Changed("title") {
		body.Title = f.title
	}
	if cmd.Flags().Changed("terms-cid") {
		body.TermsCID = f.termsCID
	}
	for _, ra := range f.actions {
		a, err := parseActionFlag(ra)
		if err != nil {
			return err
		}
		body.Actions = append(body.Actions, a)
	}
	for _, s := range f.obligations {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) != 3 || parts[2] == "" {
			return fmt.Errorf("--obligation %q: want BY:TO:WHAT", s)
		}
		by, err := resolveAddress(parts[0])
		if err != nil {
			return fmt.Errorf("--obligation %q: %w", s, err)
		}
		to, err := resolveAddress(parts[1])
		if err != nil {
			return fmt.Errorf("--obligation %q: %w", s, err)
		}
		body.Obligations = append(body.Obligations, agreements.Obligation{By: by, To: to, What: parts[2]})
	}
	if cmd.Flags().Changed("expires-at-height") {
		body.ExpiresAtHeight = f.expiresAtHeight
	}
	if cmd.Flags().Changed("expires-at-time") {
		body.ExpiresAtTime = f.expiresAtTime
	}
	return nil
}

func parseActionFlag(ra rawAction) (agreements.Action, error) {
	parts := strings.Split(ra.value, ":")
	flag := strings.ReplaceAll(ra.kind, "_", "-")
	bad := func(want string) (agreements.Action, error) {
		return agreements.Action{}, fmt.Errorf("--%s %q: want %s", flag, ra.value, want)
	}
	addr := func(s string) (ledger.Address, error) {
		a, err := resolveAddress(s)
		if err != nil {
			return a, fmt.Errorf("--%s %q: %w", flag, ra.value, err)
		}
		return a, nil
	}
	// fromTo resolves the FROM and TO that lead transfer, hand_over and
	// lens_transfer values.
	fromTo := func() (from, to ledger.Address, err error) {
		if from, err = addr(parts[0]); err != nil {
			return from, to, err
		}
		to, err = addr(parts[1])
		return from, to, err
	}
	switch ra.kind {
	case "transfer":
		if len(parts) != 3 && len(parts) != 4 {
			return bad("FROM:TO:AMOUNT:ASSET or FROM:TO:ASSET/ITEM")
		}
		from, to, err := fromTo()
		if err != nil {
			return agreements.Action{}, err
		}
		m, err := parseMove(to, parts[2:])
		if err != nil {
			return agreements.Action{}, fmt.Errorf("--transfer %q: %w", ra.value, err)
		}
		return agreements.Action{Transfer: &agreements.TransferAction{From: from, To: to, Asset: m.Asset, Amount: m.Amount, Item: m.Item}}, nil
	case "hand_over":
		if len(parts) != 3 && !(len(parts) == 4 && parts[3] == "holdings") {
			return bad("FROM:TO:ASSET or FROM:TO:ASSET:holdings")
		}
		from, to, err := fromTo()
		if err != nil {
			return agreements.Action{}, err
		}
		return agreements.Action{HandOver: &agreements.HandOverAction{Asset: parts[2], From: from, To: to, Holdings: len(parts) == 4}}, nil
	case "pool_swap":
		if len(parts) != 5 {
			return bad("TRADER:POOL:AMOUNT_IN:ASSET_IN:MIN_OUT")
		}
		trader, err := addr(parts[0])
		if err != nil {
			return agreements.Action{}, err
		}
		in, err := parseAmountOf(parts[2], parts[3])
		if err != nil {
			return agreements.Action{}, fmt.Errorf("--pool-swap %q: amount_in: %w", ra.value, err)
		}
		minOut, err := ledger.ParseAmount(parts[4])
		if err != nil {
			return agreements.Action{}, fmt.Errorf("--pool-swap %q: min_out: %w", ra.value, err)
		}
		return agreements.Action{PoolSwap: &agreements.PoolSwapAction{Trader: trader, Pool: parts[1], AssetIn: parts[3], AmountIn: in, MinOut: minOut}}, nil
	case "lens_transfer":
		if len(parts) != 3 {
			return bad("FROM:TO:LENS")
		}
		from, to, err := fromTo()
		if err != nil {
			return agreements.Action{}, err
		}
		return agreements.Action{LensTransfer: &agreements.LensTransferAction{From: from, To: to, Lens: parts[2]}}, nil
	}
	return bad("a known action")
}

// inferParties lists the actions' sources and the obligors, in order.
func inferParties(b *agreements.Body) []ledger.Address {
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

// ---------------------------------------------------------------- sign / check

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
	c := &cobra.Command{
		Use:   "check FILE [--submitter KEY|ADDR]",
		Short: "Verify an agreement file's signatures offline and list who has signed and who is missing",
		Long: `Verify an agreement file's signatures offline and list who has signed and who
is missing. With --submitter, the check is for that account submitting it: a
submitter that is a party approves by its transaction signature, so its own
signature is not missing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := agreementFiles.read(args[0])
			if err != nil {
				return err
			}
			var sub *ledger.Address
			if submitter != "" {
				a, err := resolveAddress(submitter)
				if err != nil {
					return err
				}
				sub = &a
			}
			rep, err := approvalReportFor(args[0], f, sub)
			if err != nil {
				return err
			}
			if rep["complete"] != true {
				return fail(rep, 1, fmt.Errorf("%w: agreement is not fully signed", agreements.ErrMissingSignature))
			}
			return emit(rep)
		},
	}
	c.Flags().StringVar(&submitter, "submitter", "", "check for this key or address submitting the file")
	return c
}

// ---------------------------------------------------------------- txs

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

// ---------------------------------------------------------------- collectives

func newCollectiveTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "collective", Short: "Create and leave collective (k-of-n) accounts"}

	var cf txFlags
	var members []string
	var threshold uint32
	var name string
	create := &cobra.Command{
		Use:   "create --member A --member B ... --threshold K --from KEY",
		Short: "Create a k-of-n collective; prints its address as collective",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := agreements.MsgCreateCollective{Threshold: threshold, Name: name}
			for _, s := range members {
				a, err := resolveAddress(s)
				if err != nil {
					return fmt.Errorf("--member: %w", err)
				}
				m.Members = append(m.Members, a)
			}
			return cf.send(agreements.TypeCreateCollective, m)
		},
	}
	create.Flags().StringArrayVar(&members, "member", nil, "member address or key name (repeat)")
	create.Flags().Uint32Var(&threshold, "threshold", 0, "member approvals needed (1..members)")
	create.Flags().StringVar(&name, "name", "", "optional name")
	cf.register(create)

	var lf txFlags
	leave := &cobra.Command{
		Use:   "leave COLLECTIVE --from KEY",
		Short: "Leave a collective (its version goes up; the threshold shrinks if it must)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			coll, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			return lf.send(agreements.TypeLeaveCollective, agreements.MsgLeaveCollective{Collective: coll})
		},
	}
	lf.register(leave)

	c.AddCommand(create, leave)
	return c
}

// fetchCollective reads a collective's current state from the node.
func fetchCollective(addr ledger.Address) (*agreements.Collective, error) {
	var c agreements.Collective
	code, log, err := fetchRecord("/collective/"+addr.String(), "collective", &c)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("query collective %s: code %d: %s", addr, code, log)
	}
	return &c, nil
}

// ---------------------------------------------------------------- queries

// recordOutput turns a stored agreement record into the printed object.
func recordOutput(raw []byte) (map[string]any, error) {
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode agreement: %w", err)
	}
	return withDefaults(out, agreementDefaults()), nil // output_fields.go
}

func qAgreement() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use:   "agreement ID|FILE",
		Short: "An agreement: status, parties, accepted_by, obligations and their attestations, history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := agreementIDArg(args[0])
			if err != nil {
				return err
			}
			return f.queryPrint("/agreement/"+id, agreements.AgreementKey(id), map[string]any{"id": id}, recordOutput)
		},
	}
	f.register(c, true)
	return c
}

// agreementListKVs decodes a /agreements page and returns the records and
// the key/values its proofs must show. Every record must list party among
// its parties and, when status is set, be in that status: the proven
// record shows that it fits the question.
func agreementListKVs(v []byte, party ledger.Address, status string) ([]map[string]any, string, []app.KV, error) {
	list, err := parseListPage(v, "agreement list")
	if err != nil {
		return nil, "", nil, err
	}
	recs := []map[string]any{}
	var kvs []app.KV
	for _, e := range list.Entries {
		var head struct {
			ID      string           `json:"id"`
			Status  string           `json:"status"`
			Parties []ledger.Address `json:"parties"`
		}
		if err := json.Unmarshal(e, &head); err != nil || head.ID == "" {
			return nil, "", nil, fmt.Errorf("decode agreement list entry: %v", err)
		}
		if !slices.Contains(head.Parties, party) {
			return nil, "", nil, fmt.Errorf("%w: agreement %s does not list %s as a party", client.ErrWrongAnswer, head.ID, party)
		}
		if status != "" && head.Status != status {
			return nil, "", nil, fmt.Errorf("%w: agreement %s is %s, the question asks for %s", client.ErrWrongAnswer, head.ID, head.Status, status)
		}
		rec, err := recordOutput(e)
		if err != nil {
			return nil, "", nil, err
		}
		recs = append(recs, rec)
		kvs = append(kvs, app.KV{Key: agreements.AgreementKey(head.ID), Value: []byte(e)})
	}
	return recs, list.Next, kvs, nil
}

func qAgreements() *cobra.Command {
	var f queryFlags
	var party, status, after string
	var limit int
	c := &cobra.Command{
		Use:   "agreements --party ADDR [--status S]",
		Short: "The agreements an address is a party to, by status then id, paged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, err := resolveAddress(party)
			if err != nil {
				return err
			}
			q := pageValues(limit, after)
			if status != "" {
				q.Set("status", status)
			}
			var recs []map[string]any
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var kvs []app.KV
				var err error
				recs, next, kvs, err = agreementListKVs(v, addr, status)
				return kvs, err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.queryDecoded(ctx, "/agreements/"+addr.String()+"?"+q.Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"party": addr.String(), "status": status,
				"agreements": nonNil(recs), "count": len(recs), "next": next})
		},
	}
	c.Flags().StringVar(&party, "party", "", "party address or key name")
	c.Flags().StringVar(&status, "status", "", "only this status: proposed, settled, lapsed, withdrawn, rejected, completed, disputed")
	c.Flags().StringVar(&after, "after", "", "cursor from a previous page's next")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	_ = c.MarkFlagRequired("party")
	f.register(c, true)
	return c
}

func qCollective() *cobra.Command {
	var f queryFlags
	var version uint64
	c := &cobra.Command{
		Use:   "collective ADDR",
		Short: "A collective's members, threshold and version (--version: as it was then)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			path, key := "/collective/"+addr.String(), agreements.CollectiveKey(addr)
			if version > 0 {
				path += "/" + strconv.FormatUint(version, 10)
				key = agreements.CollectiveVersionKey(addr, version)
			}
			return f.queryMerged(path, key, "collective", map[string]any{"address": addr.String()})
		},
	}
	c.Flags().Uint64Var(&version, "version", 0, "membership version (default: current)")
	f.register(c, true)
	return c
}
