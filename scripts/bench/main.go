// Command bench measures riffchain's throughput and latency against a
// single-validator node and compares it with CometBFT's kvstore example app
// under identical CometBFT settings (scripts/bench; spec/benchmarks.md).
//
// It derives N account keys from a seed, funds them in genesis, starts a
// riffchain node in-process (app.NewNode in a temp home on free loopback
// ports), pre-signs M transfers, drives the node with broadcast_tx_sync
// over HTTP JSON-RPC from several concurrent clients, and measures
// committed transfers per second (first submit to last commit, code-0
// results only) and submit-to-commit latency. The kvstore app then gets the
// same number of transactions of the same sizes. With the agreement and pool
// messages wired, two-party delivery-versus-payment agreements and pool
// swaps are measured too. A CPU profile of the node under load says what
// limits throughput.
//
// With -validators N (N > 1) both apps instead run as N-validator networks
// in this process (homes from app/testnet.Create), the load is spread over
// every node's RPC endpoint, and after each phase every node must hold the
// same block and app hash (network.go).
//
//	go run ./scripts/bench [flags]
//	go run ./scripts/bench -validators 4
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"
)

// Sentinel errors of the benchmark.
var (
	ErrSettings = errors.New("bad settings")
	ErrPhase    = errors.New("phase failed")
	ErrProfile  = errors.New("bad profile")
	ErrSetup    = errors.New("setup failed")
)

