package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestPlanSpreadsNoncesInOrder(t *testing.T) {
	tests := []struct {
		name                         string
		accounts, count, clients, st int
		wantPerSender                map[int]int
	}{
		{"even", 4, 8, 2, 1, map[int]int{0: 2, 1: 2, 2: 2, 3: 2}},
		{"remainder to first senders", 3, 5, 2, 1, map[int]int{0: 2, 1: 2, 2: 1}},
		{"every second account", 4, 5, 3, 2, map[int]int{0: 3, 2: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccounts("plan-test", tc.accounts)
			a.nonces[0] = 7 // continues after earlier phases
			slots, per := a.plan(tc.count, tc.clients, 0, tc.st)
			if len(slots) != tc.count {
				t.Fatalf("%d slots, want %d", len(slots), tc.count)
			}
			got := map[int]int{}
			for _, s := range slots {
				got[s.acct]++
			}
			for acct, n := range tc.wantPerSender {
				if got[acct] != n {
					t.Errorf("account %d has %d txs, want %d", acct, got[acct], n)
				}
			}
			// Within every client list each sender's nonces rise by one.
			seen := 0
			for _, list := range per {
				last := map[int]uint64{}
				for _, i := range list {
					s := slots[i]
					if prev, ok := last[s.acct]; ok && s.nonce != prev+1 {
						t.Errorf("account %d nonce %d after %d", s.acct, s.nonce, prev)
					}
					last[s.acct] = s.nonce
					seen++
				}
			}
			if seen != tc.count {
				t.Errorf("client lists hold %d txs, want %d", seen, tc.count)
			}
			if a.nonces[0] != 7+uint64(got[0]) {
				t.Errorf("account 0 nonce advanced to %d, want %d", a.nonces[0], 7+got[0])
			}
		})
	}
}

func TestKvstoreTxsMatchSizes(t *testing.T) {
	a := newAccounts("kv-test", 3)
	tw, err := a.transfers("riff-bench", 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 990} {
		kw := kvstoreLike(tw, size)
		seen := map[string]bool{}
		for i := range tw.txs {
			raw := kw.txs[i].raw
			want := len(tw.txs[i].raw)
			if size > 0 {
				want = size
			}
			if len(raw) != want {
				t.Errorf("size %d, tx %d: kvstore %d bytes, want %d", size, i, len(raw), want)
			}
			if bytes.Count(raw, []byte("=")) != 1 || bytes.ContainsRune(raw, ':') {
				t.Errorf("tx %d: %q is not a valid kvstore tx", i, raw)
			}
			if seen[string(raw)] {
				t.Errorf("tx %d repeats", i)
			}
			seen[string(raw)] = true
		}
	}
}

