package app

import (
	"context"
	"strings"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// catchUpLimit is how long a joining node's catch-up is watched.
const catchUpLimit = 2 * time.Hour

// watchCatchUp logs how long a fresh node that state-syncs took to catch
// up: from node setup until its RPC status stops reporting catching_up
// (state sync, then block sync), e.g.
//
//	caught up height=1234 took=9.8s state_sync_height=1200 state_sync_took=1.2s
//
// It only watches homes with [statesync] enable = true and empty state.
func watchCatchUp(a *App) {
	if a.Home == "" || a.tree.Version() != 0 {
		return
	}
	cfg, err := LoadConfig(a.Home)
	if err != nil || !cfg.StateSync.Enable {
		return
	}
	addr := cfg.RPC.ListenAddress
	addr = strings.Replace(addr, "tcp://", "http://", 1)
	addr = strings.Replace(addr, "0.0.0.0", "127.0.0.1", 1)
	start := time.Now()
	go func() {
		c, err := rpchttp.New(addr, "/websocket")
		if err != nil {
			return
		}
		for time.Since(start) < catchUpLimit {
			time.Sleep(250 * time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			st, err := c.Status(ctx)
			cancel()
			if err != nil || st.SyncInfo.CatchingUp || st.SyncInfo.LatestBlockHeight == 0 {
				continue
			}
			kv := []any{"height", st.SyncInfo.LatestBlockHeight, "took", time.Since(start).Round(time.Millisecond)}
			if s, ok := a.Snapshots.(*SnapshotStore); ok {
				s.mu.Lock()
				if r := s.Restored; r != nil {
					kv = append(kv, "state_sync_height", r.Height, "state_sync_took", r.Took.Round(time.Millisecond),
						"state_sync_bytes", r.Bytes)
				}
				s.mu.Unlock()
			}
			a.logger.Info("caught up", kv...)
			return
		}
	}()
}
