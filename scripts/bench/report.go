package main

import (
	"encoding/json"
	"fmt"
	"io"
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

// find returns the result of phase on node kind with indexer.
func (r *Report) find(kind, phase, indexer string) *phaseResult {
	for _, p := range r.Results {
		if p.Node == kind && p.Phase == phase && p.Indexer == indexer {
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
	fmt.Fprintf(w, "\nSummary (tx/s = code-0 txs committed / time from first submit to last commit; latency = submit to commit):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tphase\tindexer\ttxs\tbytes\tcommitted\tfailed\trejected\tmissing\tblocks\tmax/block\ttime\ttx/s\tp50\tp99\tmax\tcores\tothers\tcpu/tx\tratio\t")
	for _, p := range r.Results {
		var rt string
		switch {
		case p.Node == "kvstore":
			rt = "1.00 (base)"
		case p.Phase == "transfers":
			if kv := r.find("kvstore", "kvstore", p.Indexer); kv != nil {
				rt = ratio(p, kv) + " of kvstore"
			}
		default:
			rt = ratio(p, r.find("riffchain", "transfers", p.Indexer)) + " of transfers"
		}
		name := p.Phase
		if p.Note != "" {
			name += " (" + p.Note + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1fs\t%.0f\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t%s\t\n",
			p.Node, name, p.Indexer, p.Txs, p.AvgBytes, p.Committed, p.Failed, p.Rejected, p.Missing,
			p.Blocks, p.MaxBlock, p.Elapsed.Seconds(), p.TPS, ms(p.P50), ms(p.P99), ms(p.Max), p.CPU.Self, p.CPU.Others, us(p.cpuPerTx()), rt)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  cores = CPU used by this process (node + load generator) during the phase; others = CPU taken by other processes on the machine;\n")
	fmt.Fprintf(w, "  cpu/tx = this process's CPU time per committed tx (load generator included): the cost that bounds tx/s once CPU is the limit\n")
	for _, idx := range s.Indexers {
		rt, kv := r.find("riffchain", "transfers", idx), r.find("kvstore", "kvstore", idx)
		if rt != nil && kv != nil && rt.cpuPerTx() > 0 {
			fmt.Fprintf(w, "Indexer %s: riffchain/kvstore tx/s %s; CPU-cost ratio (kvstore cpu/tx / riffchain cpu/tx) %.2f\n",
				idx, ratio(rt, kv), float64(kv.cpuPerTx())/float64(rt.cpuPerTx()))
		}
	}
	for _, p := range r.Results {
		var notes []string
		if p.FirstErr != "" {
			notes = append(notes, "first error: "+truncate(p.FirstErr, 200))
		}
		if p.Retries > 0 {
			notes = append(notes, fmt.Sprintf("%d mempool-full retries", p.Retries))
		}
		notes = append(notes, "cross-check: "+p.RPCCheck)
		fmt.Fprintf(w, "  %s %s indexer=%s: %s\n", p.Node, p.Phase, p.Indexer, strings.Join(notes, "; "))
	}
	for _, m := range r.Skipped {
		fmt.Fprintf(w, "  skipped: %s\n", m)
	}
	if len(s.Indexers) > 1 {
		fmt.Fprintf(w, "Indexer effect (null/kv tx/s):")
		for _, kind := range [][2]string{{"riffchain", "transfers"}, {"riffchain", "agreements"}, {"riffchain", "swaps"}, {"kvstore", "kvstore"}} {
			on, off := r.find(kind[0], kind[1], "kv"), r.find(kind[0], kind[1], "null")
			if on != nil && off != nil {
				fmt.Fprintf(w, "  %s %s %s", kind[0], kind[1], ratio(off, on))
			}
		}
		fmt.Fprintln(w)
	}
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
