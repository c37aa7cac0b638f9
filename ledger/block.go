package ledger

// Block is the block a message executes in: its height and its header time
// in Unix seconds. It is the only notion of time state transitions may use.
type Block struct {
	Height int64
	Time   int64
}
