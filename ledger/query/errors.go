package query

import "github.com/riffchain/riffchain/ledger/codes"

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Errors every query path may answer (spec/errors.md): nothing at the
// asked key, or a malformed path or parameter. There is one bad-query code
// for every module's queries.
var (
	ErrNotFound = errs.New(26, "not found")
	ErrBadQuery = errs.New(27, "bad query")
)

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }
