package main

// riffchain lens export|import: a Lens as a CAR file. The CAR's first root
// is the export record (lensExport, JSON, stored as a UnixFS file with the
// default profile, so a single raw block up to 256 KiB and a chunked DAG
// beyond) and its blocks come first: the Lens's manifest at a height, the
// stored value of every state key it comes from, an ICS-23 proof of each
// against that height's app hash, and the signed header (with its
// validator set) that carries the app hash. The other roots are the
// entries' CIDs, followed by every block of their DAGs that the local
// content store has.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	mdag "github.com/ipfs/boxo/ipld/merkledag"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/lens/content"
)

// lensExportFormat names the export record's layout.
const lensExportFormat = "riffchain-lens-export/1"

// errBadExport marks an export file whose manifest, records, proofs or
// header do not verify.
var errBadExport = errors.New("lens export does not verify")

// lensExport is the manifest block of a Lens CAR.
type lensExport struct {
	Format   string        `json:"format"`
	Manifest lens.Manifest `json:"manifest"`
	// Records[i] is the stored value of Manifest.ManifestKeys()[i].
	Records [][]byte `json:"records"`
	// Proofs[i] is the ICS-23 CommitmentProof (protobuf) of Records[i]
	// against SignedHeader's app hash.
	Proofs [][]byte `json:"proofs"`
	// SignedHeader is the header at Manifest.Height+1 with its commit
	// (CometBFT protobuf); its app hash is the state root after
	// Manifest.Height. Validators is the validator set that signed it.
	SignedHeader []byte `json:"signed_header"`
	Validators   []byte `json:"validators"`
}

// verify checks e completely: the manifest is well formed, its records say
// what it says (lens.Manifest.CheckRecords), every record is proven under
// the header's app hash, and the header is signed by more than 2/3 of the
// validator set it names, for the manifest's chain, at the next height.
// It returns the verified header.
func (e *lensExport) verify() (*cmttypes.SignedHeader, error) {
	if e.Format != lensExportFormat {
		return nil, fmt.Errorf("%w: format %q, want %q", errBadExport, e.Format, lensExportFormat)
	}
	if err := (&lens.MsgImport{Manifest: e.Manifest}).Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadExport, err)
	}
	if err := e.Manifest.CheckRecords(e.Records); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadExport, err)
	}
	var shp cmtproto.SignedHeader
	if err := shp.Unmarshal(e.SignedHeader); err != nil {
		return nil, fmt.Errorf("%w: signed header: %v", errBadExport, err)
	}
	sh, err := cmttypes.SignedHeaderFromProto(&shp)
	if err != nil {
		return nil, fmt.Errorf("%w: signed header: %v", errBadExport, err)
	}
	var vsp cmtproto.ValidatorSet
	if err := vsp.Unmarshal(e.Validators); err != nil {
		return nil, fmt.Errorf("%w: validators: %v", errBadExport, err)
	}
	vals, err := cmttypes.ValidatorSetFromProto(&vsp)
	if err != nil {
		return nil, fmt.Errorf("%w: validators: %v", errBadExport, err)
	}
	if sh.Header.Height != e.Manifest.Height+1 {
		return nil, fmt.Errorf("%w: header height %d for state height %d", errBadExport, sh.Header.Height, e.Manifest.Height)
	}
	if err := client.VerifySignedHeader(e.Manifest.ChainID, sh, vals); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadExport, err)
	}
	keys := e.Manifest.ManifestKeys()
	if len(e.Proofs) != len(keys) {
		return nil, fmt.Errorf("%w: %d proofs for %d records", errBadExport, len(e.Proofs), len(keys))
	}
	ops := &cmtcrypto.ProofOps{}
	expected := make([]app.KV, len(keys))
	for i, k := range keys {
		ops.Ops = append(ops.Ops, cmtcrypto.ProofOp{Type: app.ProofOpType, Key: k, Data: e.Proofs[i]})
		expected[i] = app.KV{Key: k, Value: e.Records[i]}
	}
	if err := client.VerifyOps(sh.Header.AppHash, ops, expected); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadExport, err)
	}
	return sh, nil
}