// TestSmoke runs the whole benchmark with a tiny load so the code cannot
// rot. Agreement and pool routes are self-wired when the app lacks them.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two nodes; skipped with -short")
	}
	s := DefaultSettings()
	s.Accounts, s.Txs, s.Agrees, s.Swaps, s.Clients = 20, 300, 40, 60, 4
	s.TimeoutCommit = 100 * time.Millisecond
	s.Indexers = []string{"kv"}
	s.WireMissing = true
	s.Profile = []string{"transfers"}
	s.OutDir = t.TempDir()
	s.PhaseTimeout = 20 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	rep, err := Run(ctx, &s, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	want := map[string]int{"transfers": s.Txs, "agreements": s.Agrees, "swaps": s.Swaps, "kvstore": s.Txs}
	for _, r := range rep.Results {
		if n, ok := want[r.Phase]; ok {
			if r.Committed != n {
				t.Errorf("%s: %d committed, want %d (first error %q)", r.Phase, r.Committed, n, r.FirstErr)
			}
			if r.TPS <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
				t.Errorf("%s: tps %.0f p50 %s p99 %s", r.Phase, r.TPS, r.P50, r.P99)
			}
			delete(want, r.Phase)
		}
		if r.Phase == "transfers" && r.Profile == nil {
			t.Errorf("transfers phase has no profile")
		}
	}
	if len(want) > 0 {
		t.Errorf("phases missing: %v\n%s", want, out.String())
	}
	for _, s := range []string{"Summary", "of kvstore", "CometBFT settings"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

// TestSmokeNetwork runs the multi-validator mode with a tiny load: two
// 4-validator networks (riffchain, kvstore) in this process, every tx
// committed, every node agreeing on the final block and app hash.
func TestSmokeNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts eight nodes; skipped with -short")
	}
	s := DefaultSettings()
	s.Validators = 4
	s.Accounts, s.Txs, s.Clients = 20, 400, 8
	s.TimeoutCommit = 100 * time.Millisecond
	s.Indexers = []string{"kv"}
	s.Profile = nil
	s.PhaseTimeout = 20 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var out bytes.Buffer
	rep, err := Run(ctx, &s, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if len(rep.Direct) != 0 {
		t.Errorf("network mode ran the direct measurement")
	}
	want := map[string]bool{"transfers": true, "kvstore": true}
	for _, r := range rep.Results {
		if !want[r.Phase] {
			t.Errorf("unexpected phase %q in network mode", r.Phase)
			continue
		}
		delete(want, r.Phase)
		if r.Committed != s.Txs {
			t.Errorf("%s: %d committed, want %d (first error %q)", r.Phase, r.Committed, s.Txs, r.FirstErr)
		}
		if !strings.HasPrefix(r.Agree, "4/4 nodes agree") {
			t.Errorf("%s: agreement %q", r.Phase, r.Agree)
		}
	}
	if len(want) > 0 {
		t.Errorf("phases missing: %v\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "Mode: 4-validator network") {
		t.Errorf("output does not name the mode:\n%s", out.String())
	}
}

func TestNetworkDefaults(t *testing.T) {
	tests := []struct {
		name        string
		validators  int
		set         map[string]bool
		txs, repeat int
		indexers    string
		direct, agr bool
	}{
		{"single validator untouched", 1, nil, 20000, 1, "kv,null", true, true},
		{"network defaults", 4, nil, NetTxs, NetRepeat, "kv", false, false},
		{"network keeps given flags", 4, map[string]bool{"txs": true, "indexer": true, "repeat": true}, 20000, 1, "kv,null", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Validators = tc.validators
			s.networkDefaults(tc.set)
			if s.Txs != tc.txs || s.Repeat != tc.repeat || strings.Join(s.Indexers, ",") != tc.indexers || s.Direct != tc.direct || (s.Agrees > 0) != tc.agr {
				t.Errorf("got txs %d repeat %d indexers %v direct %v agreements %d", s.Txs, s.Repeat, s.Indexers, s.Direct, s.Agrees)
			}
		})
	}
}

// TestMediansLeaveOutContendedRounds: a round in which other processes took
// a quarter core or more is shown with a star and left out of the median,
// unless every round was contended.
func TestMediansLeaveOutContendedRounds(t *testing.T) {
	phase := func(round int, name string, tps, others float64) *phaseResult {
		return &phaseResult{Phase: name, Round: round, Node: "riffchain", Indexer: "null", TPS: tps, Committed: 1000,
			CPU: cpuShare{Self: 1.8, Others: others, SelfTime: time.Second}}
	}
	cases := []struct {
		name   string
		others [3]float64 // others during round i's agreements phase
		want   string
	}{
		{"all calm", [3]float64{0, 0.01, 0.02}, "0.40  (rounds: 0.30 0.40 0.50)"},
		{"one contended", [3]float64{0, 0.01, 0.9}, "0.35  (rounds: 0.30 0.40 0.50*; * = contended, left out)"},
		{"all contended", [3]float64{0.3, 0.9, 0.5}, "0.40  (rounds: 0.30* 0.40* 0.50*; * = contended, every round was)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Report{}
			for i, share := range []float64{0.3, 0.4, 0.5} {
				r.Results = append(r.Results, phase(i+1, "transfers", 1000, 0), phase(i+1, "agreements", 1000*share, c.others[i]))
			}
			var b strings.Builder
			r.printMedians(&b, &Settings{Indexers: []string{"null"}})
			for _, line := range strings.Split(b.String(), "\n") {
				if label, rest, ok := strings.Cut(strings.TrimSpace(line), "  "); ok && label == "agreements / transfers, tx/s" {
					if got := strings.TrimSpace(rest); got != c.want {
						t.Fatalf("agreements / transfers: %q, want %q", got, c.want)
					}
					return
				}
			}
			t.Fatalf("no agreements / transfers line in:\n%s", b.String())
		})
	}
}
