// Package validators owns riffchain's record of the consensus validator set
// and how it changes: the set recorded at genesis, change proposals that
// validators holding more than 2/3 of the voting power sign offline with
// their consensus keys, the updates that are handed to CometBFT at the end
// of the block that applies a proposal, and the misbehaviour evidence that
// CometBFT reports to the application.
//
// The package knows nothing of ABCI: the app converts CometBFT's validator
// updates and misbehaviour into this package's Update and Misbehavior
// values. spec/validators.md is the protocol description.
package validators
