package lens

import "github.com/riffchain/riffchain/ledger"

// Lens is the state record of a Lens. Its owner is not stored here: it is
// the owner of the ledger item LENS/{handle} (see Info and Keeper.Owner).
type Lens struct {
	Handle         string `json:"handle"`
	Name           string `json:"name"`
	DescriptionCID string `json:"description_cid,omitempty"`
	Created        int64  `json:"created"`          // block height of creation
	NextSeq        uint64 `json:"next_seq"`         // sequence number of the next entry (first is 1)
	EntryCount     uint64 `json:"entry_count"`      // entries anchored now
	FollowCount    uint64 `json:"follow_count"`     // lenses followed now
	CIDBlocks      uint64 `json:"cid_blocks"`       // CIDs blocked now
	LensBlocks     uint64 `json:"lens_blocks"`      // lenses blocked now
	Origin         string `json:"origin,omitempty"` // "fork:SOURCE" or "import:CHAIN/HANDLE"
}

// Origin says where a forked or imported entry came from.
type Origin struct {
	Chain string `json:"chain,omitempty"` // source chain id (imports only)
	Lens  string `json:"lens"`
	Seq   uint64 `json:"seq"`
}

// Entry is content anchored by a Lens. Author is the address that signed
// the transaction that added it (kept through forks and imports).
type Entry struct {
	Lens   string          `json:"lens"`
	Seq    uint64          `json:"seq"`
	CID    string          `json:"cid"`
	Kind   string          `json:"kind"`
	Title  string          `json:"title,omitempty"`
	Tags   []string        `json:"tags,omitempty"`
	Size   uint64          `json:"size,omitempty"`
	Author ledger.Address  `json:"author"`
	Height int64           `json:"height"`
	Editor *ledger.Address `json:"editor,omitempty"`
	Edited int64           `json:"edited,omitempty"`
	Origin *Origin         `json:"origin,omitempty"`
}

// Follow is a weighted follow from Lens to Target, optionally scoped to
// entries carrying at least one of Tags.
type Follow struct {
	Lens   string   `json:"lens"`
	Target string   `json:"target"`
	Weight uint32   `json:"weight"`
	Tags   []string `json:"tags,omitempty"`
	Height int64    `json:"height"`
}

// Block is a Lens's block of a CID or of a whole other Lens (exactly one of
// CID and Target is set).
type Block struct {
	Lens   string         `json:"lens"`
	CID    string         `json:"cid,omitempty"`
	Target string         `json:"target,omitempty"`
	By     ledger.Address `json:"by"`
	Height int64          `json:"height"`
}

// Role is a role in a Lens. RoleOwner is implicit (the LENS item's owner)
// and never stored.
type Role string

// Roles, lowest to highest.
const (
	RoleNone      Role = ""
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
	RoleOwner     Role = "owner"
)

// Level orders roles: none 0, member 1, moderator 2, admin 3, owner 4; an
// unknown role is -1.
func (r Role) Level() int {
	switch r {
	case RoleNone:
		return 0
	case RoleMember:
		return 1
	case RoleModerator:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return -1
}

// grantable reports whether r may be granted (member, moderator, admin).
func (r Role) grantable() bool { l := r.Level(); return l >= 1 && l <= 3 }

// RoleGrant is a stored role. It is active only while Owner (the Lens owner
// when it was granted) still owns the Lens: a change of ownership makes every
// earlier grant inactive (see spec/lenses.md, "Roles").
type RoleGrant struct {
	Lens      string         `json:"lens"`
	Address   ledger.Address `json:"address"`
	Role      Role           `json:"role"`
	GrantedBy ledger.Address `json:"granted_by"`
	Owner     ledger.Address `json:"owner"`
	Height    int64          `json:"height"`
	Active    bool           `json:"active,omitempty"` // filled on read, never stored
}
