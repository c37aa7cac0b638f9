package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// Gas benchmarks (spec/gas.md, spec/benchmarks.md "Gas"). They print
// figures; run them with
//
//	go test ./app -run XXX -bench 'GasWorstBlocks|GasMeteringCost' -benchtime 1x
//
// On the shared 2-core development VM the figures move with the load of
// the other processes: read them as orders of magnitude, and compare the
// ns/gas of workloads within one run.

// gasBenchEnv is a chain on disk whose accounts hold RIFF and SHR, with
// issue 14's view-attack graph built in it (root follows viewK lenses,
// each following target under its own tag, plus a low untagged path;
// target holds viewN entries).
type gasBenchEnv struct {
	c     *chain
	keys  []testKey
	owner testKey
}

const (
	viewK = 300
	viewN = 300
)

func newGasBenchEnv(b *testing.B) *gasBenchEnv {
	c, keys := benchChain(b)
	e := &gasBenchEnv{c: c, keys: keys, owner: keys[0]}
	c.app.SetBlockMaxGas(DefaultBlockMaxGas)
	buildViewAttack(b, c, e.owner, viewK, viewN)
	return e
}

func benchCID(i int) string { return cidOf(fmt.Sprintf("e%d", i)) }

// workload makes the i-th tx of a block from signer k (its messages; the
// gas is filled in).
type workload struct {
	name string
	msgs func(b *testing.B, i int) []Msg
	// signer signs the i-th tx (nil: a different funded account each).
	signer func(i int) testKey
	// setup prepares state before the block is filled (nil: nothing).
	setup func(b *testing.B)
}

// fill signs txs of w, from a different account each, each declaring
// what the first one used (from a simulation, plus 5% for the variation
// between txs), until the block's max gas is reached.
func (e *gasBenchEnv) fill(b *testing.B, w workload) ([][]byte, uint64) {
	c := e.c
	max := c.app.MaxBlockGas()
	signer := w.signer
	if signer == nil {
		signer = func(i int) testKey { return e.keys[1+i%(len(e.keys)-1)] }
	}
	k := signer(0)
	probe := c.txGas(k, max, nil, w.msgs(b, 0)...)
	c.nonces[k.addr]--
	sim := c.simulate(probe)
	if sim.Code != 0 && sim.Code != CodeOutOfGas {
		b.Fatalf("%s: simulation: code %d: %s", w.name, sim.Code, sim.Log)
	}
	limit := min(max, sim.GasUsed+sim.GasUsed/20)
	var txs [][]byte
	for i := 0; uint64(len(txs)+1)*limit <= max; i++ {
		txs = append(txs, c.txGas(signer(i), limit, nil, w.msgs(b, i)...))
	}
	return txs, limit
}

// run measures ProcessProposal (cold: nothing of these txs was seen in
// CheckTx, so every signature is verified there) and FinalizeBlock of one
// block, then commits it.
func (e *gasBenchEnv) run(b *testing.B, txs [][]byte) (process, finalize, finalizeCPU, commit time.Duration, used uint64, codes map[uint32]int) {
	c := e.c
	ctx := context.Background()
	c.height++
	t0 := time.Now()
	pp, err := c.app.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: txs, Height: c.height})
	if err != nil || pp.Status != abci.ResponseProcessProposal_ACCEPT {
		b.Fatalf("process proposal: %v %v", err, pp.Status)
	}
	t1 := time.Now()
	cpu0 := cpuTime()
	res, err := c.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: c.height, Time: time.Unix(1_700_000_000+c.height, 0), Txs: txs})
	if err != nil {
		b.Fatal(err)
	}
	t2 := time.Now()
	finalizeCPU = cpuTime() - cpu0
	if _, err := c.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
		b.Fatal(err)
	}
	t3 := time.Now()
	codes = map[uint32]int{}
	for _, r := range res.TxResults {
		used += uint64(r.GasUsed)
		codes[r.Code]++
	}
	return t1.Sub(t0), t2.Sub(t1), finalizeCPU, t3.Sub(t2), used, codes
}

