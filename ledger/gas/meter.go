// Package gas is riffchain's work meter: a Meter counts the gas a
// transaction (or a query) uses against its limit, Store charges every state
// access made through it, and table.go is the gas table — the price of each
// kind of work, which is part of the protocol (spec/gas.md). Every node
// charges the same amounts in the same order for the same tx, so gas_used is
// the same everywhere.
//
// Domain code never needs to know about limits: it reads and writes through
// the Store the app gave it, and calls Of(kv).Consume for loop steps whose
// work is not a state access (a Nil meter charges nothing, so the same code
// runs unmetered in tools and tests).
package gas

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger/codes"
)

// errs holds this package's coded errors (see package codes).
var errs codes.Set

// Codes returns the coded errors of this package, in code order.
func Codes() []*codes.Error { return errs.List() }

// ErrOutOfGas is returned once a meter's limit is reached; the app maps it
// to a stable ABCI code (spec/errors.md).
var ErrOutOfGas = errs.New(33, "out of gas")

// Meter counts gas against a limit. It is not safe for concurrent use (a tx
// or a query runs on one goroutine). A nil *Meter charges nothing.
type Meter struct {
	limit uint64
	used  uint64
	out   bool
}

// NewMeter returns a meter with the given limit.
func NewMeter(limit uint64) *Meter { return &Meter{limit: limit} }

// Consume charges amount gas for what (named in the error). Past the limit
// the meter is exhausted: used becomes the limit and every later Consume
// fails too, so a caller that drops an error still cannot go on for free.
func (m *Meter) Consume(amount uint64, what string) error {
	if m == nil {
		return nil
	}
	if m.out {
		return fmt.Errorf("%w: %s (limit %d spent)", ErrOutOfGas, what, m.limit)
	}
	if left := m.limit - m.used; amount > left {
		m.used, m.out = m.limit, true
		return fmt.Errorf("%w: %s needs %d, %d of %d left", ErrOutOfGas, what, amount, left, m.limit)
	}
	m.used += amount
	return nil
}

// ConsumeBytes charges flat + perByte*n for what, saturating on overflow
// (which can only exhaust the meter).
func (m *Meter) ConsumeBytes(flat, perByte uint64, n int, what string) error {
	if m == nil {
		return nil
	}
	return m.Consume(Add(flat, Mul(perByte, uint64(n))), what)
}

// Used returns the gas consumed so far (the limit once exhausted).
func (m *Meter) Used() uint64 {
	if m == nil {
		return 0
	}
	return m.used
}

// Limit returns the meter's limit.
func (m *Meter) Limit() uint64 {
	if m == nil {
		return 0
	}
	return m.limit
}

// Remaining returns the gas left.
func (m *Meter) Remaining() uint64 {
	if m == nil {
		return 0
	}
	return m.limit - m.used
}

// Exhausted reports whether a Consume has failed.
func (m *Meter) Exhausted() bool { return m != nil && m.out }

// Mul returns a*b, or the largest uint64 on overflow.
func Mul(a, b uint64) uint64 {
	if a != 0 && b > ^uint64(0)/a {
		return ^uint64(0)
	}
	return a * b
}

// Add returns a+b, or the largest uint64 on overflow.
func Add(a, b uint64) uint64 {
	if a > ^uint64(0)-b {
		return ^uint64(0)
	}
	return a + b
}

// Carrier is implemented by stores that carry a meter (Store, and the
// ledger's branches and read-only views over one).
type Carrier interface{ GasMeter() *Meter }

// Of returns the meter a store carries, or nil (which charges nothing).
func Of(kv any) *Meter {
	if c, ok := kv.(Carrier); ok {
		return c.GasMeter()
	}
	return nil
}
