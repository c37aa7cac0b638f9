package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// profiler is a running CPU profile of this process (node and load
// generator share it; samples of the load generator carry the label
// role=bench-client).
type profiler struct {
	path string
	f    *os.File
}

func startProfile(path string) (*profiler, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("profile: %w", err)
	}
	return &profiler{path: path, f: f}, nil
}

func (p *profiler) stop() (*profileSummary, error) {
	pprof.StopCPUProfile()
	if err := p.f.Close(); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	data, err := os.ReadFile(p.path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	sum, err := summarize(data)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.path, err)
	}
	sum.Path = p.path
	return sum, nil
}

// sample is one stack (leaf first, function names with inlined frames
// expanded) with its CPU nanoseconds and labels.
type sample struct {
	stack  []string
	nanos  int64
	labels map[string]string
}

// parseProfile decodes a gzipped profile.proto (the subset needed here).
func parseProfile(gz []byte) ([]sample, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	type rawSample struct {
		locs   []uint64
		values []int64
		labels [][2]int64
	}
	var (
		samples   []rawSample
		strs      []string
		funcName  = map[uint64]int64{}    // function id -> name string index
		locFuncs  = map[uint64][]uint64{} // location id -> function ids, leaf first
		valueType []int64                 // sample_type type string indexes
	)
	err = eachField(raw, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error {
		switch num {
		case 1: // sample_type
			return eachField(b, func(n protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				if n == 1 {
					valueType = append(valueType, int64(v))
				}
				return nil
			})
		case 2: // sample
			var s rawSample
			err := eachField(b, func(n protowire.Number, t protowire.Type, v uint64, b []byte) error {
				switch n {
				case 1:
					s.locs = appendPacked(s.locs, t, v, b, func(x uint64) uint64 { return x })
				case 2:
					s.values = appendPacked(s.values, t, v, b, func(x uint64) int64 { return int64(x) })
				case 3:
					var kv [2]int64
					_ = eachField(b, func(n protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
						if n == 1 || n == 2 {
							kv[n-1] = int64(v)
						}
						return nil
					})
					s.labels = append(s.labels, kv)
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case 4: // location
			var id uint64
			var fns []uint64
			err := eachField(b, func(n protowire.Number, _ protowire.Type, v uint64, b []byte) error {
				switch n {
				case 1:
					id = v
				case 4:
					return eachField(b, func(n protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
						if n == 1 {
							fns = append(fns, v)
						}
						return nil
					})
				}
				return nil
			})
			locFuncs[id] = fns
			return err
		case 5: // function
			var id uint64
			var name int64
			err := eachField(b, func(n protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				switch n {
				case 1:
					id = v
				case 2:
					name = int64(v)
				}
				return nil
			})
			funcName[id] = name
			return err
		case 6: // string_table
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	str := func(i int64) string {
		if i < 0 || int(i) >= len(strs) {
			return ""
		}
		return strs[i]
	}
	cpu := len(valueType) - 1
	for i, t := range valueType {
		if str(t) == "cpu" {
			cpu = i
		}
	}
	out := make([]sample, 0, len(samples))
	for _, rs := range samples {
		if cpu < 0 || cpu >= len(rs.values) {
			continue
		}
		s := sample{nanos: rs.values[cpu]}
		for _, l := range rs.locs {
			for _, f := range locFuncs[l] {
				s.stack = append(s.stack, str(funcName[f]))
			}
		}
		for _, kv := range rs.labels {
			if s.labels == nil {
				s.labels = map[string]string{}
			}
			s.labels[str(kv[0])] = str(kv[1])
		}
		out = append(out, s)
	}
	return out, nil
}

func appendPacked[T any](dst []T, t protowire.Type, v uint64, b []byte, conv func(uint64) T) []T {
	if t == protowire.VarintType {
		return append(dst, conv(v))
	}
	for len(b) > 0 {
		x, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return dst
		}
		dst = append(dst, conv(x))
		b = b[n:]
	}
	return dst
}

// eachField walks the top-level fields of a protobuf message.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, bytes []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: bad tag", ErrProfile)
		}
		b = b[n:]
		var v uint64
		var data []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			data, n = protowire.ConsumeBytes(b)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			v = uint64(x)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: bad field %d", ErrProfile, num)
		}
		b = b[n:]
		if err := fn(num, typ, v, data); err != nil {
			return err
		}
	}
	return nil
}

// category attributes a sample to the first matching bucket, in order.
type category struct {
	name     string
	patterns []string
}

// categories, most specific first: a CheckTx sample's stack also holds the
// RPC server and the mempool, but it counts as app CheckTx.
var categories = []category{
	{"load generator (bench clients, same process)", nil}, // by label
	{"app CheckTx (riffchain)", []string{"riffchain/app.(*App).CheckTx"}},
	{"app FinalizeBlock (riffchain)", []string{"riffchain/app.(*App).FinalizeBlock"}},
	{"app Commit (riffchain)", []string{"riffchain/app.(*App).Commit"}},
	{"app (kvstore)", []string{"abci/example/kvstore."}},
	{"tx indexer", []string{"state/txindex", "state/indexer", "IndexerService"}},
	{"mempool (CometBFT)", []string{"cometbft/mempool."}},
	{"RPC server (JSON-RPC, HTTP)", []string{"rpc/jsonrpc/server", "rpc/core.", "net/http.(*conn).serve"}},
	{"consensus, block store, state", []string{"cometbft/consensus.", "cometbft/state.", "cometbft/store.", "cometbft/types."}},
	{"goleveldb background compaction", []string{"leveldb.(*DB).tCompaction", "leveldb.(*DB).mCompaction"}},
	{"garbage collector", []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}},
	{"other", []string{""}},
}

