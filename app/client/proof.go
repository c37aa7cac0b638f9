package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/verify"
)

// VerifiedRoot is an app hash taken from a header whose commit carries
// signatures of more than 2/3 of its validator set's power.
type VerifiedRoot struct {
	Height  int64  // height of the header
	AppHash []byte // state root after block Height-1
	Hash    []byte // the header's hash
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
	if com.Header.Height != h {
		return nil, fmt.Errorf("%w: asked for header %d, got header %d", ErrHeaderInvalid, h, com.Header.Height)
	}
	if com.Header.ChainID != chainID {
		return nil, fmt.Errorf("%w: header of chain %q, want %q", ErrHeaderInvalid, com.Header.ChainID, chainID)
	}
	vals, err := c.ValidatorsAt(ctx, h)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("%w: no validators for header %d", ErrHeaderInvalid, h)
	}
	if err := VerifySignedHeader(chainID, &com.SignedHeader, cmttypes.NewValidatorSet(vals)); err != nil {
		return nil, err
	}
	return &VerifiedRoot{Height: h, AppHash: com.Header.AppHash, Hash: com.Header.Hash()}, nil
}

// MaxValidatorPages bounds how many pages of /validators ValidatorsAt
// reads (100 a page): a node that keeps announcing more is refused.
const MaxValidatorPages = 100

// ValidatorsAt reads the whole validator set at height h from /validators,
// page by page (CometBFT answers at most 100 a page; 30 by default);
// h = 0 reads the latest set.
func (c *Client) ValidatorsAt(ctx context.Context, h int64) ([]*cmttypes.Validator, error) {
	var hp *int64
	if h > 0 {
		hp = &h
	}
	var vals []*cmttypes.Validator
	for page := 1; ; page++ {
		if page > MaxValidatorPages {
			return nil, fmt.Errorf("%w: validator set at %d spans more than %d pages", ErrHeaderInvalid, h, MaxValidatorPages)
		}
		p, per := page, 100
		vr, err := c.RPC.Validators(ctx, hp, &p, &per)
		if err != nil {
			return nil, fmt.Errorf("validators %d page %d: %w", h, page, err)
		}
		vals = append(vals, vr.Validators...)
		if len(vals) >= vr.Total || len(vr.Validators) == 0 {
			return vals, nil
		}
	}
}

// VerifySignedHeader checks that sh belongs to chainID, that vals is the
// validator set the header names, and that the commit is signed by more
// than 2/3 of its power for this very header. It is package app/verify's
// check (the one the explorer runs in the browser), over the protobuf
// forms of sh and vals: one verifier for the CLI and the pages.
func VerifySignedHeader(chainID string, sh *cmttypes.SignedHeader, vals *cmttypes.ValidatorSet) error {
	if sh == nil || sh.Header == nil || sh.Commit == nil || vals == nil {
		return fmt.Errorf("%w: incomplete signed header", ErrHeaderInvalid)
	}
	vp, err := vals.ToProto()
	if err != nil {
		return fmt.Errorf("%w: validator set: %v", ErrHeaderInvalid, err)
	}
	if err := verify.Commit(chainID, sh.ToProto(), vp); err != nil {
		return fmt.Errorf("%w: %v", ErrHeaderInvalid, err)
	}
	return nil
}

// VerifyOps checks that ops prove every expected key/value (a nil value:
// proven absent) under root, with package app/verify's proof check.
// Every expected entry needs its own op.
func VerifyOps(root []byte, ops *cmtcrypto.ProofOps, expected []app.KV) error {
	if ops == nil || len(ops.Ops) != len(expected) {
		n := 0
		if ops != nil {
			n = len(ops.Ops)
		}
		return fmt.Errorf("%w: %d proofs for the %d values the question needs", ErrWrongAnswer, n, len(expected))
	}
	vops := make([]verify.ProofOp, len(expected))
	claims := make([]verify.KV, len(expected))
	for i, kv := range expected {
		op := ops.Ops[i]
		if op.Type != app.ProofOpType {
			return fmt.Errorf("%w: proof %d has type %q", ErrProofInvalid, i, op.Type)
		}
		vops[i] = verify.ProofOp{Key: op.Key, Data: op.Data}
		claims[i] = verify.KV{Key: kv.Key, Value: kv.Value}
	}
	// The client's sentinels, with verify's reason.
	switch err := verify.Proofs(root, vops, claims); {
	case errors.Is(err, verify.ErrAnswer):
		return fmt.Errorf("%w: %s", ErrWrongAnswer, strings.TrimPrefix(err.Error(), verify.ErrAnswer.Error()+": "))
	case err != nil:
		return fmt.Errorf("%w: %s", ErrProofInvalid, strings.TrimPrefix(err.Error(), verify.ErrProof.Error()+": "))
	}
	return nil
}

// QueryProven is QueryVerified with c itself as the root source (the
// header's commit checked against the validator set the node names).
func (c *Client) QueryProven(ctx context.Context, path string, o ProveOpts, expect Expect) (*Answer, error) {
	return c.QueryVerified(ctx, c, path, o, expect)
}