// cpuTime is the CPU time this process has used (user + system): on a
// machine others load, the steadier measure of work than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGasWorstBlocks prints, for blocks filled to the default max gas
// with the most expensive txs we could design, how long the block takes:
// ProcessProposal (signatures), FinalizeBlock and Commit, and ns per gas.
// The target is finalize under 250 ms on 2 cores (issue 14).
func BenchmarkGasWorstBlocks(b *testing.B) {
	e := newGasBenchEnv(b)
	one := ledger.NewAmount(1)
	bigTitle := strings.Repeat("t", lens.MaxTitleLen)
	forkSeq := 0
	workloads := []workload{
		{"transfer (baseline)", func(b *testing.B, i int) []Msg {
			return []Msg{mustMsg(b, "transfer", ledger.Move{To: e.keys[(i+7)%len(e.keys)].addr, Asset: NativeAsset, Amount: &one})}
		}, nil, nil},
		{"lens/fork ×16 of the K=N=300 view graph", func(b *testing.B, i int) []Msg {
			var out []Msg
			for j := 0; j < 16; j++ {
				forkSeq++
				out = append(out, mustMsg(b, lens.TypeFork, lens.MsgFork{Handle: "fork" + strconv.Itoa(forkSeq), Name: "f", Source: "root", Depth: 2}))
			}
			return out
		}, nil, nil},
		{"lens/fork ×1 (max_entries 1000) of the view graph", func(b *testing.B, i int) []Msg {
			forkSeq++
			return []Msg{mustMsg(b, lens.TypeFork, lens.MsgFork{Handle: "fone" + strconv.Itoa(forkSeq), Name: "f", Source: "root", Depth: 2, MaxEntries: 1000})}
		}, nil, nil},
		{"lens/add-entry ×64, largest entries", func(b *testing.B, i int) []Msg {
			var out []Msg
			for j := 0; j < 64; j++ {
				out = append(out, mustMsg(b, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "target", CID: benchCID(1_000_000 + i*64 + j), Kind: "document",
					Title: bigTitle, Tags: []string{"tag1", "tag2", "tag3", "tag4", "tag5", "tag6", "tag7", "tag8"}, Size: 1 << 40}))
			}
			return out
		}, func(int) testKey { return e.owner }, nil},
		{"multi-transfer ×64 to new accounts", func(b *testing.B, i int) []Msg {
			moves := make([]ledger.Move, 64)
			for j := range moves {
				moves[j] = ledger.Move{To: ledger.DeriveAddress("gas-bench", []byte(strconv.Itoa(i*64+j))), Asset: NativeAsset, Amount: &one}
			}
			return []Msg{mustMsg(b, "multi-transfer", ledger.MsgMultiTransfer{Moves: moves})}
		}, nil, nil},
		{"agreement/submit DvP (offline signature)", func(b *testing.B, i int) []Msg {
			pa, pb := e.keys[1+i%(len(e.keys)-1)], e.keys[(i+500)%len(e.keys)]
			shares, price := ledger.NewAmount(1), ledger.NewAmount(100)
			f := signedFile(b, agreements.Body{
				Parties: []ledger.Address{pa.addr, pb.addr},
				Actions: []agreements.Action{
					{Transfer: &agreements.TransferAction{From: pa.addr, To: pb.addr, Asset: benchShares, Amount: &shares}},
					{Transfer: &agreements.TransferAction{From: pb.addr, To: pa.addr, Asset: NativeAsset, Amount: &price}},
				},
				ExpiresAtHeight: 1 << 40, Salt: "gas" + strconv.Itoa(i),
			}, pa, pb)
			return []Msg{mustMsg(b, agreements.TypeSubmit, f.ForSubmitter(pa.addr))}
		}, nil, nil},
		e.bigAgreements(),
	}
	only := os.Getenv("GAS_BENCH_ONLY")
	fmt.Printf("block max_gas %d\n", e.c.app.MaxBlockGas())
	fmt.Printf("%-50s %5s %11s %11s %9s %9s %9s %8s %7s %s\n", "workload", "txs", "gas/tx", "gas used", "process", "finalize", "cpu", "commit", "cpu ns/gas", "codes")
	for _, w := range workloads {
		if only != "" && !strings.Contains(w.name, only) {
			continue
		}
		if w.setup != nil {
			w.setup(b)
		}
		txs, limit := e.fill(b, w)
		p, f, fcpu, cm, used, codes := e.run(b, txs)
		fmt.Printf("%-50s %5d %11d %11d %8.1fms %8.1fms %8.1fms %7.1fms %7.3f %v\n", w.name, len(txs), limit, used,
			ms(p), ms(f), ms(fcpu), ms(cm), float64(fcpu.Nanoseconds())/float64(max(used, 1)), codes)
	}
	// The same graph's /view as a query, under the query budget.
	for _, path := range []string{"/view/root?depth=2&limit=50", "/view/root?depth=2&limit=1000"} {
		t0 := time.Now()
		q, _ := e.c.app.Query(context.Background(), &abci.RequestQuery{Path: path})
		fmt.Printf("query %-44s code %d, %s, %.1f ms\n", path, q.Code, q.Info, ms(time.Since(t0)))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkGasMeteringCost prints transfers/s with and without the metered
// store, alternating blocks of 1000 transfers between two chains (one
// metered, one not) so that the machine's load hits both alike: CheckTx,
// FinalizeBlock and Commit, as in BenchmarkBlockTransfers.
func BenchmarkGasMeteringCost(b *testing.B) {
	const blocks, perBlock = 32, 1000
	metered, _ := benchChain(b)
	plain, keys := benchChain(b)
	one := ledger.NewAmount(1)
	ctx := context.Background()
	var spent, cpu [2]time.Duration
	var ratios []float64 // per block pair: metered CPU / unmetered CPU
	var gasUsed uint64
	chains := []*chain{metered, plain}
	for blk := 0; blk < blocks; blk++ {
		// Both blocks are signed before either is timed, and the chain
		// that goes first alternates, so that neither pays for the
		// other's garbage more often.
		var txs [2][][]byte
		for ci, c := range chains {
			txs[ci] = make([][]byte, perBlock)
			for i := range txs[ci] {
				from, to := keys[i%len(keys)], keys[(i+1)%len(keys)]
				txs[ci][i] = c.txGas(from, 200_000, nil, mustMsg(b, "transfer", ledger.Move{To: to.addr, Asset: NativeAsset, Amount: &one}))
			}
		}
		runtime.GC()
		// The two chains swap roles every block, so that a difference
		// between them (their files, their caches) is not metering's.
		chains[0].app.noMeter, chains[1].app.noMeter = blk%2 == 1, blk%2 == 0
		var pair [2]time.Duration // metered, unmetered
		for k := 0; k < 2; k++ {
			// Which one goes first alternates too (every other pair).
			c := chains[(blk/2+k)%2]
			runtime.GC()
			ci := 0
			if c.app.noMeter {
				ci = 1
			}
			t0, c0 := time.Now(), cpuTime()
			for _, tx := range txs[(blk/2+k)%2] {
				if r, _ := c.app.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx}); r.Code != 0 {
					b.Fatalf("CheckTx: %s", r.Log)
				}
			}
			c.height++
			res, err := c.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: c.height, Time: time.Unix(1_700_000_000+c.height, 0), Txs: txs[(blk/2+k)%2]})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
				b.Fatal(err)
			}
			spent[ci] += time.Since(t0)
			pair[ci] = cpuTime() - c0
			cpu[ci] += pair[ci]
			for _, r := range res.TxResults {
				if r.Code != 0 {
					b.Fatalf("code %d: %s", r.Code, r.Log)
				}
				if ci == 0 {
					gasUsed += uint64(r.GasUsed)
				}
			}
		}
		ratios = append(ratios, float64(pair[0])/float64(pair[1]))
	}
	sort.Float64s(ratios)
	n := float64(blocks * perBlock)
	m, p := n/spent[0].Seconds(), n/spent[1].Seconds()
	mc, pc := n/cpu[0].Seconds(), n/cpu[1].Seconds()
	fmt.Printf("transfers/s by wall time: metered %.0f, unmetered %.0f: metering costs %.1f%%\n", m, p, 100*(1-m/p))
	fmt.Printf("transfers per CPU second: metered %.0f, unmetered %.0f: metering costs %.1f%% (%d gas per transfer)\n",
		mc, pc, 100*(1-mc/pc), gasUsed/uint64(n))
	fmt.Printf("median over %d block pairs of metered/unmetered CPU: %.3f (metering costs %.1f%%)\n",
		len(ratios), ratios[len(ratios)/2], 100*(ratios[len(ratios)/2]-1))
}

