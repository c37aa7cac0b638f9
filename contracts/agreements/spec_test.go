package agreements

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// testWords reads addresses by test key name ("alice") or bech32, amounts
// in base units, and a transfer's what as [AMOUNT ASSET] or [ASSET/ITEM].
var testWords = Words{
	Address: func(s string) (ledger.Address, error) {
		if a, err := ledger.ParseAddress(s); err == nil {
			return a, nil
		}
		if s == "" || strings.ContainsAny(s, "1 ") {
			return ledger.Address{}, fmt.Errorf("no key %q", s)
		}
		return addr(s), nil
	},
	Amount: func(s, _ string) (ledger.Amount, error) { return ledger.ParseAmount(s) },
	Move: func(to ledger.Address, what []string) (ledger.Move, error) {
		m := ledger.Move{To: to}
		switch len(what) {
		case 1:
			asset, item, ok := strings.Cut(what[0], "/")
			if !ok {
				return m, errors.New("want ASSET/ITEM")
			}
			m.Asset, m.Item = asset, item
		case 2:
			a, err := ledger.ParseAmount(what[0])
			if err != nil {
				return m, err
			}
			m.Amount, m.Asset = &a, what[1]
		}
		return m, nil
	},
}

func TestParseActionFlag(t *testing.T) {
	alice, bob := addr("alice"), addr("bob")
	for _, c := range []struct {
		kind, value string
		want        Action
		err         string
	}{
		{FlagTransfer, "alice:bob:5:RIFF", xfer(alice, bob, "RIFF", 5), ""},
		{FlagTransfer, alice.String() + ":bob:5:RIFF", xfer(alice, bob, "RIFF", 5), ""},
		{FlagTransfer, "alice:bob:ART/7", xferItem(alice, bob, "ART", "7"), ""},
		{FlagTransfer, "alice:bob", Action{}, `--transfer "alice:bob": want FROM:TO:AMOUNT:ASSET or FROM:TO:ASSET/ITEM`},
		{FlagTransfer, "alice:bob:1:2:3", Action{}, "want FROM:TO"},
		{FlagTransfer, "alice:bob:ART", Action{}, `--transfer "alice:bob:ART": want ASSET/ITEM`},
		{FlagTransfer, "alice:bob:x:RIFF", Action{}, `--transfer "alice:bob:x:RIFF": `},
		{FlagTransfer, "nob ody:bob:5:RIFF", Action{}, `no key "nob ody"`},
		{FlagTransfer, "alice:1x:5:RIFF", Action{}, `--transfer "alice:1x:5:RIFF": no key "1x"`},
		{FlagHandOver, "alice:bob:ACME", Action{HandOver: &HandOverAction{Asset: "ACME", From: alice, To: bob}}, ""},
		{FlagHandOver, "alice:bob:ACME:holdings", Action{HandOver: &HandOverAction{Asset: "ACME", From: alice, To: bob, Holdings: true}}, ""},
		{FlagHandOver, "alice:bob:ACME:all", Action{}, `--hand-over "alice:bob:ACME:all": want FROM:TO:ASSET or FROM:TO:ASSET:holdings`},
		{FlagPoolSwap, "alice:pool-1:10:RIFF:3", Action{PoolSwap: &PoolSwapAction{Trader: alice, Pool: "pool-1", AssetIn: "RIFF", AmountIn: *amt(10), MinOut: *amt(3)}}, ""},
		{FlagPoolSwap, "alice:pool-1:10:RIFF", Action{}, "want TRADER:POOL:AMOUNT_IN:ASSET_IN:MIN_OUT"},
		{FlagPoolSwap, "alice:pool-1:ten:RIFF:3", Action{}, `--pool-swap "alice:pool-1:ten:RIFF:3": amount_in: `},
		{FlagPoolSwap, "alice:pool-1:10:RIFF:-1", Action{}, `--pool-swap "alice:pool-1:10:RIFF:-1": min_out: `},
		{FlagLensTransfer, "alice:bob:coop", Action{LensTransfer: &LensTransferAction{From: alice, To: bob, Lens: "coop"}}, ""},
		{FlagLensTransfer, "alice:bob:coop:x", Action{}, `--lens-transfer "alice:bob:coop:x": want FROM:TO:LENS`},
		{"burn", "alice:5:RIFF", Action{}, `--burn "alice:5:RIFF": want a known action`},
	} {
		got, err := ParseActionFlag(ActionFlag{c.kind, c.value}, testWords)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %q: err %v, want %q", c.kind, c.value, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", c.kind, c.value, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(c.want)
			t.Errorf("%s %q:\n got %s\nwant %s", c.kind, c.value, g, w)
		}
	}
}

func TestParseObligationFlag(t *testing.T) {
	for _, c := range []struct {
		value string
		want  Obligation
		err   string
	}{
		{"bob:alice:ship the goods", Obligation{By: addr("bob"), To: addr("alice"), What: "ship the goods"}, ""},
		{"bob:alice:see ipfs://x:y", Obligation{By: addr("bob"), To: addr("alice"), What: "see ipfs://x:y"}, ""},
		{"bob:alice:", Obligation{}, `--obligation "bob:alice:": want BY:TO:WHAT`},
		{"bob:alice", Obligation{}, "want BY:TO:WHAT"},
		{"1x:alice:w", Obligation{}, `--obligation "1x:alice:w": no key "1x"`},
		{"bob:1x:w", Obligation{}, `no key "1x"`},
	} {
		got, err := ParseObligationFlag(c.value, testWords)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.value, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %+v, %v; want %+v", c.value, got, err, c.want)
		}
	}
}