// entryRoots returns the CIDs whose content an export carries: each
// entry's, then the description's.
func entryRoots(m *lens.Manifest) ([]cid.Cid, error) {
	var roots []cid.Cid
	add := func(s string) error {
		c, err := content.ParseCID(s)
		if err != nil {
			return err
		}
		roots = append(roots, c)
		return nil
	}
	for _, e := range m.Entries {
		if err := add(e.CID); err != nil {
			return nil, err
		}
	}
	if m.Lens.DescriptionCID != "" {
		if err := add(m.Lens.DescriptionCID); err != nil {
			return nil, err
		}
	}
	return roots, nil
}

// fetchExport asks the node for the manifest of handle at height (0 =
// latest) with proofs, and the signed header and validators that commit
// to it, and verifies the whole record.
func fetchExport(ctx context.Context, c *client.Client, handle string, height int64) (*lensExport, uint32, string, error) {
	res, err := c.Query(ctx, "/manifest/"+handle, client.QueryOpts{Height: height, Prove: true})
	if err != nil {
		return nil, 0, "", err
	}
	r := res.Response
	if r.Code != 0 {
		return nil, r.Code, r.Log, nil
	}
	var ans lens.ManifestAnswer
	if err := json.Unmarshal(r.Value, &ans); err != nil {
		return nil, 0, "", fmt.Errorf("decode manifest: %w", err)
	}
	if ans.Manifest.Lens.Handle != handle {
		return nil, 0, "", fmt.Errorf("%w: asked for lens %s, got %s", client.ErrWrongAnswer, handle, ans.Manifest.Lens.Handle)
	}
	if height > 0 && r.Height != height {
		return nil, 0, "", fmt.Errorf("%w: asked for height %d, the answer is for height %d", client.ErrWrongAnswer, height, r.Height)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, 0, "", err
	}
	e := &lensExport{Format: lensExportFormat, Manifest: ans.Manifest, Records: ans.Records}
	e.Manifest.ChainID, e.Manifest.Height = chainID, r.Height
	if r.ProofOps == nil || len(r.ProofOps.Ops) != len(ans.Records) {
		return nil, 0, "", fmt.Errorf("%w: node sent no proof for some records", client.ErrProofInvalid)
	}
	for _, op := range r.ProofOps.Ops {
		e.Proofs = append(e.Proofs, op.Data)
	}
	root, err := c.RootFor(ctx, r.Height) // waits for the header and checks its commit
	if err != nil {
		return nil, 0, "", err
	}
	h := root.Height
	com, err := c.RPC.Commit(ctx, &h)
	if err != nil {
		return nil, 0, "", fmt.Errorf("commit %d: %w", h, err)
	}
	vals, err := c.ValidatorsAt(ctx, h)
	if err != nil {
		return nil, 0, "", err
	}
	if e.SignedHeader, err = com.SignedHeader.ToProto().Marshal(); err != nil {
		return nil, 0, "", fmt.Errorf("encode header: %w", err)
	}
	vsp, err := cmttypes.NewValidatorSet(vals).ToProto()
	if err != nil {
		return nil, 0, "", fmt.Errorf("encode validators: %w", err)
	}
	if e.Validators, err = vsp.Marshal(); err != nil {
		return nil, 0, "", fmt.Errorf("encode validators: %w", err)
	}
	if _, err := e.verify(); err != nil {
		return nil, 0, "", err
	}
	return e, 0, "", nil
}

