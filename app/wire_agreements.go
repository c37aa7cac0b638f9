package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

// This file wires contracts/agreements into the app: the agreement and
// collective messages, their error codes (100–149), the end-of-block
// expiry step and the query paths /agreement, /agreements, /collective.

// agreementHookSetters let other modules' wiring files enable their
// agreement actions (e.g. a Lens transfer) without editing this file:
//
//	func init() { agreementHookSetters = append(agreementHookSetters, func(h *agreements.Hooks) { h.LensTransfer = ... }) }
var agreementHookSetters []func(*agreements.Hooks)

// agreementPoolSwap executes an agreement's pool_swap action through the
// pools module, against the settlement branch l.
func agreementPoolSwap(l *ledger.Ledger, blk ledger.Block, a *agreements.PoolSwapAction) error {
	_, err := pools.New(l).Swap(blk, a.Trader, []string{a.Pool}, a.AssetIn, a.AmountIn, a.MinOut)
	return err
}

// agreementKeeper returns the agreements keeper over env with every
// extension hook the app knows set.
func agreementKeeper(env *Env) *agreements.Keeper {
	k := agreements.New(env.Ledger, env.ChainID)
	if env.Local != nil {
		k.SetIndex(env.Local)
	}
	k.Hooks.PoolSwap = agreementPoolSwap
	for _, set := range agreementHookSetters {
		set(&k.Hooks)
	}
	return k
}

// agreementCodes are the stable ABCI codes of the agreements module
// (spec/agreements.md, "Error codes"). Never renumber; only add.
var agreementCodes = []codeEntry{
	// Wrappers first: they wrap ledger, pool and other agreement errors
	// (which errors.Is also finds), and the wrapper is what the client
	// must see. They are placed ahead of the whole table (see init).
	{agreements.ErrSettlementFailed, 124},
	{agreements.ErrEscrowInsufficient, 123},

	{agreements.ErrInvalidBody, 100},
	{agreements.ErrUnsupportedVersion, 101},
	{agreements.ErrWrongChain, 102},
	{agreements.ErrPartyCount, 103},
	{agreements.ErrDuplicateParty, 104},
	{agreements.ErrSourceNotParty, 105},
	{agreements.ErrObligorNotParty, 106},
	{agreements.ErrNoExpiry, 107},
	{agreements.ErrUnsupportedAction, 108},
	{agreements.ErrIDMismatch, 109},
	{agreements.ErrBadSignature, 110},
	{agreements.ErrNotParty, 111},
	{agreements.ErrMissingSignature, 112},
	{agreements.ErrDuplicateSignature, 113},
	{agreements.ErrCollectiveVersion, 114},
	{agreements.ErrUnknownAgreement, 115},
	{agreements.ErrAgreementExists, 116},
	{agreements.ErrAlreadySettled, 117},
	{agreements.ErrNotOpen, 118},
	{agreements.ErrExpired, 119},
	{agreements.ErrAlreadyAccepted, 120},
	{agreements.ErrNotAllAccepted, 121},
	{agreements.ErrNotProposer, 122},
	{agreements.ErrNotSettled, 125},
	{agreements.ErrNotEntitled, 126},
	{agreements.ErrUnknownObligation, 127},
	{agreements.ErrAlreadyAttested, 128},
	{agreements.ErrBadThreshold, 129},
	{agreements.ErrDuplicateMember, 130},
	{agreements.ErrMemberCount, 131},
	{agreements.ErrNestedCollective, 132},
	{agreements.ErrUnknownCollective, 133},
	{agreements.ErrNotCollective, 134},
	{agreements.ErrNotMember, 135},
	{agreements.ErrLastMember, 136},
	// 137-141 are registered by wire_collective_exec.go.
	{agreements.ErrVoteChanged, 142},
	{agreements.ErrTooManyDisputes, 143},
}

// agreementWrappers is how many leading entries of agreementCodes wrap
// other errors and so must be matched before the ledger's codes.
const agreementWrappers = 2

func init() {
	// The settlement and escrow wrappers go ahead of the whole table:
	// otherwise a failed settlement would report the ledger's code of its
	// cause (e.g. 16 insufficient funds) instead of "settlement failed".
	// The cause stays in the log.
	codeTable = append(append([]codeEntry(nil), agreementCodes[:agreementWrappers]...), codeTable...)
	registerCodes(agreementCodes[agreementWrappers:]...)

	moduleRegistrations = append(moduleRegistrations, registerAgreements)
	endBlockers = append(endBlockers, func(env *Env) error {
		if err := agreementKeeper(env).EndBlock(env.Block); err != nil {
			return fmt.Errorf("agreements end block: %w", err)
		}
		return nil
	})
	RegisterQuery("agreement", queryAgreement)
	RegisterLocalQuery("agreements", queryAgreements)
	localRebuilders = append(localRebuilders, func(state ledger.Reader, local ledger.KV) error {
		if _, err := agreements.RebuildPartyIndex(state, local); err != nil {
			return fmt.Errorf("agreements party index: %w", err)
		}
		return nil
	})
	RegisterQuery("collective", queryCollective)
}

