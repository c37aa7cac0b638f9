package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/ledger"
)

// txFlags are shared by every command that sends a transaction.
type txFlags struct {
	from         string
	generateOnly bool
	async        bool
	memo         string
	nonce        uint64
	chainID      string
	fee          string
	gas          string
	gasAdjust    float64
	dryRun       bool // preflight.go
}

func (f *txFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.from, flagFrom, "", "key name (or, with --generate-only, address) of the signer")
	c.Flags().BoolVar(&f.generateOnly, "generate-only", false, "print the unsigned tx file instead of sending")
	c.Flags().BoolVar(&f.async, "async", false, "return after CheckTx instead of waiting for the block")
	c.Flags().StringVar(&f.memo, "memo", "", "memo (at most 256 bytes)")
	c.Flags().Uint64Var(&f.nonce, "nonce", 0, "nonce to use (default: the account's next, from the node)")
	c.Flags().StringVar(&f.chainID, "chain-id", "", "chain id (default: the node's)")
	c.Flags().StringVar(&f.fee, "fee", "", "fee paid to the block proposer, AMOUNT+ASSET (e.g. 10RIFF)")
	f.registerGas(c, "")
	_ = c.MarkFlagRequired(flagFrom)
	f.registerDryRun(c)
}

// registerGas adds --gas and --gas-adjustment (usage prefixed with
// prefix, e.g. "with --recreate: ").
func (f *txFlags) registerGas(c *cobra.Command, prefix string) {
	c.Flags().StringVar(&f.gas, "gas", "auto", prefix+"gas limit: auto (simulate on the node, times --gas-adjustment) or a number")
	c.Flags().Float64Var(&f.gasAdjust, "gas-adjustment", client.DefaultGasAdjustment, prefix+"with --gas auto, multiply the simulated gas by this")
}

// TxFile is the file form of a transaction: the exact body bytes that are
// signed (base64), the body decoded for reading, and signatures.
type TxFile struct {
	Body       json.RawMessage `json:"body"`
	BodyBytes  []byte          `json:"body_bytes"`
	Signatures []TxSig         `json:"signatures"`
}

// TxSig is one signature of a tx file.
type TxSig struct {
	PubKey    []byte `json:"pub_key"`
	Signature []byte `json:"signature"`
}

func ctxTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

func newClient() (*client.Client, error) { return client.New(cfgNode()) }

// buildBody fills chain id and nonce from flags or the node, and the gas
// limit from --gas (auto: simulated on the node, see setGas).
func (f *txFlags) buildBody(ctx context.Context, signer ledger.Address, msgs []app.Msg) (app.Body, error) {
	body := app.Body{ChainID: f.chainID, Signer: signer, Nonce: f.nonce, Msgs: msgs, Memo: f.memo}
	if f.fee != "" {
		fee, err := parseFee(f.fee)
		if err != nil {
			return body, err
		}
		body.Fee = fee
	}
	if body.ChainID == "" || body.Nonce == 0 {
		c, err := newClient()
		if err != nil {
			return body, err
		}
		// Not c.BuildBody: setGas simulates the finished body once.
		if body.ChainID == "" {
			if body.ChainID, err = c.ChainID(ctx); err != nil {
				return body, err
			}
		}
		if body.Nonce == 0 {
			acc, err := c.Account(ctx, signer)
			if err != nil {
				return body, err
			}
			body.Nonce = acc.Nonce + 1
		}
	}
	return body, f.setGas(ctx, &body)
}

