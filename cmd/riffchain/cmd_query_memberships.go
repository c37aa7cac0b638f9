package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// This file is `riffchain query roles|collectives ADDR`: what an address
// belongs to — the Lens roles it holds (/roles, from the node's local
// roles index, each role proven from state) and the collectives it is a
// member of (/collectives, each proven by the collective's record).

// rolesHeldPage decodes a /roles page for addr and returns its printed
// rows and the key/values its proofs must show (lens.RolesHeldKVs: each
// grant is addr's, active follows from the Lens's owner record).
func rolesHeldPage(v []byte, addr ledger.Address) ([]map[string]any, string, []app.KV, error) {
	var page struct {
		Entries []lens.RoleHeld `json:"entries"`
		Next    string          `json:"next"`
	}
	if err := json.Unmarshal(v, &page); err != nil {
		return nil, "", nil, fmt.Errorf("decode roles: %w", err)
	}
	kvs, err := lens.RolesHeldKVs(addr, page.Entries)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w: %v", client.ErrWrongAnswer, err)
	}
	rows := make([]map[string]any, 0, len(page.Entries))
	for _, e := range page.Entries {
		var g lens.RoleGrant
		if err := json.Unmarshal(e.Grant, &g); err != nil { // checked by RolesHeldKVs
			return nil, "", nil, fmt.Errorf("decode role grant: %w", err)
		}
		rows = append(rows, map[string]any{"lens": e.Lens, "role": string(e.Role), "active": e.Active,
			"granted_by": g.GrantedBy.String(), "owner": g.Owner.String(), "height": g.Height})
	}
	return rows, page.Next, kvs, nil
}

func qRoles() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use:   "roles ADDR|KEY [--after HANDLE] [--limit N]",
		Short: "The Lens roles an address holds, in handle order, paged (with --prove: each role and its Lens's owner proven)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			var rows []map[string]any
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var kvs []app.KV
				var err error
				rows, next, kvs, err = rolesHeldPage(v, addr)
				return kvs, err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.queryDecoded(ctx, "/roles/"+addr.String()+"?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"address": addr.String(), "roles": nonNil(rows), "count": len(rows), "next": next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this Lens handle (a previous page's next)")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	f.register(c, true)
	return c
}

// collectivesPage decodes a /collectives page for member and returns the
// collectives and the key/values its proofs must show: each collective's
// record, which must list member among its members.
func collectivesPage(v []byte, member ledger.Address) ([]agreements.Collective, string, []app.KV, error) {
	list, err := parseListPage(v, "collectives")
	if err != nil {
		return nil, "", nil, err
	}
	colls, kvs, err := decodeEntries(list.Entries, "collective", func(c agreements.Collective) []byte {
		return agreements.CollectiveKey(c.Address)
	})
	if err != nil {
		return nil, "", nil, err
	}
	for _, c := range colls {
		if !c.HasMember(member) {
			return nil, "", nil, fmt.Errorf("%w: collective %s does not list %s as a member", client.ErrWrongAnswer, c.Address, member)
		}
	}
	return colls, list.Next, kvs, nil
}

func qCollectives() *cobra.Command {
	var f queryFlags
	var after string
	var limit int
	c := &cobra.Command{
		Use:   "collectives ADDR|KEY [--after COLLECTIVE] [--limit N]",
		Short: "The collectives an address is a member of, in address order, paged (with --prove: each collective's record proven)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			member, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			var colls []agreements.Collective
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var kvs []app.KV
				var err error
				colls, next, kvs, err = collectivesPage(v, member)
				return kvs, err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.queryDecoded(ctx, "/collectives/"+member.String()+"?"+pageValues(limit, after).Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"member": member.String(), "collectives": nonNil(colls), "count": len(colls), "next": next})
		},
	}
	c.Flags().StringVar(&after, "after", "", "start after this collective address (a previous page's next)")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	f.register(c, true)
	return c
}
