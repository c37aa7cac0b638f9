package lens

import (
	"github.com/riffchain/riffchain/ledger/codes"
	"github.com/riffchain/riffchain/ledger/query"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }

// Sentinel errors. The app maps each one to a stable ABCI code; they are
// wrapped with context using fmt.Errorf("...: %w", err).
var (
	ErrBadHandle       = errs.New(301, "malformed lens handle")
	ErrDuplicateHandle = errs.New(302, "lens handle already taken")
	ErrUnknownLens     = errs.New(303, "unknown lens")
	ErrBadCID          = errs.New(304, "malformed CID")
	ErrBadKind         = errs.New(305, "unknown entry kind")
	ErrBadTag          = errs.New(306, "malformed, duplicate or too many tags")
	ErrBadText         = errs.New(307, "name or title empty, too long or not UTF-8")
	ErrBadWeight       = errs.New(308, "weight must be 1..1000000 ppm")
	ErrSelfFollow      = errs.New(309, "a lens cannot follow itself")
	ErrSelfBlock       = errs.New(310, "a lens cannot block itself")
	ErrUnauthorized    = errs.New(311, "signer lacks the required role")
	ErrNotMember       = errs.New(312, "adding or changing entries requires the member role")
	ErrNotModerator    = errs.New(313, "changing another author's entry requires the moderator role")
	ErrBadRole         = errs.New(314, "unknown or ungrantable role")
	ErrNoRole          = errs.New(315, "address holds no role in this lens")
	ErrUnknownEntry    = errs.New(316, "unknown entry")
	ErrDuplicateEntry  = errs.New(317, "CID already anchored by this lens")
	ErrEmptyEdit       = errs.New(318, "edit changes nothing")
	ErrUnknownFollow   = errs.New(319, "lens does not follow the target")
	ErrTooManyFollows  = errs.New(320, "lens follows too many lenses")
	ErrBadBlock        = errs.New(321, "block must name exactly one of cid and target")
	ErrAlreadyBlocked  = errs.New(322, "already blocked")
	ErrUnknownBlock    = errs.New(323, "not blocked")
	ErrDepth           = errs.New(324, "view depth out of range")
	ErrViewTooLarge    = errs.New(326, "view exceeds the path budget")
	ErrTooMany         = errs.New(327, "too many items in one message")
	ErrBadManifest     = errs.New(300, "malformed or inconsistent lens manifest")
	ErrRegistry        = errs.New(328, "LENS asset exists but is not the lens registry's")
	ErrDuplicateSeq    = errs.New(329, "entry seq already exists in this lens")
)

// ErrBadQuery is a malformed view or query option: the one bad-query error
// of every query path (code 27; 325 is retired, spec/lenses.md).
var ErrBadQuery = query.ErrBadQuery
