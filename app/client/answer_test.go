package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client/lyingnode"
	"github.com/riffchain/riffchain/ledger"
)

// TestAnswerBoundToQuestion: a proven answer must be for the key and the
// height the client asked about, whatever the node rewrites on the way.
func TestAnswerBoundToQuestion(t *testing.T) {
	node, funded := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	honest, err := New(node)
	if err != nil {
		t.Fatal(err)
	}
	for {
		h, err := honest.LatestHeight(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h >= 3+DefaultMaxAge+2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	other := ledger.Address{9}
	balancePath := func(a ledger.Address) string { return "/balance/" + a.String() + "/" + app.NativeAsset }
	toFunded := func(string) string { return balancePath(funded) }
	toOther := func(string) string { return balancePath(other) }

	tests := []struct {
		name    string
		lies    lyingnode.Lies
		ask     ledger.Address
		height  int64
		wantErr error
		wantMsg string
	}{
		{name: "honest", ask: funded},
		{name: "honest, at a height", ask: funded, height: 3},
		{name: "path rewritten to another account", lies: lyingnode.Lies{Path: toFunded}, ask: other,
			wantErr: ErrWrongAnswer, wantMsg: "the question needs"},
		{name: "absence proven for another key", lies: lyingnode.Lies{Path: toOther}, ask: funded,
			wantErr: ErrWrongAnswer, wantMsg: "the question needs"},
		{name: "value swapped", lies: lyingnode.Lies{Value: []byte("777")}, ask: funded, wantErr: ErrProofInvalid},
		{name: "stale state for latest", lies: lyingnode.Lies{Height: 2}, ask: funded,
			wantErr: ErrStaleAnswer, wantMsg: "blocks behind the latest"},
		{name: "another height than asked", lies: lyingnode.Lies{Height: 2}, ask: funded, height: 3,
			wantErr: ErrWrongAnswer, wantMsg: "asked for height 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, stop := lyingnode.Start(node, tt.lies)
			defer stop()
			c, err := New(url)
			if err != nil {
				t.Fatal(err)
			}
			a, err := c.QueryVerified(ctx, honest, balancePath(tt.ask), ProveOpts{Height: tt.height},
				ExpectKey(ledger.BalanceKey(tt.ask, app.NativeAsset)))
			if tt.wantErr == nil {
				if err != nil || !a.Proven || string(a.Value) != "1234" {
					t.Fatalf("want a proven 1234, got %+v %v", a, err)
				}
				if tt.height != 0 && a.Height != tt.height {
					t.Fatalf("answer for height %d, asked %d", a.Height, tt.height)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("want %v (%q), got %+v %v", tt.wantErr, tt.wantMsg, a, err)
			}
			t.Logf("refused: %v", err)
		})
	}
}
