package app

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"github.com/spf13/viper"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens/content"
)

// AppConfig is the node operator's riffchain settings, read from
// HOME/config/app.toml (CometBFT's own settings stay in config.toml). Each
// validator chooses these for itself; none of them affects consensus.
type AppConfig struct {
	// Mempool admission policy (CheckTx only).
	MinFees              []FeeMin `mapstructure:"min_fees"`                // per-asset minimum fee per tx; empty = free
	MaxPendingPerAccount int      `mapstructure:"max_pending_per_account"` // 0 = unlimited
	NonceWindow          int      `mapstructure:"nonce_window"`            // admit nonces up to N ahead of the next; 0 = strictly in order
	MaxTxBytes           int      `mapstructure:"max_tx_bytes"`            // 0 = protocol maximum

	// State sync snapshots.
	SnapshotInterval   int64 `mapstructure:"snapshot_interval"` // 0 = off
	SnapshotKeepRecent int   `mapstructure:"snapshot_keep_recent"`

	// State pruning: keep the newest N committed heights of the state
	// tree, delete older ones (0 = keep every height: an archive node).
	StateKeepRecent int64 `mapstructure:"state_keep_recent"`
	// Block pruning: CometBFT may drop blocks older than the newest N
	// (0 = keep every block). Snapshot heights stay.
	MinRetainBlocks int64 `mapstructure:"min_retain_blocks"`
	// StateCacheNodes is how many state tree nodes the node keeps in
	// memory (IAVL's node cache).
	StateCacheNodes int `mapstructure:"state_cache_nodes"`

	// Off-ledger content.
	ContentDir     string `mapstructure:"content_dir"`      // default HOME/data/content
	ContentIPFSAPI string `mapstructure:"content_ipfs_api"` // e.g. http://127.0.0.1:5001; empty = embedded store
	GatewayAddr    string `mapstructure:"gateway_addr"`     // e.g. 127.0.0.1:8080 serves /ipfs/CID; empty = off
	// Gateway limits and origins (0 = the default of lens/content).
	GatewaySubdomainHosts []string      `mapstructure:"gateway_subdomain_hosts"` // hosts served as CID.ipfs.HOST; default ["localhost"]
	GatewayMaxRanges      int           `mapstructure:"gateway_max_ranges"`      // byte ranges per request (416 beyond)
	GatewayMaxCARBytes    int64         `mapstructure:"gateway_max_car_bytes"`   // CAR/TAR response cap (410 up front, else cut)
	GatewayMaxConcurrent  int           `mapstructure:"gateway_max_concurrent"`  // requests served at once (429 beyond)
	GatewayRequestTimeout time.Duration `mapstructure:"gateway_request_timeout"` // longest request (504)
	ContentProfile        string        `mapstructure:"content_profile"`         // "default" (kubo --cid-version=1) or "1mib"
	ContentOffline        bool          `mapstructure:"content_ipfs_offline"`    // kubo backend: read only the node's own repository
	ContentMaxBytes       int64         `mapstructure:"content_max_bytes"`       // embedded store quota; 0 = none

	// Observability.
	MetricsAddr string `mapstructure:"metrics_addr"` // app metrics on Prometheus; empty = off

	// Web explorer and JSON API (package app/web).
	WebAddr        string   `mapstructure:"web_addr"`         // e.g. 127.0.0.1:8090; empty = off
	WebCORSOrigins []string `mapstructure:"web_cors_origins"` // origins allowed to read /api/v1 ("*" = any); empty = none
}

// FeeMin is a minimum fee in one asset: Amount per tx, or, with PerGas,
// Amount per PerGas units of the tx's declared gas limit (rounded up).
type FeeMin struct {
	Asset  string `mapstructure:"asset"`
	Amount string `mapstructure:"amount"`
	PerGas int64  `mapstructure:"per_gas"` // 0 = per tx; int64 so that a negative value is refused, not wrapped
}

// DefaultAppConfig is what init writes: free to use, snapshots every 100
// heights, no gateway.
func DefaultAppConfig() AppConfig {
	return AppConfig{SnapshotInterval: 100, SnapshotKeepRecent: 2, StateCacheNodes: ledger.DefaultCacheNodes, NonceWindow: DefaultNonceWindow,
		GatewaySubdomainHosts: []string{"localhost"}, GatewayMaxRanges: content.DefaultGatewayMaxRanges,
		GatewayMaxCARBytes: content.DefaultGatewayMaxCARBytes, GatewayMaxConcurrent: content.DefaultGatewayMaxConcurrent,
		GatewayRequestTimeout: content.DefaultGatewayRequestTimeout}
}

