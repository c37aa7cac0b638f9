package signfile

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

var (
	errInvalid = errors.New("invalid")
	errBad     = errors.New("bad")
	errDup     = errors.New("dup")
	errRule    = errors.New("flow rule")
	errRecord  = errors.New("record")
	testKind   = &Kind{Name: "test file", Domain: "riffchain/test/v1\n", MaxSignatures: 3,
		Invalid: errInvalid, BadSignature: errBad, Duplicate: errDup}
)

type name string

func (n name) String() string { return string(n) }

type testSig struct{ PubKey, Signature []byte }

func (s testSig) Key() []byte { return s.PubKey }
func (s testSig) Sig() []byte { return s.Signature }

func seedKey(name string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(s[:])
}

func signed(name string, msg []byte) testSig {
	k := seedKey(name)
	return testSig{k.Public().(ed25519.PublicKey), ed25519.Sign(k, msg)}
}

func TestSignBytes(t *testing.T) {
	for _, c := range []struct {
		fields []string
		want   string
	}{
		{nil, "riffchain/test/v1\n"},
		{[]string{"chain"}, "riffchain/test/v1\nchain"},
		{[]string{"chain", "id", "", "7"}, "riffchain/test/v1\nchain\nid\n\n7"},
	} {
		if got := string(testKind.SignBytes(c.fields...)); got != c.want {
			t.Errorf("SignBytes(%q) = %q, want %q", c.fields, got, c.want)
		}
	}
}

func TestDecodeEncode(t *testing.T) {
	type doc struct {
		A string `json:"a"`
		B []int  `json:"b"`
	}
	for _, c := range []struct {
		name, in string
		ok       bool
	}{
		{"plain", `{"a":"x","b":[1]}`, true},
		{"spaces", " {\"a\":\"x\"}\n", true},
		{"unknown field", `{"a":"x","c":1}`, false},
		{"trailing value", `{"a":"x"}{}`, false},
		{"trailing junk", `{"a":"x"} x`, false},
		{"not json", `a: x`, false},
		{"empty", ``, false},
	} {
		var d doc
		err := testKind.Decode([]byte(c.in), &d)
		if c.ok != (err == nil) {
			t.Errorf("%s: err %v", c.name, err)
		}
		if err != nil && (!errors.Is(err, errInvalid) || !strings.Contains(err.Error(), "test file")) {
			t.Errorf("%s: %v does not wrap Invalid with the file's name", c.name, err)
		}
	}
	out, err := testKind.Encode(doc{A: "x", B: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    2\n  ]\n}\n"; string(out) != want {
		t.Fatalf("Encode = %q, want %q", out, want)
	}
	if _, err := testKind.Encode(func() {}); !errors.Is(err, errInvalid) {
		t.Fatalf("Encode of a func: %v", err)
	}
}