func registerAgreements(r *Router) {
	handleExec(r, agreements.TypeSubmit, agreementKeeper, (*agreements.Keeper).ExecSubmit)
	handleExec(r, agreements.TypePropose, agreementKeeper, (*agreements.Keeper).ExecPropose)
	handleExec(r, agreements.TypeAccept, agreementKeeper, (*agreements.Keeper).ExecAccept)
	handleExec(r, agreements.TypeReject, agreementKeeper, (*agreements.Keeper).ExecReject)
	handleExec(r, agreements.TypeWithdraw, agreementKeeper, (*agreements.Keeper).ExecWithdraw)
	handleExec(r, agreements.TypeExecute, agreementKeeper, (*agreements.Keeper).ExecExecute)
	handleExec(r, agreements.TypeAttest, agreementKeeper, (*agreements.Keeper).ExecAttest)
	handleExec(r, agreements.TypeCreateCollective, agreementKeeper, (*agreements.Keeper).ExecCreateCollective)
	handleExec(r, agreements.TypeLeaveCollective, agreementKeeper, (*agreements.Keeper).ExecLeaveCollective)
}

// validAgreementID reports whether s is 64 lowercase hex characters.
func validAgreementID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// queryAgreement answers "/agreement/ID": the agreement record JSON,
// proven by AgreementKey(ID) (absent → code 26 with an absence proof).
func queryAgreement(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/agreement/ID"); err != nil {
		return nil, err
	}
	if !validAgreementID(parts[0]) {
		return nil, fmt.Errorf("%w: agreement id must be 64 lowercase hex characters", ErrBadQuery)
	}
	return single(r, agreements.AgreementKey(parts[0]), "agreement "+parts[0])
}

// AgreementList is the value of "/agreements/ADDR": one page of records
// (each the exact stored JSON, proven by its AgreementKey) and the cursor
// of the next page.
type AgreementList struct {
	Entries []json.RawMessage `json:"entries"`
	Next    string            `json:"next,omitempty"`
}

// queryAgreements answers "/agreements/ADDR?status=S&after=CURSOR&limit=N":
// the agreements ADDR is a party to, ordered by status then id.
func queryAgreements(r, local ledger.Reader, parts []string, params url.Values) (*QueryResult, error) {
	if err := needArgs(parts, 1, "/agreements/ADDR?status=S&after=CURSOR&limit=N"); err != nil {
		return nil, err
	}
	addr, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	status, err := agreements.ParseStatus(params.Get("status"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadQuery, err)
	}
	limit, err := pageLimit(params)
	if err != nil {
		return nil, err
	}
	page, err := agreements.AgreementsByParty(r, local, addr, status, params.Get("after"), limit)
	if err != nil {
		return nil, err
	}
	list := AgreementList{Entries: []json.RawMessage{}, Next: page.Next}
	res := &QueryResult{}
	for _, rec := range page.Agreements {
		key := agreements.AgreementKey(rec.ID)
		raw, err := r.Get(key)
		if err != nil {
			return nil, err
		}
		if raw == nil {
			return nil, fmt.Errorf("%w: agreement %s indexed but missing", ledger.ErrStore, rec.ID)
		}
		list.Entries = append(list.Entries, raw)
		res.Proven = append(res.Proven, KV{Key: key, Value: raw})
	}
	res.Value, err = json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("%w: encode list: %v", ErrInternal, err)
	}
	return res, nil
}

// queryCollective answers "/collective/ADDR" (current state) and
// "/collective/ADDR/VERSION" (the membership at that version).
func queryCollective(r ledger.Reader, parts []string, _ url.Values) (*QueryResult, error) {
	if len(parts) != 1 && len(parts) != 2 {
		return nil, fmt.Errorf("%w: want /collective/ADDR or /collective/ADDR/VERSION", ErrBadQuery)
	}
	addr, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		return single(r, agreements.CollectiveKey(addr), "collective "+parts[0])
	}
	v, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil || v == 0 {
		return nil, fmt.Errorf("%w: version must be a positive integer", ErrBadQuery)
	}
	return single(r, agreements.CollectiveVersionKey(addr, v), fmt.Sprintf("collective %s version %d", parts[0], v))
}
