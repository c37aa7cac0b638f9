package web

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/bytes"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// Chain is what the explorer needs of a node: the CometBFT RPC calls it
// makes. The node's in-process client (rpc/client/local) and the HTTP
// client both satisfy it.
type Chain interface {
	ABCIQueryWithOptions(ctx context.Context, path string, data bytes.HexBytes, opts rpcclient.ABCIQueryOptions) (*coretypes.ResultABCIQuery, error)
	Status(ctx context.Context) (*coretypes.ResultStatus, error)
	BlockchainInfo(ctx context.Context, minHeight, maxHeight int64) (*coretypes.ResultBlockchainInfo, error)
	Block(ctx context.Context, height *int64) (*coretypes.ResultBlock, error)
	BlockResults(ctx context.Context, height *int64) (*coretypes.ResultBlockResults, error)
	Tx(ctx context.Context, hash []byte, prove bool) (*coretypes.ResultTx, error)
	TxSearch(ctx context.Context, query string, prove bool, page, perPage *int, orderBy string) (*coretypes.ResultTxSearch, error)
	Validators(ctx context.Context, height *int64, page, perPage *int) (*coretypes.ResultValidators, error)
	Commit(ctx context.Context, height *int64) (*coretypes.ResultCommit, error)
}

// Sentinel errors of the explorer; HTTP statuses follow from them.
var (
	// ErrNotFound: the thing asked for does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrBadRequest: the request is malformed (400).
	ErrBadRequest = errors.New("bad request")
	// ErrUnavailable: the node could not answer (502).
	ErrUnavailable = errors.New("node unavailable")
)

// ProofOp is one Merkle proof of a query answer, as the API returns it.
type ProofOp struct {
	Type string `json:"type"`
	Key  string `json:"key"`  // hex
	Data string `json:"data"` // base64 of the ICS-23 commitment proof
}

// Proof is the proof of one query: the app's query path, the state height
// it was answered at (its app hash is in the header at Height+1), and one
// op per state key that backs the answer.
type Proof struct {
	Path   string    `json:"path"`
	Height int64     `json:"height"`
	Ops    []ProofOp `json:"ops"`
}

// reader runs a request's ABCI queries at one height: the height asked
// for, or the latest committed one when the first query answers.
type reader struct {
	chain  Chain
	cache  *answerCache // answers at explicit heights; nil = none
	height int64
	prove  bool
	proofs []Proof
	assets map[string]*ledger.Asset // display lookups, nil entry = unknown
}

// asset returns the asset id's definition for display, or nil when there
// is none. Lookups are cached for the request.
func (r *reader) asset(ctx context.Context, id string) *ledger.Asset {
	if a, ok := r.assets[id]; ok {
		return a
	}
	if r.assets == nil {
		r.assets = map[string]*ledger.Asset{}
	}
	var a *ledger.Asset
	if len(r.assets) < maxAssetLookups && ledger.ValidAssetID(id) {
		if ans, err := r.lookup(ctx, "/asset/"+url.PathEscape(id)); err == nil && ans.found {
			a = &ledger.Asset{}
			if json.Unmarshal(ans.value, a) != nil {
				a = nil
			}
		}
	}
	r.assets[id] = a
	return a
}

// maxAssetLookups bounds the asset definitions one request reads for
// display; past it amounts show in base units.
const maxAssetLookups = 32

// answer is one ABCI query result the explorer could use.
type answer struct {
	value  []byte
	height int64
	found  bool
}

// query runs path at the reader's height. A not-found answer (code 26) is
// found=false, no error; any other failure is an error that says the code.
func (r *reader) query(ctx context.Context, path string) (*answer, error) {
	return r.ask(ctx, path, r.prove)
}

// lookup is a query for what a page needs to write an answer for people
// (an asset's decimals). It is proven like the answer (?prove=true): the
// page's verifier writes proven amounts with proven decimals.
func (r *reader) lookup(ctx context.Context, path string) (*answer, error) {
	return r.ask(ctx, path, r.prove)
}

func (r *reader) ask(ctx context.Context, path string, prove bool) (*answer, error) {
	resp, err := r.answer(ctx, path, prove)
	if err != nil {
		return nil, err
	}
	if r.height == 0 && resp.Height > 0 {
		r.height = resp.Height
	}
	if prove && resp.ProofOps != nil {
		p := Proof{Path: path, Height: resp.Height, Ops: []ProofOp{}}
		for _, op := range resp.ProofOps.Ops {
			p.Ops = append(p.Ops, ProofOp{Type: op.Type, Key: hex.EncodeToString(op.Key), Data: base64.StdEncoding.EncodeToString(op.Data)})
		}
		r.proofs = append(r.proofs, p)
	}
	switch {
	case resp.Code == 0:
		return &answer{value: resp.Value, height: resp.Height, found: true}, nil
	case notFoundCodes[resp.Code]:
		return &answer{height: resp.Height}, nil
	case badRequestCodes[resp.Code] || resp.Code >= 300 && resp.Code < 350:
		return nil, fmt.Errorf("%w: code %d: %s", ErrBadRequest, resp.Code, resp.Log)
	default:
		return nil, fmt.Errorf("query %s: code %d: %s", path, resp.Code, resp.Log)
	}
}

// answer asks the node, or the cache for a question at an explicit height
// (an answer the app gave, found or not, at a committed height never
// changes; failures are not kept).
func (r *reader) answer(ctx context.Context, path string, prove bool) (abci.ResponseQuery, error) {
	k := cacheKey{path: path, height: r.height, prove: prove}
	if r.cache != nil && r.height > 0 {
		if resp, ok := r.cache.get(k); ok {
			return resp, nil
		}
	}
	res, err := r.chain.ABCIQueryWithOptions(ctx, path, nil, rpcclient.ABCIQueryOptions{Height: r.height, Prove: prove})
	if err != nil {
		return abci.ResponseQuery{}, fmt.Errorf("%w: abci_query %s: %v", ErrUnavailable, path, err)
	}
	resp := res.Response
	if r.cache != nil && r.height > 0 && resp.Height == r.height && (resp.Code == 0 || notFoundCodes[resp.Code]) {
		r.cache.put(k, resp)
	}
	return resp, nil
}

// notFoundCodes are the app's answers that mean "no such thing".
var notFoundCodes = map[uint32]bool{app.CodeNotFound: true, app.CodeUnknownAsset: true, app.CodeUnknownItem: true}

// badRequestCodes are the app's answers that blame the question.
var badRequestCodes = map[uint32]bool{
	app.CodeBadQuery: true, app.CodeInvalidField: true, app.CodeInvalidAddress: true,
	app.CodeInvalidAmount: true, app.CodeInvalidAsset: true, app.CodePruned: true, app.CodeWrongAssetKind: true,
}
