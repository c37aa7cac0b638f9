package agreements

import (
	"fmt"

	"github.com/riffchain/riffchain/ledger"
)

// Message type names, for the app's router.
const (
	TypeSubmit           = "agreement/submit"
	TypePropose          = "agreement/propose"
	TypeAccept           = "agreement/accept"
	TypeReject           = "agreement/reject"
	TypeWithdraw         = "agreement/withdraw"
	TypeExecute          = "agreement/execute"
	TypeAttest           = "agreement/attest"
	TypeCreateCollective = "collective/create"
	TypeLeaveCollective  = "collective/leave"
)

// MsgSubmit settles an offline-signed agreement in one transaction: the
// agreement file (body, optional id, signatures). Anyone may submit it.
type MsgSubmit = File

// MsgPropose puts an agreement on the ledger for acceptance, by a party
// (the signer, whose proposal counts as its acceptance). With Escrow, the
// signer's own outgoing transfer actions are locked in the agreement's
// escrow account now and paid from there at settlement.
type MsgPropose struct {
	Body   Body `json:"body"`
	Escrow bool `json:"escrow,omitempty"`
}

// MsgAccept accepts a proposed agreement as the signer, or, with As, as a
// member of the collective party As. The last acceptance settles it.
// Accepting again once everyone has accepted retries the settlement.
type MsgAccept struct {
	ID string          `json:"id" validate:"required,lenbytes=64"`
	As *ledger.Address `json:"as,omitempty"`
}

// MsgReject rejects a proposed agreement as the signer, or votes to reject
// it as a member of the collective party As (threshold votes reject).
type MsgReject struct {
	ID        string          `json:"id" validate:"required,lenbytes=64"`
	As        *ledger.Address `json:"as,omitempty"`
	ReasonCID string          `json:"reason_cid,omitempty" validate:"omitempty,cid"`
}

// MsgWithdraw withdraws a proposal (proposer only, before settlement).
type MsgWithdraw struct {
	ID string `json:"id" validate:"required,lenbytes=64"`
}

// MsgExecute retries the settlement of a fully accepted agreement whose
// settlement failed (by any party or member of a collective party).
type MsgExecute struct {
	ID string `json:"id" validate:"required,lenbytes=64"`
}

// MsgAttest attests obligation Obligation of a settled agreement as
// fulfilled, or disputes it with the CID of a reason document. Only the
// obligation's beneficiary (or a member of a collective beneficiary).
type MsgAttest struct {
	ID         string `json:"id" validate:"required,lenbytes=64"`
	Obligation uint32 `json:"obligation"`
	Fulfilled  bool   `json:"fulfilled,omitempty"`
	Disputed   string `json:"disputed,omitempty" validate:"omitempty,cid"`
}

// MsgCreateCollective creates a k-of-n collective account.
type MsgCreateCollective struct {
	Members   []ledger.Address `json:"members"`
	Threshold uint32           `json:"threshold"`
	Name      string           `json:"name,omitempty" validate:"maxbytes=64"`
}

// MsgLeaveCollective removes the signer from a collective.
type MsgLeaveCollective struct {
	Collective ledger.Address `json:"collective"`
}

func checkID(id string) error {
	if !ValidID(id) {
		return fmt.Errorf("%w: id must be 64 lowercase hex characters", ErrUnknownAgreement)
	}
	return nil
}

// ValidID reports whether id has the form of an agreement id: 64
// lowercase hex characters (SHA-256 of the body).
func ValidID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Check runs the cheap shape rules of an agreement file / submit message
// at decoding. The body's rules, the id and the signatures are checked
// against this chain by CheckChain, which the app runs right after (and
// ExecSubmit when CheckTx did not), so they are not repeated here.
func (f *File) Check() error {
	if f.ID != "" {
		if err := checkID(f.ID); err != nil {
			return err
		}
	}
	if !validChainID(f.Body.ChainID) {
		return fmt.Errorf("%w: chain id %q", ErrWrongChain, f.Body.ChainID)
	}
	if len(f.Signatures) > MaxSignatures {
		return fmt.Errorf("%w: %d signatures, at most %d", ErrInvalidBody, len(f.Signatures), MaxSignatures)
	}
	return nil
}

// Check runs the message's stateless rules.
func (m *MsgPropose) Check() error {
	if !validChainID(m.Body.ChainID) {
		return fmt.Errorf("%w: chain id %q", ErrWrongChain, m.Body.ChainID)
	}
	return m.Body.Validate(m.Body.ChainID)
}

// Check runs the message's stateless rules.
func (m *MsgAccept) Check() error { return checkID(m.ID) }

// Check runs the message's stateless rules.
func (m *MsgReject) Check() error {
	if m.ReasonCID != "" && !validCIDShape(m.ReasonCID) {
		return fmt.Errorf("%w: reason_cid %q", ErrInvalidBody, m.ReasonCID)
	}
	return checkID(m.ID)
}

// Check runs the message's stateless rules.
func (m *MsgWithdraw) Check() error { return checkID(m.ID) }

// Check runs the message's stateless rules.
func (m *MsgExecute) Check() error { return checkID(m.ID) }

// Check runs the message's stateless rules.
func (m *MsgAttest) Check() error {
	if m.Fulfilled == (m.Disputed != "") {
		return fmt.Errorf("%w: give exactly one of fulfilled and disputed", ErrInvalidBody)
	}
	if m.Disputed != "" && !validCIDShape(m.Disputed) {
		return fmt.Errorf("%w: disputed reason CID %q", ErrInvalidBody, m.Disputed)
	}
	return checkID(m.ID)
}

// Check runs the message's stateless rules.
func (m *MsgCreateCollective) Check() error {
	n := len(m.Members)
	if n < 1 || n > MaxMembers {
		return fmt.Errorf("%w: got %d", ErrMemberCount, n)
	}
	if _, err := distinctSet(m.Members, "member", ErrDuplicateMember); err != nil {
		return err
	}
	if m.Threshold < 1 || int(m.Threshold) > n {
		return fmt.Errorf("%w: %d of %d", ErrBadThreshold, m.Threshold, n)
	}
	if !validText(m.Name, 64) {
		return fmt.Errorf("%w: name longer than 64 bytes", ErrInvalidBody)
	}
	return nil
}

// Check runs the message's stateless rules.
func (m *MsgLeaveCollective) Check() error {
	if m.Collective.IsZero() {
		return fmt.Errorf("%w: collective missing", ErrUnknownCollective)
	}
	return nil
}