// bigAgreements is the largest-record workload: agreements of 32 parties,
// 64 actions and 64 obligations of 512 bytes (a ~50 KB record), accepted
// by one party per tx; every accept reads, rewrites and emits the whole
// record.
func (e *gasBenchEnv) bigAgreements() workload {
	const parties, agreementsN = 32, 12
	var ids []string
	what := strings.Repeat("w", 512)
	one := ledger.NewAmount(1)
	party := func(i int) testKey { return e.keys[2+i%(parties-1)] } // keys[1] proposes
	return workload{
		name: "agreement/accept, 32 parties, ~50 KB records",
		setup: func(b *testing.B) {
			for a := 0; a < agreementsN; a++ {
				body := agreements.Body{ChainID: testChain, Version: 1, Title: strings.Repeat("T", 256),
					ExpiresAtHeight: 1 << 40, Salt: "big" + strconv.Itoa(a)}
				body.Parties = append(body.Parties, e.keys[1].addr)
				for p := 0; p < parties-1; p++ {
					body.Parties = append(body.Parties, party(p).addr)
				}
				for i := 0; i < agreements.MaxActions; i++ {
					from, to := body.Parties[i%parties], body.Parties[(i+1)%parties]
					body.Actions = append(body.Actions, agreements.Action{Transfer: &agreements.TransferAction{From: from, To: to, Asset: NativeAsset, Amount: &one}})
				}
				for i := 0; i < agreements.MaxObligations; i++ {
					body.Obligations = append(body.Obligations, agreements.Obligation{By: body.Parties[i%parties], To: body.Parties[(i+1)%parties], What: what})
				}
				r := e.c.block(e.c.txGas(e.keys[1], e.c.app.MaxBlockGas(), nil, mustMsg(b, agreements.TypePropose, agreements.MsgPropose{Body: body})))
				res := r.TxResults[0]
				if res.Code != 0 {
					b.Fatalf("propose: %s", res.Log)
				}
				var out map[string]string
				if err := json.Unmarshal(res.Data, &out); err != nil {
					b.Fatal(err)
				}
				ids = append(ids, out["agreement_id"])
			}
		},
		signer: func(i int) testKey { return party(i % (parties - 1)) },
		msgs: func(b *testing.B, i int) []Msg {
			// Party i%31 accepts agreement i/31: never twice, never the
			// last acceptance (the proposer has not accepted).
			return []Msg{mustMsg(b, agreements.TypeAccept, agreements.MsgAccept{ID: ids[(i/(parties-1))%len(ids)]})}
		},
	}
}