func newLensExportCmd() *cobra.Command {
	var sf storeFlags
	var out string
	var height int64
	var complete bool
	c := &cobra.Command{
		Use:   "export LENS --out FILE.car [--height H]",
		Short: "Write a Lens as a CAR: its entries' content that the local store has, and its manifest proven at a height",
		Long: `export asks the node for the Lens's manifest (entries, follows, roles,
blocks) at a height with a Merkle proof of every record, checks the proofs
against the app hash of a header signed by the validators, and writes a CAR
file whose first block is that manifest with its proofs and header, followed
by every block of the entries' content that the local content store holds
(missing blocks are counted, or with --complete make the export fail).
The file is named with --out (-o is the global --output format flag).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h := args[0]
			if !lens.ValidHandle(h) {
				return fmt.Errorf("%w: %q", lens.ErrBadHandle, h)
			}
			cl, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			e, code, log, err := fetchExport(ctx, cl, h, height)
			if err != nil {
				return err
			}
			if code != 0 {
				res := map[string]any{"lens": h, "code": code, "log": log}
				if code == app.CodeNotFound {
					res["found"] = false
				}
				return fail(res, 1, fmt.Errorf("export %s: code %d: %s", h, code, log))
			}
			rec, err := json.Marshal(e)
			if err != nil {
				return err
			}
			roots, err := entryRoots(&e.Manifest)
			if err != nil {
				return err
			}
			store, _, err := sf.open()
			if err != nil {
				return err
			}
			defer store.Close()
			tmp, err := tempNextTo(out)
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			res, err := writeLensCAR(ctx, store, tmp, rec, roots, complete)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), out); err != nil {
				return err
			}
			return emit(map[string]any{"file": out, "lens": h, "owner": e.Manifest.Owner.String(),
				"chain_id": e.Manifest.ChainID, "height": e.Manifest.Height, "entries": len(e.Manifest.Entries),
				"follows": len(e.Manifest.Follows), "roles": len(e.Manifest.Roles), "blocks": res.Blocks,
				"missing": res.Missing, "manifest_cid": res.Manifest.String(), "proof_verified": true})
		},
	}
	c.Flags().StringVar(&out, "out", "", "CAR file to write")
	c.Flags().Int64Var(&height, "height", 0, "state height of the manifest (0 = latest)")
	c.Flags().BoolVar(&complete, "complete", false, "fail when the local store lacks any block of the entries' content")
	_ = c.MarkFlagRequired("out")
	sf.register(c, false)
	return c
}

// writeLensCAR writes the CAR of an export: the record (a UnixFS file, its
// blocks first) as the first root, then the entries' content from store.
// res.Manifest is the record's CID.
func writeLensCAR(ctx context.Context, store content.Store, w io.Writer, rec []byte, roots []cid.Cid, complete bool) (content.ExportResult, error) {
	recStore, err := content.NewMemory(content.ProfileDefault)
	if err != nil {
		return content.ExportResult{}, err
	}
	recRoot, err := recStore.Add(ctx, bytes.NewReader(rec))
	if err != nil {
		return content.ExportResult{}, err
	}
	res, err := content.ExportCAR(ctx, overlayStore{Store: store, over: recStore}, w,
		append([]cid.Cid{recRoot}, roots...), content.ExportOptions{RequireComplete: complete})
	if err != nil {
		return res, err
	}
	res.Manifest = recRoot
	return res, nil
}

// overlayStore reads blocks from over first, then from the embedded Store
// (the export record's blocks live in memory, the content in the store).
type overlayStore struct {
	content.Store
	over content.Store
}

func (o overlayStore) GetBlock(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	if b, err := o.over.GetBlock(ctx, c); err == nil {
		return b, nil
	}
	return o.Store.GetBlock(ctx, c)
}

// maxExportRecord bounds the export record an import reads into memory.
const maxExportRecord = 256 << 20

// readExportRecord reads the export record from the start of a CAR: the
// first root's DAG, whose blocks must come first. Every block is checked
// against its CID (content.ErrCorrupt otherwise).
func readExportRecord(ctx context.Context, r io.Reader) (*lensExport, cid.Cid, error) {
	br, err := carv2.NewBlockReader(r, carv2.MaxAllowedHeaderSize(content.MaxCARHeaderSize),
		carv2.MaxAllowedSectionSize(content.MaxBlockSize+1024), carv2.WithTrustedCAR(true))
	if err != nil {
		return nil, cid.Undef, fmt.Errorf("%w: %v: %w", errBadExport, err, content.ErrBadCAR)
	}
	if len(br.Roots) == 0 {
		return nil, cid.Undef, fmt.Errorf("%w: CAR has no roots", errBadExport)
	}
	root := br.Roots[0]
	mem, err := content.NewMemory(content.ProfileDefault)
	if err != nil {
		return nil, cid.Undef, err
	}
	need := map[string]bool{root.KeyString(): true}
	total := 0
	for len(need) > 0 {
		blk, err := br.Next()
		if err != nil {
			return nil, cid.Undef, fmt.Errorf("%w: export record incomplete: %v: %w", errBadExport, err, content.ErrBadCAR)
		}
		if !need[blk.Cid().KeyString()] {
			return nil, cid.Undef, fmt.Errorf("%w: block %s before the export record is complete", errBadExport, blk.Cid())
		}
		delete(need, blk.Cid().KeyString())
		if total += len(blk.RawData()); total > maxExportRecord {
			return nil, cid.Undef, fmt.Errorf("%w: export record over %d bytes: %w", errBadExport, maxExportRecord, content.ErrTooLarge)
		}
		if err := mem.PutBlock(ctx, blk); err != nil { // verifies the block
			return nil, cid.Undef, fmt.Errorf("%w: export record: %w", errBadExport, err)
		}
		if blk.Cid().Type() == cid.DagProtobuf {
			nd, err := mdag.DecodeProtobuf(blk.RawData())
			if err != nil {
				return nil, cid.Undef, fmt.Errorf("%w: export record node: %v: %w", errBadExport, err, content.ErrCorrupt)
			}
			for _, l := range nd.Links() {
				need[l.Cid.KeyString()] = true
			}
		}
	}
	f, err := mem.Get(ctx, root)
	if err != nil {
		return nil, cid.Undef, fmt.Errorf("%w: export record: %w", errBadExport, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxExportRecord))
	if err != nil {
		return nil, cid.Undef, fmt.Errorf("%w: export record: %w", errBadExport, err)
	}
	var e lensExport
	if err := app.StrictUnmarshal(raw, &e); err != nil {
		return nil, cid.Undef, fmt.Errorf("%w: export record: %w", errBadExport, err)
	}
	return &e, root, nil
}

func newLensImportCmd() *cobra.Command {
	var sf storeFlags
	var src sourceFlags
	var f txFlags
	var recreate bool
	var handle string
	batchBytes := recreateBatchBytes
	c := &cobra.Command{
		Use:   "import FILE.car [--recreate --from KEY [--handle NEW]]",
		Short: "Verify a Lens CAR, load its content into the local store, and optionally recreate the Lens here",
		Long: `import verifies the export record (manifest, every record's Merkle proof,
the signed header) before it stores anything, then verifies every block of
the CAR against its CID while loading it into the local content store. With
--recreate it sends lens/import signed by --from, which must be the Lens's
owner in the manifest; --handle renames the Lens on this network. A manifest
too large for one transaction is sent in batches: lens/import with the first
entries, then lens/import-entries transactions for the rest, each waited
for.

The export's header is checked against the validator set the export itself
carries, which proves the records belong to a chain those validators signed,
not that it is the chain you mean. --source-node checks the header against
a node of the source chain (it must have the same header at that height);
with --trust-height/--trust-hash as well, CometBFT's light client verifies
that header from a header you trust (cross-checked with --witness nodes), so
the source node need not be trusted. source_checked in the output says which
check ran: none, source-node or light-client.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if recreate && f.from == "" {
				return errors.New("--recreate needs --from KEY (the Lens owner's key)")
			}
			file, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer file.Close()
			ctx, cancel := ctxTimeout()
			defer cancel()
			e, mcid, err := readExportRecord(ctx, file)
			if err != nil {
				return err
			}
			sh, err := e.verify()
			if err != nil {
				return err
			}
			checked, err := src.check(ctx, e, sh)
			if err != nil {
				return err
			}
			var signer ledger.Address
			if recreate {
				if signer, err = resolveAddress(f.from); err != nil {
					return err
				}
				if signer != e.Manifest.Owner {
					return fmt.Errorf("%w: --from %s is %s; the Lens is owned by %s", lens.ErrUnauthorized, f.from, signer, e.Manifest.Owner)
				}
			}
			if _, err := file.Seek(0, io.SeekStart); err != nil {
				return err
			}
			store, _, err := sf.open()
			if err != nil {
				return err
			}
			defer store.Close()
			ir, err := content.ImportCAR(ctx, store, file)
			if err != nil {
				return err
			}
			roots, err := entryRoots(&e.Manifest)
			if err != nil {
				return err
			}
			present := 0
			for _, r := range roots {
				if ok, err := store.Has(ctx, r); err != nil {
					return err
				} else if ok {
					present++
				}
			}
			out := map[string]any{"lens": e.Manifest.Lens.Handle, "owner": e.Manifest.Owner.String(),
				"source_chain_id": e.Manifest.ChainID, "source_height": e.Manifest.Height,
				"source_app_hash": fmt.Sprintf("%X", sh.Header.AppHash), "manifest_cid": mcid.String(),
				"entries": len(e.Manifest.Entries), "blocks": ir.Blocks, "content_present": present,
				"content_missing": len(roots) - present, "verified": true, "source_checked": checked}
			if !recreate {
				return emit(out)
			}
			return f.recreate(ctx, signer, out, e.Manifest, handle, batchBytes)
		},
	}
	src.register(c)
	c.Flags().BoolVar(&recreate, "recreate", false, "recreate the Lens (entries, follows, roles, blocks) on the node's network")
	c.Flags().StringVar(&handle, "handle", "", "with --recreate: the handle on this network (default: the original)")
	c.Flags().StringVar(&f.from, flagFrom, "", "with --recreate: the Lens owner's key")
	c.Flags().StringVar(&f.fee, "fee", "", "with --recreate: fee paid to the block proposer, AMOUNT+ASSET")
	f.registerGas(c, "with --recreate: ")
	c.Flags().IntVar(&batchBytes, "batch-bytes", recreateBatchBytes, "with --recreate: largest message JSON per tx (testing)")
	_ = c.Flags().MarkHidden("batch-bytes")
	sf.register(c, false)
	return c
}

