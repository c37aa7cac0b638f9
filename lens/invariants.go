package lens

import (
	"bytes"

	"fmt"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// CheckInvariants verifies, over the whole state, that for every Lens:
//   - its record's counters equal the entries, follows and blocks stored;
//   - every entry sits under its own seq, below next_seq, and the CID index
//     maps exactly the entries' CIDs to their seqs;
//   - every follow targets an existing other Lens with a weight in 1..1e6;
//
// and that every host count equals the number of hosts recorded for that
// CID, each mirrored by the host's index entry. Violations wrap
// ledger.ErrInvariant. Tests run it (with ledger.CheckInvariants) after
// every step.
func CheckInvariants(r ledger.Reader) error {
	k := NewReader(r)
	lenses, err := k.Lenses("", 0)
	if err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: lens: %s", ledger.ErrInvariant, fmt.Sprintf(format, args...))
	}
	for _, l := range lenses {
		h := l.Handle
		entries, err := k.Entries(h, 0, 0)
		if err != nil {
			return err
		}
		if uint64(len(entries)) != l.EntryCount {
			return bad("%s has %d entries, record says %d", h, len(entries), l.EntryCount)
		}
		for _, e := range entries {
			if e.Lens != h || e.Seq == 0 || e.Seq >= l.NextSeq {
				return bad("%s entry %d (lens %q) out of range, next %d", h, e.Seq, e.Lens, l.NextSeq)
			}
			idx, err := r.Get(CIDIndexKey(h, e.CID))
			if err != nil {
				return err
			}
			if string(idx) != u64(e.Seq) {
				return bad("%s cid index of %s is %q, entry seq %d", h, e.CID, idx, e.Seq)
			}
		}
		n := 0
		p := CIDIndexPrefix(h)
		if err := r.Iterate(p, ledger.PrefixEnd(p), func(_, _ []byte) bool { n++; return true }); err != nil {
			return err
		}
		if n != len(entries) {
			return bad("%s cid index has %d keys, %d entries", h, n, len(entries))
		}
		follows, err := k.Follows(h)
		if err != nil {
			return err
		}
		if uint64(len(follows)) != l.FollowCount {
			return bad("%s has %d follows, record says %d", h, len(follows), l.FollowCount)
		}
		for _, f := range follows {
			ok, err := k.has(LensKey(f.Target))
			if err != nil {
				return err
			}
			if !ok || f.Target == h || f.Lens != h || checkWeight(f.Weight) != nil {
				return bad("%s follow %+v", h, f)
			}
		}
		blocks, err := k.Blocks(h)
		if err != nil {
			return err
		}
		var nc, nl uint64
		for _, b := range blocks {
			if b.CID != "" {
				nc++
			} else {
				nl++
			}
		}
		if nc != l.CIDBlocks || nl != l.LensBlocks {
			return bad("%s blocks %d cids %d lenses, record says %d %d", h, nc, nl, l.CIDBlocks, l.LensBlocks)
		}
	}
	// Host counts.
	counts := map[string]uint64{}
	var order []string
	var ierr error
	hp := []byte(prefixHost)
	err = r.Iterate(hp, ledger.PrefixEnd(hp), func(key, _ []byte) bool {
		rest := key[len(hp):]
		if len(rest) < ledger.AddressLen+2 || rest[len(rest)-ledger.AddressLen-1] != '/' {
			ierr = bad("malformed host key %x", key)
			return false
		}
		c := string(rest[:len(rest)-ledger.AddressLen-1])
		var a ledger.Address
		copy(a[:], rest[len(rest)-ledger.AddressLen:])
		mirror, err := r.Get(HostedKey(a, c))
		if err != nil || mirror == nil {
			ierr = bad("host %s of %s has no index entry", a, c)
			return false
		}
		if counts[c] == 0 {
			order = append(order, c)
		}
		counts[c]++
		return true
	})
	if err != nil {
		return err
	}
	if ierr != nil {
		return ierr
	}
	for _, c := range order {
		b, err := r.Get(HostCountKey(c))
		if err != nil {
			return err
		}
		if !bytes.Equal(b, []byte(strconv.FormatUint(counts[c], 10))) {
			return bad("host count of %s is %q, %d hosts", c, b, counts[c])
		}
	}
	np := []byte(prefixHostCnt)
	total := 0
	if err := r.Iterate(np, ledger.PrefixEnd(np), func(_, _ []byte) bool { total++; return true }); err != nil {
		return err
	}
	if total != len(order) {
		return bad("%d host counts for %d hosted CIDs", total, len(order))
	}
	return nil
}
