package pools

import (
	"fmt"
	"math/big"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// fungible returns asset id's definition, failing with ledger.ErrUnknownAsset
// or ledger.ErrWrongAssetKind.
func (k *Keeper) fungible(id string) (ledger.Asset, error) {
	a, err := k.l.Asset(id)
	if err != nil {
		return a, err
	}
	if a.Kind != ledger.Fungible {
		return a, fmt.Errorf("%w: %s is %s; pools hold fungible assets only", ledger.ErrWrongAssetKind, id, a.Kind)
	}
	return a, nil
}

func (k *Keeper) emitReserves(typ string, st *state, kv ...string) error {
	fresh, err := k.loadPool(st.Pool)
	if err != nil {
		return err
	}
	kv = append(kv, "reserve_a", fresh.x.String(), "reserve_b", fresh.y.String(), "total_shares", fresh.s.String())
	k.l.Events().Emit(typ, kv...)
	return nil
}

// ExecCreate executes MsgCreate: it creates the pool, its share asset and
// the first deposit. Output: "pool_id", "shares" (the signer's, after the
// locked MinimumLiquidity), "share_asset", "account".
func (k *Keeper) ExecCreate(blk ledger.Block, signer ledger.Address, m *MsgCreate) (ledger.Output, error) {
	return k.execAtomic(blk, m, 0, func(t *Keeper) (ledger.Output, error) {
		return t.create(blk, signer, m)
	}, "create pool %s/%s", m.AssetA, m.AssetB)
}

// execAtomic is the shared body of the liquidity messages: m's stateless
// checks, then the expiry height (0: none), then op on a branch of state
// (see atomic); a failure of op is wrapped with the context
// fmt.Sprintf(format, args...).
func (k *Keeper) execAtomic(blk ledger.Block, m interface{ Check() error }, expiry int64,
	op func(t *Keeper) (ledger.Output, error), format string, args ...any) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	if err := checkExpiry(blk, expiry); err != nil {
		return nil, err
	}
	var out ledger.Output
	err := k.atomic(func(t *Keeper) error {
		var err error
		out, err = op(t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf(format+": %w", append(args, err)...)
	}
	return out, nil
}

func (k *Keeper) create(blk ledger.Block, signer ledger.Address, m *MsgCreate) (ledger.Output, error) {
	a, da := m.AssetA, m.AmountA
	b, db := m.AssetB, m.AmountB
	if b < a {
		a, b, da, db = b, a, db, da
	}
	defA, err := k.fungible(a)
	if err != nil {
		return nil, err
	}
	defB, err := k.fungible(b)
	if err != nil {
		return nil, err
	}
	existing, err := k.kv().Get(PairKey(a, b, m.FeeBps))
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return nil, fmt.Errorf("%w: %s at %d bps is %s", ErrPoolExists, a+"/"+b, m.FeeBps, existing)
	}
	id, err := k.nextPoolID()
	if err != nil {
		return nil, err
	}
	acct := PoolAccount(id)
	if signer == acct {
		return nil, fmt.Errorf("%w: signer is the pool account", ledger.ErrSelfTransfer)
	}
	shareID, err := k.l.NextAssetID("LP")
	if err != nil {
		return nil, err
	}
	err = k.l.CreateAsset(ledger.Asset{ID: shareID, Kind: ledger.Fungible, Symbol: "LP",
		Name: id + " liquidity shares", Decimals: (defA.Decimals + defB.Decimals) / 2, Issuer: acct})
	if err != nil {
		return nil, err
	}
	p := Pool{ID: id, AssetA: a, AssetB: b, FeeBps: m.FeeBps, ShareAsset: shareID,
		Account: acct, Creator: signer, CreatedHeight: blk.Height}
	if err := k.l.Transfer(signer, acct, a, da); err != nil {
		return nil, fmt.Errorf("deposit %s: %w", a, err)
	}
	if err := k.l.Transfer(signer, acct, b, db); err != nil {
		return nil, fmt.Errorf("deposit %s: %w", b, err)
	}
	// Reserves are the account's balances: anything sent to the address
	// before creation counts towards the first deposit.
	st, err := k.loadPool(p)
	if err != nil {
		return nil, err
	}
	total := InitialShares(st.x, st.y)
	if total.Cmp(bigMinL) <= 0 {
		return nil, fmt.Errorf("%w: sqrt(%s*%s) = %s, must exceed %d", ErrInsufficientLiquidity, st.x, st.y, total, MinimumLiquidity)
	}
	mine, err := amt("shares", new(big.Int).Sub(total, bigMinL))
	if err != nil {
		return nil, err
	}
	if err := k.l.Mint(shareID, acct, ledger.NewAmount(MinimumLiquidity)); err != nil {
		return nil, err
	}
	if err := k.l.Mint(shareID, signer, mine); err != nil {
		return nil, err
	}
	if err := k.setPool(p); err != nil {
		return nil, err
	}
	if err := k.kv().Set(PairKey(a, b, m.FeeBps), []byte(id)); err != nil {
		return nil, err
	}
	for _, key := range [][]byte{AssetPoolKey(a, id), AssetPoolKey(b, id)} {
		if err := k.kv().Set(key, []byte{}); err != nil {
			return nil, err
		}
	}
	err = k.emitReserves("pool_created", st, "pool", id, "asset_a", a, "asset_b", b,
		"fee_bps", strconv.FormatUint(uint64(m.FeeBps), 10), "share_asset", shareID,
		"account", acct.String(), "creator", signer.String(),
		"amount_a", da.String(), "amount_b", db.String(), "shares", mine.String())
	if err != nil {
		return nil, err
	}
	return ledger.Output{"pool_id": id, "shares": mine.String(), "share_asset": shareID, "account": acct.String()}, nil
}

// ExecAdd executes MsgAdd. Output: "amount_a", "amount_b" (taken), "shares"
// (minted), "pool_id", "asset_a", "asset_b".
func (k *Keeper) ExecAdd(blk ledger.Block, signer ledger.Address, m *MsgAdd) (ledger.Output, error) {
	return k.execAtomic(blk, m, m.Expiry, func(t *Keeper) (ledger.Output, error) {
		return t.add(signer, m)
	}, "add liquidity to %s", m.Pool)
}

func (k *Keeper) add(signer ledger.Address, m *MsgAdd) (ledger.Output, error) {
	st, err := k.load(m.Pool)
	if err != nil {
		return nil, err
	}
	if st.x.Sign() == 0 || st.y.Sign() == 0 || st.s.Sign() == 0 {
		return nil, fmt.Errorf("%w: pool is empty", ErrInsufficientLiquidity)
	}
	shares, ax, ay := DepositShares(m.AmountA.Big(), m.AmountB.Big(), st.x, st.y, st.s)
	if shares.Sign() == 0 {
		return nil, fmt.Errorf("%w: deposit mints no shares", ErrZeroAmount)
	}
	if shares.Cmp(m.MinShares.Big()) < 0 {
		return nil, fmt.Errorf("%w: %s shares, min_shares %s", ErrSlippage, shares, m.MinShares)
	}
	sh, err := amt("shares", shares)
	if err != nil {
		return nil, err
	}
	amtA, err := amt("amount_a", ax)
	if err != nil {
		return nil, err
	}
	amtB, err := amt("amount_b", ay)
	if err != nil {
		return nil, err
	}
	if err := k.l.Transfer(signer, st.Account, st.AssetA, amtA); err != nil {
		return nil, fmt.Errorf("deposit %s: %w", st.AssetA, err)
	}
	if err := k.l.Transfer(signer, st.Account, st.AssetB, amtB); err != nil {
		return nil, fmt.Errorf("deposit %s: %w", st.AssetB, err)
	}
	if err := k.l.Mint(st.ShareAsset, signer, sh); err != nil {
		return nil, err
	}
	err = k.emitReserves("pool_add", st, "pool", st.ID, "provider", signer.String(),
		"amount_a", amtA.String(), "amount_b", amtB.String(), "shares", sh.String())
	if err != nil {
		return nil, err
	}
	return ledger.Output{"pool_id": st.ID, "asset_a": st.AssetA, "asset_b": st.AssetB,
		"amount_a": amtA.String(), "amount_b": amtB.String(), "shares": sh.String()}, nil
}

// ExecRemove executes MsgRemove. Output: "amount_a", "amount_b" (paid out),
// "shares" (burned), "pool_id", "asset_a", "asset_b".
func (k *Keeper) ExecRemove(blk ledger.Block, signer ledger.Address, m *MsgRemove) (ledger.Output, error) {
	return k.execAtomic(blk, m, m.Expiry, func(t *Keeper) (ledger.Output, error) {
		return t.remove(signer, m)
	}, "remove liquidity from %s", m.Pool)
}

func (k *Keeper) remove(signer ledger.Address, m *MsgRemove) (ledger.Output, error) {
	st, err := k.load(m.Pool)
	if err != nil {
		return nil, err
	}
	if signer == st.Account {
		return nil, fmt.Errorf("%w: the locked shares cannot be removed", ErrInsufficientShares)
	}
	held, err := k.l.Balance(signer, st.ShareAsset)
	if err != nil {
		return nil, err
	}
	if held.Cmp(m.Shares) < 0 {
		return nil, fmt.Errorf("%w: hold %s of %s, burning %s", ErrInsufficientShares, held, st.ShareAsset, m.Shares)
	}
	if m.Shares.Big().Cmp(st.s) >= 0 { // unreachable while MinimumLiquidity is locked
		return nil, fmt.Errorf("%w: cannot burn the whole supply", ErrInsufficientLiquidity)
	}
	ax, ay := WithdrawAmounts(m.Shares.Big(), st.x, st.y, st.s)
	if ax.Sign() == 0 || ay.Sign() == 0 {
		return nil, fmt.Errorf("%w: %s shares pay %s and %s", ErrZeroAmount, m.Shares, ax, ay)
	}
	if ax.Cmp(m.MinAmountA.Big()) < 0 || ay.Cmp(m.MinAmountB.Big()) < 0 {
		return nil, fmt.Errorf("%w: pays %s %s and %s %s, min %s and %s", ErrSlippage,
			ax, st.AssetA, ay, st.AssetB, m.MinAmountA, m.MinAmountB)
	}
	amtA, err := amt("amount_a", ax)
	if err != nil {
		return nil, err
	}
	amtB, err := amt("amount_b", ay)
	if err != nil {
		return nil, err
	}
	if err := k.l.Burn(st.ShareAsset, signer, m.Shares); err != nil {
		return nil, err
	}
	if err := k.l.Transfer(st.Account, signer, st.AssetA, amtA); err != nil {
		return nil, err
	}
	if err := k.l.Transfer(st.Account, signer, st.AssetB, amtB); err != nil {
		return nil, err
	}
	err = k.emitReserves("pool_remove", st, "pool", st.ID, "provider", signer.String(),
		"amount_a", amtA.String(), "amount_b", amtB.String(), "shares", m.Shares.String())
	if err != nil {
		return nil, err
	}
	return ledger.Output{"pool_id": st.ID, "asset_a": st.AssetA, "asset_b": st.AssetB,
		"amount_a": amtA.String(), "amount_b": amtB.String(), "shares": m.Shares.String()}, nil
}
