package agreements

import (
	"github.com/riffchain/riffchain/ledger/codes"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }

// Sentinel errors. The app maps each one to a stable ABCI code; they are
// wrapped with context using fmt.Errorf("...: %w", err).
var (
	// Body and file shape.
	ErrInvalidBody        = errs.New(100, "invalid agreement body")
	ErrUnsupportedVersion = errs.New(101, "unsupported agreement version")
	ErrWrongChain         = errs.New(102, "agreement is for another chain")
	ErrPartyCount         = errs.New(103, "an agreement needs 2 to 32 parties")
	ErrDuplicateParty     = errs.New(104, "duplicate party")
	ErrSourceNotParty     = errs.New(105, "action source is not a party")
	ErrObligorNotParty    = errs.New(106, "obligation owed by a non-party")
	ErrNoExpiry           = errs.New(107, "agreement has no expiry")
	ErrUnsupportedAction  = errs.New(108, "unsupported action")
	ErrIDMismatch         = errs.New(109, "agreement id does not match its body")
	ErrBadSignature       = errs.New(110, "bad agreement signature")
	ErrNotParty           = errs.New(111, "not a party to the agreement")
	ErrMissingSignature   = errs.New(112, "missing signature")
	ErrDuplicateSignature = errs.New(113, "duplicate signature")
	ErrCollectiveVersion  = errs.New(114, "signature names a stale or unknown collective version")
	ErrUnknownAgreement   = errs.New(115, "unknown agreement")
	ErrAgreementExists    = errs.New(116, "agreement already exists")
	ErrAlreadySettled     = errs.New(117, "agreement already settled")
	ErrNotOpen            = errs.New(118, "agreement is not open")
	ErrExpired            = errs.New(119, "agreement expired")
	ErrAlreadyAccepted    = errs.New(120, "already accepted")
	ErrNotAllAccepted     = errs.New(121, "not every party has accepted")
	ErrNotProposer        = errs.New(122, "not the proposer")
	ErrEscrowInsufficient = errs.New(123, "insufficient funds for escrow")
	ErrSettlementFailed   = errs.New(124, "settlement failed")
	ErrNotSettled         = errs.New(125, "agreement is not settled")
	ErrNotEntitled        = errs.New(126, "not entitled to attest this obligation")
	ErrUnknownObligation  = errs.New(127, "unknown obligation")
	ErrAlreadyAttested    = errs.New(128, "obligation already attested fulfilled")
	ErrBadThreshold       = errs.New(129, "collective threshold must be between 1 and the number of members")
	ErrDuplicateMember    = errs.New(130, "duplicate collective member")
	ErrMemberCount        = errs.New(131, "a collective needs 1 to 32 members")
	ErrNestedCollective   = errs.New(132, "a collective cannot be a member of a collective")
	ErrUnknownCollective  = errs.New(133, "unknown collective")
	ErrNotCollective      = errs.New(134, "party is not a collective")
	ErrNotMember          = errs.New(135, "not a member of the collective")
	ErrLastMember         = errs.New(136, "the last member cannot leave a collective")
	ErrVoteChanged        = errs.New(142, "vote already changed once")
	ErrTooManyDisputes    = errs.New(143, "obligation disputed too many times")
)
