package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file is the CLI of collective (k-of-n) accounts:
//
//	riffchain tx collective create|leave
//	riffchain query collective
//
// A collective acts through agreements (agreement sign --as) and collective
// exec files (cmd_collective_exec.go).

func newCollectiveTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "collective", Short: "Create and leave collective (k-of-n) accounts"}

	var cf txFlags
	var members []string
	var threshold uint32
	var name string
	create := &cobra.Command{
		Use:   "create --member A --member B ... --threshold K --from KEY",
		Short: "Create a k-of-n collective; prints its address as collective",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := agreements.MsgCreateCollective{Threshold: threshold, Name: name}
			for _, s := range members {
				a, err := resolveAddress(s)
				if err != nil {
					return fmt.Errorf("--member: %w", err)
				}
				m.Members = append(m.Members, a)
			}
			return cf.send(agreements.TypeCreateCollective, m)
		},
	}
	create.Flags().StringArrayVar(&members, "member", nil, "member address or key name (repeat)")
	create.Flags().Uint32Var(&threshold, "threshold", 0, "member approvals needed (1..members)")
	create.Flags().StringVar(&name, "name", "", "optional name")
	cf.register(create)

	var lf txFlags
	leave := &cobra.Command{
		Use:   "leave COLLECTIVE --from KEY",
		Short: "Leave a collective (its version goes up; the threshold shrinks if it must)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			coll, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			return lf.send(agreements.TypeLeaveCollective, agreements.MsgLeaveCollective{Collective: coll})
		},
	}
	lf.register(leave)

	c.AddCommand(create, leave)
	return c
}

// fetchCollective reads a collective's current state from the node.
func fetchCollective(addr ledger.Address) (*agreements.Collective, error) {
	var c agreements.Collective
	code, log, err := fetchRecord("/collective/"+addr.String(), "collective", &c)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("query collective %s: code %d: %s", addr, code, log)
	}
	return &c, nil
}

func qCollective() *cobra.Command {
	var f queryFlags
	var version uint64
	c := &cobra.Command{
		Use:   "collective ADDR",
		Short: "A collective's members, threshold and version (--version: as it was then)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			path, key := "/collective/"+addr.String(), agreements.CollectiveKey(addr)
			if version > 0 {
				path += "/" + strconv.FormatUint(version, 10)
				key = agreements.CollectiveVersionKey(addr, version)
			}
			return f.queryMerged(path, key, "collective", map[string]any{"address": addr.String()})
		},
	}
	c.Flags().Uint64Var(&version, "version", 0, "membership version (default: current)")
	f.register(c, true)
	return c
}
