package agreements

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/riffchain/riffchain/ledger"
)

func specJSON(a, b ledger.Address, extra string) string {
	return `{"parties": ["` + a.String() + `", "` + b.String() + `"], "title": "swap",
	 "terms_cid": "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
	 "actions": [{"transfer": {"from": "` + a.String() + `", "to": "` + b.String() + `", "asset": "XSH-1", "amount": "1000"}},
	             {"transfer": {"from": "` + b.String() + `", "to": "` + a.String() + `", "asset": "ART-2", "item": "mona"}}],
	 "obligations": [{"by": "` + a.String() + `", "to": "` + b.String() + `", "what": "deliver"}],
	 "expires_at_height": 500` + extra + `}`
}

func TestBuildScriptShape(t *testing.T) {
	a, b := addr("A"), addr("B")
	f, err := Build([]byte(specJSON(a, b, "")), testChain)
	if err != nil {
		t.Fatal(err)
	}
	if f.Body.Version != Version || f.Body.ChainID != testChain || len(f.ID) != 64 || len(f.Signatures) != 0 {
		t.Fatalf("file %+v", f)
	}
	canon, _ := f.Body.Canonical()
	want := `{"version":1,"chain_id":"riff-test-1","parties":["` + a.String() + `","` + b.String() + `"],"title":"swap",` +
		`"terms_cid":"bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy","actions":[` +
		`{"transfer":{"from":"` + a.String() + `","to":"` + b.String() + `","asset":"XSH-1","amount":"1000"}},` +
		`{"transfer":{"from":"` + b.String() + `","to":"` + a.String() + `","asset":"ART-2","item":"mona"}}],` +
		`"obligations":[{"by":"` + a.String() + `","to":"` + b.String() + `","what":"deliver"}],"expires_at_height":500}`
	if string(canon) != want {
		t.Fatalf("canonical\n got %s\nwant %s", canon, want)
	}
	// Same content written differently (field order, explicit version and
	// chain id) has the same id; a salt changes it.
	g, err := Build([]byte(`{"chain_id":"riff-test-1","version":1,`+specJSON(a, b, "")[1:]), testChain)
	if err != nil || g.ID != f.ID {
		t.Fatalf("rebuilt id %v %v", g, err)
	}
	s, err := Build([]byte(specJSON(a, b, `, "salt": "n-2"`)), testChain)
	if err != nil || s.ID == f.ID {
		t.Fatalf("salted id %v %v", s, err)
	}
	// File round trip keeps the id and the signatures.
	priv, _ := key("A")
	if err := Sign(f, priv); err != nil {
		t.Fatal(err)
	}
	enc, _ := f.Encode()
	back, err := ParseFile(enc)
	if err != nil || back.ID != f.ID || !reflect.DeepEqual(back.Signatures, f.Signatures) {
		t.Fatalf("round trip %v", err)
	}
	if _, err := CheckSignatures(back, testChain, nil); err != nil {
		t.Fatal(err)
	}
}

