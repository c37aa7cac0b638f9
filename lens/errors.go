package lens

import "errors"

// Sentinel errors. The app maps each one to a stable ABCI code; they are
// wrapped with context using fmt.Errorf("...: %w", err).
var (
	ErrBadHandle       = errors.New("malformed lens handle")
	ErrDuplicateHandle = errors.New("lens handle already taken")
	ErrUnknownLens     = errors.New("unknown lens")
	ErrBadCID          = errors.New("malformed CID")
	ErrBadKind         = errors.New("unknown entry kind")
	ErrBadTag          = errors.New("malformed, duplicate or too many tags")
	ErrBadText         = errors.New("name or title empty, too long or not UTF-8")
	ErrBadWeight       = errors.New("weight must be 1..1000000 ppm")
	ErrSelfFollow      = errors.New("a lens cannot follow itself")
	ErrSelfBlock       = errors.New("a lens cannot block itself")
	ErrUnauthorized    = errors.New("signer lacks the required role")
	ErrNotMember       = errors.New("adding or changing entries requires the member role")
	ErrNotModerator    = errors.New("changing another author's entry requires the moderator role")
	ErrBadRole         = errors.New("unknown or ungrantable role")
	ErrNoRole          = errors.New("address holds no role in this lens")
	ErrUnknownEntry    = errors.New("unknown entry")
	ErrDuplicateEntry  = errors.New("CID already anchored by this lens")
	ErrEmptyEdit       = errors.New("edit changes nothing")
	ErrUnknownFollow   = errors.New("lens does not follow the target")
	ErrTooManyFollows  = errors.New("lens follows too many lenses")
	ErrBadBlock        = errors.New("block must name exactly one of cid and target")
	ErrAlreadyBlocked  = errors.New("already blocked")
	ErrUnknownBlock    = errors.New("not blocked")
	ErrDepth           = errors.New("view depth out of range")
	ErrBadQuery        = errors.New("malformed view or query options")
	ErrViewTooLarge    = errors.New("view exceeds the path budget")
	ErrTooMany         = errors.New("too many items in one message")
	ErrBadManifest     = errors.New("malformed or inconsistent lens manifest")
	ErrRegistry        = errors.New("LENS asset exists but is not the lens registry's")
	ErrDuplicateSeq    = errors.New("entry seq already exists in this lens")
)