// recreateBatchBytes bounds the JSON of each message --recreate sends,
// well under app.MaxTxBytes once wrapped in a signed body.
const recreateBatchBytes = 48 * 1024

// recreate sends the import of man (renamed to handle when set) from
// signer: one lens/import with the Lens record, follows, roles, blocks and
// the first entries, then lens/import-entries for the rest (see
// lens.SplitImport), each tx waited for before the next. It prints out
// merged with the last tx's fields, the lens/import outputs as recreated_*
// (recreated_entries counting every batch), recreate_txs and txhashes.
func (f *txFlags) recreate(ctx context.Context, signer ledger.Address, out map[string]any, man lens.Manifest, handle string, maxBytes int) error {
	if maxBytes <= 0 || maxBytes > recreateBatchBytes {
		return fmt.Errorf("--batch-bytes %d: want 1..%d", maxBytes, recreateBatchBytes)
	}
	first, rest, err := lens.SplitImport(man, handle, maxBytes)
	if err != nil {
		return err
	}
	msgs := make([]app.Msg, 0, 1+len(rest))
	im, err := msg(lens.TypeImport, first)
	if err != nil {
		return err
	}
	msgs = append(msgs, im)
	for _, b := range rest {
		m, err := msg(lens.TypeImportEntries, b)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	merged := map[string]any{}
	var hashes []string
	entries := uint64(0)
	for i, m := range msgs {
		body, err := f.buildBody(ctx, signer, []app.Msg{m})
		if err != nil {
			return err
		}
		bz, err := app.MarshalBody(body)
		if err != nil {
			return err
		}
		tx, err := f.sign(bz)
		if err != nil {
			return err
		}
		res, err := c.Broadcast(ctx, tx, true)
		if err != nil {
			return err
		}
		hashes = append(hashes, res.TxHash)
		merged["txhash"], merged["height"], merged["code"], merged["log"] = res.TxHash, res.Height, res.Code, res.Log
		if i == 0 {
			for k, v := range res.Data {
				merged["recreated_"+k] = v
			}
		}
		if res.Code == 0 {
			n, perr := strconv.ParseUint(res.Data["entries"], 10, 64)
			if perr != nil {
				return fmt.Errorf("tx %s: entries output %q: %w", res.TxHash, res.Data["entries"], perr)
			}
			entries += n
			merged["recreated_entries"] = strconv.FormatUint(entries, 10)
		}
		merged["recreate_txs"], merged["txhashes"] = len(hashes), hashes
		if err := res.Err(); err != nil {
			for k, v := range out {
				merged[k] = v
			}
			typedResult(merged) // output_fields.go
			merged["summary"] = fmt.Sprintf("refused (code %d) at tx %d of %d: %s", res.Code, i+1, len(msgs), res.Log)
			return fail(merged, 1, fmt.Errorf("tx %d of %d: %w", i+1, len(msgs), err))
		}
		// The next tx uses the next nonce and the same chain id, without
		// waiting for the node's view of the account to catch up.
		f.chainID, f.nonce = body.ChainID, body.Nonce+1
	}
	for k, v := range out {
		merged[k] = v
	}
	typedResult(merged) // output_fields.go
	merged["summary"] = fmt.Sprintf("recreated Lens %v with %v entries in %d txs", merged["recreated_lens"], merged["recreated_entries"], len(hashes))
	return emit(merged)
}

// sourceFlags say how lens import checks an export against its source
// chain.
type sourceFlags struct {
	node        string
	trustHeight int64
	trustHash   string
	witnesses   []string
}

func (f *sourceFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.node, "source-node", "", "RPC address of a node of the source chain: the export's header must be that chain's header at its height")
	c.Flags().Int64Var(&f.trustHeight, "trust-height", 0, "with --source-node: height of a source-chain header you trust (light-client verification)")
	c.Flags().StringVar(&f.trustHash, "trust-hash", "", "with --source-node: hex hash of that header")
	c.Flags().StringSliceVar(&f.witnesses, "witness", nil, "with --trust-height: source-chain RPC addresses that cross-check headers")
}

