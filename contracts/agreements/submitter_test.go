package agreements

import (
	"errors"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// A party that submits approves by its transaction signature: its own
// offline signature may be left out (ForSubmitter drops it), but nobody
// else's, and a non-party submitter approves nothing.
func TestSubmitterApproves(t *testing.T) {
	a, b := addr("A"), addr("B")
	cases := []struct {
		name    string
		signers []string
		by      string
		forSub  bool // send ForSubmitter(by) instead of the file
		want    error
	}{
		{"both signed, courier submits", []string{"A", "B"}, "courier", false, nil},
		{"B signed, A submits", []string{"B"}, "A", false, nil},
		{"both signed, A submits without its own signature", []string{"A", "B"}, "A", true, nil},
		{"A signed, A submits: B missing", []string{"A"}, "A", false, ErrMissingSignature},
		{"B signed, courier submits: A missing", []string{"B"}, "courier", false, ErrMissingSignature},
		{"nobody signed, A submits: B missing", nil, "A", false, ErrMissingSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 10})
			f := e.file([]ledger.Address{a, b}, []Action{xfer(a, b, x, 4)}, tc.signers...)
			if tc.forSub {
				f = f.ForSubmitter(addr(tc.by))
				if f.ID != "" || len(f.Signatures) != 1 || f.Signatures[0].Signer != b {
					t.Fatalf("ForSubmitter kept %+v", f)
				}
			}
			_, err := e.submit(f, tc.by)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				e.wantBal(b, x, "0")
				return
			}
			e.wantBal(b, x, "4")
			id, _ := f.Body.ID()
			if rec := e.record(id); len(rec.AcceptedBy) != 2 {
				t.Fatalf("accepted_by %v", rec.AcceptedBy)
			}
		})
	}
}

// A file CheckChain verified is executed without verifying again; one
// checked for another chain, or never checked, is verified in full.
func TestSubmitAfterCheckChain(t *testing.T) {
	a, b := addr("A"), addr("B")
	e := newEnv(t)
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 10})
	f := e.file([]ledger.Address{a, b}, []Action{xfer(a, b, x, 4)}, "A", "B")
	if err := f.CheckChain("other-chain"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("other chain: %v", err)
	}
	if f.verdict != nil {
		t.Fatal("a failed CheckChain left a memo")
	}
	bad := clone(t, f)
	bad.Signatures[1].Signature[0] ^= 1
	if err := bad.CheckChain(testChain); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bad signature: %v", err)
	}
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecSubmit(e.blk, addr("courier"), bad) }); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bad signature at execution: %v", err)
	}
	if err := f.CheckChain(testChain); err != nil {
		t.Fatal(err)
	}
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecSubmit(e.blk, addr("courier"), f) }); err != nil {
		t.Fatal(err)
	}
	e.wantBal(b, x, "4")
}

// CheckChain's verdict is read by execution only: the public checks
// verify in full, so a signature changed after CheckChain is caught by
// them, and CheckChain run again drops the verdict, after which
// execution verifies in full too.
func TestVerdictOnlyForExecution(t *testing.T) {
	a, b := addr("A"), addr("B")
	e := newEnv(t)
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 10})
	f := e.file([]ledger.Address{a, b}, []Action{xfer(a, b, x, 4)}, "A", "B")
	if err := f.CheckChain(testChain); err != nil {
		t.Fatal(err)
	}
	f.Signatures[1].Signature[0] ^= 1
	if _, err := CheckSignatures(f, testChain, nil); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("CheckSignatures after a change: %v", err)
	}
	if _, err := CheckSubmission(f, testChain, nil, a); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("CheckSubmission after a change: %v", err)
	}
	if err := VerifySignatures(f, testChain, nil); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("VerifySignatures after a change: %v", err)
	}
	if err := f.CheckChain(testChain); !errors.Is(err, ErrBadSignature) || f.verdict != nil {
		t.Fatalf("CheckChain again: %v, verdict %v", err, f.verdict)
	}
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecSubmit(e.blk, addr("courier"), f) }); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("execution without a verdict: %v", err)
	}
	e.wantBal(b, x, "0")
}
