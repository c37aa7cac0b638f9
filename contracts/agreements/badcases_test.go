package agreements

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// Every bad input fails with its sentinel and leaves state unchanged (the
// env checks the state dump around every failed exec).
func TestBadCases(t *testing.T) {
	a, b, c, outsider := addr("A"), addr("B"), addr("C"), addr("outsider")
	type fixture struct {
		e        *env
		x, cur   string
		proposal string // id of an open proposal A→B (A proposed, escrow of 10 x)
		settled  string // id of a settled offline agreement with one obligation B→A
		expiring string // id of an open proposal expiring at height 12
	}
	setup := func(t *testing.T) *fixture {
		e := newEnv(t)
		fx := &fixture{e: e}
		fx.x = e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
		fx.cur = e.fungible("EUR", b, map[ledger.Address]uint64{b: 100})
		out, err := e.propose(Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, fx.x, 10), xfer(b, a, fx.cur, 10)}, ExpiresAtHeight: 50}, "A", true)
		if err != nil {
			t.Fatal(err)
		}
		fx.proposal = out["agreement_id"]
		f := e.signedFile(Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(b, a, fx.cur, 1)},
			Obligations: []Obligation{{By: b, To: a, What: "ship"}}, ExpiresAtHeight: 50}, "A", "B")
		if _, err := e.submit(f, "A"); err != nil {
			t.Fatal(err)
		}
		fx.settled = f.ID
		out, err = e.propose(Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, fx.x, 1)}, ExpiresAtHeight: 12}, "A", false)
		if err != nil {
			t.Fatal(err)
		}
		fx.expiring = out["agreement_id"]
		return fx
	}
	signed := func(fx *fixture, body Body, signers ...string) *File { return fx.e.signedFile(body, signers...) }
	twoParty := func(fx *fixture) Body {
		return Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, fx.x, 5)}, ExpiresAtHeight: 50}
	}
	rawSig := func(name string, chain, id string, version uint64) Signature {
		priv, ad := key(name)
		return Signature{Signer: ad, PubKey: priv.Public().(ed25519.PublicKey),
			Signature: ed25519.Sign(priv, SignBytes(chain, id, version, ad, 0))}
	}
	submit := func(fx *fixture, f *File) error {
		return exec1(fx.e, func(k *Keeper) (ledger.Output, error) { return k.ExecSubmit(fx.e.blk, c, f) })
	}

	cases := []struct {
		name string
		want error
		run  func(fx *fixture) error
	}{
		{"signature from a non-party", ErrNotParty, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A", "B")
			f.Signatures = append(f.Signatures, rawSig("outsider", testChain, f.ID, Version))
			return submit(fx, f)
		}},
		{"missing signature", ErrMissingSignature, func(fx *fixture) error {
			return submit(fx, signed(fx, twoParty(fx), "A"))
		}},
		{"no signatures at all", ErrMissingSignature, func(fx *fixture) error {
			return submit(fx, signed(fx, twoParty(fx)))
		}},
		{"duplicate party", ErrDuplicateParty, func(fx *fixture) error {
			body := twoParty(fx)
			body.Parties = []ledger.Address{a, b, a}
			_ = body.Normalize(testChain)
			return submit(fx, &File{Body: body})
		}},
		{"duplicate signature", ErrDuplicateSignature, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A", "B")
			f.Signatures = append(f.Signatures, f.Signatures[0])
			return submit(fx, f)
		}},
		{"signature for another version", ErrBadSignature, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A")
			f.Signatures = append(f.Signatures, rawSig("B", testChain, f.ID, Version+1))
			return submit(fx, f)
		}},
		{"signature for another chain", ErrBadSignature, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A")
			f.Signatures = append(f.Signatures, rawSig("B", "other-chain", f.ID, Version))
			return submit(fx, f)
		}},
		{"signature for another agreement", ErrBadSignature, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A")
			f.Signatures = append(f.Signatures, rawSig("B", testChain, fx.settled, Version))
			return submit(fx, f)
		}},
		{"pub key of someone else", ErrBadSignature, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A", "B")
			f.Signatures[1].PubKey = f.Signatures[0].PubKey
			return submit(fx, f)
		}},
		{"body for another chain", ErrWrongChain, func(fx *fixture) error {
			f, err := NewFile(twoParty(fx), "other-chain")
			if err != nil {
				return err
			}
			return submit(fx, f)
		}},
		{"body of another version", ErrUnsupportedVersion, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A", "B")
			f.Body.Version = 2
			f.ID = ""
			return submit(fx, f)
		}},
		{"id does not match body", ErrIDMismatch, func(fx *fixture) error {
			f := signed(fx, twoParty(fx), "A", "B")
			f.ID = fx.settled
			return submit(fx, f)
		}},
		{"action source is not a party", ErrSourceNotParty, func(fx *fixture) error {
			body := twoParty(fx)
			body.Actions = append(body.Actions, xfer(outsider, a, fx.x, 1))
			_ = body.Normalize(testChain)
			return submit(fx, &File{Body: body})
		}},
		{"obligation by a non-party", ErrObligorNotParty, func(fx *fixture) error {
			body := twoParty(fx)
			body.Obligations = []Obligation{{By: outsider, To: a, What: "x"}}
			_ = body.Normalize(testChain)
			return submit(fx, &File{Body: body})
		}},
		{"no expiry", ErrNoExpiry, func(fx *fixture) error {
			body := twoParty(fx)
			body.ExpiresAtHeight = 0
			_ = body.Normalize(testChain)
			return submit(fx, &File{Body: body})
		}},
		{"one party", ErrPartyCount, func(fx *fixture) error {
			body := twoParty(fx)
			body.Parties = body.Parties[:1]
			_ = body.Normalize(testChain)
			return submit(fx, &File{Body: body})
		}},
		{"pool swap not wired", ErrUnsupportedAction, func(fx *fixture) error {
			body := twoParty(fx)
			body.Actions = append(body.Actions, Action{PoolSwap: &PoolSwapAction{Trader: a, Pool: "P-1", AssetIn: fx.x, AmountIn: ledger.NewAmount(1)}})
			return submit(fx, signed(fx, body, "A", "B"))
		}},
		{"settling twice", ErrAlreadySettled, func(fx *fixture) error {
			body := Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(b, a, fx.cur, 1)},
				Obligations: []Obligation{{By: b, To: a, What: "ship"}}, ExpiresAtHeight: 50}
			return submit(fx, signed(fx, body, "A", "B"))
		}},
		{"proposing a settled agreement", ErrAlreadySettled, func(fx *fixture) error {
			rec := fx.e.record(fx.settled)
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecPropose(fx.e.blk, a, &MsgPropose{Body: rec.Body})
			})
		}},
		{"proposing an open proposal again", ErrAgreementExists, func(fx *fixture) error {
			rec := fx.e.record(fx.proposal)
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecPropose(fx.e.blk, b, &MsgPropose{Body: rec.Body})
			})
		}},
		{"submit with a party short of funds", ErrSettlementFailed, func(fx *fixture) error {
			body := twoParty(fx)
			body.Actions = []Action{xfer(a, b, fx.x, 1_000)}
			return submit(fx, signed(fx, body, "A", "B"))
		}},
		{"submit already expired", ErrExpired, func(fx *fixture) error {
			body := twoParty(fx)
			body.ExpiresAtHeight = fx.e.blk.Height - 1
			return submit(fx, signed(fx, body, "A", "B"))
		}},
		{"propose by a non-party", ErrNotParty, func(fx *fixture) error {
			body := twoParty(fx)
			_ = body.Normalize(testChain)
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecPropose(fx.e.blk, outsider, &MsgPropose{Body: body})
			})
		}},
		{"escrow with insufficient funds", ErrEscrowInsufficient, func(fx *fixture) error {
			body := twoParty(fx)
			body.Actions = []Action{xfer(a, b, fx.x, 91)} // 10 of A's 100 are in escrow already
			_ = body.Normalize(testChain)
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecPropose(fx.e.blk, a, &MsgPropose{Body: body, Escrow: true})
			})
		}},
		{"accept by a non-party", ErrNotParty, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAccept(fx.e.blk, outsider, &MsgAccept{ID: fx.proposal})
			})
		}},
		{"accepting after expiry", ErrExpired, func(fx *fixture) error {
			fx.e.blk.Height = 13
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAccept(fx.e.blk, b, &MsgAccept{ID: fx.expiring})
			})
		}},
		{"accept unknown agreement", ErrUnknownAgreement, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAccept(fx.e.blk, b, &MsgAccept{ID: "00000000000000000000000000000000000000000000000000000000000000ff"})
			})
		}},
		{"malformed id", ErrUnknownAgreement, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecWithdraw(fx.e.blk, a, &MsgWithdraw{ID: "XYZ"})
			})
		}},
		{"accept settled agreement", ErrAlreadySettled, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAccept(fx.e.blk, b, &MsgAccept{ID: fx.settled})
			})
		}},
		{"accept as a non-collective party", ErrNotCollective, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAccept(fx.e.blk, outsider, &MsgAccept{ID: fx.proposal, As: &b})
			})
		}},
		{"withdraw by a non-proposer", ErrNotProposer, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecWithdraw(fx.e.blk, b, &MsgWithdraw{ID: fx.proposal})
			})
		}},
		{"withdraw an offline-settled agreement", ErrNotProposer, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecWithdraw(fx.e.blk, a, &MsgWithdraw{ID: fx.settled})
			})
		}},
		{"reject by a non-party", ErrNotParty, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecReject(fx.e.blk, outsider, &MsgReject{ID: fx.proposal})
			})
		}},
		{"execute by a non-party", ErrNotParty, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecExecute(fx.e.blk, outsider, &MsgExecute{ID: fx.proposal})
			})
		}},
		{"attest by someone not entitled", ErrNotEntitled, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAttest(fx.e.blk, b, &MsgAttest{ID: fx.settled, Obligation: 0, Fulfilled: true})
			})
		}},
		{"attest by an outsider", ErrNotEntitled, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAttest(fx.e.blk, outsider, &MsgAttest{ID: fx.settled, Obligation: 0, Disputed: "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve"})
			})
		}},
		{"attest before settlement", ErrNotSettled, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAttest(fx.e.blk, a, &MsgAttest{ID: fx.proposal, Obligation: 0, Fulfilled: true})
			})
		}},
		{"attest both fulfilled and disputed", ErrInvalidBody, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecAttest(fx.e.blk, a, &MsgAttest{ID: fx.settled, Fulfilled: true, Disputed: "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve"})
			})
		}},
		{"collective threshold 0", ErrBadThreshold, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecCreateCollective(fx.e.blk, a, &MsgCreateCollective{Members: []ledger.Address{a, b}, Threshold: 0})
			})
		}},
		{"collective threshold above its size", ErrBadThreshold, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecCreateCollective(fx.e.blk, a, &MsgCreateCollective{Members: []ledger.Address{a, b}, Threshold: 3})
			})
		}},
		{"collective duplicate member", ErrDuplicateMember, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecCreateCollective(fx.e.blk, a, &MsgCreateCollective{Members: []ledger.Address{a, a}, Threshold: 1})
			})
		}},
		{"collective without members", ErrMemberCount, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecCreateCollective(fx.e.blk, a, &MsgCreateCollective{Threshold: 1})
			})
		}},
		{"leave unknown collective", ErrUnknownCollective, func(fx *fixture) error {
			return exec1(fx.e, func(k *Keeper) (ledger.Output, error) {
				return k.ExecLeaveCollective(fx.e.blk, a, &MsgLeaveCollective{Collective: outsider})
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := setup(t)
			before := dump(t, fx.e.tree)
			err := tc.run(fx)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after := dump(t, fx.e.tree); after != before {
				t.Fatal("state changed")
			}
			// The escrowed proposal is untouched.
			fx.e.wantBal(EscrowAddress(fx.proposal), fx.x, "10")
			fx.e.wantBal(a, fx.x, "90")
		})
	}
}

