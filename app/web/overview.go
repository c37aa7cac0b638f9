package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Overview is the answer of /api/v1/overview: the chain at its latest
// block (or ?height=).
type Overview struct {
	Meta
	ChainID    string         `json:"chain_id"`
	BlockTime  time.Time      `json:"block_time"`
	Validators []Validator    `json:"validators"`
	TotalPower int64          `json:"total_power"`
	Blocks     []BlockSummary `json:"blocks"`
	Txs        []TxSummary    `json:"txs"`
}

// Validator is one member of the validator set.
type Validator struct {
	Address string `json:"address"`
	Power   int64  `json:"power"`
	PubKey  string `json:"pub_key"`
}

// BlockSummary is one line of the latest blocks.
type BlockSummary struct {
	Height   int64     `json:"height"`
	Time     time.Time `json:"time"`
	Hash     string    `json:"hash"`
	Txs      int       `json:"txs"`
	Proposer string    `json:"proposer"`
}

// TxSummary is a transaction in words.
type TxSummary struct {
	Hash   string   `json:"hash"`
	Height int64    `json:"height"`
	Code   uint32   `json:"code"`
	Log    string   `json:"log,omitempty"`
	Signer string   `json:"signer"`
	Words  []string `json:"words"`
}

// Overview limits: the latest blocks listed and the txs decoded.
const (
	overviewBlocks = 10
	overviewTxs    = 10
	overviewScan   = 200 // blocks searched for the latest txs
	maxValidators  = 100
)

func (s *Server) loadOverview(ctx context.Context, rd *reader, _ *http.Request) (view, error) {
	st, err := s.chain.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: status: %v", ErrUnavailable, err)
	}
	h := st.SyncInfo.LatestBlockHeight
	if rd.height > 0 {
		if rd.height > h {
			return nil, fmt.Errorf("%w: height %d is past the latest block %d", ErrNotFound, rd.height, h)
		}
		h = rd.height
	}
	o := &Overview{ChainID: st.NodeInfo.Network, Validators: []Validator{}, Blocks: []BlockSummary{}, Txs: []TxSummary{}}
	o.Height = h
	o.Title = "Overview"
	if h == 0 {
		return o, nil
	}
	perPage := maxValidators
	vals, err := s.chain.Validators(ctx, &h, nil, &perPage)
	if err != nil {
		return nil, fmt.Errorf("%w: validators: %v", ErrUnavailable, err)
	}
	for _, v := range vals.Validators {
		o.Validators = append(o.Validators, Validator{Address: v.Address.String(), Power: v.VotingPower, PubKey: fmt.Sprintf("%X", v.PubKey.Bytes())})
		o.TotalPower += v.VotingPower
	}
	info, err := s.chain.BlockchainInfo(ctx, max(1, h-overviewBlocks+1), h)
	if err != nil {
		return nil, fmt.Errorf("%w: blockchain: %v", ErrUnavailable, err)
	}
	for i, m := range info.BlockMetas {
		if i == 0 {
			o.BlockTime = m.Header.Time
		}
		o.Blocks = append(o.Blocks, blockSummary(m))
	}
	// The latest txs: walk back over block headers (20 a call, at most
	// overviewScan blocks) and read only the blocks that hold txs.
	metas := info.BlockMetas
	for top := h; len(o.Txs) < overviewTxs && top > 0 && h-top < overviewScan; {
		for _, m := range metas {
			if len(o.Txs) >= overviewTxs {
				break
			}
			if m.NumTxs == 0 {
				continue
			}
			txs, err := s.blockTxs(ctx, rd, m.Header.Height, overviewTxs-len(o.Txs))
			if err != nil {
				return nil, err
			}
			o.Txs = append(o.Txs, txs...)
		}
		top -= int64(len(metas))
		if len(metas) == 0 || top < 1 || h-top >= overviewScan {
			break
		}
		more, err := s.chain.BlockchainInfo(ctx, max(1, top-19), top)
		if err != nil {
			return nil, fmt.Errorf("%w: blockchain: %v", ErrUnavailable, err)
		}
		metas = more.BlockMetas
	}
	return o, nil
}

func blockSummary(m *cmttypes.BlockMeta) BlockSummary {
	return BlockSummary{Height: m.Header.Height, Time: m.Header.Time, Hash: m.BlockID.Hash.String(), Txs: m.NumTxs,
		Proposer: m.Header.ProposerAddress.String()}
}

// blockTxs reads up to limit txs of block h in words, with their results.
func (s *Server) blockTxs(ctx context.Context, rd *reader, h int64, limit int) ([]TxSummary, error) {
	b, err := s.chain.Block(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("%w: block %d: %v", ErrUnavailable, h, err)
	}
	res, err := s.chain.BlockResults(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("%w: block results %d: %v", ErrUnavailable, h, err)
	}
	out := []TxSummary{}
	for i, raw := range b.Block.Txs {
		if i == limit {
			break
		}
		t := TxSummary{Hash: fmt.Sprintf("%X", raw.Hash()), Height: h}
		if i < len(res.TxsResults) {
			t.Code, t.Log = res.TxsResults[i].Code, res.TxsResults[i].Log
		}
		t.Signer, t.Words = rd.txWords(ctx, raw)
		out = append(out, t)
	}
	return out, nil
}

// txSummary is one indexed tx in words.
func (s *Server) txSummary(ctx context.Context, rd *reader, tx *coretypes.ResultTx) TxSummary {
	t := TxSummary{Hash: strings.ToUpper(tx.Hash.String()), Height: tx.Height, Code: tx.TxResult.Code, Log: tx.TxResult.Log}
	t.Signer, t.Words = rd.txWords(ctx, tx.Tx)
	return t
}
