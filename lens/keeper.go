package lens

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// Keeper executes Lens messages and answers Lens queries over one ledger
// view: a transaction's branch (New) or a committed snapshot (NewReader).
type Keeper struct {
	l  *ledger.Ledger
	kv ledger.KV
	ev *ledger.Events
	// roleIndex is the node-local roles index (role_index.go); nil: none.
	roleIndex ledger.KV
}

// New returns a Keeper over l's store and event collector.
func New(l *ledger.Ledger) *Keeper { return &Keeper{l: l, kv: l.KV(), ev: l.Events()} }

// NewReader returns a read-only Keeper over r (such as a committed
// snapshot), for queries.
func NewReader(r ledger.Reader) *Keeper { return New(ledger.New(ledger.ReadOnly(r), nil)) }

func (k *Keeper) getJSON(key []byte, v any) (bool, error) { return ledger.GetJSON(k.kv, key, v) }

func (k *Keeper) setJSON(key []byte, v any) error {
	_, err := ledger.SetJSON(k.kv, key, v)
	return err
}

func (k *Keeper) has(key []byte) (bool, error) {
	b, err := k.kv.Get(key)
	return b != nil, err
}

// lens returns the Lens record or ErrUnknownLens.
func (k *Keeper) lens(handle string) (Lens, error) {
	var rec Lens
	ok, err := k.getJSON(LensKey(handle), &rec)
	if err != nil {
		return Lens{}, err
	}
	if !ok {
		return Lens{}, fmt.Errorf("%w: %q", ErrUnknownLens, handle)
	}
	return rec, nil
}

func (k *Keeper) putLens(rec Lens) error { return k.setJSON(LensKey(rec.Handle), rec) }

// Owner returns the current owner of a Lens: the owner of its LENS item.
// ok is false when the item has been burned (the Lens is then frozen).
func (k *Keeper) Owner(handle string) (owner ledger.Address, ok bool, err error) {
	it, err := k.l.Item(AssetID, handle)
	if errors.Is(err, ledger.ErrUnknownItem) {
		return ledger.Address{}, false, nil
	}
	if err != nil {
		return ledger.Address{}, false, err
	}
	return it.Owner, true, nil
}

// RoleOf returns addr's effective role in a Lens: RoleOwner for the owner,
// the stored role when it was granted under the current owner, else
// RoleNone.
func (k *Keeper) RoleOf(handle string, addr ledger.Address) (Role, error) {
	owner, ok, err := k.Owner(handle)
	if err != nil {
		return RoleNone, err
	}
	if !ok {
		return RoleNone, nil
	}
	if owner == addr {
		return RoleOwner, nil
	}
	var g RoleGrant
	found, err := k.getJSON(RoleKey(handle, addr), &g)
	if err != nil {
		return RoleNone, err
	}
	if !found || g.Owner != owner {
		return RoleNone, nil
	}
	return g.Role, nil
}

// require checks that signer holds at least role min in the Lens; below it
// fails with errNo wrapped.
func (k *Keeper) require(handle string, signer ledger.Address, min Role, errNo error) (Role, error) {
	r, err := k.RoleOf(handle, signer)
	if err != nil {
		return RoleNone, err
	}
	if r.Level() < min.Level() {
		have := string(r)
		if have == "" {
			have = "none"
		}
		return r, fmt.Errorf("%w: %s needs %s in lens %q, has %s", errNo, signer, min, handle, have)
	}
	return r, nil
}

// authLens loads the Lens handle and checks that signer holds at least min
// there (errNo when not), in that order.
func (k *Keeper) authLens(handle string, signer ledger.Address, min Role, errNo error) (Lens, Role, error) {
	rec, err := k.lens(handle)
	if err != nil {
		return Lens{}, RoleNone, err
	}
	r, err := k.require(handle, signer, min, errNo)
	if err != nil {
		return Lens{}, r, err
	}
	return rec, r, nil
}

// ensureRegistry creates the LENS unique class on first use.
func (k *Keeper) ensureRegistry() error {
	a, err := k.l.Asset(AssetID)
	if errors.Is(err, ledger.ErrUnknownAsset) {
		return k.l.CreateAsset(ledger.Asset{ID: AssetID, Kind: ledger.Unique, Symbol: AssetID,
			Name: "Lens", Issuer: RegistryAddress})
	}
	if err != nil {
		return err
	}
	if a.Kind != ledger.Unique || a.Issuer != RegistryAddress {
		return fmt.Errorf("%w: kind %s issuer %s", ErrRegistry, a.Kind, a.Issuer)
	}
	return nil
}

// createLens registers rec (Handle, Name, DescriptionCID, Origin set by the
// caller) owned by owner and mints its LENS item.
func (k *Keeper) createLens(blk ledger.Block, owner ledger.Address, rec Lens) (Lens, error) {
	exists, err := k.has(LensKey(rec.Handle))
	if err != nil {
		return Lens{}, err
	}
	if exists {
		return Lens{}, fmt.Errorf("%w: %q", ErrDuplicateHandle, rec.Handle)
	}
	if err := k.ensureRegistry(); err != nil {
		return Lens{}, err
	}
	if err := k.l.MintItem(AssetID, rec.Handle, owner, rec.DescriptionCID); err != nil {
		if errors.Is(err, ledger.ErrItemExists) {
			return Lens{}, fmt.Errorf("%w: %q: %v", ErrDuplicateHandle, rec.Handle, err)
		}
		return Lens{}, err
	}
	rec.Created = blk.Height
	if rec.NextSeq == 0 {
		rec.NextSeq = 1
	}
	if err := k.putLens(rec); err != nil {
		return Lens{}, err
	}
	k.ev.Emit("lens_created", "lens", rec.Handle, "owner", owner.String(), "origin", rec.Origin)
	return rec, nil
}

func u64(n uint64) string { return strconv.FormatUint(n, 10) }

func inc(n *uint64) error {
	if *n == ^uint64(0) {
		return fmt.Errorf("%w: counter", ledger.ErrOverflow)
	}
	*n++
	return nil
}

func dec(n *uint64) error {
	if *n == 0 {
		return fmt.Errorf("%w: counter below zero", ledger.ErrInvariant)
	}
	*n--
	return nil
}