func TestCheck(t *testing.T) {
	msg := testKind.SignBytes("chain", "id")
	a, b := signed("a", msg), signed("b", msg)
	short := testSig{a.PubKey[:31], a.Signature}
	longSig := testSig{a.PubKey, append(append([]byte{}, a.Signature...), 0)}
	flipped := testSig{a.PubKey, append([]byte{}, a.Signature...)}
	flipped.Signature[0] ^= 1
	otherMsg := signed("a", testKind.SignBytes("other-chain", "id"))
	for _, c := range []struct {
		name   string
		sigs   []testSig
		refuse string // claim refuses the signer with this key name
		record error  // Record's error
		want   error
		at     string
	}{
		{"none", nil, "", nil, nil, ""},
		{"two", []testSig{a, b}, "", nil, nil, ""},
		{"too many", []testSig{a, b, a, b}, "", nil, errInvalid, ""},
		{"short key", []testSig{a, short}, "", nil, errBad, "signature 1:"},
		{"long signature", []testSig{longSig}, "", nil, errBad, "signature 0:"},
		{"flipped bit", []testSig{b, flipped}, "", nil, errBad, "signature 1:"},
		{"other sign bytes", []testSig{otherMsg}, "", nil, errBad, "does not verify for chain"},
		{"duplicate", []testSig{a, b, a}, "", nil, errDup, "signature 2:"},
		{"claim refuses", []testSig{a, b}, "b", nil, errRule, "signature 1:"},
		{"record refuses", []testSig{a}, "", errRecord, errRecord, "signature 0:"},
	} {
		var recorded int
		err := Check(testKind, c.sigs, Ed25519, func(_ int, s testSig) (Claim, error) {
			if c.refuse != "" && string(s.PubKey) == string(signed(c.refuse, msg).PubKey) {
				return Claim{}, errRule
			}
			return Claim{Signer: name(s.PubKey[:4]), Message: func() []byte { return msg }, For: "chain \"chain\"",
				Record: func() error { recorded++; return c.record }}, nil
		})
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), c.at) {
			t.Errorf("%s: %q does not say %q", c.name, err, c.at)
		}
		if err == nil && recorded != len(c.sigs) {
			t.Errorf("%s: recorded %d of %d", c.name, recorded, len(c.sigs))
		}
	}
}

func TestCheckApprovalKey(t *testing.T) {
	// One key may sign twice for two different approvals (an agreement
	// member for two collectives), not twice for the same.
	msg := testKind.SignBytes("chain")
	a := signed("a", msg)
	for _, c := range []struct {
		approvals []string
		want      error
	}{
		{[]string{"a for x", "a for y"}, nil},
		{[]string{"a for x", "a for x"}, errDup},
	} {
		err := Check(testKind, []testSig{a, a}, Ed25519, func(i int, s testSig) (Claim, error) {
			return Claim{Signer: name("a"), Approval: c.approvals[i], Message: func() []byte { return msg }}, nil
		})
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%v: err %v, want %v", c.approvals, err, c.want)
		}
	}
}

func TestSign(t *testing.T) {
	msg := testKind.SignBytes("chain", "id")
	a := seedKey("a")
	pub, sig, err := Sign(testKind, a, []testSig{signed("b", msg)}, nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !Ed25519(pub, msg, sig) {
		t.Fatal("the signature does not verify")
	}
	if _, _, err := Sign(testKind, a, []testSig{{pub, sig}}, nil, msg); !errors.Is(err, errDup) {
		t.Fatalf("second signature by the same key: %v", err)
	}
	never := func(testSig, ed25519.PublicKey) bool { return false }
	if _, _, err := Sign(testKind, a, []testSig{{pub, sig}}, never, msg); err != nil {
		t.Fatalf("a flow that allows it: %v", err)
	}
	if _, _, err := Sign(testKind, a[:10], []testSig(nil), nil, msg); !errors.Is(err, errBad) {
		t.Fatalf("short private key: %v", err)
	}
}

func TestCheckVerifiedBefore(t *testing.T) {
	// A nil verifier skips verification (the caller verified these
	// signatures already) and never computes the sign bytes; sizes,
	// claims and duplicates are still checked.
	msg := testKind.SignBytes("chain")
	a := signed("a", msg)
	notVerifying := testSig{a.PubKey, make([]byte, 64)}
	noMessage := func(_ int, s testSig) (Claim, error) {
		return Claim{Signer: name(s.PubKey), Message: func() []byte { t.Fatal("sign bytes computed"); return nil }}, nil
	}
	if err := Check(testKind, []testSig{notVerifying}, nil, noMessage); err != nil {
		t.Fatalf("verified before: %v", err)
	}
	if err := Check(testKind, []testSig{a, a}, nil, noMessage); !errors.Is(err, errDup) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := Check(testKind, []testSig{{a.PubKey[:5], a.Signature}}, nil, noMessage); !errors.Is(err, errBad) {
		t.Fatalf("short key: %v", err)
	}
}
