// Package query holds what the app's query router and the modules that
// answer queries share: the errors every query path may return and, as the
// modules take over their query handlers, the shape of an answer (a value
// and the state keys that prove it) and of a page of a listing.
package query
