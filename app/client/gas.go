package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math"

	"github.com/riffchain/riffchain/app"
)

// DefaultGasAdjustment multiplies a simulated gas_used into the limit a tx
// declares (state can change between simulation and execution).
const DefaultGasAdjustment = 1.3

// FallbackGas is the limit BuildBody declares for a tx the node refuses to
// simulate.
const FallbackGas = 1_000_000

// SimulateError is a tx the node refused to simulate: it does not decode
// or validate (the code and log CheckTx would answer).
type SimulateError struct {
	Code uint32
	Log  string
}

func (e *SimulateError) Error() string {
	return fmt.Sprintf("simulate: code %d: %s", e.Code, e.Log)
}

// Unwrap makes a SimulateError an ErrQueryFailed.
func (e *SimulateError) Unwrap() error { return ErrQueryFailed }

// Simulate runs tx on the node's last committed state (abci_query
// "/simulate", spec/gas.md) and returns the gas it used and the code and
// log it would get. The signature is not checked, so tx may carry a zero
// one.
func (c *Client) Simulate(ctx context.Context, tx []byte) (*app.SimulateResult, error) {
	res, err := c.RPC.ABCIQuery(ctx, "/simulate", tx)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	if res.Response.Code != 0 {
		return nil, &SimulateError{Code: res.Response.Code, Log: res.Response.Log}
	}
	var out app.SimulateResult
	if err := json.Unmarshal(res.Response.Value, &out); err != nil {
		return nil, fmt.Errorf("simulate: decode answer: %w", err)
	}
	return &out, nil
}

// EstimateGas simulates body (its Gas set to the node's limit for the
// simulation, signed by no one: pub, which may be nil, only fills the
// signature's place) and returns the limit to declare: gas_used times
// adjustment, rounded up, with the simulation's result.
func (c *Client) EstimateGas(ctx context.Context, body app.Body, pub ed25519.PublicKey, adjustment float64) (uint64, *app.SimulateResult, error) {
	if adjustment < 1 {
		return 0, nil, fmt.Errorf("gas adjustment %v: want at least 1", adjustment)
	}
	// The simulation runs under the block's max gas whatever the body
	// says; a large placeholder keeps the body at least as long as the
	// one that will be signed, so its byte cost is not underestimated.
	body.Gas = math.MaxUint32
	bz, err := app.MarshalBody(body)
	if err != nil {
		return 0, nil, err
	}
	if len(pub) != ed25519.PublicKeySize {
		pub = make(ed25519.PublicKey, ed25519.PublicKeySize)
	}
	sim, err := c.Simulate(ctx, app.EncodeTx(bz, pub, make([]byte, ed25519.SignatureSize)))
	if err != nil {
		return 0, nil, err
	}
	g := math.Ceil(float64(sim.GasUsed) * adjustment)
	if g >= float64(sim.GasLimit) {
		return sim.GasLimit, sim, nil
	}
	return uint64(g), sim, nil
}
