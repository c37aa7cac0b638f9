// Package codes gives riffchain's sentinel errors their stable ABCI result
// codes, declared next to the errors themselves (spec/errors.md).
//
// A package declares its coded errors in one Set:
//
//	var errs codes.Set
//	var ErrUnknownPool = errs.New(209, "unknown pool")
//
// and the app's module list registers each package's Set, so that no two
// modules can claim the same code and spec/errors.md can be checked against
// the list. The code of a returned error is that of the outermost coded
// error in its chain (Of): wrapping with fmt.Errorf("%w: ...", ErrX) or
// fmt.Errorf("%w: %w", ErrWrapper, cause) decides it, never the order of a
// table.
package codes

import (
	"errors"
	"sort"
)

// Error is a sentinel error with a stable result code. Compare with
// errors.Is as with any sentinel.
type Error struct {
	code uint32
	msg  string
}

// Error returns the error's message.
func (e *Error) Error() string { return e.msg }

// Code returns the error's stable result code.
func (e *Error) Code() uint32 { return e.code }

// Set is the coded errors one package declares. Its zero value is empty
// and ready; New is meant for package-level variable declarations only.
type Set struct{ list []*Error }

// New declares a coded error with code and message msg.
func (s *Set) New(code uint32, msg string) *Error {
	e := &Error{code: code, msg: msg}
	s.list = append(s.list, e)
	return e
}

// List returns the set's errors in code order.
func (s *Set) List() []*Error {
	out := append([]*Error(nil), s.list...)
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

// Of returns the code of the outermost coded error in err's tree (the
// first errors.As finds, walking wrappers before what they wrap), and
// false when err carries none.
func Of(err error) (uint32, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}
