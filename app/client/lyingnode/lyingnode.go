// Package lyingnode is a CometBFT JSON-RPC proxy that lies, for the test
// suite: it forwards every call to an honest node and rewrites the
// questions it passes on or the answers it passes back (abci_query paths,
// heights and values), or serves everything from another node (another
// chain, or a fork with its own validator set). A client that verifies
// answers must refuse every lie it tells.
package lyingnode

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Lies says what the proxy rewrites; the zero value forwards honestly.
type Lies struct {
	// Path rewrites the path of every abci_query before it is forwarded
	// (e.g. another account's balance, or a key that does not exist).
	Path func(path string) string
	// Height, when non-zero, replaces the height of every abci_query.
	Height int64
	// Value, when not nil, replaces the value of every abci_query answer.
	Value []byte
	// AppHash, when not nil, replaces the app hash of every header
	// /commit serves.
	AppHash []byte
	// Other, when set, is the RPC address every call is sent to instead:
	// a node of another chain, or of a fork of the same chain id.
	Other string
	// ChainID, when set, replaces the chain id /status reports.
	ChainID string
}

// Start runs a proxy in front of target (tcp://host:port or http://...)
// telling lies; it returns the proxy's URL and a function that stops it.
func Start(target string, lies Lies) (url string, stop func()) {
	srv := httptest.NewServer(handler(httpURL(target), lies))
	return srv.URL, srv.Close
}

func httpURL(addr string) string {
	if strings.HasPrefix(addr, "tcp://") {
		return "http://" + strings.TrimPrefix(addr, "tcp://")
	}
	if !strings.Contains(addr, "://") {
		return "http://" + addr
	}
	return addr
}

func handler(up string, lies Lies) http.Handler {
	if lies.Other != "" {
		up = httpURL(lies.Other)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req map[string]any
		method := ""
		if json.Unmarshal(body, &req) == nil {
			method, _ = req["method"].(string)
			if method == "abci_query" {
				if params, ok := req["params"].(map[string]any); ok {
					if p, ok := params["path"].(string); ok && lies.Path != nil {
						params["path"] = lies.Path(p)
					}
					if lies.Height != 0 {
						params["height"] = strconv.FormatInt(lies.Height, 10)
					}
				}
				body, _ = json.Marshal(req)
			}
		}
		target := up
		if r.URL.RawQuery != "" || (r.URL.Path != "" && r.URL.Path != "/") {
			target = strings.TrimSuffix(up, "/") + r.URL.Path
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
		}
		resp, err := http.Post(target, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var msg map[string]any
		if json.Unmarshal(out, &msg) == nil {
			res, _ := msg["result"].(map[string]any)
			switch {
			case method == "abci_query" && res != nil && lies.Value != nil:
				if rr, ok := res["response"].(map[string]any); ok {
					rr["value"] = base64.StdEncoding.EncodeToString(lies.Value)
				}
			case method == "status" && res != nil && lies.ChainID != "":
				if ni, ok := res["node_info"].(map[string]any); ok {
					ni["network"] = lies.ChainID
				}
			case method == "commit" && res != nil && lies.AppHash != nil:
				if sh, ok := res["signed_header"].(map[string]any); ok {
					if h, ok := sh["header"].(map[string]any); ok {
						h["app_hash"] = strings.ToUpper(hex.EncodeToString(lies.AppHash))
					}
				}
			}
			out, _ = json.Marshal(msg)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
}