// hotSpots are functions whose cumulative share is worth stating; a
// pattern may list alternatives separated by "|".
var hotSpots = []struct{ name, pattern string }{
	{"app.DecodeTx (framing, strict body JSON)", "riffchain/app.DecodeTx"},
	{"app decodeMsgs (message JSON + validator)", "riffchain/app.(*Router).decodeMsgs"},
	{"app VerifySignature", "riffchain/app.(*Tx).VerifySignature"},
	{"ledger Account read (CheckTx nonce)", "riffchain/ledger.(*Ledger).Account"},
	{"app deliver (executing txs)", "riffchain/app.(*App).deliver"},
	{"IAVL working hash", "WorkingHash"},
	{"IAVL SaveVersion", "iavl.(*MutableTree).SaveVersion"},
	{"ed25519 verify (voi, as the app verifies txs)", "curve25519-voi/primitives/ed25519.Verify"},
	{"ed25519 verify (standard library)", "crypto/ed25519.Verify"},
	{"ed25519 sign (bench pre-sign)", "crypto/ed25519.Sign"},
	{"encoding/json (decode+encode)", "encoding/json."},
	{"validator/v10", "go-playground/validator"},
	{"IAVL", "cosmos/iavl"},
	{"goleveldb", "syndtr/goleveldb"},
	{"sha256", "crypto/sha256"},
	{"protobuf (gogoproto)", "gogoproto"},
	{"malloc", "runtime.mallocgc"},
	{"syscalls (network, disk)", "syscall."},
}

type row struct {
	name  string
	nanos int64
}

// profileSummary is the printable digest of one CPU profile.
type profileSummary struct {
	Path       string
	Total      int64
	Categories []row
	HotSpots   []row
	Flat       []row
	Cum        []row
}

