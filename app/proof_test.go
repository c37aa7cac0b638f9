package app

import (
	ics23 "github.com/cosmos/ics23/go"

	"github.com/riffchain/riffchain/ledger"
)

func verifyOp(root, data, key, value []byte) error {
	var p ics23.CommitmentProof
	if err := p.Unmarshal(data); err != nil {
		return err
	}
	return ledger.VerifyProof(root, &p, key, value)
}
