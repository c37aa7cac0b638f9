package app

import (
	"net"
	"net/url"
	"strings"

	cmtcfg "github.com/cometbft/cometbft/config"
)

// SetP2PPolicy writes the peer-to-peer settings an operator must review
// (spec/network.md "Peer-to-peer settings"): a strict address book (no
// private or unroutable addresses learnt from peers, so dials cannot be
// steered at the operator's own network) and at most one peer per IP (an
// eclipse or Sybil attack needs many machines), unless loopback says the
// whole network runs on this one machine (localnet, testnet, or a join of
// a loopback network from a loopback listener), where every peer is
// 127.0.0.1 and both must be relaxed.
func SetP2PPolicy(cfg *cmtcfg.Config, loopback bool) {
	cfg.P2P.AddrBookStrict = !loopback
	cfg.P2P.AllowDuplicateIP = loopback
}

// IsLoopbackAddr says whether addr (tcp://host:port, host:port,
// id@host:port or a URL) names a loopback host (127.0.0.0/8, ::1,
// localhost).
func IsLoopbackAddr(addr string) bool {
	s := addr
	if i := strings.Index(s, "://"); i >= 0 {
		if u, err := url.Parse(strings.Replace(s, "tcp://", "http://", 1)); err == nil {
			s = u.Host
		} else {
			s = s[i+3:]
		}
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	host := s
	if h, _, err := net.SplitHostPort(s); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
