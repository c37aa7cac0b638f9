package signfile_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/signfile"
	"github.com/riffchain/riffchain/contracts/validators"
)

// FuzzSignedFiles: a signed file travels by any channel, so its decoders
// read bytes anyone may have written. For each kind, any input either is
// refused or decodes to a file that encodes to a fixed point (decode,
// encode, decode, encode gives the same bytes), and checking its
// signatures never panics.
func FuzzSignedFiles(f *testing.F) {
	for _, name := range []string{"agreement.json", "collective_exec.json", "validator_change.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"chain_id":"c","collective":"","version":1,"nonce":1,"msgs":[],"signatures":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if a, err := agreements.ParseFile(data); err == nil {
			fixedPoint(t, a, func(b []byte) (signfile.File, error) { return agreements.ParseFile(b) })
			_, _ = agreements.CheckSignatures(a, a.Body.ChainID, nil)
		}
		if e, err := agreements.ParseExecFile(data); err == nil {
			fixedPoint(t, e, func(b []byte) (signfile.File, error) { return agreements.ParseExecFile(b) })
			_, _ = e.Signers()
		}
		if v, err := validators.ParseFile(data); err == nil {
			fixedPoint(t, v, func(b []byte) (signfile.File, error) { return validators.ParseFile(b) })
			_ = v.Check()
		}
	})
}

func fixedPoint(t *testing.T, f signfile.File, parse func([]byte) (signfile.File, error)) {
	t.Helper()
	enc, err := f.Encode()
	if err != nil {
		return // e.g. an agreement body whose amount cannot encode: refused when written
	}
	g, err := parse(enc)
	if err != nil {
		t.Fatalf("the encoding of a decoded file does not decode: %v\n%s", err, enc)
	}
	enc2, err := g.Encode()
	if err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("encoding is not a fixed point: %v\n%s\n%s", err, enc, enc2)
	}
}
