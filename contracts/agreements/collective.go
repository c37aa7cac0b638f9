package agreements

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// MaxMembers bounds a collective's size.
const MaxMembers = 32

// currentCollective returns addr's current collective state, or nil when
// addr is not a collective. It is the keeper's CollectiveLookup.
func (k *Keeper) currentCollective(addr ledger.Address) (*Collective, error) {
	var c Collective
	ok, err := ledger.GetJSON(k.kv, CollectiveKey(addr), &c)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

// existingCollective is currentCollective for an address that must be a
// collective (ErrUnknownCollective otherwise).
func (k *Keeper) existingCollective(addr ledger.Address) (*Collective, error) {
	c, err := k.currentCollective(addr)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownCollective, addr)
	}
	return c, nil
}

func (k *Keeper) saveCollective(c *Collective, action string) error {
	b, err := ledger.SetJSON(k.kv, CollectiveKey(c.Address), c)
	if err != nil {
		return err
	}
	if err := k.kv.Set(CollectiveVersionKey(c.Address, c.Version), b); err != nil {
		return err
	}
	k.events.EmitAttrs("collective",
		ledger.Attr{Key: "address", Value: c.Address.String(), Index: true},
		ledger.Attr{Key: "version", Value: strconv.FormatUint(c.Version, 10), Index: true},
		ledger.Attr{Key: "action", Value: action, Index: true})
	k.events.EmitBlockAttrs("collective_state", // full state with the block, as agreement_state
		ledger.Attr{Key: "address", Value: c.Address.String()},
		ledger.Attr{Key: "version", Value: strconv.FormatUint(c.Version, 10)},
		ledger.Attr{Key: "action", Value: action},
		ledger.Attr{Key: "state", Value: string(b)})
	return nil
}

func (k *Keeper) nextCollectiveSeq() (uint64, error) {
	b, err := k.kv.Get([]byte(keyCollectiveSeq))
	if err != nil {
		return 0, err
	}
	var n uint64
	if b != nil {
		n, err = strconv.ParseUint(string(b), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: collective sequence: %v", ledger.ErrStore, err)
		}
	}
	n++
	return n, k.kv.Set([]byte(keyCollectiveSeq), []byte(strconv.FormatUint(n, 10)))
}

// nextCollectiveAddress returns the address of the next collective: that of
// the next sequence number, skipping any address already listed as a member
// of a collective. Collective addresses are predictable, so one could be
// made a member before its collective exists; skipping it keeps "a
// collective is never a member of another" whatever address was predicted.
// Each skip costs one metered read, and an attacker one member slot of a
// collective it had to create.
func (k *Keeper) nextCollectiveAddress() (ledger.Address, error) {
	for {
		seq, err := k.nextCollectiveSeq()
		if err != nil {
			return ledger.Address{}, err
		}
		addr := CollectiveAddress(seq)
		member, err := k.isMemberAnywhere(addr)
		if err != nil || !member {
			return addr, err
		}
	}
}

// isMemberAnywhere reports whether a is a current member of any collective.
func (k *Keeper) isMemberAnywhere(a ledger.Address) (bool, error) {
	p := MemberIndexPrefix(a)
	found := false
	err := k.kv.Iterate(p, ledger.PrefixEnd(p), func(_, _ []byte) bool {
		found = true
		return false
	})
	return found, err
}

// notCollective refuses a collective acting as a member of another (say
// through its own collective exec). With nextCollectiveAddress no
// collective can be a member; this holds the rule for state written before
// that check, and whatever else may name one.
func (k *Keeper) notCollective(member ledger.Address) error {
	c, err := k.currentCollective(member)
	if err != nil {
		return err
	}
	if c != nil {
		return fmt.Errorf("%w: %s is a collective and cannot act as a member of another", ErrNestedCollective, member)
	}
	return nil
}

// ExecCreateCollective executes "collective/create": a new k-of-n
// collective at version 1 whose address is derived from a global sequence
// (returned as "collective").
func (k *Keeper) ExecCreateCollective(blk ledger.Block, signer ledger.Address, m *MsgCreateCollective) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	members := append([]ledger.Address(nil), m.Members...)
	sort.Slice(members, func(i, j int) bool { return bytes.Compare(members[i][:], members[j][:]) < 0 })
	for _, a := range members {
		c, err := k.currentCollective(a)
		if err != nil {
			return nil, err
		}
		if c != nil {
			return nil, fmt.Errorf("%w: %s", ErrNestedCollective, a)
		}
	}
	addr, err := k.nextCollectiveAddress()
	if err != nil {
		return nil, err
	}
	if existing, err := k.currentCollective(addr); err != nil {
		return nil, err
	} else if existing != nil {
		return nil, fmt.Errorf("%w: collective %s already exists", ledger.ErrStore, addr)
	}
	c := &Collective{Address: addr, Name: m.Name, Members: members, Threshold: m.Threshold, Version: 1,
		Creator: signer, CreatedHeight: blk.Height, UpdatedHeight: blk.Height}
	for _, a := range members {
		if err := k.kv.Set(MemberIndexKey(a, addr), []byte{}); err != nil {
			return nil, err
		}
	}
	if err := k.saveCollective(c, "create"); err != nil {
		return nil, err
	}
	return ledger.Output{"collective": addr.String(), "version": "1", "threshold": strconv.FormatUint(uint64(c.Threshold), 10)}, nil
}

// ExecLeaveCollective executes "collective/leave": the signer leaves; the
// version goes up by one and, if the threshold would exceed the remaining
// members, it is lowered to their number. The last member cannot leave
// (the collective's holdings would be locked for ever).
func (k *Keeper) ExecLeaveCollective(blk ledger.Block, signer ledger.Address, m *MsgLeaveCollective) (ledger.Output, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	c, err := k.existingCollective(m.Collective)
	if err != nil {
		return nil, err
	}
	if !c.HasMember(signer) {
		return nil, fmt.Errorf("%w: %s of %s", ErrNotMember, signer, c.Address)
	}
	if len(c.Members) == 1 {
		return nil, fmt.Errorf("%w: %s", ErrLastMember, c.Address)
	}
	c.Members = removeAddr(c.Members, signer)
	if int(c.Threshold) > len(c.Members) {
		c.Threshold = uint32(len(c.Members))
	}
	c.Version++
	c.UpdatedHeight = blk.Height
	if err := k.kv.Delete(MemberIndexKey(signer, c.Address)); err != nil {
		return nil, err
	}
	if err := k.saveCollective(c, "leave"); err != nil {
		return nil, err
	}
	return ledger.Output{"collective": c.Address.String(), "version": strconv.FormatUint(c.Version, 10),
		"threshold": strconv.FormatUint(uint64(c.Threshold), 10)}, nil
}
