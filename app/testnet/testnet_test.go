package testnet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/ledger"
)

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	extra := ledger.Holding{Address: ledger.DeriveAddress("test", []byte("load")), Asset: app.NativeAsset, Amount: ledger.NewAmount(77)}
	sum, err := Create(Options{Validators: 3, Dir: dir, ChainID: "riff-t", TimeoutCommit: 300 * time.Millisecond,
		ExtraBalances: []ledger.Holding{extra},
		Edit: func(i int, cfg *cmtcfg.Config, ac *app.AppConfig) {
			if i == 1 {
				ac.MinFees = []app.FeeMin{{Asset: "RIFF", Amount: "5"}}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Nodes) != 3 || sum.ChainID != "riff-t" {
		t.Fatalf("summary %+v", sum)
	}
	loaded, err := Load(dir)
	if err != nil || len(loaded.Nodes) != 3 || loaded.Genesis != sum.Genesis {
		t.Fatalf("Load: %v %+v", err, loaded)
	}
	var first []byte
	seenPorts := map[string]bool{}
	for i, n := range sum.Nodes {
		g, err := os.ReadFile(filepath.Join(n.Home, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = g
		} else if !bytes.Equal(g, first) {
			t.Fatalf("node %d genesis differs from node 0", i)
		}
		for _, a := range []string{n.RPC, n.P2P, "tcp://" + n.Prometheus, "tcp://" + n.AppMetrics} {
			if !strings.HasPrefix(a, "tcp://127.0.0.1:") || seenPorts[a] {
				t.Fatalf("node %d address %q is not a distinct loopback address", i, a)
			}
			seenPorts[a] = true
		}
		cfg, err := app.LoadConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RPC.ListenAddress != n.RPC || cfg.P2P.ListenAddress != n.P2P || cfg.Moniker != n.Moniker {
			t.Fatalf("node %d config: rpc %s p2p %s moniker %s", i, cfg.RPC.ListenAddress, cfg.P2P.ListenAddress, cfg.Moniker)
		}
		if !cfg.Instrumentation.Prometheus || cfg.Instrumentation.PrometheusListenAddr != n.Prometheus {
			t.Fatalf("node %d instrumentation %+v", i, cfg.Instrumentation)
		}
		if cfg.P2P.AddrBookStrict || !cfg.P2P.AllowDuplicateIP || cfg.Consensus.TimeoutCommit != 300*time.Millisecond {
			t.Fatalf("node %d p2p/consensus config not set for a localnet", i)
		}
		peers := strings.Split(cfg.P2P.PersistentPeers, ",")
		if len(peers) != 2 || strings.Contains(cfg.P2P.PersistentPeers, n.NodeID) {
			t.Fatalf("node %d persistent peers %q", i, cfg.P2P.PersistentPeers)
		}
		for j, m := range sum.Nodes {
			if j != i && !strings.Contains(cfg.P2P.PersistentPeers, m.NodeID+"@"+strings.TrimPrefix(m.P2P, "tcp://")) {
				t.Fatalf("node %d does not peer with node %d", i, j)
			}
		}
		ac, err := app.LoadAppConfig(n.Home)
		if err != nil || ac.MetricsAddr != n.AppMetrics {
			t.Fatalf("node %d app.toml: %v %+v", i, err, ac)
		}
		if (i == 1) != (len(ac.MinFees) == 1) {
			t.Fatalf("node %d min fees %+v: Edit not applied to node 1 only", i, ac.MinFees)
		}
		kr, err := keyring.Open(n.Home, keyring.BackendTest, nil)
		if err != nil {
			t.Fatal(err)
		}
		info, err := kr.Show(n.Key)
		if err != nil || info.Address != n.Address {
			t.Fatalf("node %d key %s: %v %v", i, n.Key, err, info.Address)
		}
	}
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join(dir, "node0", "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Validators) != 3 {
		t.Fatalf("%d genesis validators", len(doc.Validators))
	}
	for i, v := range doc.Validators {
		if v.Power != DefaultPower || v.Address.String() != sum.Nodes[i].Validator {
			t.Fatalf("validator %d: %+v", i, v)
		}
	}
	var gs app.GenesisState
	if err := app.StrictUnmarshal(doc.AppState, &gs); err != nil {
		t.Fatal(err)
	}
	if len(gs.Ledger.Balances) != 4 || gs.Ledger.Balances[3].Address != extra.Address || gs.Ledger.Balances[3].Amount.String() != "77" {
		t.Fatalf("genesis balances %+v", gs.Ledger.Balances)
	}
	for i, b := range gs.Ledger.Balances[:3] {
		if b.Address != sum.Nodes[i].Address || b.Asset != app.NativeAsset || b.Amount.String() != DefaultBalance {
			t.Fatalf("balance %d: %+v", i, b)
		}
	}

	// A second Create into the same folder refuses.
	if _, err := Create(Options{Validators: 1, Dir: dir}); !errors.Is(err, ErrExists) {
		t.Fatalf("create into used folder: %v, want ErrExists", err)
	}
}

func TestCreateOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"no validators", Options{Dir: "x"}},
		{"no dir", Options{Validators: 1}},
		{"ports overflow", Options{Validators: 4, Dir: "x", BasePort: 65530}},
		{"bad host", Options{Validators: 1, Dir: "x", Hosts: []string{"localhost"}}},
		{"bad balance", Options{Validators: 1, Dir: "x", Balance: "-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Dir = strings.Replace(tt.o.Dir, "x", filepath.Join(t.TempDir(), "x"), 1)
			if _, err := Create(tt.o); !errors.Is(err, ErrOptions) {
				t.Fatalf("err %v, want ErrOptions", err)
			}
		})
	}
}

func TestBasePortLayout(t *testing.T) {
	sum, err := Create(Options{Validators: 2, Dir: t.TempDir(), BasePort: 30000})
	if err != nil {
		t.Fatal(err)
	}
	n := sum.Nodes[1]
	if n.P2P != "tcp://127.0.0.1:30010" || n.RPC != "tcp://127.0.0.1:30011" || n.Prometheus != "127.0.0.1:30012" || n.AppMetrics != "127.0.0.1:30013" {
		t.Fatalf("node 1 ports: %+v", n)
	}
}
