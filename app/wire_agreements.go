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

// agreementPoolSwap executes an agreement's pool_swap action through the
// pools module, against the settlement branch l.
func agreementPoolSwap(l *ledger.Ledger, blk ledger.Block, a *agreements.PoolSwapAction) error {
	_, err := pools.New(l).Swap(blk, a.Trader, []string{a.Pool}, a.AssetIn, a.AmountIn, a.MinOut)
	return err
}

// agreementsWiring builds the agreements keeper of each execution with the
// hooks the module list gave it.
type agreementsWiring struct{ hooks agreements.Hooks }

// keeper returns the agreements keeper over env, with the node-local party
// index in env.Local and every hook of the module list set.
func (w *agreementsWiring) keeper(env *Env) *agreements.Keeper {
	k := agreements.New(env.Ledger, env.ChainID, env.Local)
	k.Hooks = w.hooks
	return k
}

// agreementsModule is package contracts/agreements (spec/agreements.md):
// agreements, collectives and collective execs, with hooks for the actions
// of other modules an agreement may settle.
func agreementsModule(hooks agreements.Hooks) Module {
	w := &agreementsWiring{hooks: hooks}
	return Module{
		Name:  "agreements",
		Codes: agreements.Codes(),
		Msgs:  w.register,
		Queries: []Query{
			StateQuery("agreement", queryAgreement),
			{Path: "agreements", Handler: queryAgreements},
			StateQuery("collective", queryCollective),
			StateQuery("collective-exec", queryCollectiveExec),
		},
		EndBlock: func(env *Env) error {
			if err := w.keeper(env).EndBlock(env.Block); err != nil {
				return fmt.Errorf("agreements end block: %w", err)
			}
			return nil
		},
		LocalIndexes: []LocalIndex{{Name: "agreements party index", Rebuild: func(state ledger.Reader, local ledger.KV) error {
			_, err := agreements.RebuildPartyIndex(state, local)
			return err
		}}},
	}
}

func (w *agreementsWiring) register(r *Router) {
	keeper := w.keeper
	w.registerCollectiveExec(r)
	handleExec(r, agreements.TypeSubmit, keeper, (*agreements.Keeper).ExecSubmit)
	handleExec(r, agreements.TypePropose, keeper, (*agreements.Keeper).ExecPropose)
	handleExec(r, agreements.TypeAccept, keeper, (*agreements.Keeper).ExecAccept)
	handleExec(r, agreements.TypeReject, keeper, (*agreements.Keeper).ExecReject)
	handleExec(r, agreements.TypeWithdraw, keeper, (*agreements.Keeper).ExecWithdraw)
	handleExec(r, agreements.TypeExecute, keeper, (*agreements.Keeper).ExecExecute)
	handleExec(r, agreements.TypeAttest, keeper, (*agreements.Keeper).ExecAttest)
	handleExec(r, agreements.TypeCreateCollective, keeper, (*agreements.Keeper).ExecCreateCollective)
	handleExec(r, agreements.TypeLeaveCollective, keeper, (*agreements.Keeper).ExecLeaveCollective)
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
