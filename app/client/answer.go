package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/riffchain/riffchain/app"
)

// Errors of a proven answer that does not answer the question asked. Both
// wrap ErrProofInvalid: the answer is untrustworthy.
var (
	// ErrWrongAnswer: the answer is for another height, or its proofs are
	// for other keys than the question names.
	ErrWrongAnswer = fmt.Errorf("%w: answer does not match the question", ErrProofInvalid)
	// ErrStaleAnswer: a "latest" answer older than the freshness bound.
	ErrStaleAnswer = fmt.Errorf("%w: answer is stale", ErrProofInvalid)
)

// DefaultMaxAge is how many blocks a proven answer to a "latest" question
// may lag the newest height the client knows of, when none is given.
const DefaultMaxAge = 5

// Expect maps an answer's value to the key/values its proofs must show.
// Every key must come from the question (the path and its arguments) or
// from a proven value, never from the answer's own Key field; a value
// that does not fit the question is an error (wrap ErrWrongAnswer). For a
// not-found answer it is called with a nil value and must name the keys
// proven absent.
type Expect func(value []byte) ([]app.KV, error)

// ExpectKey is the Expect of a one-key question: key holds the answer's
// value, or is proven absent when the answer is empty or not found.
func ExpectKey(key []byte) Expect {
	return func(v []byte) ([]app.KV, error) {
		if len(v) == 0 {
			v = nil
		}
		return []app.KV{{Key: key, Value: v}}, nil
	}
}

// ProveOpts say which state a proven question asks about.
type ProveOpts struct {
	Height int64 // state height asked; 0 = latest
	MaxAge int64 // for latest: blocks the answer may lag the newest known height; 0 = DefaultMaxAge
}

// Answer is a query's answer. Proven says that Value (or, for a not-found
// answer, the absence) was checked against a verified app hash at Height.
// Other codes (an error the node reports) are never proven.
type Answer struct {
	Value  []byte
	Height int64
	Code   uint32
	Log    string
	Proven bool
}

// LatestHeights is implemented by root sources that know the newest
// height of the chain (from the primary and its witnesses).
type LatestHeights interface {
	LatestHeight(ctx context.Context) (int64, error)
}

// LatestHeight is the node's latest block height from its status.
func (c *Client) LatestHeight(ctx context.Context) (int64, error) {
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("node status: %w", err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// QueryVerified asks path with prove=true and checks that the answer
// answers the question: it is for the height asked (or, for latest, within
// o.MaxAge blocks of the newest height roots or c know of), its proofs are
// for exactly the key/values expect derives, and they verify against the
// app hash of the header for that height taken from roots. An error code
// other than not-found comes back unproven.
func (c *Client) QueryVerified(ctx context.Context, roots RootSource, path string, o ProveOpts, expect Expect) (*Answer, error) {
	if expect == nil {
		return nil, errors.New("QueryVerified: no expected keys") // programming error
	}
	res, err := c.Query(ctx, path, QueryOpts{Height: o.Height, Prove: true})
	if err != nil {
		return nil, err
	}
	r := res.Response
	a := &Answer{Value: r.Value, Height: r.Height, Code: r.Code, Log: r.Log}
	if r.Code != 0 && r.Code != app.CodeNotFound {
		return a, nil // the node refuses to answer; nothing is claimed
	}
	if o.Height > 0 && r.Height != o.Height {
		return nil, fmt.Errorf("%w: asked for height %d, the answer is for height %d", ErrWrongAnswer, o.Height, r.Height)
	}
	if r.Height <= 0 {
		return nil, fmt.Errorf("%w: the answer names height %d", ErrWrongAnswer, r.Height)
	}
	if o.Height == 0 {
		if err := checkFresh(ctx, c, roots, r.Height, o.MaxAge); err != nil {
			return nil, err
		}
	}
	value := r.Value
	if r.Code == app.CodeNotFound {
		value = nil
	}
	kvs, err := expect(value)
	if err != nil {
		return nil, err
	}
	if r.Code == app.CodeNotFound && len(kvs) == 0 {
		return nil, fmt.Errorf("%w: a not-found answer with nothing proven absent", ErrWrongAnswer)
	}
	root, err := roots.RootFor(ctx, r.Height)
	if err != nil {
		return nil, err
	}
	if root.Height != r.Height+1 {
		return nil, fmt.Errorf("%w: state %d needs header %d, got header %d", ErrHeaderInvalid, r.Height, r.Height+1, root.Height)
	}
	if err := VerifyOps(root.AppHash, r.ProofOps, kvs); err != nil {
		return nil, err
	}
	a.Proven = true
	return a, nil
}

// checkFresh fails when height lags the newest height known (from roots
// when it knows, else from c) by more than maxAge blocks.
func checkFresh(ctx context.Context, c *Client, roots RootSource, height, maxAge int64) error {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	var src LatestHeights = c
	if lh, ok := roots.(LatestHeights); ok {
		src = lh
	}
	latest, err := src.LatestHeight(ctx)
	if err != nil {
		return err
	}
	if height < latest-maxAge {
		return fmt.Errorf("%w: the answer is for height %d, %d blocks behind the latest %d (--max-age %d)",
			ErrStaleAnswer, height, latest-height, latest, maxAge)
	}
	return nil
}
