package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// directCost is the CPU one goroutine spends per tx in each ABCI step when
// the benchmark calls the app directly, without CometBFT, RPC or mempool:
// the app's own share of the per-tx cost, measured as thread CPU time so
// that other processes on a shared machine disturb it little.
type directCost struct {
	App                       string
	Txs                       int
	CheckTx, Finalize, Commit time.Duration // per tx
	Wall                      time.Duration
}

func (d directCost) total() time.Duration { return d.CheckTx + d.Finalize + d.Commit }

// threadCPU is the calling OS thread's CPU time (the goroutine must be
// locked to its thread).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// abciDriver runs blocks of txs through an app: CheckTx for each, then
// FinalizeBlock and Commit, timing each step.
func abciDriver(ctx context.Context, a abci.Application, name string, txs [][]byte, blockSize int, height int64) (d directCost, err error) {
	// The label lets a profile of the direct phase be split by workload:
	// go tool pprof -tagfocus 'workload=riffchain agreements' direct.pprof
	pprof.Do(ctx, pprof.Labels("workload", name), func(ctx context.Context) {
		d, err = abciBlocks(ctx, a, name, txs, blockSize, height)
	})
	return d, err
}

func abciBlocks(ctx context.Context, a abci.Application, name string, txs [][]byte, blockSize int, height int64) (directCost, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d := directCost{App: name, Txs: len(txs)}
	start := time.Now()
	var check, fin, com time.Duration
	for off := 0; off < len(txs); off += blockSize {
		block := txs[off:min(off+blockSize, len(txs))]
		t0 := threadCPU()
		for i, tx := range block {
			res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
			if err != nil {
				return d, err
			}
			if res.Code != 0 {
				return d, fmt.Errorf("%w: %s CheckTx tx %d: code %d %s", ErrPhase, name, off+i, res.Code, res.Log)
			}
		}
		t1 := threadCPU()
		height++
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: height, Time: time.Unix(1_700_000_000+height, 0), Txs: block})
		if err != nil {
			return d, err
		}
		for i, r := range res.TxResults {
			if r.Code != 0 {
				return d, fmt.Errorf("%w: %s FinalizeBlock tx %d: code %d %s", ErrPhase, name, off+i, r.Code, r.Log)
			}
		}
		t2 := threadCPU()
		if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
			return d, err
		}
		t3 := threadCPU()
		check += t1 - t0
		fin += t2 - t1
		com += t3 - t2
	}
	n := time.Duration(len(txs))
	d.CheckTx, d.Finalize, d.Commit, d.Wall = check/n, fin/n, com/n, time.Since(start)
	return d, nil
}

