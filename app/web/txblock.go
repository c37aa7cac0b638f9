package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// TxView is the answer of /api/v1/tx/HASH: a committed tx, its result and
// its messages in words.
type TxView struct {
	Meta
	TxHash    string      `json:"txhash"`
	Code      uint32      `json:"code"`
	Log       string      `json:"log"`
	Signer    string      `json:"signer"`
	Words     []string    `json:"words"`
	GasWanted int64       `json:"gas_wanted"`
	GasUsed   int64       `json:"gas_used"`
	Events    []EventView `json:"events"`
}

// EventView is one event of a tx result.
type EventView struct {
	Type       string            `json:"type"`
	Attributes map[string]string `json:"attributes"`
}

// maxEvents bounds the events one tx page lists.
const maxEvents = 100

func (s *Server) loadTx(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	hs := strings.ToUpper(r.PathValue("hash"))
	hash, err := hex.DecodeString(hs)
	if err != nil || len(hash) != 32 {
		return nil, fmt.Errorf("%w: a tx hash is 64 hex characters", ErrBadRequest)
	}
	res, err := s.chain.Tx(ctx, hash, false)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return nil, fmt.Errorf("%w: tx %s", ErrNotFound, hs)
		}
		return nil, fmt.Errorf("%w: tx: %v", ErrUnavailable, err)
	}
	t := s.txSummary(ctx, rd, res)
	v := &TxView{TxHash: t.Hash, Code: t.Code, Log: t.Log, Signer: t.Signer, Words: t.Words,
		GasWanted: res.TxResult.GasWanted, GasUsed: res.TxResult.GasUsed, Events: []EventView{}}
	v.Meta.Height = res.Height
	v.Title = "Transaction " + short(hs)
	for i, ev := range res.TxResult.Events {
		if i == maxEvents {
			break
		}
		e := EventView{Type: ev.Type, Attributes: map[string]string{}}
		for _, a := range ev.Attributes {
			e.Attributes[a.Key] = a.Value
		}
		v.Events = append(v.Events, e)
	}
	v.CLI = []string{"riffchain query tx " + hs}
	return v, nil
}

// BlockView is the answer of /api/v1/block/HEIGHT.
type BlockView struct {
	Meta
	Time     time.Time   `json:"time"`
	Hash     string      `json:"hash"`
	Proposer string      `json:"proposer"`
	AppHash  string      `json:"app_hash"`
	LastHash string      `json:"last_block_hash"`
	NumTxs   int         `json:"num_txs"`
	Txs      []TxSummary `json:"txs"`
}

// maxBlockTxs bounds the txs one block page decodes.
const maxBlockTxs = 100

func (s *Server) loadBlock(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	h, err := strconv.ParseInt(r.PathValue("height"), 10, 64)
	if err != nil || h < 1 {
		return nil, fmt.Errorf("%w: a block height is a positive integer", ErrBadRequest)
	}
	b, err := s.chain.Block(ctx, &h)
	if err != nil {
		if strings.Contains(err.Error(), "must be less than or equal") || strings.Contains(err.Error(), "not found") {
			return nil, fmt.Errorf("%w: block %d", ErrNotFound, h)
		}
		return nil, fmt.Errorf("%w: block: %v", ErrUnavailable, err)
	}
	if b.Block == nil {
		return nil, fmt.Errorf("%w: block %d", ErrNotFound, h)
	}
	hd := b.Block.Header
	v := &BlockView{Time: hd.Time, Hash: b.BlockID.Hash.String(), NumTxs: len(b.Block.Txs),
		Proposer: hd.ProposerAddress.String(), AppHash: hd.AppHash.String(), LastHash: hd.LastBlockID.Hash.String()}
	v.Meta.Height = h
	v.Title = fmt.Sprintf("Block %d", h)
	if v.Txs, err = s.blockTxs(ctx, rd, h, maxBlockTxs); err != nil {
		return nil, err
	}
	v.CLI = []string{fmt.Sprintf("riffchain query block %d", h)}
	return v, nil
}

// timeText is a block time for people.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