// setGas sets body.Gas from --gas: a number as given, or auto: the gas the
// node's /simulate says the tx uses, times --gas-adjustment. A tx the
// simulation says fails for another reason than gas is still sent (its
// code is then what the chain records); one that needs more than a block
// may hold is refused here.
func (f *txFlags) setGas(ctx context.Context, body *app.Body) error {
	if f.gas != "auto" && f.gas != "" {
		n, err := strconv.ParseUint(f.gas, 10, 64)
		if err != nil || n == 0 {
			return fmt.Errorf("--gas %q: want auto or a positive integer", f.gas)
		}
		body.Gas = n
		return nil
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	var pub []byte
	if kr, err := openKeyring(); err == nil {
		if info, err := kr.Show(f.from); err == nil {
			pub = info.PubKey
		}
	}
	g, sim, err := c.EstimateGas(ctx, *body, pub, f.gasAdjust)
	var refused *client.SimulateError
	if errors.As(err, &refused) {
		return err
	}
	if err != nil {
		return fmt.Errorf("--gas auto: %w (to build offline, give --gas N)", err)
	}
	if sim.Code == app.CodeOutOfGas {
		return fmt.Errorf("--gas auto: the tx needs more than a block's max gas (%d): %s", sim.GasLimit, sim.Log)
	}
	body.Gas = g
	return nil
}

// send wraps one message of type typ and sends it (see runTxWith).
func (f *txFlags) send(typ string, v any) error { return f.sendWith(nil, typ, v) }

// sendWith is send whose printed result also carries extra (see runTxWith).
func (f *txFlags) sendWith(extra map[string]any, typ string, v any) error {
	m, err := msg(typ, v)
	if err != nil {
		return err
	}
	return f.runTxWith(extra, m)
}

// runTxWith builds, signs and sends msgs (or prints them unsigned) and
// prints the result: txhash, height, code, log, whatever the messages
// output, and extra fields (such as an agreement_id known before sending),
// even when the tx fails.
func (f *txFlags) runTxWith(extra map[string]any, msgs ...app.Msg) error {
	ctx, cancel := ctxTimeout()
	defer cancel()
	signer, err := resolveAddress(f.from)
	if err != nil {
		return err
	}
	bz, err := f.bodyBytes(ctx, signer, msgs)
	var refused *client.SimulateError
	if errors.As(err, &refused) {
		// The node would refuse the tx in CheckTx: report its code as a
		// failed tx would be.
		out := map[string]any{"code": refused.Code, "log": refused.Log}
		for k, v := range extra {
			out[k] = v
		}
		return fail(out, 1, err)
	}
	if err != nil {
		return err
	}
	if f.generateOnly {
		return emitJSONAlways(TxFile{Body: bz, BodyBytes: bz, Signatures: []TxSig{}})
	}
	tx, err := f.sign(bz)
	if err != nil {
		return err
	}
	if f.dryRun {
		return dryRun(ctx, tx, extra)
	}
	return broadcastAndReport(ctx, tx, !f.async, extra)
}

// bodyBytes builds the body of msgs from signer (see buildBody) and
// encodes it: the exact bytes that are signed.
func (f *txFlags) bodyBytes(ctx context.Context, signer ledger.Address, msgs []app.Msg) ([]byte, error) {
	body, err := f.buildBody(ctx, signer, msgs)
	if err != nil {
		return nil, err
	}
	return app.MarshalBody(body)
}

// sign signs body bytes with the keyring key f.from and returns the tx.
func (f *txFlags) sign(bz []byte) ([]byte, error) {
	kr, err := openKeyring()
	if err != nil {
		return nil, err
	}
	priv, err := kr.PrivKey(f.from)
	if err != nil {
		return nil, err
	}
	return app.SignTx(bz, priv), nil
}

// emitJSONAlways prints v as indented JSON whatever --output says (files).
func emitJSONAlways(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

func broadcastAndReport(ctx context.Context, tx []byte, wait bool, extra map[string]any) error {
	c, err := newClient()
	if err != nil {
		return err
	}
	res, err := c.Broadcast(ctx, tx, wait)
	if err != nil {
		return err
	}
	out := map[string]any{}
	for k, v := range extra {
		out[k] = v
	}
	out["txhash"], out["height"], out["code"], out["log"] = res.TxHash, res.Height, res.Code, res.Log
	out["gas_wanted"], out["gas_used"] = res.GasWanted, res.GasUsed
	for k, v := range res.Data {
		out[k] = v
	}
	typedResult(out)                    // output_fields.go
	out["summary"] = txSummary(tx, out) // txsummary.go
	if err := res.Err(); err != nil {
		return fail(out, 1, err)
	}
	return emit(out)
}

func msg(typ string, v any) (app.Msg, error) { return client.NewMsg(typ, v) }

func readTxFile(path string) (*TxFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tx file: %w", err)
	}
	var tf TxFile
	if err := app.StrictUnmarshal(b, &tf); err != nil {
		return nil, fmt.Errorf("tx file %s: %w", path, err)
	}
	if len(tf.BodyBytes) == 0 {
		return nil, errors.New("tx file has no body_bytes")
	}
	return &tf, nil
}

// writeSigned writes a signed file to out, or back in place to path when
// out is "", and returns the file written. what names the file in the error.
func writeSigned(path, out string, b []byte, what string) (string, error) {
	if out == "" {
		out = path
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", what, err)
	}
	return out, nil
}

func newTxSignCmd() *cobra.Command {
	var from, out string
	c := &cobra.Command{
		Use:   "sign FILE",
		Short: "Sign a tx file offline (written back in place, or to --out)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tf, err := readTxFile(args[0])
			if err != nil {
				return err
			}
			var body app.Body
			if err := app.StrictUnmarshal(tf.BodyBytes, &body); err != nil {
				return fmt.Errorf("tx body: %w", err)
			}
			kr, err := openKeyring()
			if err != nil {
				return err
			}
			info, err := kr.Show(from)
			if err != nil {
				return err
			}
			if info.Address != body.Signer {
				return fmt.Errorf("key %s is %s but the tx signer is %s", from, info.Address, body.Signer)
			}
			sig, err := kr.Sign(from, app.SignBytes(tf.BodyBytes))
			if err != nil {
				return err
			}
			tf.Signatures = []TxSig{{PubKey: info.PubKey, Signature: sig}}
			b, _ := json.MarshalIndent(tf, "", "  ")
			if out, err = writeSigned(args[0], out, append(b, '\n'), "tx file"); err != nil {
				return err
			}
			return emit(map[string]string{"file": out, "signer": body.Signer.String()})
		},
	}
	c.Flags().StringVar(&from, flagFrom, "", "key to sign with")
	c.Flags().StringVar(&out, "out", "", "write the signed file here instead of in place")
	_ = c.MarkFlagRequired(flagFrom)
	return c
}

func newTxBroadcastCmd() *cobra.Command {
	var async bool
	c := &cobra.Command{
		Use:   "broadcast FILE",
		Short: "Send a signed tx file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tf, err := readTxFile(args[0])
			if err != nil {
				return err
			}
			if len(tf.Signatures) != 1 {
				return fmt.Errorf("tx file has %d signatures, want 1 (run riffchain tx sign)", len(tf.Signatures))
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			return broadcastAndReport(ctx, app.EncodeTx(tf.BodyBytes, tf.Signatures[0].PubKey, tf.Signatures[0].Signature), !async, nil)
		},
	}
	c.Flags().BoolVar(&async, "async", false, "return after CheckTx")
	return c
}
