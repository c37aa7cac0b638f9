package ledger

// Attr is one key/value attribute of an event. Indexed attributes can be
// searched through CometBFT's tx indexer.
type Attr struct {
	Key   string
	Value string
	Index bool
}

// Event is something that happened during execution, reported to clients.
// A Block event is reported with the block (FinalizeBlock events) rather
// than with the transaction that caused it, so the tx indexer does not
// store it again with the tx result; the app adds the tx hash to it.
type Event struct {
	Type  string
	Attrs []Attr
	Block bool
}

// Events collects the events of one transaction (or block step). A nil
// *Events discards them.
type Events struct{ list []Event }

// Emit records an event whose attributes are given as key, value pairs; all
// attributes are indexed.
func (e *Events) Emit(typ string, kv ...string) {
	if e == nil {
		return
	}
	ev := Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attrs = append(ev.Attrs, Attr{Key: kv[i], Value: kv[i+1], Index: true})
	}
	e.list = append(e.list, ev)
}

// EmitAttrs records an event with explicit attributes, so large values
// (a record's full JSON state) can be reported without being indexed.
func (e *Events) EmitAttrs(typ string, attrs ...Attr) {
	if e == nil {
		return
	}
	e.list = append(e.list, Event{Type: typ, Attrs: attrs})
}

// EmitBlockAttrs records a Block event: for a large value that belongs to
// the block's record of what happened (a record's full JSON state) but
// need not be stored again in the tx index.
func (e *Events) EmitBlockAttrs(typ string, attrs ...Attr) {
	if e == nil {
		return
	}
	e.list = append(e.list, Event{Type: typ, Attrs: attrs, Block: true})
}

// List returns the events emitted so far.
func (e *Events) List() []Event {
	if e == nil {
		return nil
	}
	return e.list
}

// Append adds the events of another collector, in order.
func (e *Events) Append(o *Events) {
	if e == nil || o == nil {
		return
	}
	e.list = append(e.list, o.list...)
}
