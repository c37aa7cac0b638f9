package app

// Node-side content services (package lens/content): the node opens the
// content store that app.toml names (embedded under content_dir, default
// HOME/data/content, or a kubo node at content_ipfs_api) and, when
// gateway_addr is set, serves it read-only over HTTP at /ipfs/CID (with
// Range requests). None of this touches consensus state. See
// spec/content.md, section 4.

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/riffchain/riffchain/lens/content"
)

// ContentConfig maps the operator's app.toml onto the content store's
// configuration; home fills the default folder HOME/data/content.
func ContentConfig(c AppConfig, home string) content.Config {
	dir := c.ContentDir
	if dir == "" {
		dir = filepath.Join(home, "data", "content")
	}
	return content.Config{Dir: dir, IPFSAPI: c.ContentIPFSAPI, Profile: c.ContentProfile, Offline: c.ContentOffline, MaxBytes: c.ContentMaxBytes}
}

// GatewayOptions maps app.toml's gateway keys onto the gateway's options.
func GatewayOptions(c AppConfig) content.GatewayOptions {
	return content.GatewayOptions{
		SubdomainHosts: c.GatewaySubdomainHosts,
		MaxRanges:      c.GatewayMaxRanges,
		MaxCARBytes:    c.GatewayMaxCARBytes,
		MaxConcurrent:  c.GatewayMaxConcurrent,
		RequestTimeout: c.GatewayRequestTimeout,
	}
}

// ErrGateway marks a gateway that could not start.
var ErrGateway = errors.New("content gateway")

// ServeGateway opens the content store of c and serves it at addr until
// the process ends. It returns the address actually bound (addr may use
// port 0). The listener is bound before ServeGateway returns, so a
// request made after it cannot be refused.
func ServeGateway(c content.Config, opts content.GatewayOptions, addr string) (net.Addr, error) {
	store, err := content.Open(c)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGateway, err)
	}
	h, err := content.NewGateway(store, opts)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("%w: %w", ErrGateway, err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("%w: listen %s: %w", ErrGateway, addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    content.GatewayMaxHeaderBytes,
		IdleTimeout:       2 * time.Minute,
	}
	go func() { _ = srv.Serve(l) }()
	return l.Addr(), nil
}

// startContentGateway is the node hook: with gateway_addr set it serves
// the content store. A gateway that cannot start (port taken, store
// unreadable) is logged and the node runs without it: the gateway is a
// convenience next to consensus, not part of it.
func startContentGateway(a *App) error {
	if a.Config.GatewayAddr == "" {
		return nil
	}
	cc := ContentConfig(a.Config, a.Home)
	bound, err := ServeGateway(cc, GatewayOptions(a.Config), a.Config.GatewayAddr)
	if err != nil {
		a.Logger().Error("content gateway not started", "addr", a.Config.GatewayAddr, "err", err)
		return nil
	}
	backend := cc.Dir
	if cc.IPFSAPI != "" {
		backend = cc.IPFSAPI
	}
	a.Logger().Info("content gateway serving /ipfs/", "addr", bound.String(), "store", backend)
	return nil
}
