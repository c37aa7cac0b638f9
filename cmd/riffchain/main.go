// Command riffchain is the riffchain node and CLI: init and start a node,
// run a single-validator dev chain, manage keys, build, sign and broadcast
// transactions, and query state with Merkle proofs.
//
// Settings come from flags, then RIFFCHAIN_* environment variables (e.g.
// RIFFCHAIN_NODE, RIFFCHAIN_OUTPUT, RIFFCHAIN_KEYRING_BACKEND), then
// $HOME_DIR/config/client.toml, then defaults.
package main

import (
	"errors"
	"os"

	"github.com/riffchain/riffchain/app/client"
)

func main() {
	root := newRootCmd()
	strictGroups(root) // errors_hint.go
	err := root.Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.printed {
			printError(ee.err, ee.code)
		}
		os.Exit(ee.code)
	}
	code := 1
	if errors.Is(err, client.ErrProofInvalid) || errors.Is(err, client.ErrHeaderInvalid) {
		code = 3
	}
	printError(err, code) // errors_hint.go
	os.Exit(code)
}

// exitError carries an exit status; printed means the command already wrote
// its result (e.g. a failed tx's JSON) and only the status is left.
type exitError struct {
	code    int
	err     error
	printed bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
