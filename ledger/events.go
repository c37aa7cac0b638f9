package ledger

// Attr is one key/value attribute of an event. Indexed attributes can be
// searched through CometBFT's tx indexer.
type Attr struct {
	Key   string
	Value string
	Index bool
}

// Event is something that happened during execution, reported to clients.
type Event struct {
	Type  string
	Attrs []Attr
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
