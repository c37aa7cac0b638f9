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
	"fmt"
	"os"

	"github.com/riffchain/riffchain/app/client"
)

func main() {
	root := newRootCmd()
	err := root.Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.printed {
			printError(ee.err)
		}
		os.Exit(ee.code)
	}
	printError(err)
	if errors.Is(err, client.ErrProofInvalid) || errors.Is(err, client.ErrHeaderInvalid) {
		os.Exit(3)
	}
	os.Exit(1)
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

func printError(err error) {
	if cfgOutput() == "json" {
		fmt.Fprintf(os.Stderr, "{\"error\":%q}\n", err.Error())
		return
	}
	fmt.Fprintln(os.Stderr, "Error:", err)
}