// check compares the export's verified header sh with the source chain's
// header at the same height and says which check ran ("none" without
// --source-node).
func (f *sourceFlags) check(ctx context.Context, e *lensExport, sh *cmttypes.SignedHeader) (string, error) {
	if f.node == "" {
		if f.trustHeight != 0 || f.trustHash != "" || len(f.witnesses) > 0 {
			return "", fmt.Errorf("%w: --trust-height, --trust-hash and --witness need --source-node", client.ErrTrustOptions)
		}
		return "none", nil
	}
	if f.trustHeight != 0 || f.trustHash != "" {
		v, err := lightVerifier(ctx, e.Manifest.ChainID, f.node, f.trustHeight, f.trustHash, f.witnesses)
		if err != nil {
			return "", err
		}
		root, err := v.RootFor(ctx, e.Manifest.Height)
		if err != nil {
			return "", err
		}
		if !bytes.Equal(root.AppHash, sh.Header.AppHash) {
			return "", fmt.Errorf("%w: the source chain's verified app hash at height %d is %X, the export's %X",
				errBadExport, root.Height, root.AppHash, sh.Header.AppHash)
		}
		return "light-client", nil
	}
	c, err := client.New(f.node)
	if err != nil {
		return "", err
	}
	h := sh.Header.Height
	res, err := c.RPC.Commit(ctx, &h)
	if err != nil {
		return "", fmt.Errorf("source node %s: header %d: %w", f.node, h, err)
	}
	if res.Header.ChainID != e.Manifest.ChainID || !bytes.Equal(res.Header.Hash(), sh.Header.Hash()) {
		return "", fmt.Errorf("%w: the source node's header %d (chain %s) is %X, the export's %X",
			errBadExport, h, res.Header.ChainID, res.Header.Hash(), sh.Header.Hash())
	}
	return "source-node", nil
}
