package ledger

import "errors"

// ErrReadOnly is returned by writes to a read-only view.
var ErrReadOnly = errors.New("read-only state")

type readOnly struct{ Reader }

func (readOnly) Set(_, _ []byte) error { return ErrReadOnly }
func (readOnly) Delete(_ []byte) error { return ErrReadOnly }

// ReadOnly wraps a Reader (such as a committed Snapshot) as a KV whose writes
// fail, so typed views like Ledger can serve queries over it.
func ReadOnly(r Reader) KV { return readOnly{r} }
