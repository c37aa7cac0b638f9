package validators

import (
	"github.com/riffchain/riffchain/ledger/codes"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }

// Sentinel errors of the validators module (codes 450–499, see
// spec/validators.md).
var (
	// ErrInvalidProposal: the proposal or its signatures are malformed
	// (no changes, too many, bad chain id or salt text, key or signature
	// length, expiry below 1, too many signatures).
	ErrInvalidProposal = errs.New(450, "invalid validator change proposal")
	// ErrWrongChain: the proposal names another chain.
	ErrWrongChain = errs.New(451, "proposal is for another chain")
	// ErrIDMismatch: the file's id is not the hash of its proposal.
	ErrIDMismatch = errs.New(452, "proposal id does not match its contents")
	// ErrDuplicateValidator: a public key appears twice among the changes.
	ErrDuplicateValidator = errs.New(453, "duplicate validator in changes")
	// ErrInvalidPower: a power is negative or above MaxTotalVotingPower.
	ErrInvalidPower = errs.New(454, "invalid voting power")
	// ErrBadSignature: a signature does not verify.
	ErrBadSignature = errs.New(455, "bad validator signature")
	// ErrDuplicateSigner: the same consensus key signed twice.
	ErrDuplicateSigner = errs.New(456, "duplicate signer")
	// ErrNotValidator: a signer is not in the current validator set.
	ErrNotValidator = errs.New(457, "signer is not a validator")
	// ErrInsufficientPower: the signers hold at most 2/3 of the power.
	ErrInsufficientPower = errs.New(458, "signers hold at most 2/3 of the voting power")
	// ErrExpired: the block height is past the proposal's expiry.
	ErrExpired = errs.New(459, "proposal expired")
	// ErrAlreadyApplied: a proposal with this id was applied before.
	ErrAlreadyApplied = errs.New(460, "proposal already applied")
	// ErrUnknownValidator: a removal (power 0) names a key not in the set.
	ErrUnknownValidator = errs.New(461, "no such validator")
	// ErrEmptySet: the change would leave no validator (total power 0).
	ErrEmptySet = errs.New(462, "change leaves no validators")
	// ErrTotalPowerTooHigh: the resulting total power exceeds
	// MaxTotalVotingPower.
	ErrTotalPowerTooHigh = errs.New(463, "total voting power too high")
	// ErrPendingChange: a key was already changed earlier in this block.
	ErrPendingChange = errs.New(464, "validator already changed in this block")
	// ErrNoValidatorSet: no validator set is recorded (state predates the
	// module).
	ErrNoValidatorSet = errs.New(465, "no validator set recorded")
	// ErrInvalidGenesis: the genesis validators cannot be recorded.
	ErrInvalidGenesis = errs.New(466, "invalid genesis validators")
	// ErrCorruptState: a stored record does not decode.
	ErrCorruptState = errs.New(467, "corrupt validators state")
)