const appConfigTemplate = `# riffchain node settings (this node only; not consensus).

# Mempool admission policy. Minimum fee per transaction, any one of these
# assets (empty: riffchain is free to use on this node); with per_gas, the
# amount is per that many units of the tx's declared gas limit, rounded up.
# min_fees = [{ asset = "RIFF", amount = "10" }]
# min_fees = [{ asset = "RIFF", amount = "1", per_gas = 100000 }]
{{- if .MinFees}}
min_fees = [{{range $i, $f := .MinFees}}{{if $i}}, {{end}}{ asset = "{{$f.Asset}}", amount = "{{$f.Amount}}"{{if $f.PerGas}}, per_gas = {{$f.PerGas}}{{end}} }{{end}}]
{{- end}}
max_pending_per_account = {{.MaxPendingPerAccount}}
# Admit an account's nonces up to N ahead of its next one (txs sent in order
# over several connections arrive out of order); such a tx waits, left out of
# proposals, until the nonces before it arrive, at most 10 blocks. 0 = only
# the next nonce. At most 64.
nonce_window = {{.NonceWindow}}
max_tx_bytes = {{.MaxTxBytes}}

# State sync: take an IAVL snapshot every N heights (0 = off), keep the last K.
snapshot_interval = {{.SnapshotInterval}}
snapshot_keep_recent = {{.SnapshotKeepRecent}}

# State pruning: keep the state of the newest N heights (queries and proofs
# at older heights then fail with code 32), 0 = keep every height (archive).
# At least 2. Pruning never changes the app hash; a height being exported
# for a snapshot is kept until the export is done. Pruning runs in the
# background after each commit, one height per block, and costs about as
# much as writing the block (spec/state.md, "Versions"); turning it on for a
# node with a long history deletes the whole backlog first.
state_keep_recent = {{.StateKeepRecent}}

# Block pruning: let CometBFT delete blocks older than the newest N (0 = keep
# every block). Blocks from the oldest kept snapshot on are always retained
# (joiners verify headers there), and CometBFT itself keeps headers and
# commits still within the evidence age.
min_retain_blocks = {{.MinRetainBlocks}}

# State tree nodes kept in memory (IAVL's node cache; a node is a few hundred
# bytes plus its key and value, so 100000 is roughly 30-60 MB). A node that
# misses it is read from data/app.db. Raise it when the state outgrows it and
# the OS cannot keep app.db in memory: with 10,000 active accounts, 100000
# nodes starts missing (spec/benchmarks.md, session 6). A bigger cache also
# costs garbage-collector time. Never affects consensus.
state_cache_nodes = {{.StateCacheNodes}}

# Off-ledger content store.
content_dir = "{{.ContentDir}}"
content_ipfs_api = "{{.ContentIPFSAPI}}"
gateway_addr = "{{.GatewayAddr}}"
# Gateway origins: http://HOST:PORT/ipfs/CID on these hosts redirects to
# http://CID.ipfs.HOST:PORT/, each CID its own browser origin (the only
# place a stored page may run script; elsewhere pages get CSP sandbox).
gateway_subdomain_hosts = [{{range $i, $h := .GatewaySubdomainHosts}}{{if $i}}, {{end}}"{{$h}}"{{end}}]
# Gateway limits: byte ranges per request (more or overlapping: 416), CAR/TAR
# response bytes (a larger DAG: 410), requests at once (429), time per request (504).
gateway_max_ranges = {{.GatewayMaxRanges}}
gateway_max_car_bytes = {{.GatewayMaxCARBytes}}
gateway_max_concurrent = {{.GatewayMaxConcurrent}}
gateway_request_timeout = "{{.GatewayRequestTimeout}}"
# CID profile for adds: "default" (kubo --cid-version=1) or "1mib" (1 MiB chunks, 1024 links).
content_profile = "{{.ContentProfile}}"
# With content_ipfs_api: read only from that node's own repository, never the network.
content_ipfs_offline = {{.ContentOffline}}
# Embedded store quota in bytes (0 = none): an add or import that would take the
# store over it fails ("content store quota exceeded"); riffchain content gc frees space.
content_max_bytes = {{.ContentMaxBytes}}

# Prometheus metrics of the app (CometBFT's own are in config.toml [instrumentation]).
metrics_addr = "{{.MetricsAddr}}"

# Web explorer and its JSON API (/api/v1, spec/api.md): read-only pages on
# their own origin, separate from gateway_addr. Empty = off.
web_addr = "{{.WebAddr}}"
# Other origins allowed to read the JSON API from a browser (CORS), e.g.
# ["https://example.org"], or ["*"] for any. Empty: same origin only.
web_cors_origins = [{{range $i, $o := .WebCORSOrigins}}{{if $i}}, {{end}}{{printf "%q" $o}}{{end}}]
`

// WriteAppConfig writes c to HOME/config/app.toml.
func WriteAppConfig(home string, c AppConfig) error {
	t := template.Must(template.New("app").Parse(appConfigTemplate))
	var buf bytes.Buffer
	if err := t.Execute(&buf, c); err != nil {
		return fmt.Errorf("render app.toml: %w", err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "app.toml"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write app.toml: %w", err)
	}
	return nil
}

// LoadAppConfig reads HOME/config/app.toml; a missing file gives defaults.
func LoadAppConfig(home string) (AppConfig, error) {
	c := DefaultAppConfig()
	path := filepath.Join(home, "config", "app.toml")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return c, fmt.Errorf("read app.toml: %w", err)
	}
	if err := CheckConfigKeys(v, path, ConfigKeys(AppConfig{})); err != nil { // config_strict.go
		return c, err
	}
	if err := v.UnmarshalExact(&c); err != nil {
		return c, fmt.Errorf("parse app.toml: %w", err)
	}
	if c.ContentDir == "" {
		c.ContentDir = filepath.Join(home, "data", "content")
	}
	if c.MinRetainBlocks < 0 {
		return c, fmt.Errorf("app.toml: min_retain_blocks = %d: want 0 (keep all) or more", c.MinRetainBlocks)
	}
	if c.NonceWindow < 0 || c.NonceWindow > maxNonceWindow {
		return c, fmt.Errorf("app.toml: nonce_window = %d: want 0..%d (default %d)", c.NonceWindow, maxNonceWindow, DefaultNonceWindow)
	}
	if c.StateCacheNodes < 1 {
		return c, fmt.Errorf("app.toml: state_cache_nodes = %d: want at least 1 (default %d)", c.StateCacheNodes, ledger.DefaultCacheNodes)
	}
	if c.StateKeepRecent < 0 || c.StateKeepRecent == 1 {
		return c, fmt.Errorf("app.toml: state_keep_recent = %d: want 0 (keep all) or at least 2", c.StateKeepRecent)
	}
	return c, validateAppConfig(c)
}
