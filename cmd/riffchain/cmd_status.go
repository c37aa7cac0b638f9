package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "The node's height, app hash, peers, validator set and sync state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			st, err := c.RPC.Status(ctx)
			if err != nil {
				return fmt.Errorf("status: %w", err)
			}
			ni, err := c.RPC.NetInfo(ctx)
			if err != nil {
				return fmt.Errorf("net_info: %w", err)
			}
			peers := []string{}
			for _, p := range ni.Peers {
				peers = append(peers, string(p.NodeInfo.DefaultNodeID)+"@"+p.RemoteIP)
			}
			h := st.SyncInfo.LatestBlockHeight
			vals := []map[string]any{}
			if vr, err := c.RPC.Validators(ctx, &h, nil, nil); err == nil {
				for _, v := range vr.Validators {
					vals = append(vals, map[string]any{"address": v.Address.String(), "power": v.VotingPower})
				}
			}
			return emit(map[string]any{
				"chain_id":              st.NodeInfo.Network,
				"moniker":               st.NodeInfo.Moniker,
				"node_id":               string(st.NodeInfo.DefaultNodeID),
				"height":                h,
				"earliest_block_height": st.SyncInfo.EarliestBlockHeight,
				"app_hash":              st.SyncInfo.LatestAppHash.String(),
				"block_hash":            st.SyncInfo.LatestBlockHash.String(),
				"catching_up":           st.SyncInfo.CatchingUp,
				"peers":                 peers,
				"validators":            vals,
			})
		},
	}
}
