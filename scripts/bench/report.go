package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// outputField reads one field of a tx's JSON output (ExecTxResult.Data).
func outputField(data []byte, field string) (string, error) {
	var out map[string]string
	if err := json.Unmarshal(data, &out); err != nil {
		return "", fmt.Errorf("%w: tx output %q: %v", ErrSetup, data, err)
	}
	v, ok := out[field]
	if !ok {
		return "", fmt.Errorf("%w: tx output has no %q: %s", ErrSetup, field, data)
	}
	return v, nil
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

// find returns the result of phase on node kind with indexer in round.
func (r *Report) find(kind, phase, indexer string, round int) *phaseResult {
	for _, p := range r.Results {
		if p.Node == kind && p.Phase == phase && p.Indexer == indexer && p.Round == round {
			return p
		}
	}
	return nil
}

func ratio(a, b *phaseResult) string {
	if a == nil || b == nil || b.TPS == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a.TPS/b.TPS)
}

// print writes the summary table, the ratios and the profiles.
func (r *Report) print(w io.Writer, s *Settings) {
	fmt.Fprintf(w, "\nMode: %s\n", s.mode())
	fmt.Fprintf(w, "Summary (tx/s = code-0 txs committed / time from first submit to last commit; latency = submit to commit):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tnode\tphase\tindexer\ttxs\tbytes\tcommitted\tfailed\trejected\tmissing\tblocks\tmax/block\ttime\ttx/s\tp50\tp99\tmax\tcores\tothers\tcpu/tx\tratio\t")
	for _, p := range r.Results {
		var rt string
		switch {
		case p.Node == "kvstore":
			rt = "1.00 (base)"
		case p.Phase == "transfers":
			if kv := r.find("kvstore", "kvstore", p.Indexer, p.Round); kv != nil {
				rt = ratio(p, kv) + " of kvstore"
			}
		default:
			rt = ratio(p, r.find("riffchain", "transfers", p.Indexer, p.Round)) + " of transfers"
		}
		name := p.Phase
		if p.Note != "" {
			name += " (" + p.Note + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1fs\t%.0f\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t%s\t\n",
			p.Round, p.Node, name, p.Indexer, p.Txs, p.AvgBytes, p.Committed, p.Failed, p.Rejected, p.Missing,
			p.Blocks, p.MaxBlock, p.Elapsed.Seconds(), p.TPS, ms(p.P50), ms(p.P99), ms(p.Max), p.CPU.Self, p.CPU.Others, us(p.cpuPerTx()), rt)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  cores = CPU used by this process (node + load generator) during the phase; others = CPU taken by other processes on the machine;\n")
	fmt.Fprintf(w, "  cpu/tx = this process's CPU time per committed tx (load generator included): the cost that bounds tx/s once CPU is the limit\n")
	matched := 0
	for _, p := range r.Results {
		var notes []string
		if p.FirstErr != "" {
			notes = append(notes, "first error: "+truncate(p.FirstErr, 200))
		}
		if p.Agree != "" {
			notes = append(notes, p.Agree)
		}
		if p.Retries > 0 {
			notes = append(notes, fmt.Sprintf("%d mempool-full retries", p.Retries))
		}
		if p.RPCCheck != fmt.Sprintf("%d ok in /block_results", p.Committed) {
			notes = append(notes, "cross-check MISMATCH: "+p.RPCCheck)
		} else {
			matched++
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, "  round %d %s %s indexer=%s: %s\n", p.Round, p.Node, p.Phase, p.Indexer, strings.Join(notes, "; "))
		}
	}
	if matched > 0 {
		fmt.Fprintf(w, "  cross-check: in %d of %d phases the committed count equals the code-0 results read back over RPC (/block + /block_results)\n", matched, len(r.Results))
	}
	for _, m := range r.Skipped {
		fmt.Fprintf(w, "  skipped: %s\n", m)
	}
	r.printMedians(w, s)
	printDirect(w, r.Direct, s.DirectBlock)
	if r.DirectProfile != nil {
		r.DirectProfile.print(w, "ABCI-direct (both apps, pre-signing included)", s.ProfileTop, 0)
	}
	for _, p := range r.Results {
		if p.Profile != nil {
			p.Profile.print(w, fmt.Sprintf("%s %s, indexer %s", p.Node, p.Phase, p.Indexer), s.ProfileTop, p.Elapsed.Seconds())
		}
	}
	fmt.Fprintf(w, "\ntotal run time %.0fs\n", r.Elapsed.Seconds())
}

