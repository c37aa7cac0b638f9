package lens

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// Hosts returns how many accounts announce hosting cid.
func (k *Keeper) Hosts(cid string) (uint64, error) {
	c, err := CanonicalCID(cid)
	if err != nil {
		return 0, err
	}
	return k.hostCount(c)
}

func (k *Keeper) hostCount(c string) (uint64, error) {
	b, err := k.kv.Get(HostCountKey(c))
	if err != nil || b == nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: host count of %s: %v", ledger.ErrStore, c, err)
	}
	return n, nil
}

func (k *Keeper) setHostCount(c string, n uint64) error {
	if n == 0 {
		return k.kv.Delete(HostCountKey(c))
	}
	return k.kv.Set(HostCountKey(c), []byte(u64(n)))
}

// Hosted lists the CIDs addr announces, in CID order.
func (k *Keeper) Hosted(addr ledger.Address) ([]string, error) {
	p := HostedPrefix(addr)
	var out []string
	err := k.kv.Iterate(p, ledger.PrefixEnd(p), func(key, _ []byte) bool {
		out = append(out, string(key[len(p):]))
		return true
	})
	return out, err
}

// ExecAnnounce executes MsgAnnounce: the signer hosts each CID. Announcing
// a CID already announced by the signer changes nothing. Output:
// {"announced": count of new announcements}.
func (k *Keeper) ExecAnnounce(blk ledger.Block, signer ledger.Address, m *MsgAnnounce) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	n, err := k.setHosting(blk, signer, m.CIDs, true)
	if err != nil {
		return nil, err
	}
	return ledger.Output{"announced": u64(n)}, nil
}

// ExecWithdraw executes MsgWithdraw: the signer no longer hosts each CID.
// Withdrawing a CID the signer did not announce changes nothing. Output:
// {"withdrawn": count}.
func (k *Keeper) ExecWithdraw(blk ledger.Block, signer ledger.Address, m *MsgWithdraw) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	n, err := k.setHosting(blk, signer, m.CIDs, false)
	if err != nil {
		return nil, err
	}
	return ledger.Output{"withdrawn": u64(n)}, nil
}

// setHosting records that signer hosts (host) or no longer hosts (!host)
// each of the CIDs (checked, canonicalised here): the host record, the
// signer's hosted index and the CID's host count, with a seed_announced or
// seed_withdrawn event. CIDs already in that state are skipped; it returns
// how many changed.
func (k *Keeper) setHosting(blk ledger.Block, signer ledger.Address, cids []string, host bool) (uint64, error) {
	step, event, write := inc, "seed_announced", func(c string) error {
		if err := k.kv.Set(HostKey(c, signer), []byte(strconv.FormatInt(blk.Height, 10))); err != nil {
			return err
		}
		return k.kv.Set(HostedKey(signer, c), []byte{})
	}
	if !host {
		step, event, write = dec, "seed_withdrawn", func(c string) error {
			if err := k.kv.Delete(HostKey(c, signer)); err != nil {
				return err
			}
			return k.kv.Delete(HostedKey(signer, c))
		}
	}
	n := uint64(0)
	for _, raw := range cids {
		c, _ := CanonicalCID(raw)
		exists, err := k.has(HostKey(c, signer))
		if err != nil {
			return 0, err
		}
		if exists == host {
			continue
		}
		cnt, err := k.hostCount(c)
		if err != nil {
			return 0, err
		}
		if err := step(&cnt); err != nil {
			return 0, err
		}
		if err := write(c); err != nil {
			return 0, err
		}
		if err := k.setHostCount(c, cnt); err != nil {
			return 0, err
		}
		n++
		k.ev.Emit(event, "host", signer.String(), "cid", c, "hosts", u64(cnt))
	}
	return n, nil
}

// SeedingItem is one under-seeded entry of a Lens.
type SeedingItem struct {
	Seq   uint64 `json:"seq"`
	CID   string `json:"cid"`
	Kind  string `json:"kind"`
	Title string `json:"title,omitempty"`
	Size  uint64 `json:"size,omitempty"`
	Hosts uint64 `json:"hosts"`
}

// MaxSeedingScan is how many entries one Seeding call examines at most
// (each costs a host-count read), whatever its limit: a Lens with many
// well-seeded entries is walked in pages, not in one answer.
const MaxSeedingScan = 1000

// seedingScan is MaxSeedingScan, smaller in tests.
var seedingScan = MaxSeedingScan

// seedingChunk is how many entries Seeding reads at a time.
const seedingChunk = 64

// Seeding lists a Lens's entries announced by fewer than target hosts. It
// examines entries newest first, those below seq before (0 = from the
// newest), until it has found limit (0 = no limit) or examined
// MaxSeedingScan, and returns what it found most under-seeded first (hosts
// ascending, then seq ascending) with next: the seq to pass as before to
// go on (0 = every older entry was examined).
func (k *Keeper) Seeding(handle string, target, before uint64, limit int) ([]SeedingItem, uint64, error) {
	if target == 0 || limit < 0 {
		return nil, 0, fmt.Errorf("%w: target %d limit %d", ErrBadQuery, target, limit)
	}
	if _, err := k.Lens(handle); err != nil {
		return nil, 0, err
	}
	out := []SeedingItem{}
	examined, next := 0, before
	for examined < seedingScan && (limit == 0 || len(out) < limit) && next != 1 {
		entries, err := k.Entries(handle, next, min(seedingChunk, seedingScan-examined))
		if err != nil {
			return nil, 0, err
		}
		if len(entries) == 0 {
			next = 1 // no older entries
			break
		}
		for _, e := range entries {
			if limit > 0 && len(out) == limit {
				break
			}
			examined++
			next = e.Seq
			n, err := k.hostCount(e.CID)
			if err != nil {
				return nil, 0, err
			}
			if n < target {
				out = append(out, SeedingItem{Seq: e.Seq, CID: e.CID, Kind: e.Kind, Title: e.Title, Size: e.Size, Hosts: n})
			}
		}
		if len(entries) < seedingChunk && examined < seedingScan && (limit == 0 || len(out) < limit) {
			next = 1 // the last chunk was short: nothing older
		}
	}
	if next <= 1 {
		next = 0
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Hosts != out[j].Hosts {
			return out[i].Hosts < out[j].Hosts
		}
		return out[i].Seq < out[j].Seq
	})
	return out, next, nil
}
