//go:build js && wasm

// Command verifywasm is package verify for the browser: it defines
// riffVerify(requestJSON) → resultJSON (verify.CheckJSON) and waits. The
// explorer serves it as /static/verify.wasm.gz; build it with
// scripts/build-verify-wasm (a test checks the copy is up to date).
package main

import (
	"syscall/js"

	"github.com/riffchain/riffchain/app/verify"
)

func main() {
	js.Global().Set("riffVerify", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 {
			return `{"verified":false,"error":"riffVerify takes one JSON string"}`
		}
		return verify.CheckJSON(args[0].String())
	}))
	select {}
}