// printMedians writes, per indexer, the median over rounds of tx/s and of
// the ratios, plus the CPU-cost ratio and the indexer effect.
func (r *Report) printMedians(w io.Writer, s *Settings) {
	rounds := 0
	for _, p := range r.Results {
		rounds = max(rounds, p.Round)
	}
	if rounds == 0 {
		return
	}
	type key struct{ kind, phase string }
	kinds := []key{{"riffchain", "transfers"}, {"riffchain", "agreements"}, {"riffchain", "swaps"}, {"kvstore", "kvstore"}}
	med := func(vals []float64) float64 {
		if len(vals) == 0 {
			return 0
		}
		slices.Sort(vals)
		if len(vals)%2 == 1 {
			return vals[len(vals)/2]
		}
		return (vals[len(vals)/2-1] + vals[len(vals)/2]) / 2
	}
	tps := map[string]map[key]float64{}
	fmt.Fprintf(w, "\nMedians over %d round(s):\n", rounds)
	for _, idx := range s.Indexers {
		tps[idx] = map[key]float64{}
		var parts []string
		for _, k := range kinds {
			var v []float64
			for round := 1; round <= rounds; round++ {
				if p := r.find(k.kind, k.phase, idx, round); p != nil {
					v = append(v, p.TPS)
				}
			}
			if len(v) > 0 {
				tps[idx][k] = med(v)
				parts = append(parts, fmt.Sprintf("%s %.0f tx/s", k.phase, med(v)))
			}
		}
		if len(parts) == 0 {
			continue
		}
		fmt.Fprintf(w, "  indexer %-4s  %s\n", idx, strings.Join(parts, ", "))
		pair := func(label string, a, b key, cpu bool) {
			var all, calm []float64
			var marks []string
			for round := 1; round <= rounds; round++ {
				pa, pb := r.find(a.kind, a.phase, idx, round), r.find(b.kind, b.phase, idx, round)
				if pa == nil || pb == nil || pb.TPS == 0 || (cpu && pa.cpuPerTx() == 0) {
					continue
				}
				v := pa.TPS / pb.TPS
				if cpu {
					v = float64(pb.cpuPerTx()) / float64(pa.cpuPerTx())
				}
				all = append(all, v)
				if contended(pa) || contended(pb) {
					marks = append(marks, fmt.Sprintf("%.2f*", v))
					continue
				}
				calm = append(calm, v)
				marks = append(marks, fmt.Sprintf("%.2f", v))
			}
			switch {
			case len(calm) > 0 && len(calm) < len(all):
				fmt.Fprintf(w, "                %-58s %.2f  (rounds: %s; * = contended, left out)\n", label, med(calm), strings.Join(marks, " "))
			case len(calm) == 0 && len(all) > 0:
				fmt.Fprintf(w, "                %-58s %.2f  (rounds: %s; * = contended, every round was)\n", label, med(all), strings.Join(marks, " "))
			case len(all) > 0:
				fmt.Fprintf(w, "                %-58s %.2f  (rounds: %s)\n", label, med(all), strings.Join(marks, " "))
			}
		}
		rt, kv := key{"riffchain", "transfers"}, key{"kvstore", "kvstore"}
		pair("riffchain transfers / kvstore, tx/s", rt, kv, false)
		pair("CPU-cost ratio: kvstore cpu/tx / riffchain cpu/tx", rt, kv, true)
		ra, rs := key{"riffchain", "agreements"}, key{"riffchain", "swaps"}
		pair("agreements / transfers, tx/s", ra, rt, false)
		pair("  CPU-cost ratio: transfers cpu/tx / agreements cpu/tx", ra, rt, true)
		pair("swaps / transfers, tx/s", rs, rt, false)
		pair("  CPU-cost ratio: transfers cpu/tx / swaps cpu/tx", rs, rt, true)
	}
	if on, off := tps["kv"], tps["null"]; on != nil && off != nil {
		var parts []string
		for _, k := range kinds {
			if on[k] > 0 && off[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s %.2f", k.phase, off[k]/on[k]))
			}
		}
		fmt.Fprintf(w, "  indexer effect (median tx/s null / kv): %s\n", strings.Join(parts, ", "))
	}
}

// contendedCores is how much CPU other processes may take during a phase
// before its ratios are left out of the medians: on a 2-core machine a
// quarter of a core taken by others slows the phase beyond the spread of
// uncontended rounds.
const contendedCores = 0.25

// contended reports whether other processes took contendedCores or more
// during the phase.
func contended(p *phaseResult) bool { return p.CPU.Others >= contendedCores }

// cpuPerTx is the process CPU time per committed tx.
func (p *phaseResult) cpuPerTx() time.Duration {
	if p.Committed == 0 {
		return 0
	}
	return p.CPU.SelfTime / time.Duration(p.Committed)
}

func us(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
