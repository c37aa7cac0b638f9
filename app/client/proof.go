package client

import (
	"bytes"
	"context"
	"fmt"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmttypes "github.com/cometbft/cometbft/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// VerifiedRoot is an app hash taken from a header whose commit carries
// signatures of more than 2/3 of its validator set's power.
type VerifiedRoot struct {
	Height  int64  // height of the header
	AppHash []byte // state root after block Height-1
}

// RootFor fetches the header at stateHeight+1, which commits to the state
// after block stateHeight, checks its commit signatures against the
// validator set the header names, and returns its app hash. It waits up to
// 30 s for that header to exist.
func (c *Client) RootFor(ctx context.Context, stateHeight int64) (*VerifiedRoot, error) {
	h := stateHeight + 1
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := c.RPC.Status(ctx)
		if err != nil {
			return nil, fmt.Errorf("node status: %w", err)
		}
		if st.SyncInfo.LatestBlockHeight >= h {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: header %d not available", ErrTimeout, h)
		}
		time.Sleep(100 * time.Millisecond)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	com, err := c.RPC.Commit(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("commit %d: %w", h, err)
	}
	var vals []*cmttypes.Validator
	for page := 1; ; page++ {
		p, per := page, 100
		vr, err := c.RPC.Validators(ctx, &h, &p, &per)
		if err != nil {
			return nil, fmt.Errorf("validators %d: %w", h, err)
		}
		vals = append(vals, vr.Validators...)
		if len(vals) >= vr.Total || len(vr.Validators) == 0 {
			break
		}
	}
	if err := VerifySignedHeader(chainID, &com.SignedHeader, cmttypes.NewValidatorSet(vals)); err != nil {
		return nil, err
	}
	return &VerifiedRoot{Height: h, AppHash: com.Header.AppHash}, nil
}

// VerifySignedHeader checks that sh belongs to chainID, that vals is the
// validator set the header names, and that the commit is signed by more
// than 2/3 of its power for this very header.
func VerifySignedHeader(chainID string, sh *cmttypes.SignedHeader, vals *cmttypes.ValidatorSet) error {
	if err := sh.ValidateBasic(chainID); err != nil {
		return fmt.Errorf("%w: %v", ErrHeaderInvalid, err)
	}
	if !bytes.Equal(sh.Header.ValidatorsHash, vals.Hash()) {
		return fmt.Errorf("%w: validator set does not match header", ErrHeaderInvalid)
	}
	if err := vals.VerifyCommitLight(chainID, sh.Commit.BlockID, sh.Header.Height, sh.Commit); err != nil {
		return fmt.Errorf("%w: commit: %v", ErrHeaderInvalid, err)
	}
	return nil
}

// VerifyOps checks that ops prove every expected key/value (a nil value:
// proven absent) under root. Every expected entry needs its own op.
func VerifyOps(root []byte, ops *cmtcrypto.ProofOps, expected []app.KV) error {
	if ops == nil || len(ops.Ops) != len(expected) {
		n := 0
		if ops != nil {
			n = len(ops.Ops)
		}
		return fmt.Errorf("%w: %d proofs for %d values", ErrProofInvalid, n, len(expected))
	}
	for i, kv := range expected {
		op := ops.Ops[i]
		if op.Type != app.ProofOpType || !bytes.Equal(op.Key, kv.Key) {
			return fmt.Errorf("%w: proof %d is for another key", ErrProofInvalid, i)
		}
		var p ics23.CommitmentProof
		if err := p.Unmarshal(op.Data); err != nil {
			return fmt.Errorf("%w: decode proof %d: %v", ErrProofInvalid, i, err)
		}
		if err := ledger.VerifyProof(root, &p, kv.Key, kv.Value); err != nil {
			return fmt.Errorf("%w: key %x: %v", ErrProofInvalid, kv.Key, err)
		}
	}
	return nil
}

// QueryProven runs a query with prove=true and verifies the proofs of
// expected(value) against a signed header. expected maps the response to
// the key/values it claims; nil means the single key/value of the response.
// It is QueryVerified with c itself as the root source.
func (c *Client) QueryProven(ctx context.Context, path string, height int64,
	expected func(key, value []byte) ([]app.KV, error)) (value []byte, stateHeight int64, code uint32, log string, err error) {
	return c.QueryVerified(ctx, c, path, height, expected)
}
