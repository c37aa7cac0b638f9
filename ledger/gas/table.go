package gas

// The gas table: what each kind of work costs. It is part of the protocol
// (spec/gas.md explains each price and how they were measured): changing a
// price changes gas_used, which is in every block's results hash, so a new
// table is a coordinated upgrade. Prices are roughly nanoseconds of the
// slowest of the work they stand for on a 2-core development VM, so that a
// block of any transactions at the block's max_gas finalizes in about the
// same time as a block of transfers.
const (
	// TxBase is charged once per executed tx: framing, decoding, nonce
	// bookkeeping and the result.
	TxBase uint64 = 10_000
	// TxByte is charged per byte of the tx's wire encoding (decoding, the
	// block's bytes through consensus).
	TxByte uint64 = 30
	// SigVerify is charged per ed25519 signature the tx needs checked: its
	// own, and every offline signature a message carries.
	SigVerify uint64 = 60_000

	// ReadFlat is charged per state read (Get, and once per Iterate).
	ReadFlat uint64 = 2_000
	// ReadByte is charged per byte of key and value read.
	ReadByte uint64 = 3
	// IterStep is charged per key an iteration yields.
	IterStep uint64 = 300
	// WriteFlat is charged per state write (IAVL insert, hashing and
	// saving at commit).
	WriteFlat uint64 = 10_000
	// WriteByte is charged per byte of key and value written (and per key
	// byte of a delete).
	WriteByte uint64 = 30
	// DeleteFlat is charged per state delete.
	DeleteFlat uint64 = 10_000

	// EventByte is charged per byte of event type, keys and values a tx
	// emits (events go into the block results every node keeps).
	EventByte uint64 = 20

	// DecodeByte is charged per byte of a state record a loop decodes
	// beyond reading it (view entries).
	DecodeByte uint64 = 5
	// LoopStep is charged per step of a loop whose length depends on state
	// or input and which does no state access of its own in that step
	// (holders, listings, history entries, a view's follows).
	LoopStep uint64 = 100
	// ViewLabelCompare is charged per pair of path labels a view compares
	// (the dominance test while walking follows, each label tried for an
	// entry while ranking).
	ViewLabelCompare uint64 = 100
)

// EndBlockBudget is the gas the end-of-block steps of one module may use in
// a block (spec/gas.md "End of block"): a step that walks a backlog (the
// agreements that lapse at a height) starts no new item once its meter has
// used this much, and leaves the rest to the next block.
const EndBlockBudget uint64 = 25_000_000

// Query budgets (spec/gas.md "Queries"): every ABCI query runs under a
// meter with this limit, and so does /simulate's execution.
const (
	// QueryBudget is the gas one query may use.
	QueryBudget uint64 = 50_000_000
	// QueryProof is charged per Merkle proof a query returns.
	QueryProof uint64 = 20_000
)