// runDirect measures the riffchain app (state on disk, as in the node) on
// transfers, and on agreements and swaps when asked and wired, then the
// kvstore app on txs of the transfers' sizes.
func runDirect(ctx context.Context, s *Settings, root string, accts *accounts, doAgree, doSwap bool) ([]directCost, error) {
	const chainID = "riff-bench"
	dir := filepath.Join(root, "direct")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	tree, err := ledger.OpenTree(dir, "app")
	if err != nil {
		return nil, err
	}
	defer tree.Close()
	a := app.New(tree, chainID, log.NewNopLogger())
	if err := wireMissing(s, a); err != nil {
		return nil, err
	}
	var gs app.GenesisState
	if err := fundState(&gs, accts); err != nil {
		return nil, err
	}
	st, err := json.Marshal(gs)
	if err != nil {
		return nil, err
	}
	valKey := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	if _, err := a.InitChain(ctx, &abci.RequestInitChain{ChainId: chainID, AppStateBytes: st, InitialHeight: 1,
		Time: time.Unix(1_700_000_000, 0), Validators: []abci.ValidatorUpdate{abci.UpdateValidator(valKey, 10, "ed25519")}}); err != nil {
		return nil, fmt.Errorf("direct init chain: %w", err)
	}
	// One empty block so CheckTx reads committed state, as in a node.
	height := int64(1)
	if _, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: height, Time: time.Unix(1_700_000_001, 0)}); err != nil {
		return nil, err
	}
	if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
		return nil, err
	}
	saved := append([]uint64(nil), accts.nonces...)
	clear(accts.nonces)
	defer copy(accts.nonces, saved)
	var out []directCost
	measure := func(name string, w *workload) (directCost, error) {
		raws := make([][]byte, len(w.txs))
		for i, idx := range w.clients[0] {
			raws[i] = w.txs[idx].raw
		}
		d, err := abciDriver(ctx, a, name, raws, s.DirectBlock, height)
		height += int64((len(raws) + s.DirectBlock - 1) / s.DirectBlock)
		return d, err
	}
	tw, err := accts.transfers(chainID, s.Txs, 1)
	if err != nil {
		return nil, err
	}
	d, err := measure("riffchain transfers", tw)
	if err != nil {
		return nil, err
	}
	out = append(out, d)
	if doAgree {
		aw, err := accts.agreementsDvP(chainID, s.Agrees, 1)
		if err != nil {
			return nil, err
		}
		d, err := measure("riffchain agreements", aw)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if doSwap {
		pw, err := accts.poolCreate(chainID)
		if err != nil {
			return nil, err
		}
		height++
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: height, Time: time.Unix(1_700_000_000+height, 0), Txs: [][]byte{pw.txs[0].raw}})
		if err != nil {
			return nil, err
		}
		if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
			return nil, err
		}
		if res.TxResults[0].Code != 0 {
			return nil, fmt.Errorf("%w: direct pool/create: %s", ErrSetup, res.TxResults[0].Log)
		}
		pool, err := outputField(res.TxResults[0].Data, "pool_id")
		if err != nil {
			return nil, err
		}
		sw, err := accts.swaps(chainID, pool, s.Swaps, 1)
		if err != nil {
			return nil, err
		}
		d, err := measure("riffchain swaps", sw)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	kw := kvstoreLike(tw, s.KvBytes)
	kvs := make([][]byte, len(kw.txs))
	for i, idx := range kw.clients[0] {
		kvs[i] = kw.txs[idx].raw
	}
	kv := kvstore.NewPersistentApplication(filepath.Join(dir, "kvstore"))
	defer kv.Close()
	if _, err := kv.InitChain(ctx, &abci.RequestInitChain{ChainId: "kv-bench", InitialHeight: 1}); err != nil {
		return nil, err
	}
	kc, err := abciDriver(ctx, kv, "kvstore", kvs, s.DirectBlock, 0)
	if err != nil {
		return nil, err
	}
	return append(out, kc), nil
}

func printDirect(w io.Writer, list []directCost, blockSize int) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "\nABCI-direct cost (the app alone: no CometBFT/RPC/mempool; one goroutine; thread CPU per tx, minimum of the repeats; blocks of %d):\n", blockSize)
	fmt.Fprintf(w, "  %-22s %8s %10s %14s %10s %10s %14s\n", "app", "txs", "CheckTx", "FinalizeBlock", "Commit", "total", "max tx/s/core")
	for _, d := range list {
		perCore := 0.0
		if d.total() > 0 {
			perCore = float64(time.Second) / float64(d.total())
		}
		fmt.Fprintf(w, "  %-22s %8d %10s %14s %10s %10s %14.0f\n", d.App, d.Txs, us(d.CheckTx), us(d.Finalize), us(d.Commit), us(d.total()), perCore)
	}
}

// minCosts keeps, per app and step, the smaller of two measurements.
func minCosts(a, b []directCost) []directCost {
	if len(a) != len(b) {
		return b
	}
	out := make([]directCost, len(a))
	for i := range a {
		out[i] = a[i]
		out[i].CheckTx = min(a[i].CheckTx, b[i].CheckTx)
		out[i].Finalize = min(a[i].Finalize, b[i].Finalize)
		out[i].Commit = min(a[i].Commit, b[i].Commit)
		out[i].Wall = min(a[i].Wall, b[i].Wall)
	}
	return out
}
