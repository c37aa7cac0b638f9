package agreements

import (
	"crypto/ed25519"
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// ExecFile is the on-disk collective exec file the CLI builds, members sign
// offline and anyone submits: the "collective/exec" message plus the chain
// id its signatures are made for (the chain id is not sent: the node signs
// for its own). It is the collective exec instance of the signed-file
// mechanism (contracts/signfile), as File is the agreement's.
type ExecFile struct {
	ChainID string `json:"chain_id"`
	MsgCollectiveExec
}

// errExecFileChainID refuses an exec file without a chain id.
var errExecFileChainID = fmt.Errorf("%w: exec file chain_id missing", ErrInvalidBody)

// NewExecFile returns the unsigned exec file of m for chainID, checked.
func NewExecFile(chainID string, m MsgCollectiveExec) (*ExecFile, error) {
	if chainID == "" {
		return nil, errExecFileChainID
	}
	m.Signatures = []ExecSignature{}
	f := &ExecFile{ChainID: chainID, MsgCollectiveExec: m}
	if err := f.Check(); err != nil {
		return nil, err
	}
	return f, nil
}

// ParseExecFile decodes an exec file strictly; it must name its chain.
func ParseExecFile(data []byte) (*ExecFile, error) {
	var f ExecFile
	if err := execKind.Decode(data, &f); err != nil {
		return nil, err
	}
	if f.ChainID == "" {
		return nil, errExecFileChainID
	}
	if f.Signatures == nil {
		f.Signatures = []ExecSignature{}
	}
	return &f, nil
}

// Encode returns the file as indented JSON (the on-disk form).
func (f *ExecFile) Encode() ([]byte, error) { return execKind.Encode(f) }

// Sign appends priv's member signature for the file's chain (SignExec).
func (f *ExecFile) Sign(priv ed25519.PrivateKey) error {
	return SignExec(&f.MsgCollectiveExec, f.ChainID, priv)
}

// Signers verifies every signature for the file's chain and returns the
// signers in signature order (ExecSigners).
func (f *ExecFile) Signers() ([]ledger.Address, error) {
	return ExecSigners(&f.MsgCollectiveExec, f.ChainID)
}
