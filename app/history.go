package app

import (
	"fmt"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
)

// Movement is one movement of an asset (transfer, mint, burn or issuer
// change) as its "transfer" event records it (spec/events.md); the CLI's
// `query history` and the explorer's asset page list them.
type Movement struct {
	TxHash string `json:"txhash"`
	Height int64  `json:"height"`
	Action string `json:"action"`
	From   string `json:"from"`
	To     string `json:"to"`
	Amount string `json:"amount,omitempty"`
	Item   string `json:"item,omitempty"`
}

// Movements reads the movements of asset from txs found by the tx index
// (tx_search "transfer.asset='ASSET'"), in the order given.
func Movements(txs []*coretypes.ResultTx, asset string) []Movement {
	out := []Movement{}
	for _, tx := range txs {
		for _, ev := range tx.TxResult.Events {
			if ev.Type != "transfer" {
				continue
			}
			m := Movement{TxHash: fmt.Sprintf("%X", tx.Hash), Height: tx.Height}
			match := false
			for _, at := range ev.Attributes {
				switch at.Key {
				case "asset":
					match = at.Value == asset
				case "action":
					m.Action = at.Value
				case "from":
					m.From = at.Value
				case "to":
					m.To = at.Value
				case "amount":
					m.Amount = at.Value
				case "item":
					m.Item = at.Value
				}
			}
			if match {
				out = append(out, m)
			}
		}
	}
	return out
}