func TestBuildRejects(t *testing.T) {
	a, b := addr("A"), addr("B")
	cases := []struct {
		name, spec, chain string
		want              error
	}{
		{"unknown field", specJSON(a, b, `, "colour": "red"`), testChain, ErrInvalidBody},
		{"trailing data", specJSON(a, b, "") + "{}", testChain, ErrInvalidBody},
		{"wrong chain", specJSON(a, b, `, "chain_id": "x"`), testChain, ErrWrongChain},
		{"bad version", specJSON(a, b, `, "version": 7`), testChain, ErrUnsupportedVersion},
		{"bad chain id", specJSON(a, b, ""), "has space", ErrWrongChain},
		{"negative expiry", strings.Replace(specJSON(a, b, ""), `"expires_at_height": 500`, `"expires_at_height": -1`, 1), testChain, ErrInvalidBody},
		{"both amount and item", strings.Replace(specJSON(a, b, ""), `"item": "mona"`, `"item": "mona", "amount": "1"`, 1), testChain, ErrInvalidBody},
		{"zero amount", strings.Replace(specJSON(a, b, ""), `"amount": "1000"`, `"amount": "0"`, 1), testChain, ErrInvalidBody},
		{"bad address", strings.Replace(specJSON(a, b, ""), a.String(), "riff1xyz", 1), testChain, ErrInvalidBody},
		{"two kinds in one action", strings.Replace(specJSON(a, b, ""), `{"transfer": {"from": "`+a.String(),
			`{"hand_over": {"asset": "XSH-1", "from": "`+a.String()+`", "to": "`+b.String()+`"}, "transfer": {"from": "`+a.String(), 1), testChain, ErrInvalidBody},
		{"self transfer", strings.Replace(specJSON(a, b, ""), `"to": "`+b.String()+`", "asset": "XSH-1"`, `"to": "`+a.String()+`", "asset": "XSH-1"`, 1), testChain, ErrInvalidBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Build([]byte(tc.spec), tc.chain); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSignRules(t *testing.T) {
	a, b := addr("A"), addr("B")
	f, err := Build([]byte(specJSON(a, b, "")), testChain)
	if err != nil {
		t.Fatal(err)
	}
	outsider, _ := key("outsider")
	if err := Sign(f, outsider); !errors.Is(err, ErrNotParty) {
		t.Fatalf("outsider signs: %v", err)
	}
	pa, _ := key("A")
	if err := Sign(f, pa); err != nil {
		t.Fatal(err)
	}
	if err := Sign(f, pa); !errors.Is(err, ErrDuplicateSignature) {
		t.Fatalf("sign twice: %v", err)
	}
	if err := VerifySignatures(f, testChain, nil); !errors.Is(err, ErrMissingSignature) {
		t.Fatalf("half signed: %v", err)
	}
	pb, _ := key("B")
	if err := Sign(f, pb); err != nil {
		t.Fatal(err)
	}
	if err := VerifySignatures(f, testChain, nil); err != nil {
		t.Fatal(err)
	}
	// The signature covers exactly the documented sign bytes.
	s := f.Signatures[1]
	msg := "riffchain/agreement/v1\nriff-test-1\n" + f.ID + "\n1\n" + b.String() + "\n0"
	if !ed25519.Verify(s.PubKey, []byte(msg), s.Signature) {
		t.Fatal("signature is not over the documented sign bytes")
	}
	// Verifying for another chain fails (the body names this one).
	if err := VerifySignatures(f, "other", nil); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("other chain: %v", err)
	}
	// Tampering with the body after signing breaks the id.
	f.Body.Title = "changed"
	if err := VerifySignatures(f, testChain, nil); !errors.Is(err, ErrIDMismatch) {
		t.Fatalf("tampered: %v", err)
	}
	f.ID = ""
	if err := VerifySignatures(f, testChain, nil); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered without id: %v", err)
	}
}

// The struct tags must work with the app's validator (custom tags stubbed
// here): an unknown tag would panic at the first message.
func TestValidatorTags(t *testing.T) {
	v := validator.New(validator.WithRequiredStructEnabled())
	for _, tag := range []string{"assetid", "itemid", "cid", "symbol"} {
		tag := tag
		if err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			s := fl.Field().String()
			switch tag {
			case "assetid":
				return ledger.ValidAssetID(s)
			case "itemid":
				return ledger.ValidItemID(s)
			}
			return validCIDShape(s)
		}); err != nil {
			t.Fatal(err)
		}
	}
	registerByteRules(t, v)
	a, b := addr("A"), addr("B")
	f, err := Build([]byte(specJSON(a, b, "")), testChain)
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := key("A")
	_ = Sign(f, pa)
	id := f.ID
	c := addr("C")
	msgs := []any{
		f, &MsgPropose{Body: f.Body, Escrow: true}, &MsgAccept{ID: id, As: &c}, &MsgReject{ID: id},
		&MsgWithdraw{ID: id}, &MsgExecute{ID: id}, &MsgAttest{ID: id, Fulfilled: true},
		&MsgCreateCollective{Members: []ledger.Address{a, b}, Threshold: 1},
		&MsgLeaveCollective{Collective: c},
	}
	for _, m := range msgs {
		if err := v.Struct(m); err != nil {
			t.Fatalf("%T: %v", m, err)
		}
	}
	bad := *f
	bad.Body.Actions = []Action{{Transfer: &TransferAction{From: a, To: b, Asset: "bad asset", Amount: amt(1)}}}
	if err := v.Struct(&bad); err == nil {
		t.Fatal("validator accepted a bad asset id")
	}
	if _, err := hex.DecodeString(id); err != nil {
		t.Fatal(err)
	}
}

// registerByteRules stubs the app's maxbytes=N and lenbytes=N tags (string
// length in bytes, app/validate.go).
func registerByteRules(t *testing.T, v *validator.Validate) {
	t.Helper()
	for tag, ok := range map[string]func(n, param int) bool{
		"maxbytes": func(n, param int) bool { return n <= param },
		"lenbytes": func(n, param int) bool { return n == param },
	} {
		if err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			param, err := strconv.Atoi(fl.Param())
			return err == nil && ok(len(fl.Field().String()), param)
		}); err != nil {
			t.Fatal(err)
		}
	}
}
