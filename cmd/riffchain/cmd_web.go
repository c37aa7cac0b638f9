package main

// The web explorer (package app/web) next to a running node: started by
// start and dev when app.toml sets web_addr; dev turns it on for a new
// home.

import (
	"net"

	"github.com/cometbft/cometbft/rpc/client/local"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/web"
)

func init() {
	devSummaryExtras = append(devSummaryExtras, devWebSummary)
}

// devWebSummary is the explorer's line of the dev summary.
func devWebSummary(n *app.Node) []devSummaryLine {
	addr := n.App.Config.WebAddr
	if addr == "" {
		return nil
	}
	v := "http://" + addr + "/"
	if !dialable(addr) {
		v = addr + " is not serving (port taken? see the log)"
	}
	return []devSummaryLine{{label: "web", value: v, jsonKey: "web"}}
}

// startWeb serves the explorer over the node's in-process RPC client when
// web_addr is set, and returns its URL ("" when off). An explorer that
// cannot start is logged and the node runs without it.
func startWeb(n *app.Node) string {
	c := n.App.Config
	if c.WebAddr == "" {
		return ""
	}
	srv, err := web.New(local.New(n.CMT), web.Config{ChainID: n.App.ChainID(), GatewayAddr: c.GatewayAddr, CORSOrigins: c.WebCORSOrigins})
	if err == nil {
		var addr net.Addr
		if addr, err = web.Serve(c.WebAddr, srv.Handler()); err == nil {
			n.App.Logger().Info("web explorer", "url", "http://"+addr.String())
			return "http://" + addr.String()
		}
	}
	n.App.Logger().Error("web explorer not started", "addr", c.WebAddr, "err", err)
	return ""
}

// devWebAddr is the explorer address a new dev home gets: 127.0.0.1:8090
// when that port is free, else a free loopback port.
func devWebAddr() string { return loopbackAddr("127.0.0.1:8090") }

// loopbackAddr is preferred when it is free to listen on, else a free
// loopback port.
func loopbackAddr(preferred string) string {
	if l, err := net.Listen("tcp", preferred); err == nil {
		_ = l.Close()
		return preferred
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return preferred
	}
	defer l.Close()
	return l.Addr().String()
}

// initDevWeb turns the explorer on in a new dev home's app.toml.
func initDevWeb(home string) error { return setDevWeb(home, devWebAddr()) }

// setDevWeb stores the explorer address in app.toml ("off" clears it).
func setDevWeb(home, addr string) error {
	return editAppConfig(home, func(c *app.AppConfig) { c.WebAddr = offToEmpty(addr) })
}