func TestInferParties(t *testing.T) {
	a, b, c, d := addr("a"), addr("b"), addr("c"), addr("d")
	for _, tc := range []struct {
		name string
		body Body
		want []ledger.Address
	}{
		{"empty", Body{}, nil},
		{"sources in order, once", Body{Actions: []Action{xfer(b, a, "X", 1), xfer(a, b, "X", 1), xfer(b, c, "X", 1)}}, []ledger.Address{b, a}},
		{"obligors after sources", Body{Actions: []Action{xfer(a, b, "X", 1)}, Obligations: []Obligation{{By: c, To: a}, {By: a, To: d}}}, []ledger.Address{a, c}},
		{"every action kind", Body{Actions: []Action{
			{HandOver: &HandOverAction{From: d, To: a}},
			{PoolSwap: &PoolSwapAction{Trader: c}},
			{LensTransfer: &LensTransferAction{From: b, To: a}},
		}}, []ledger.Address{d, c, b}},
		{"receivers are not parties", Body{Actions: []Action{xfer(a, b, "X", 1)}}, []ledger.Address{a}},
	} {
		if got := tc.body.InferParties(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSpecJSON(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		err            bool
	}{
		{"spec.json", `{"title":"x"}`, `{"title":"x"}`, false},
		{"spec.json", `title: x`, `title: x`, false}, // .json is JSON as given (the strict decoder reports it)
		{"-", ` {"title":"x"}`, ` {"title":"x"}`, false},
		{"spec", `{"title":"x"}`, `{"title":"x"}`, false},
		{"spec.yaml", `{"title": "x"}`, `{"title":"x"}`, false}, // YAML by name, even when it looks like JSON
		{"spec.yml", "title: x\nexpires_at_height: 9\n", `{"expires_at_height":9,"title":"x"}`, false},
		{"-", "actions:\n  - transfer: {amount: 5, asset: RIFF}\n  - pool_swap: {amount_in: 7, min_out: 0}\n",
			`{"actions":[{"transfer":{"amount":"5","asset":"RIFF"}},{"pool_swap":{"amount_in":"7","min_out":"0"}}]}`, false},
		{"spec.yaml", "amount: \"5\"\nother: 5\n", `{"amount":"5","other":5}`, false},
		{"spec.yaml", "title: [\n", "", true},
		{"spec.yaml", "1: x\n", "", true}, // a non-string key has no JSON form
	} {
		got, err := SpecJSON(c.name, []byte(c.in))
		if c.err {
			if !errors.Is(err, ErrInvalidBody) {
				t.Errorf("%s %q: err %v, want ErrInvalidBody", c.name, c.in, err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s %q: got %s, %v; want %s", c.name, c.in, got, err, c.want)
		}
	}
}

func TestResolveSpecAddresses(t *testing.T) {
	alice, bob := addr("alice"), addr("bob")
	for _, c := range []struct {
		name, in, want, err string
	}{
		{"nothing to resolve", `{"title":"alice"}`, `{"title":"alice"}`, ""},
		{"addresses kept", `{"parties":["` + alice.String() + `"]}`, `{"parties":["` + alice.String() + `"]}`, ""},
		{"parties", `{"parties":["alice","bob"]}`, `{"parties":["` + alice.String() + `","` + bob.String() + `"]}`, ""},
		{"nested action and obligation", `{"actions":[{"transfer":{"from":"alice","to":"bob","asset":"alice"}}],"obligations":[{"by":"bob","to":"alice","what":"bob"}]}`,
			`{"actions":[{"transfer":{"asset":"alice","from":"` + alice.String() + `","to":"` + bob.String() + `"}}],"obligations":[{"by":"` + bob.String() + `","to":"` + alice.String() + `","what":"bob"}]}`, ""},
		{"trader", `{"actions":[{"pool_swap":{"trader":"alice"}}]}`, `{"actions":[{"pool_swap":{"trader":"` + alice.String() + `"}}]}`, ""},
		{"unknown name", `{"parties":["alice","no one"]}`, "", `spec parties: no key "no one"`},
		{"not JSON", `parties: [alice]`, `parties: [alice]`, ""},
	} {
		got, err := ResolveSpecAddresses([]byte(c.in), testWords.Address)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: err %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v\nwant %s", c.name, got, err, c.want)
		}
	}
}

// TestParseActionFlagMinOut: a pool swap's MIN_OUT is read by Words.MinOut
// with the pool and the asset in (so the CLI can scale it by the decimals
// of the asset the pool pays out); without one it is base units.
func TestParseActionFlagMinOut(t *testing.T) {
	w := testWords
	var asked []string
	w.MinOut = func(s, pool, assetIn string) (ledger.Amount, error) {
		asked = append(asked, s, pool, assetIn)
		return ledger.ParseAmount(s + "000") // 3 decimals
	}
	got, err := ParseActionFlag(ActionFlag{FlagPoolSwap, "alice:pool-1:10:RIFF:3"}, w)
	if err != nil || got.PoolSwap == nil || got.PoolSwap.MinOut.String() != "3000" || strings.Join(asked, " ") != "3 pool-1 RIFF" {
		t.Fatalf("got %+v, %v; MinOut asked %q", got.PoolSwap, err, asked)
	}
}
