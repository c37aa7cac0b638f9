package pools

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// Pool is a pool's stored record. Its reserves are the ledger balances of
// Account in AssetA and AssetB; its share supply is ShareAsset's supply.
type Pool struct {
	ID            string         `json:"id"`
	AssetA        string         `json:"asset_a"` // AssetA < AssetB (byte order)
	AssetB        string         `json:"asset_b"`
	FeeBps        uint32         `json:"fee_bps"`
	ShareAsset    string         `json:"share_asset"`
	Account       ledger.Address `json:"account"`
	Creator       ledger.Address `json:"creator"`
	CreatedHeight int64          `json:"created_height"`
}

// Other returns the pool's asset that is not asset, or false when asset is
// not one of its two.
func (p Pool) Other(asset string) (string, bool) {
	switch asset {
	case p.AssetA:
		return p.AssetB, true
	case p.AssetB:
		return p.AssetA, true
	}
	return "", false
}

// Has reports whether asset is one of the pool's two.
func (p Pool) Has(asset string) bool { _, ok := p.Other(asset); return ok }

// PoolInfo is the read-side view of a pool: the record plus its reserves,
// share supply and spot price.
type PoolInfo struct {
	Pool
	ReserveA    ledger.Amount `json:"reserve_a"`
	ReserveB    ledger.Amount `json:"reserve_b"`
	TotalShares ledger.Amount `json:"total_shares"`
	// PriceBA is the spot price of AssetA in units of AssetB (reserve_b /
	// reserve_a) as a reduced fraction "n/d"; PriceBAE18 is
	// floor(reserve_b*10^18/reserve_a).
	PriceBA    string `json:"price_b_per_a"`
	PriceBAE18 string `json:"price_b_per_a_e18"`
}

// Keeper executes pool messages and answers pool queries over a ledger. It
// is built per transaction (or per query, over a read-only ledger).
type Keeper struct {
	l *ledger.Ledger
}

// New returns a keeper over l.
func New(l *ledger.Ledger) *Keeper { return &Keeper{l: l} }

// Ledger returns the ledger the keeper works on.
func (k *Keeper) Ledger() *ledger.Ledger { return k.l }

// atomic runs fn on a keeper over a branch of k's state and applies the
// branch (and fn's events) only when fn succeeds, so a failing operation
// leaves no writes behind even when the caller does not drop its branch.
func (k *Keeper) atomic(fn func(*Keeper) error) error {
	br := ledger.NewBranch(k.l.KV())
	ev := &ledger.Events{}
	if err := fn(&Keeper{l: ledger.New(br, ev)}); err != nil {
		return err
	}
	if err := br.Write(); err != nil {
		return err
	}
	k.l.Events().Append(ev)
	return nil
}

func (k *Keeper) kv() ledger.KV { return k.l.KV() }

func (k *Keeper) getPool(id string) (Pool, error) {
	b, err := k.kv().Get(PoolKey(id))
	if err != nil {
		return Pool{}, err
	}
	if b == nil {
		return Pool{}, fmt.Errorf("%w: %q", ErrUnknownPool, id)
	}
	var p Pool
	if err := json.Unmarshal(b, &p); err != nil {
		return Pool{}, fmt.Errorf("%w: decode pool %s: %v", ledger.ErrStore, id, err)
	}
	return p, nil
}

func (k *Keeper) setPool(p Pool) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("%w: encode pool: %v", ledger.ErrStore, err)
	}
	return k.kv().Set(PoolKey(p.ID), b)
}

// poolCount is the number N of the last pool created: pools are POOL-1 to
// POOL-N, never deleted.
func (k *Keeper) poolCount() (uint64, error) {
	b, err := k.kv().Get(SeqKey())
	if err != nil || b == nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: pool sequence: %v", ledger.ErrStore, err)
	}
	return n, nil
}

// poolID is the id of pool number n.
func poolID(n uint64) string { return "POOL-" + strconv.FormatUint(n, 10) }

// PoolIDsAfter lists, in creation order, the ids of at most limit pools
// created after pool after ("" = from the first). Pools are numbered in
// creation order and never deleted, so a page reads one key, whatever the
// number of pools; an after that names no pool is ErrUnknownPool.
func (k *Keeper) PoolIDsAfter(after string, limit int) ([]string, error) {
	n, err := k.poolCount()
	if err != nil {
		return nil, err
	}
	var from uint64 = 1
	if after != "" {
		a := poolNum(after)
		if a == 0 || a > n || poolID(a) != after {
			return nil, fmt.Errorf("%w: %q", ErrUnknownPool, after)
		}
		from = a + 1
	}
	ids := []string{}
	for i := from; i <= n && len(ids) < limit; i++ {
		ids = append(ids, poolID(i))
	}
	return ids, nil
}