func main() {
	s := DefaultSettings()
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	s.RegisterFlags(fs)
	summarizeFile := fs.String("summarize", "", "print the summary of an existing CPU profile file and exit")
	_ = fs.Parse(os.Args[1:])
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	s.networkDefaults(set)
	if *summarizeFile != "" {
		data, err := os.ReadFile(*summarizeFile)
		if err == nil {
			var sum *profileSummary
			if sum, err = summarize(data); err == nil {
				sum.Path = *summarizeFile
				sum.print(os.Stdout, filepath.Base(*summarizeFile), s.ProfileTop, 0)
				return
			}
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if err := s.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := Run(ctx, &s, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Report is everything a run measured.
type Report struct {
	Results []*phaseResult
	Direct  []directCost
	// DirectProfile covers the direct measurement (pre-signing included).
	DirectProfile *profileSummary
	Skipped       []string
	Elapsed       time.Duration
}

// Run executes the whole benchmark and prints progress and the summary to w.
func Run(ctx context.Context, s *Settings, w io.Writer) (*Report, error) {
	begin := time.Now()
	s.networkDefaults(map[string]bool{"txs": true, "indexer": true, "repeat": true}) // keep the caller's counts; only the phases the mode runs
	root, err := os.MkdirTemp("", "riffchain-bench-")
	if err != nil {
		return nil, err
	}
	if s.KeepHomes {
		fmt.Fprintf(w, "node homes kept in %s\n", root)
	} else {
		defer os.RemoveAll(root)
	}
	profDir := s.OutDir
	if len(s.Profile) > 0 {
		if profDir == "" {
			if profDir, err = os.MkdirTemp("", "riffchain-bench-prof-"); err != nil {
				return nil, err
			}
		} else if err := os.MkdirAll(profDir, 0o755); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(w, "riffchain bench: nodes run in-process (app.NewNode / node.NewNode, CometBFT v0.38), load over HTTP JSON-RPC\n")
	s.Print(w)
	rep := &Report{}
	progress := func(format string, args ...any) {
		if !s.Quiet {
			fmt.Fprintf(w, "  ... "+format+"\n", args...)
		}
	}

	doAgree, doSwap := s.Agrees > 0, s.Swaps > 0
	var agreeNote, swapNote string
	if doAgree {
		ok, self := available(s, typeAgreementSubmit)
		switch {
		case !ok:
			doAgree = false
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("agreements: message %q is not wired into the app router (app.NewRouter().Types()); skipped (-wire-missing measures the contract anyway)", typeAgreementSubmit))
		case self:
			agreeNote = "self-wired"
		}
	}
	if doSwap {
		okC, selfC := available(s, typePoolCreate)
		okS, selfS := available(s, typePoolSwap)
		switch {
		case !okC || !okS:
			doSwap = false
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("swaps: messages %q/%q are not wired into the app router (app.NewRouter().Types()); skipped (-wire-missing measures the contract anyway)", typePoolCreate, typePoolSwap))
		case selfC || selfS:
			swapNote = "self-wired"
		}
	}
	for _, m := range rep.Skipped {
		fmt.Fprintf(w, "SKIP %s\n", m)
	}

	accts := newAccounts(s.Seed, s.Accounts)
	if s.Direct {
		progress("ABCI-direct: %d transfers and %d kvstore txs through each app without CometBFT", s.Txs, s.Txs)
		var prof *profiler
		if s.profiled("direct") {
			if prof, err = startProfile(filepath.Join(profDir, "direct.pprof")); err != nil {
				return rep, err
			}
		}
		for i := 0; i < s.DirectRepeat; i++ {
			d, err := runDirect(ctx, s, root, accts, doAgree, doSwap)
			if err != nil {
				if prof != nil {
					_, _ = prof.stop()
				}
				return rep, fmt.Errorf("direct: %w", err)
			}
			rep.Direct = minCosts(rep.Direct, d)
		}
		if prof != nil {
			if rep.DirectProfile, err = prof.stop(); err != nil {
				return rep, err
			}
		}
	}
	indexers := s.Indexers
	if !s.Nodes {
		indexers = nil
	}
	for round := 1; round <= s.Repeat; round++ {
		for _, idx := range indexers {
			var results []*phaseResult
			if s.Validators > 1 {
				results, err = runNetRound(ctx, s, root, idx, round, accts, profDir, progress)
			} else {
				results, err = runRound(ctx, s, root, idx, round, accts, profDir, doAgree, doSwap, progress)
			}
			for _, r := range results {
				r.Round = round
				switch r.Phase {
				case "agreements":
					r.Note = agreeNote
				case "swaps":
					r.Note = swapNote
				}
			}
			rep.Results = append(rep.Results, results...)
			if err != nil {
				return rep, err
			}
		}
	}
	rep.Elapsed = time.Since(begin)
	rep.print(w, s)
	return rep, nil
}

// runRound runs the riffchain phases and then the kvstore phase with one
// indexer setting, each on a fresh node.
func runRound(ctx context.Context, s *Settings, root, idx string, round int, accts *accounts, profDir string,
	doAgree, doSwap bool, progress func(string, ...any)) ([]*phaseResult, error) {
	if round > 1 {
		profDir = "" // profile the first round only
	}
	results, tw, err := riffchainPhases(ctx, s, root, idx, round, accts, profDir, doAgree, doSwap, progress)
	if err != nil || !s.Kvstore {
		return results, err
	}
	progress("round %d, indexer %s: starting kvstore node", round, idx)
	kn, err := startKvstore(s, root, idx)
	if err != nil {
		return results, err
	}
	r, err := kvstorePhase(ctx, s, kn, tw, profDir, progress)
	if stopErr := kn.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("stop kvstore node: %w", stopErr)
	}
	removeHome(s, kn.home)
	if err != nil {
		return results, err
	}
	return append(results, r), nil
}

// waitHeight waits until the node has committed block h.
func waitHeight(ctx context.Context, n *benchNode, h int64) error {
	deadline := time.Now().Add(30 * time.Second)
	for n.cmt.BlockStore().Height() < h {
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s node did not reach height %d", ErrSetup, n.kind, h)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// riffchainPhases runs each riffchain workload (transfers, agreements,
// swaps) on its own fresh node from the same genesis, as the kvstore phase
// has its own: no phase inherits another's state, tx index or the
// database compaction its writes left behind, so the ratios between phases
// compare like with like whatever their order.
func riffchainPhases(ctx context.Context, s *Settings, root, idx string, round int, accts *accounts, profDir string,
	doAgree, doSwap bool, progress func(string, ...any)) ([]*phaseResult, *workload, error) {
	var out []*phaseResult
	onFreshNode := func(name string, fn func(n *benchNode) error) error {
		progress("round %d, indexer %s: starting riffchain node for %s (%d funded accounts)", round, idx, name, s.Accounts)
		n, err := startRiffchain(s, root, idx, accts)
		if err != nil {
			return err
		}
		err = waitHeight(ctx, n, 2)
		if err == nil {
			clear(accts.nonces) // a fresh chain
			err = fn(n)
		}
		if stopErr := n.stop(); err == nil && stopErr != nil {
			err = fmt.Errorf("stop riffchain node: %w", stopErr)
		}
		removeHome(s, n.home)
		return err
	}
	phase := func(n *benchNode, w *workload, err error) error {
		if err != nil {
			return err
		}
		r, err := drivePhase(ctx, s, n, w, profDir, progress)
		if r != nil {
			out = append(out, r)
		}
		return err
	}
	var tw *workload
	err := onFreshNode("transfers", func(n *benchNode) error {
		var err error
		tw, err = accts.transfers(n.chainID, s.Txs, s.Clients)
		return phase(n, tw, err)
	})
	if err != nil {
		return out, tw, err
	}
	if doAgree {
		err := onFreshNode("agreements", func(n *benchNode) error {
			w, err := accts.agreementsDvP(n.chainID, s.Agrees, s.Clients)
			return phase(n, w, err)
		})
		if err != nil {
			return out, tw, err
		}
	}
	if doSwap {
		err := onFreshNode("swaps", func(n *benchNode) error {
			pw, err := accts.poolCreate(n.chainID)
			if err != nil {
				return err
			}
			pr, err := run(ctx, s, n, pw, "")
			if err != nil {
				return err
			}
			if pr.Committed != 1 {
				return fmt.Errorf("%w: pool/create did not commit: %s", ErrSetup, pr.FirstErr)
			}
			pool, err := outputField(pr.Data[0], "pool_id")
			if err != nil {
				return err
			}
			progress("swaps: pool %s created", pool)
			w, err := accts.swaps(n.chainID, pool, s.Swaps, s.Clients)
			return phase(n, w, err)
		})
		if err != nil {
			return out, tw, err
		}
	}
	return out, tw, nil
}

// drivePhase drives workload w against node n (riffchain or kvstore),
// CPU-profiled into profDir when the settings ask for w's phase.
func drivePhase(ctx context.Context, s *Settings, n *benchNode, w *workload, profDir string,
	progress func(string, ...any)) (*phaseResult, error) {
	prof := ""
	if s.profiled(w.name) && profDir != "" {
		name := n.kind // "kvstore" for its one phase, "riffchain-transfers" etc.
		if w.name != n.kind {
			name += "-" + w.name
		}
		prof = filepath.Join(profDir, fmt.Sprintf("%s-indexer-%s.pprof", name, n.indexer))
	}
	progress("%s: driving %d %s (avg %d bytes) with %d clients", n.kind, len(w.txs), w.name, w.avgBytes(), len(w.clients))
	r, err := run(ctx, s, n, w, prof)
	if err != nil {
		return r, err
	}
	progress("%s: %d/%d committed in %.1fs: %.0f tx/s", w.name, r.Committed, r.Txs, r.Elapsed.Seconds(), r.TPS)
	return r, nil
}

// kvstorePhase drives the kvstore node with txs of the same count, sizes
// and client split as the transfers tw.
func kvstorePhase(ctx context.Context, s *Settings, n *benchNode, tw *workload,
	profDir string, progress func(string, ...any)) (*phaseResult, error) {
	if err := waitHeight(ctx, n, 2); err != nil {
		return nil, err
	}
	return drivePhase(ctx, s, n, kvstoreLike(tw, s.KvBytes), profDir, progress)
}
