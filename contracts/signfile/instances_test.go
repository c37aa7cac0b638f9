package signfile_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"os"
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/signfile"
	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
)

// The fixtures in testdata were written and signed by the code before the
// three flows became instances of this package (riffchain 68715a7), with
// keys derived from fixed seeds. These tests pin that files signed then
// still decode, verify and re-encode to the same bytes, and that signing
// the same file again now gives the same signatures (ed25519 is
// deterministic: same key, same sign bytes, same signature).

// The three flows are instances of the mechanism.
var (
	_ signfile.File = (*agreements.File)(nil)
	_ signfile.File = (*agreements.ExecFile)(nil)
	_ signfile.File = (*validators.MsgChange)(nil)
)

func fixtureKey(name string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(s[:])
}

func fixtureAddr(name string) ledger.Address {
	return ledger.AddressFromPubKey(fixtureKey(name).Public().(ed25519.PublicKey))
}

// readFixture decodes testdata/name with parse and checks that it encodes
// back to the same bytes; it returns the file and those bytes.
func readFixture[F signfile.File](t *testing.T, name string, parse func([]byte) (F, error)) (F, []byte) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, name+" encoding", enc, raw)
	return f, raw
}

func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s changed:\n got %s\nwant %s", what, got, want)
	}
}

func TestAgreementFileFixture(t *testing.T) {
	f, raw := readFixture(t, "agreement.json", agreements.ParseFile)
	ap, err := agreements.CheckSignatures(f, "fixture-chain", nil)
	if err != nil {
		t.Fatalf("old signatures no longer verify: %v", err)
	}
	if len(ap.Signed) != 1 || ap.Signed[0] != fixtureAddr("alice") || len(ap.Undecided) != 1 || ap.Undecided[0] != fixtureAddr("bob") {
		t.Fatalf("approval %+v", ap)
	}
	if _, err := agreements.CheckSignatures(f, "other-chain", nil); err == nil {
		t.Fatal("the signatures verify for another chain")
	}
	// Sign again, in the same order: the same file.
	again := &agreements.File{Body: f.Body, Signatures: []agreements.Signature{}}
	if err := agreements.Sign(again, fixtureKey("alice")); err != nil {
		t.Fatal(err)
	}
	if err := agreements.SignForCollective(again, fixtureKey("carol"), fixtureAddr("bob"), 3); err != nil {
		t.Fatal(err)
	}
	enc, _ := again.Encode()
	sameBytes(t, "re-signed file", enc, raw)
	sameBytes(t, "sign bytes", agreements.SignBytes("c", f.ID, 1, fixtureAddr("alice"), 0),
		[]byte("riffchain/agreement/v1\nc\n"+f.ID+"\n1\n"+fixtureAddr("alice").String()+"\n0"))
}

func TestCollectiveExecFileFixture(t *testing.T) {
	f, raw := readFixture(t, "collective_exec.json", agreements.ParseExecFile)
	signers, err := f.Signers()
	if err != nil {
		t.Fatalf("old signatures no longer verify: %v", err)
	}
	if len(signers) != 2 || signers[0] != fixtureAddr("alice") || signers[1] != fixtureAddr("carol") {
		t.Fatalf("signers %v", signers)
	}
	again, err := agreements.NewExecFile(f.ChainID, f.MsgCollectiveExec)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"alice", "carol"} {
		if err := again.Sign(fixtureKey(k)); err != nil {
			t.Fatal(err)
		}
	}
	enc, _ := again.Encode()
	sameBytes(t, "re-signed file", enc, raw)
	h, _ := agreements.ExecMsgsHash(f.Msgs)
	sb, _ := agreements.ExecSignBytes("c", &f.MsgCollectiveExec)
	sameBytes(t, "sign bytes", sb, []byte("riffchain/collective-exec/v1\nc\n"+f.Collective.String()+"\n2\n7\n"+h))
}

func TestValidatorChangeFileFixture(t *testing.T) {
	f, raw := readFixture(t, "validator_change.json", validators.ParseFile)
	if err := f.Check(); err != nil {
		t.Fatalf("old signatures no longer verify: %v", err)
	}
	again, err := validators.NewFile(f.Proposal)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"alice", "bob"} {
		if err := validators.Sign(again, fixtureKey(k)); err != nil {
			t.Fatal(err)
		}
	}
	enc, _ := again.Encode()
	sameBytes(t, "re-signed file", enc, raw)
	sameBytes(t, "sign bytes", validators.SignBytes("c", f.ID), []byte("riffchain/validator-change/v1\nc\n"+f.ID))
}
