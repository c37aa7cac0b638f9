package ledger

import (
	"errors"

	"github.com/riffchain/riffchain/ledger/gas"
)

// ErrReadOnly is returned by writes to a read-only view.
var ErrReadOnly = errors.New("read-only state")

type readOnly struct{ Reader }

func (readOnly) Set(_, _ []byte) error { return ErrReadOnly }
func (readOnly) Delete(_ []byte) error { return ErrReadOnly }

// GasMeter implements gas.Carrier: the meter of the wrapped reader, if any
// (a query's budget).
func (r readOnly) GasMeter() *gas.Meter { return gas.Of(r.Reader) }

// ReadOnly wraps a Reader (such as a committed Snapshot) as a KV whose writes
// fail, so typed views like Ledger can serve queries over it.
func ReadOnly(r Reader) KV { return readOnly{r} }
