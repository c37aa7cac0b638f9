package main

import (
	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

// Message types the extended phases need.
const (
	typeAgreementSubmit = "agreement/submit"
	typePoolCreate      = pools.TypeCreate
	typePoolSwap        = pools.TypeSwap
)

// appHas reports whether the app's router (as the node builds it) has typ.
func appHas(typ string) bool {
	for _, t := range app.NewRouter().Types() {
		if t == typ {
			return true
		}
	}
	return false
}

// selfWired lists the routes this run registered itself (-wire-missing).
var selfWired = map[string]bool{}

// wireMissing registers, when asked, the agreement and pool routes that
// the app does not (yet) wire, on this node's router only. The production
// wiring lives in app/; this exists to measure the contracts before it lands.
func wireMissing(s *Settings, a *app.App) error {
	if !s.WireMissing {
		return nil
	}
	r := a.Router()
	have := map[string]bool{}
	for _, t := range r.Types() {
		have[t] = true
	}
	if !have[typeAgreementSubmit] {
		app.Handle(r, typeAgreementSubmit, func(env *app.Env, signer ledger.Address, m *agreements.MsgSubmit) (ledger.Output, error) {
			return agreements.New(env.Ledger, env.ChainID, env.Local).ExecSubmit(env.Block, signer, m)
		})
		selfWired[typeAgreementSubmit] = true
	}
	if !have[typePoolCreate] {
		app.Handle(r, typePoolCreate, func(env *app.Env, signer ledger.Address, m *pools.MsgCreate) (ledger.Output, error) {
			return pools.New(env.Ledger).ExecCreate(env.Block, signer, m)
		})
		selfWired[typePoolCreate] = true
	}
	if !have[typePoolSwap] {
		app.Handle(r, typePoolSwap, func(env *app.Env, signer ledger.Address, m *pools.MsgSwap) (ledger.Output, error) {
			return pools.New(env.Ledger).ExecSwap(env.Block, signer, m)
		})
		selfWired[typePoolSwap] = true
	}
	return nil
}

// available reports whether typ can run in this run's nodes, and whether
// only because the bench wired it.
func available(s *Settings, typ string) (ok, self bool) {
	if appHas(typ) {
		return true, false
	}
	return s.WireMissing, s.WireMissing
}
