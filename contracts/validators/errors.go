package validators

import "errors"

// Sentinel errors of the validators module (codes 450–499, see
// spec/validators.md).
var (
	// ErrInvalidProposal: the proposal or its signatures are malformed
	// (no changes, too many, bad chain id or salt text, key or signature
	// length, expiry below 1, too many signatures).
	ErrInvalidProposal = errors.New("invalid validator change proposal")
	// ErrWrongChain: the proposal names another chain.
	ErrWrongChain = errors.New("proposal is for another chain")
	// ErrIDMismatch: the file's id is not the hash of its proposal.
	ErrIDMismatch = errors.New("proposal id does not match its contents")
	// ErrDuplicateValidator: a public key appears twice among the changes.
	ErrDuplicateValidator = errors.New("duplicate validator in changes")
	// ErrInvalidPower: a power is negative or above MaxTotalVotingPower.
	ErrInvalidPower = errors.New("invalid voting power")
	// ErrBadSignature: a signature does not verify.
	ErrBadSignature = errors.New("bad validator signature")
	// ErrDuplicateSigner: the same consensus key signed twice.
	ErrDuplicateSigner = errors.New("duplicate signer")
	// ErrNotValidator: a signer is not in the current validator set.
	ErrNotValidator = errors.New("signer is not a validator")
	// ErrInsufficientPower: the signers hold at most 2/3 of the power.
	ErrInsufficientPower = errors.New("signers hold at most 2/3 of the voting power")
	// ErrExpired: the block height is past the proposal's expiry.
	ErrExpired = errors.New("proposal expired")
	// ErrAlreadyApplied: a proposal with this id was applied before.
	ErrAlreadyApplied = errors.New("proposal already applied")
	// ErrUnknownValidator: a removal (power 0) names a key not in the set.
	ErrUnknownValidator = errors.New("no such validator")
	// ErrEmptySet: the change would leave no validator (total power 0).
	ErrEmptySet = errors.New("change leaves no validators")
	// ErrTotalPowerTooHigh: the resulting total power exceeds
	// MaxTotalVotingPower.
	ErrTotalPowerTooHigh = errors.New("total voting power too high")
	// ErrPendingChange: a key was already changed earlier in this block.
	ErrPendingChange = errors.New("validator already changed in this block")
	// ErrNoValidatorSet: no validator set is recorded (state predates the
	// module).
	ErrNoValidatorSet = errors.New("no validator set recorded")
	// ErrInvalidGenesis: the genesis validators cannot be recorded.
	ErrInvalidGenesis = errors.New("invalid genesis validators")
	// ErrCorruptState: a stored record does not decode.
	ErrCorruptState = errors.New("corrupt validators state")
)
