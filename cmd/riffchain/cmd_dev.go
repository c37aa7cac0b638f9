package main

// riffchain dev: a single-validator development chain that behaves like a
// quiet console. CometBFT logs go to a file under the home (level error
// unless --log-level says otherwise); once the first block is committed a
// summary block goes to stderr (with -o json: one JSON object to stdout
// and nothing else); client.toml is written so the CLI reaches this node
// with the test keyring and no exports. `riffchain dev fund` funds a key.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/ledger"
)

const devKey = "dev"

// devGenesisRIFF is the dev key's genesis balance in base units
// (1,000,000,000 RIFF at 6 decimals).
const devGenesisRIFF = "1000000000000000"

// devSummaryLine is one labelled line of the dev summary block.
type devSummaryLine struct{ label, value, jsonKey string }

// devSummaryExtras add lines to the dev summary (e.g. a web address
// another file serves); a nil or empty result adds nothing.
var devSummaryExtras []func(n *app.Node) []devSummaryLine

// devFlags are dev's own flags (besides the node flags it shares with start).
type devFlags struct {
	startFlags
	chainID     string
	logLevel    string
	logFile     string
	gatewayAddr string
	webAddr     string
}

func newDevCmd() *cobra.Command {
	var f devFlags
	c := &cobra.Command{
		Use:   "dev",
		Short: "Run a single-validator development chain (initialises the home on first use)",
		Long: `dev initialises the home if it has no genesis yet (a unique chain id
riff-dev-XXXXXX unless --chain-id, one validator, 300 ms blocks, a key "dev"
in the test keyring funded with 1,000,000,000 RIFF, a content gateway), writes
HOME/config/client.toml (node = this node's RPC, keyring-backend = test) so
the CLI needs no flags or exports, then starts the node.

CometBFT's log goes to HOME/logs/dev.log at level error (--log-level info for
more, --log-file - for stdout). After the first block dev prints a summary on
stderr: RPC, gateway, the dev key and its balance, what to try next. With
-o json it prints that summary as one JSON object on stdout instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run() },
	}
	f.register(c)
	c.Flags().StringVar(&f.chainID, "chain-id", "", "chain id of a new home (default: riff-dev- and 6 random hex digits)")
	c.Flags().StringVar(&f.logLevel, "log-level", "error", "CometBFT log level (error, info, debug, or per module: consensus:info,*:error)")
	c.Flags().StringVar(&f.logFile, "log-file", "", "node log file (default HOME/logs/dev.log; - for stdout)")
	c.Flags().StringVar(&f.gatewayAddr, "gateway-laddr", "", "content gateway address, kept in app.toml (default 127.0.0.1:8080 or a free port; off to turn it off)")
	c.Flags().StringVar(&f.webAddr, "web-laddr", "", "web explorer address, kept in app.toml (default 127.0.0.1:8090 or a free port; off to turn it off)")
	c.AddCommand(newDevFundCmd())
	return c
}

func (f *devFlags) run() error {
	home := cfgHome()
	kr, err := keyring.Open(home, keyring.BackendTest, nil)
	if err != nil {
		return err
	}
	if err := f.initHome(home, kr); err != nil {
		return err
	}
	if f.gatewayAddr != "" {
		if err := setDevGateway(home, f.gatewayAddr); err != nil {
			return err
		}
	}
	if f.webAddr != "" {
		if err := setDevWeb(home, f.webAddr); err != nil { // cmd_web.go
			return err
		}
	}
	info, err := kr.Show(devKey)
	if err != nil {
		return fmt.Errorf("dev key: %w", err)
	}
	logger, logPath, closeLog, err := f.openLog(home)
	if err != nil {
		return err
	}
	defer closeLog()
	n, err := app.NewNode(home, logger, func(c *cmtcfg.Config) {
		f.edit(c)
		c.LogLevel = f.logLevel
	})
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		_ = n.Stop()
		return fmt.Errorf("%w (node log: %s)", err, logPath)
	}
	startWeb(n) // cmd_web.go
	if err := writeDevClientConfig(home, n.Config.RPC.ListenAddress); err != nil {
		_ = n.Stop()
		return err
	}
	if err := waitFirstBlock(n, 60*time.Second); err != nil {
		_ = n.Stop()
		return fmt.Errorf("%w (node log: %s)", err, logPath)
	}
	if err := printDevSummary(n, home, info.Address, logPath); err != nil {
		_ = n.Stop()
		return err
	}
	waitSignal()
	return n.Stop()
}

// initHome creates the dev home on first use.
func (f *devFlags) initHome(home string, kr *keyring.Keyring) error {
	genesis := filepath.Join(home, "config", "genesis.json")
	if _, err := os.Stat(genesis); err == nil {
		if f.chainID != "" {
			if doc, err := cmttypes.GenesisDocFromFile(genesis); err == nil && doc.ChainID != f.chainID {
				return fmt.Errorf("--chain-id %s: the home %s already holds chain %s (use a fresh --home for a new chain)", f.chainID, home, doc.ChainID)
			}
		}
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	chainID := f.chainID
	if chainID == "" {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("chain id: %w", err)
		}
		chainID = "riff-dev-" + hex.EncodeToString(b[:])
	}
	if _, err := app.InitHome(app.InitOptions{Home: home, ChainID: chainID, Moniker: "dev",
		RPCAddr: orDefault(f.rpcAddr, "tcp://127.0.0.1:26657"), P2PAddr: orDefault(f.p2pAddr, "tcp://127.0.0.1:26656"),
		TimeoutCommit: 300 * time.Millisecond}); err != nil {
		return err
	}
	info, err := kr.Show(devKey)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		info, err = kr.Add(devKey)
	}
	if err != nil {
		return err
	}
	amt, err := ledger.ParseAmount(devGenesisRIFF)
	if err != nil {
		return err
	}
	if err := app.AddGenesisBalance(home, info.Address, app.NativeAsset, amt); err != nil {
		return err
	}
	if err := initDevContent(home); err != nil { // dev serves /ipfs/ (cmd_content.go)
		return err
	}
	return initDevWeb(home) // and the explorer (cmd_web.go)
}

// openLog returns the node logger: a file under the home, or stdout.
func (f *devFlags) openLog(home string) (log.Logger, string, func(), error) {
	path := f.logFile
	if path == "-" {
		return log.NewTMLogger(log.NewSyncWriter(os.Stdout)), "stdout", func() {}, nil
	}
	if path == "" {
		path = filepath.Join(home, "logs", "dev.log")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", nil, fmt.Errorf("log folder: %w", err)
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, "", nil, fmt.Errorf("log file: %w", err)
	}
	return log.NewTMLogger(log.NewSyncWriter(file)), path, func() { _ = file.Close() }, nil
}

// setDevGateway stores the gateway address in app.toml ("off" clears it).
func setDevGateway(home, addr string) error {
	return editAppConfig(home, func(c *app.AppConfig) { c.GatewayAddr = offToEmpty(addr) })
}

// editAppConfig loads HOME/config/app.toml, lets edit change it and writes
// it back, keeping the default content folder relative to the home.
func editAppConfig(home string, edit func(*app.AppConfig)) error {
	ac, err := app.LoadAppConfig(home)
	if err != nil {
		return err
	}
	if ac.ContentDir == filepath.Join(home, "data", "content") {
		ac.ContentDir = "" // keep the default relative to the home
	}
	edit(&ac)
	return app.WriteAppConfig(home, ac)
}

func offToEmpty(addr string) string {
	if addr == "off" {
		return ""
	}
	return addr
}

// writeDevClientConfig points HOME/config/client.toml at this node and the
// test keyring (which holds the dev key), keeping the file's other settings.
func writeDevClientConfig(home, rpc string) error {
	return editClientConfig(filepath.Join(home, "config", "client.toml"), func(file *viper.Viper) {
		file.Set(flagNode, rpc)
		if file.GetString(flagBackend) == "" {
			file.Set(flagBackend, keyring.BackendTest)
		}
	})
}

// waitFirstBlock waits until the app has committed the first block (the
// block store holds the second, which CometBFT only starts once the app
// committed the first).
func waitFirstBlock(n *app.Node, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for n.CMT.BlockStore().Height() < 2 {
		if time.Now().After(deadline) {
			return fmt.Errorf("no block committed in %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// printDevSummary prints what the newcomer needs to know: where the node
// listens, the dev key and its balance, and what to try next.
func printDevSummary(n *app.Node, home string, dev ledger.Address, logPath string) error {
	rpc := n.Config.RPC.ListenAddress
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	balance := "0"
	if c, err := client.New(rpc); err == nil {
		if res, err := c.Query(ctx, "/balance/"+dev.String()+"/"+app.NativeAsset, client.QueryOpts{}); err == nil && res.Response.Code == 0 && len(res.Response.Value) > 0 {
			balance = string(res.Response.Value)
		}
	}
	amt, err := ledger.ParseAmount(balance)
	if err != nil {
		return fmt.Errorf("dev balance: %w", err)
	}
	gateway := n.App.Config.GatewayAddr
	gatewayServing := gateway != "" && dialable(gateway)
	homeFlag := ""
	if home != defaultHome() {
		homeFlag = " --home " + home
	}
	next := "riffchain" + homeFlag + " keys add alice && riffchain" + homeFlag + " dev fund alice 100"
	out := map[string]any{
		"rpc": rpc, "chain_id": n.App.ChainID(), "home": home, "height": n.CMT.BlockStore().Height(),
		"dev_key": devKey, "dev_address": dev.String(), "keyring_backend": keyring.BackendTest,
		"dev_balance": amt.String(), "dev_balance_display": baseToDisplay(amt, 6, false) + " " + app.NativeAsset,
		"gateway": gateway, "gateway_serving": gatewayServing, "log_file": logPath,
		"client_config": filepath.Join(home, "config", "client.toml"), "next": next,
	}
	var extras []devSummaryLine
	for _, fn := range devSummaryExtras {
		for _, l := range fn(n) {
			extras = append(extras, l)
			if l.jsonKey != "" {
				out[l.jsonKey] = l.value
			}
		}
	}
	if cfgOutput() == "json" {
		return emit(out)
	}
	gw := "off (riffchain dev --gateway-laddr 127.0.0.1:8080 to turn it on)"
	switch {
	case gateway != "" && gatewayServing:
		gw = "http://" + gateway + "/ipfs/CID"
	case gateway != "":
		gw = gateway + " is not serving (port taken? see the log)"
	}
	lines := []devSummaryLine{
		{label: "chain", value: n.App.ChainID()},
		{label: "RPC", value: rpc},
		{label: "gateway", value: gw},
	}
	lines = append(lines, extras...)
	lines = append(lines,
		devSummaryLine{label: "dev key", value: fmt.Sprintf("%s (%s), %s %s", devKey, dev, baseToDisplay(amt, 6, true), app.NativeAsset)},
		devSummaryLine{label: "home", value: home + " (client.toml: this node, test keyring)"},
		devSummaryLine{label: "log", value: logPath},
		devSummaryLine{label: "try", value: next},
	)
	writeSummary(os.Stderr, "riffchain dev is running; Ctrl-C stops it", lines)
	return nil
}

func writeSummary(w io.Writer, title string, lines []devSummaryLine) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l.label))
	}
	var b strings.Builder
	b.WriteString("\n" + title + "\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, l.label, l.value)
	}
	b.WriteString("\n")
	_, _ = io.WriteString(w, b.String())
}

// dialable reports whether something accepts TCP connections at addr.
func dialable(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func newDevFundCmd() *cobra.Command {
	var f txFlags
	c := &cobra.Command{
		Use:   "fund KEY|ADDRESS AMOUNT [ASSET]",
		Short: "Send RIFF (or ASSET) from the dev key to KEY, creating KEY in the test keyring if it does not exist",
		Long: `fund sends AMOUNT in display units (1.5 or 1.5RIFF is 1,500,000 base units of
RIFF, which has 6 decimals; --base-units reads whole base units) from the dev key
to KEY. A key name that is not in
the test keyring yet is created there first (its address is printed).`,
		Example: "  riffchain dev fund alice 100\n  riffchain dev fund alice 2.5RIFF\n  riffchain dev fund bob 2500 ACME-1",
		Args:    cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Set(flagBackend, keyring.BackendTest)
			kr, err := keyring.Open(cfgHome(), keyring.BackendTest, nil)
			if err != nil {
				return err
			}
			extra := map[string]any{"created": false}
			to, err := ledger.ParseAddress(args[0])
			if err != nil {
				info, serr := kr.Show(args[0])
				if errors.Is(serr, keyring.ErrKeyNotFound) {
					info, serr = kr.Add(args[0])
					extra["created"] = true
				}
				if serr != nil {
					return fmt.Errorf("key %s: %w", args[0], serr)
				}
				to, extra["key"] = info.Address, args[0]
			}
			amount, asset := splitAmountAsset(strings.Join(args[1:], " "))
			if asset == "" {
				asset = app.NativeAsset
			}
			base, err := parseAmountOf(amount, asset)
			if err != nil {
				return err
			}
			extra["address"], extra["asset"], extra["amount"] = to.String(), asset, base.String()
			extra["display"] = displayOf(base, asset, false)
			f.from = devKey
			return f.sendWith(extra, "transfer", ledger.Move{To: to, Asset: asset, Amount: &base})
		},
	}
	f.register(c)
	from := c.Flags().Lookup(flagFrom) // always the dev key
	delete(from.Annotations, cobra.BashCompOneRequiredFlag)
	from.Hidden = true
	return c
}

// waitSignal blocks until SIGINT or SIGTERM.
func waitSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
