package web

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/ledger"
)

// TestLiveStream: /api/v1/live sends a block event for each new block and
// a tx event, in words, for a tx committed after the stream opened.
func TestLiveStream(t *testing.T) {
	tn := startTestNode(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", tn.web.URL+"/api/v1/live", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	tx := tn.send(t, "transfer", ledger.MsgTransfer{To: tn.addr, Asset: app.NativeAsset, Amount: ptr(ledger.NewAmount(3))})
	var event string
	sawBlock := false
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			sawBlock = sawBlock || event == "block"
		case strings.HasPrefix(line, "data: ") && event == "tx" && strings.Contains(line, strings.ToUpper(tx.TxHash)):
			if !sawBlock || !strings.Contains(line, `"words":[`) || !strings.Contains(line, "transferred") {
				t.Fatalf("tx event %s (after a block event: %v)", line, sawBlock)
			}
			return
		}
	}
	t.Fatalf("no tx event for %s: %v", tx.TxHash, sc.Err())
}