// nextPoolID allocates "POOL-N".
func (k *Keeper) nextPoolID() (string, error) {
	n, err := k.poolCount()
	if err != nil {
		return "", err
	}
	if n == ^uint64(0) {
		return "", fmt.Errorf("%w: pool sequence exhausted", ledger.ErrOverflow)
	}
	n++
	if err := k.kv().Set(SeqKey(), []byte(strconv.FormatUint(n, 10))); err != nil {
		return "", err
	}
	return poolID(n), nil
}

// state is a pool with its live reserves and share supply.
type state struct {
	Pool
	x, y, s *big.Int
}

func (st *state) reserve(asset string) *big.Int {
	if asset == st.AssetA {
		return st.x
	}
	return st.y
}

func (k *Keeper) load(id string) (*state, error) {
	p, err := k.getPool(id)
	if err != nil {
		return nil, err
	}
	return k.loadPool(p)
}

func (k *Keeper) loadPool(p Pool) (*state, error) {
	x, err := k.l.Balance(p.Account, p.AssetA)
	if err != nil {
		return nil, err
	}
	y, err := k.l.Balance(p.Account, p.AssetB)
	if err != nil {
		return nil, err
	}
	sa, err := k.l.Asset(p.ShareAsset)
	if err != nil {
		return nil, fmt.Errorf("pool %s share asset: %w", p.ID, err)
	}
	return &state{Pool: p, x: x.Big(), y: y.Big(), s: sa.Supply.Big()}, nil
}

func (st *state) info() PoolInfo {
	ra, _ := ledger.AmountFromBig(st.x)
	rb, _ := ledger.AmountFromBig(st.y)
	ts, _ := ledger.AmountFromBig(st.s)
	return PoolInfo{Pool: st.Pool, ReserveA: ra, ReserveB: rb, TotalShares: ts,
		PriceBA: Ratio(st.y, st.x), PriceBAE18: Scaled(st.y, st.x)}
}

// Pool returns pool id with its reserves, share supply and spot price, or
// ErrUnknownPool.
func (k *Keeper) Pool(id string) (PoolInfo, error) {
	st, err := k.load(id)
	if err != nil {
		return PoolInfo{}, err
	}
	return st.info(), nil
}

// PoolID returns the id of the pool for the unordered pair (a, b) and fee,
// or ErrUnknownPool.
func (k *Keeper) PoolID(a, b string, fee uint32) (string, error) {
	v, err := k.kv().Get(PairKey(a, b, fee))
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", fmt.Errorf("%w: no pool for %s/%s at %d bps", ErrUnknownPool, a, b, fee)
	}
	return string(v), nil
}

// poolNum returns N of "POOL-N" for ordering.
func poolNum(id string) uint64 {
	n, _ := strconv.ParseUint(strings.TrimPrefix(id, "POOL-"), 10, 64)
	return n
}

func sortIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool {
		ni, nj := poolNum(ids[i]), poolNum(ids[j])
		if ni != nj {
			return ni < nj
		}
		return ids[i] < ids[j]
	})
}

// poolIDs lists the ids of every pool, or of the pools holding asset when
// asset is not empty, in creation order.
func (k *Keeper) poolIDs(asset string) ([]string, error) {
	prefix := PoolsPrefix()
	if asset != "" {
		prefix = AssetPoolsPrefix(asset)
	}
	var ids []string
	err := k.kv().Iterate(prefix, ledger.PrefixEnd(prefix), func(key, _ []byte) bool {
		ids = append(ids, string(key[len(prefix):]))
		return true
	})
	if err != nil {
		return nil, err
	}
	sortIDs(ids)
	return ids, nil
}

// PoolIDs lists the ids of every pool (asset empty) or of the pools holding
// asset, in creation order, without loading them (for paging).
func (k *Keeper) PoolIDs(asset string) ([]string, error) { return k.poolIDs(asset) }

// Pools lists every pool (assetFilter empty) or every pool that holds
// assetFilter, in creation order, with reserves.
func (k *Keeper) Pools(assetFilter string) ([]PoolInfo, error) {
	ids, err := k.poolIDs(assetFilter)
	if err != nil {
		return nil, err
	}
	out := make([]PoolInfo, 0, len(ids))
	for _, id := range ids {
		info, err := k.Pool(id)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}