func exec1(e *env, fn func(k *Keeper) (ledger.Output, error)) error {
	_, err := e.exec(fn)
	return err
}

// Withdraw and reject return escrow and close the proposal; the party index
// follows the status.
func TestWithdrawAndReject(t *testing.T) {
	e := newEnv(t)
	a, b := addr("A"), addr("B")
	x := e.fungible("XSH", a, map[ledger.Address]uint64{a: 100})
	body := Body{Parties: []ledger.Address{a, b}, Actions: []Action{xfer(a, b, x, 30)}, ExpiresAtHeight: 40}
	out, err := e.propose(body, "A", true)
	if err != nil {
		t.Fatal(err)
	}
	w := out["agreement_id"]
	body.Salt = "2"
	out, err = e.propose(body, "A", true)
	if err != nil {
		t.Fatal(err)
	}
	r := out["agreement_id"]
	e.wantBal(a, x, "40")
	if page, _ := AgreementsByParty(e.tree, e.tree, b, StatusProposed, "", 0); len(page.Agreements) != 2 {
		t.Fatalf("proposed for B: %d", len(page.Agreements))
	}
	e.must(func(k *Keeper) (ledger.Output, error) { return k.ExecWithdraw(e.blk, a, &MsgWithdraw{ID: w}) })
	e.must(func(k *Keeper) (ledger.Output, error) { return k.ExecReject(e.blk, b, &MsgReject{ID: r}) })
	e.wantBal(a, x, "100")
	if s := e.record(w).Status; s != StatusWithdrawn {
		t.Fatalf("withdrawn: %s", s)
	}
	rec := e.record(r)
	if rec.Status != StatusRejected || *rec.RejectedBy != b || !rec.Escrow.Returned {
		t.Fatalf("rejected: %+v", rec)
	}
	if _, err := e.exec(func(k *Keeper) (ledger.Output, error) { return k.ExecWithdraw(e.blk, a, &MsgWithdraw{ID: r}) }); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("withdraw rejected: %v", err)
	}
	if page, _ := AgreementsByParty(e.tree, e.tree, b, StatusProposed, "", 0); len(page.Agreements) != 0 {
		t.Fatalf("still proposed: %d", len(page.Agreements))
	}
	all, err := AgreementsByParty(e.tree, e.tree, a, "", "", 1)
	if err != nil || len(all.Agreements) != 1 || all.Next == "" {
		t.Fatalf("page 1: %v %+v", err, all)
	}
	p2, err := AgreementsByParty(e.tree, e.tree, a, "", all.Next, 1)
	if err != nil || len(p2.Agreements) != 1 || p2.Next != "" || p2.Agreements[0].ID == all.Agreements[0].ID {
		t.Fatalf("page 2: %v %+v", err, p2)
	}
	// Nothing left for EndBlock.
	e.next(100)
	e.endBlock()
	if e.record(w).Status != StatusWithdrawn {
		t.Fatal("withdrawn agreement changed at expiry")
	}
}
