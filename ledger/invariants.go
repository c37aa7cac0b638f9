package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// CheckInvariants verifies, over the whole state, that:
//   - every asset's supply equals the sum of its holders' balances;
//   - every unique item has exactly one owner, whose owner index entry and
//     item count agree with it;
//   - balances and the holder index mirror each other, and every amount is
//     a canonical, positive decimal within 2^128-1.
//
// Tests run it after every step; a violation is wrapped in ErrInvariant.
func CheckInvariants(r Reader) error {
	l := New(ReadOnly(r), nil)
	var assets []Asset
	var derr error
	err := r.Iterate([]byte(prefixAsset), PrefixEnd([]byte(prefixAsset)), func(_, v []byte) bool {
		var a Asset
		if derr = json.Unmarshal(v, &a); derr != nil {
			return false
		}
		assets = append(assets, a)
		return true
	})
	if err != nil {
		return err
	}
	if derr != nil {
		return fmt.Errorf("%w: asset record: %v", ErrInvariant, derr)
	}
	for _, a := range assets {
		sum := Amount{}
		var serr error
		prefix := HoldersPrefix(a.ID)
		err := r.Iterate(prefix, PrefixEnd(prefix), func(k, v []byte) bool {
			amt, perr := ParseAmount(string(v))
			if perr != nil || amt.IsZero() {
				serr = fmt.Errorf("%w: holder entry %x of %s holds %q", ErrInvariant, k, a.ID, v)
				return false
			}
			var addr Address
			copy(addr[:], k[len(prefix):])
			mirror, gerr := r.Get(BalanceKey(addr, a.ID))
			if gerr != nil || !bytes.Equal(mirror, v) {
				serr = fmt.Errorf("%w: balance of %s in %s is %q, holder index says %q", ErrInvariant, addr, a.ID, mirror, v)
				return false
			}
			sum, perr = sum.Add(amt)
			if perr != nil {
				serr = fmt.Errorf("%w: sum of %s balances overflows", ErrInvariant, a.ID)
				return false
			}
			return true
		})
		if err != nil {
			return err
		}
		if serr != nil {
			return serr
		}
		if sum.Cmp(a.Supply) != 0 {
			return fmt.Errorf("%w: %s supply %s, balances sum to %s", ErrInvariant, a.ID, a.Supply, sum)
		}
		if a.MaxSupply != nil && a.Supply.Cmp(*a.MaxSupply) > 0 {
			return fmt.Errorf("%w: %s supply %s above max %s", ErrInvariant, a.ID, a.Supply, a.MaxSupply)
		}
		if a.Kind == Unique {
			if err := checkItems(r, l, a); err != nil {
				return err
			}
		}
	}
	// Every balance has its holder mirror.
	var berr error
	err = r.Iterate([]byte(prefixBalance), PrefixEnd([]byte(prefixBalance)), func(k, v []byte) bool {
		rest := k[len(prefixBalance):]
		if len(rest) <= AddressLen {
			berr = fmt.Errorf("%w: malformed balance key %x", ErrInvariant, k)
			return false
		}
		var addr Address
		copy(addr[:], rest[:AddressLen])
		h, gerr := r.Get(HolderKey(string(rest[AddressLen:]), addr))
		if gerr != nil || !bytes.Equal(h, v) {
			berr = fmt.Errorf("%w: balance %x has no matching holder entry", ErrInvariant, k)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	return berr
}

func checkItems(r Reader, l *Ledger, a Asset) error {
	count := map[Address]uint64{}
	var n uint64
	var ierr error
	prefix := ItemsPrefix(a.ID)
	err := r.Iterate(prefix, PrefixEnd(prefix), func(_, v []byte) bool {
		var it Item
		if err := json.Unmarshal(v, &it); err != nil {
			ierr = fmt.Errorf("%w: item record: %v", ErrInvariant, err)
			return false
		}
		idx, err := r.Get(OwnedKey(it.Owner, a.ID, it.ID))
		if err != nil || idx == nil {
			ierr = fmt.Errorf("%w: item %s/%s owner %s has no index entry", ErrInvariant, a.ID, it.ID, it.Owner)
			return false
		}
		count[it.Owner]++
		n++
		return true
	})
	if err != nil {
		return err
	}
	if ierr != nil {
		return ierr
	}
	if NewAmount(n).Cmp(a.Supply) != 0 {
		return fmt.Errorf("%w: %s has %d items, supply %s", ErrInvariant, a.ID, n, a.Supply)
	}
	for owner, c := range count {
		bal, err := l.Balance(owner, a.ID)
		if err != nil {
			return err
		}
		if bal.Cmp(NewAmount(c)) != 0 {
			return fmt.Errorf("%w: %s owns %d items of %s, balance says %s", ErrInvariant, owner, c, a.ID, bal)
		}
		items, err := l.OwnedItems(owner, a.ID, "", 0)
		if err != nil {
			return err
		}
		if uint64(len(items)) != c {
			return fmt.Errorf("%w: %s owner index lists %d items of %s, owns %d", ErrInvariant, owner, len(items), a.ID, c)
		}
	}
	return nil
}
