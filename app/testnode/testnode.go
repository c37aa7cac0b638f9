// Package testnode runs a one-validator riffchain chain in-process for
// the tests of packages that talk to a node over RPC (app/client, the
// explorer in app/web): a home in a temporary folder, RPC and P2P on free
// ports of 127.0.0.1, one genesis-funded key, and a wait until the chain
// has made blocks. The end-to-end tests of cmd/riffchain start real
// processes instead.
package testnode

import (
	"crypto/ed25519"
	"crypto/sha256"
	"net"
	"os"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// Options say which chain to run.
type Options struct {
	ChainID string
	// KeySeed derives the funded key (sha256 of it is the ed25519 seed).
	KeySeed string
	// Balance is the funded key's genesis balance of app.NativeAsset.
	Balance uint64
	// TimeoutCommit is the pause between blocks (short: tests wait less).
	TimeoutCommit time.Duration
	// MinHeight: Start returns once the chain has made this many blocks.
	MinHeight int64
}

// Node is a started chain of one validator.
type Node struct {
	*app.Node
	Home string
	RPC  string // tcp://127.0.0.1:PORT
	Key  ed25519.PrivateKey
	Addr ledger.Address // the funded key's address
}

// FreeAddr returns a 127.0.0.1:PORT nobody listens on now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start runs a chain for the test (skipped with -short) and stops it when
// the test ends.
func Start(t testing.TB, o Options) *Node {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a node")
	}
	// The node may still write its address book while stopping, so the
	// home is removed after it, with retries (t.TempDir would fail).
	home, err := os.MkdirTemp("", "riff-"+o.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20 && os.RemoveAll(home) != nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	})
	n := &Node{Home: home, RPC: "tcp://" + FreeAddr(t)}
	if _, err := app.InitHome(app.InitOptions{Home: home, ChainID: o.ChainID, Moniker: "v0",
		RPCAddr: n.RPC, P2PAddr: "tcp://" + FreeAddr(t), TimeoutCommit: o.TimeoutCommit}); err != nil {
		t.Fatal(err)
	}
	seed := sha256.Sum256([]byte(o.KeySeed))
	n.Key = ed25519.NewKeyFromSeed(seed[:])
	n.Addr = ledger.AddressFromPubKey(n.Key.Public().(ed25519.PublicKey))
	if err := app.AddGenesisBalance(home, n.Addr, app.NativeAsset, ledger.NewAmount(o.Balance)); err != nil {
		t.Fatal(err)
	}
	if n.Node, err = app.NewNode(home, log.NewNopLogger(), nil); err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	deadline := time.Now().Add(30 * time.Second)
	for n.CMT.BlockStore().Height() < o.MinHeight {
		if time.Now().After(deadline) {
			t.Fatalf("the chain did not reach height %d", o.MinHeight)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return n
}