func summarize(data []byte) (*profileSummary, error) {
	samples, err := parseProfile(data)
	if err != nil {
		return nil, err
	}
	sum := &profileSummary{}
	cat := make([]int64, len(categories))
	hot := make([]int64, len(hotSpots))
	flat := map[string]int64{}
	cum := map[string]int64{}
	for _, s := range samples {
		sum.Total += s.nanos
		if len(s.stack) > 0 {
			flat[s.stack[0]] += s.nanos
		}
		seen := map[string]bool{}
		for _, f := range s.stack {
			if !seen[f] {
				seen[f] = true
				cum[f] += s.nanos
			}
		}
		for i, h := range hotSpots {
			if stackHas(seen, strings.Split(h.pattern, "|")) {
				hot[i] += s.nanos
			}
		}
		cat[categorize(s)] += s.nanos
	}
	for i, c := range categories {
		sum.Categories = append(sum.Categories, row{c.name, cat[i]})
	}
	for i, h := range hotSpots {
		sum.HotSpots = append(sum.HotSpots, row{h.name, hot[i]})
	}
	sum.Flat, sum.Cum = sorted(flat), sorted(cum)
	return sum, nil
}

func stackHas(frames map[string]bool, patterns []string) bool {
	for f := range frames {
		for _, p := range patterns {
			if strings.Contains(f, p) {
				return true
			}
		}
	}
	return false
}

func categorize(s sample) int {
	if s.labels["role"] == "bench-client" {
		return 0
	}
	for i, c := range categories[1:] {
		for _, p := range c.patterns {
			for _, f := range s.stack {
				if strings.Contains(f, p) {
					return i + 1
				}
			}
		}
	}
	return len(categories) - 1
}

func sorted(m map[string]int64) []row {
	out := make([]row, 0, len(m))
	for k, v := range m {
		out = append(out, row{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].nanos != out[j].nanos {
			return out[i].nanos > out[j].nanos
		}
		return out[i].name < out[j].name
	})
	return out
}

// print writes the categories, hot spots and top tables.
func (p *profileSummary) print(w io.Writer, title string, top int, elapsed float64) {
	if p == nil || p.Total == 0 {
		fmt.Fprintf(w, "\nCPU profile %s: no samples\n", title)
		return
	}
	pct := func(n int64) float64 { return 100 * float64(n) / float64(p.Total) }
	fmt.Fprintf(w, "\nCPU profile: %s (%s)\n", title, p.Path)
	if elapsed > 0 {
		fmt.Fprintf(w, "  %.1f CPU-seconds over %.1f s wall = %.2f cores busy of 2\n",
			float64(p.Total)/1e9, elapsed, float64(p.Total)/1e9/elapsed)
	}
	fmt.Fprintf(w, "  where the CPU went (each sample counted once, first matching bucket):\n")
	for _, r := range p.Categories {
		if r.nanos > 0 {
			fmt.Fprintf(w, "    %5.1f%%  %s\n", pct(r.nanos), r.name)
		}
	}
	fmt.Fprintf(w, "  cumulative share of selected functions (overlapping):\n")
	for _, r := range p.HotSpots {
		if r.nanos > 0 {
			fmt.Fprintf(w, "    %5.1f%%  %s\n", pct(r.nanos), r.name)
		}
	}
	fmt.Fprintf(w, "  top %d flat (go tool pprof -top):\n", top)
	for _, r := range p.Flat[:min(top, len(p.Flat))] {
		fmt.Fprintf(w, "    %5.1f%%  %s\n", pct(r.nanos), r.name)
	}
	fmt.Fprintf(w, "  top %d cumulative, without runtime/net plumbing (go tool pprof -top -cum):\n", top)
	n := 0
	for _, r := range p.Cum {
		if n >= top {
			break
		}
		if boring(r.name) {
			continue
		}
		fmt.Fprintf(w, "    %5.1f%%  %s\n", pct(r.nanos), r.name)
		n++
	}
}

// boring are frames that sit under everything (goroutine starts, servers).
func boring(name string) bool {
	for _, p := range []string{"runtime.", "net/http.", "runtime/pprof.", "main.run", "sync.", "net.",
		"internal/", "bufio.", "reflect.", "github.com/cometbft/cometbft/libs/service.", "github.com/cometbft/cometbft/rpc/jsonrpc/server.",
		"main.(*", "main.broadcast"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
