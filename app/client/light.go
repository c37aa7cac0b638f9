package client

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightdb "github.com/cometbft/cometbft/light/store/db"
)

// Light-client errors.
var (
	ErrTrustOptions = errors.New("invalid trust options")
	// ErrLightClient wraps a header the light client could not verify from
	// the trusted one (forged, conflicting, or unavailable); it also wraps
	// ErrHeaderInvalid so callers treat it as an untrustworthy answer.
	ErrLightClient = fmt.Errorf("%w: light client", ErrHeaderInvalid)
)

// DefaultTrustPeriod is how long a trusted header stays usable as a root
// of trust when no period is given (CometBFT's default).
const DefaultTrustPeriod = 168 * time.Hour

// LightOptions say which header to trust and where headers come from.
type LightOptions struct {
	ChainID     string        // "" = take it from the primary's status (checked through the trusted hash)
	TrustHeight int64         // a height whose header hash the user trusts
	TrustHash   []byte        // that header's hash
	TrustPeriod time.Duration // 0 = DefaultTrustPeriod
	Primary     string        // RPC address headers come from
	Witnesses   []string      // RPC addresses headers are cross-checked with; none = the primary alone
}

// ParseTrustHash decodes a header hash given in hex.
func ParseTrustHash(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("%w: trust hash %q is not 32 bytes of hex", ErrTrustOptions, s)
	}
	return b, nil
}

// LightVerifier gives app hashes from headers that CometBFT's light client
// verified, starting from a trusted height and hash, fetching headers from
// a primary and cross-checking them with witnesses. It implements
// RootSource.
type LightVerifier struct {
	lc        *light.Client
	rpc       *Client   // the primary, for waiting on heights
	witnesses []*Client // for the newest height they know
	log       *incidentLog
}

// NewLightVerifier fetches and checks the trusted header (its hash must be
// TrustHash, and every witness must agree) and returns a verifier.
func NewLightVerifier(ctx context.Context, o LightOptions) (*LightVerifier, error) {
	if o.TrustHeight <= 0 || len(o.TrustHash) != 32 {
		return nil, fmt.Errorf("%w: need a trust height and a 32-byte trust hash", ErrTrustOptions)
	}
	if o.TrustPeriod <= 0 {
		o.TrustPeriod = DefaultTrustPeriod
	}
	primary, err := New(o.Primary)
	if err != nil {
		return nil, err
	}
	if o.ChainID == "" {
		if o.ChainID, err = primary.ChainID(ctx); err != nil {
			return nil, err
		}
	}
	witnessAddrs := o.Witnesses
	if len(witnessAddrs) == 0 {
		witnessAddrs = []string{o.Primary}
	}
	pp, err := lighthttp.New(o.ChainID, rpcURL(o.Primary))
	if err != nil {
		return nil, fmt.Errorf("light provider %s: %w", o.Primary, err)
	}
	var ws []provider.Provider
	for _, w := range witnessAddrs {
		p, err := lighthttp.New(o.ChainID, rpcURL(w))
		if err != nil {
			return nil, fmt.Errorf("light provider %s: %w", w, err)
		}
		ws = append(ws, p)
	}
	il := &incidentLog{}
	lc, err := light.NewClient(ctx, o.ChainID,
		light.TrustOptions{Period: o.TrustPeriod, Height: o.TrustHeight, Hash: o.TrustHash},
		pp, ws, lightdb.New(dbm.NewMemDB(), "riffchain"),
		light.Logger(il), light.MaxRetryAttempts(3))
	if err != nil {
		return nil, fmt.Errorf("%w: trusted header %d: %v%s", ErrLightClient, o.TrustHeight, err, il.summary())
	}
	primary.chainID = o.ChainID
	v := &LightVerifier{lc: lc, rpc: primary, log: il}
	for _, w := range o.Witnesses {
		wc, err := New(w)
		if err != nil {
			return nil, err
		}
		v.witnesses = append(v.witnesses, wc)
	}
	return v, nil
}

func rpcURL(addr string) string {
	if strings.HasPrefix(addr, "tcp://") {
		return "http://" + strings.TrimPrefix(addr, "tcp://")
	}
	if !strings.Contains(addr, "://") {
		return "http://" + addr
	}
	return addr
}

// RootFor returns the app hash committing to the state after stateHeight,
// from the header at stateHeight+1 as verified by the light client. It
// waits up to 30 s for that header to exist.
func (v *LightVerifier) RootFor(ctx context.Context, stateHeight int64) (*VerifiedRoot, error) {
	h := stateHeight + 1
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := v.rpc.RPC.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= h {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: header %d not available", ErrTimeout, h)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	lb, err := v.lc.VerifyLightBlockAtHeight(ctx, h, time.Now())
	if err != nil {
		return nil, fmt.Errorf("%w: header %d: %v%s", ErrLightClient, h, err, v.log.summary())
	}
	return &VerifiedRoot{Height: h, AppHash: lb.AppHash, Hash: lb.Hash()}, nil
}

// LatestHeight is the newest block height the primary or any witness
// reports, so that a primary holding back new blocks cannot pass off old
// state as the latest while a witness knows better.
func (v *LightVerifier) LatestHeight(ctx context.Context) (int64, error) {
	latest, err := v.rpc.LatestHeight(ctx)
	if err != nil {
		return 0, err
	}
	for _, w := range v.witnesses {
		if h, err := w.LatestHeight(ctx); err == nil && h > latest {
			latest = h
		}
	}
	return latest, nil
}

// Incidents lists what the light client reported about misbehaving
// providers (dropped witnesses, replaced primary, conflicting headers).
func (v *LightVerifier) Incidents() []string { return v.log.list() }

// RootSource gives app hashes the caller can trust: *Client checks a
// header's commit against the validator set the node itself names;
// *LightVerifier verifies the header from a trusted one.
type RootSource interface {
	RootFor(ctx context.Context, stateHeight int64) (*VerifiedRoot, error)
}

// incidentLog is the light client's logger: it keeps the messages that
// report a misbehaving provider and drops the rest.
type incidentLog struct {
	mu  sync.Mutex
	msg []string
}

func (l *incidentLog) record(msg string, kv []any) {
	m := strings.ToLower(msg)
	for _, word := range []string{"remov", "replac", "attack", "conflict", "invalid", "diverg", "bad"} {
		if strings.Contains(m, word) {
			s := msg
			for i := 0; i+1 < len(kv); i += 2 {
				s += fmt.Sprintf(" %v=%v", kv[i], kv[i+1])
			}
			l.mu.Lock()
			l.msg = append(l.msg, s)
			l.mu.Unlock()
			return
		}
	}
}

func (l *incidentLog) Debug(msg string, kv ...any) { l.record(msg, kv) }
func (l *incidentLog) Info(msg string, kv ...any)  { l.record(msg, kv) }
func (l *incidentLog) Error(msg string, kv ...any) { l.record(msg, kv) }
func (l *incidentLog) With(...any) log.Logger      { return l }

func (l *incidentLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msg...)
}

func (l *incidentLog) summary() string {
	list := l.list()
	if len(list) == 0 {
		return ""
	}
	return " (" + strings.Join(list, "; ") + ")"
}
