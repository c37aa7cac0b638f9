// Package client talks to a riffchain node over CometBFT's RPC: it builds
// and signs transactions, broadcasts them and waits for their block, and
// runs abci_query with Merkle proofs verified against the app hash of a
// header whose commit signatures it checks. The CLI, the end-to-end tests
// and the benchmark all use it.
package client

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// Sentinel errors of the client.
var (
	ErrTxFailed      = errors.New("transaction failed")
	ErrTimeout       = errors.New("timed out")
	ErrQueryFailed   = errors.New("query failed")
	ErrProofInvalid  = errors.New("proof does not verify")
	ErrHeaderInvalid = errors.New("header does not verify")
)

// Client is a connection to one node's RPC endpoint.
type Client struct {
	RPC     *rpchttp.HTTP
	chainID string
}

// New connects to addr (e.g. tcp://127.0.0.1:26657).
func New(addr string) (*Client, error) {
	addr = strings.Replace(addr, "tcp://", "http://", 1)
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("rpc client %s: %w", addr, err)
	}
	return &Client{RPC: c}, nil
}

// ChainID returns the node's chain id (cached after the first call).
func (c *Client) ChainID(ctx context.Context) (string, error) {
	if c.chainID != "" {
		return c.chainID, nil
	}
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("node status: %w", err)
	}
	c.chainID = st.NodeInfo.Network
	return c.chainID, nil
}

// Account returns the account's committed state (nonce 0 when unknown).
func (c *Client) Account(ctx context.Context, addr ledger.Address) (ledger.Account, error) {
	acc := ledger.Account{Address: addr}
	res, err := c.RPC.ABCIQuery(ctx, "/account/"+addr.String(), nil)
	if err != nil {
		return acc, fmt.Errorf("query account: %w", err)
	}
	if res.Response.Code == app.CodeNotFound {
		return acc, nil
	}
	if res.Response.Code != 0 {
		return acc, fmt.Errorf("%w: %s", ErrQueryFailed, res.Response.Log)
	}
	if err := json.Unmarshal(res.Response.Value, &acc); err != nil {
		return acc, fmt.Errorf("decode account: %w", err)
	}
	return acc, nil
}

// NewMsg encodes a message value under its type name.
func NewMsg(typ string, value any) (app.Msg, error) {
	b, err := json.Marshal(value)
	if err != nil {
		return app.Msg{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	return app.Msg{Type: typ, Value: b}, nil
}

// BuildBody returns a body for signer with the chain id and next nonce
// filled from the node, and a gas limit: what the node's simulation of it
// uses times DefaultGasAdjustment (FallbackGas when the node refuses to
// simulate it: broadcast, CheckTx then refuses it with the same code).
func (c *Client) BuildBody(ctx context.Context, signer ledger.Address, msgs []app.Msg, memo string) (app.Body, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return app.Body{}, err
	}
	acc, err := c.Account(ctx, signer)
	if err != nil {
		return app.Body{}, err
	}
	body := app.Body{ChainID: chainID, Signer: signer, Nonce: acc.Nonce + 1, Msgs: msgs, Memo: memo}
	g, _, err := c.EstimateGas(ctx, body, acc.PubKey, DefaultGasAdjustment)
	var refused *SimulateError
	switch {
	case errors.As(err, &refused):
		body.Gas = FallbackGas // CheckTx will refuse it with the same code
	case err != nil:
		return body, err
	default:
		body.Gas = g
	}
	return body, nil
}

// TxResult is the outcome of a broadcast transaction.
type TxResult struct {
	TxHash string            `json:"txhash"`
	Height int64             `json:"height"`
	Code   uint32            `json:"code"`
	Log    string            `json:"log"`
	Data   map[string]string `json:"data,omitempty"`
	// GasWanted and GasUsed are the tx's declared gas limit and what it
	// used (spec/gas.md); CheckTx answers only GasWanted.
	GasWanted int64 `json:"gas_wanted"`
	GasUsed   int64 `json:"gas_used"`
}

// Err returns ErrTxFailed with the log when the code is not 0.
func (r *TxResult) Err() error {
	if r.Code != 0 {
		return fmt.Errorf("%w: code %d: %s", ErrTxFailed, r.Code, r.Log)
	}
	return nil
}

// SignAndBroadcast signs body with priv and broadcasts it.
func (c *Client) SignAndBroadcast(ctx context.Context, body app.Body, priv ed25519.PrivateKey, wait bool) (*TxResult, error) {
	bz, err := app.MarshalBody(body)
	if err != nil {
		return nil, err
	}
	return c.Broadcast(ctx, app.SignTx(bz, priv), wait)
}

// Broadcast submits wire bytes; with wait it returns once the tx is in a
// block (or fails CheckTx), otherwise right after CheckTx.
func (c *Client) Broadcast(ctx context.Context, tx []byte, wait bool) (*TxResult, error) {
	res, err := c.RPC.BroadcastTxSync(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("broadcast: %w", err)
	}
	out := &TxResult{TxHash: strings.ToUpper(hex.EncodeToString(res.Hash)), Code: res.Code, Log: res.Log}
	if res.Code != 0 || !wait {
		if tx, err := app.DecodeTx(tx); err == nil {
			out.GasWanted = int64(tx.Body.Gas)
		}
	}
	if res.Code != 0 || !wait {
		return out, nil
	}
	return c.WaitTx(ctx, res.Hash, 30*time.Second)
}

// WaitTx polls for a committed tx by hash.
func (c *Client) WaitTx(ctx context.Context, hash []byte, timeout time.Duration) (*TxResult, error) {
	deadline := time.Now().Add(timeout)
	delay := 50 * time.Millisecond
	for {
		r, err := c.RPC.Tx(ctx, hash, false)
		if err == nil {
			return txResultOf(r), nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: tx %X not committed after %s: %v", ErrTimeout, hash, timeout, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		if delay < 500*time.Millisecond {
			delay *= 2
		}
	}
}

func txResultOf(r *coretypes.ResultTx) *TxResult {
	out := &TxResult{
		TxHash: strings.ToUpper(hex.EncodeToString(r.Hash)),
		Height: r.Height,
		Code:   r.TxResult.Code,
		Log:    r.TxResult.Log,

		GasWanted: r.TxResult.GasWanted,
		GasUsed:   r.TxResult.GasUsed,
	}
	if len(r.TxResult.Data) > 0 {
		_ = json.Unmarshal(r.TxResult.Data, &out.Data)
	}
	return out
}

// QueryOpts says at which height to query and whether to prove.
type QueryOpts struct {
	Height int64
	Prove  bool
}

// Query runs abci_query on path. A non-zero code comes back as the
// response (the caller decides what not-found means).
func (c *Client) Query(ctx context.Context, path string, o QueryOpts) (*coretypes.ResultABCIQuery, error) {
	res, err := c.RPC.ABCIQueryWithOptions(ctx, path, nil, client.ABCIQueryOptions{Height: o.Height, Prove: o.Prove})
	if err != nil {
		return nil, fmt.Errorf("abci_query %s: %w", path, err)
	}
	return res, nil
}
