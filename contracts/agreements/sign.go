package agreements

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/riffchain/riffchain/ledger"
)

// SignDomain is the domain tag that starts every agreement's sign bytes.
const SignDomain = "riffchain/agreement/v1\n"

// MaxSignatures bounds the signatures an agreement file may carry
// (32 parties, each possibly a collective of 32 members).
const MaxSignatures = MaxParties * MaxMembers

// Signature is one party's (or one collective member's) offline approval
// of an agreement.
//
// A direct signature has Signer = a party and no Collective. A member
// signature has Signer = a member of the collective party Collective, whose
// membership version it names in CollectiveVersion.
type Signature struct {
	Signer            ledger.Address  `json:"signer"`
	PubKey            []byte          `json:"pub_key" validate:"len=32"`
	Signature         []byte          `json:"signature" validate:"len=64"`
	Collective        *ledger.Address `json:"collective,omitempty"`
	CollectiveVersion uint64          `json:"collective_version,omitempty"`
}

// File is an agreement file: the body, its id (a convenience for scripts;
// checked against the body when present) and the signatures collected so
// far. It is also the message "agreement/submit" (see MsgSubmit).
type File struct {
	ID         string      `json:"id,omitempty" validate:"omitempty,lenbytes=64,hexadecimal"`
	Body       Body        `json:"body"`
	Signatures []Signature `json:"signatures" validate:"max=1024,dive"`

	// checked is set by CheckChain once every signature verified: the
	// chain id and agreement id it checked, so that executing the same
	// decoded file (the app reuses what CheckTx decoded) neither hashes
	// the body nor verifies a signature again. A file must not be changed
	// after CheckChain.
	checked *checkedFile
}

type checkedFile struct{ chainID, id string }

// ForSubmitter returns the message submitter sends for this file: without
// the optional id and without submitter's own direct signature, since the
// transaction signature of a party that submits is its approval (the
// transaction body carries the whole agreement body and the chain id).
// The file itself is not changed.
func (f *File) ForSubmitter(submitter ledger.Address) *File {
	out := &File{Body: f.Body, Signatures: make([]Signature, 0, len(f.Signatures))}
	for _, s := range f.Signatures {
		if s.Collective == nil && s.Signer == submitter {
			continue
		}
		out.Signatures = append(out.Signatures, s)
	}
	return out
}

// SignBytes are the exact bytes an agreement signature covers:
//
//	"riffchain/agreement/v1\n" chain_id "\n" id "\n" version "\n" party "\n" collective_version
//
// with version and collective_version in decimal, party the bech32 address
// the signature approves for (the signer itself for a direct signature, the
// collective for a member signature) and collective_version 0 for a direct
// signature.
func SignBytes(chainID, id string, version uint64, party ledger.Address, collectiveVersion uint64) []byte {
	b := make([]byte, 0, len(SignDomain)+len(chainID)+len(id)+80)
	b = append(b, SignDomain...)
	b = append(b, chainID...)
	b = append(b, '\n')
	b = append(b, id...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, version, 10)
	b = append(b, '\n')
	b = append(b, party.String()...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, collectiveVersion, 10)
	return b
}

// ParseFile decodes an agreement file strictly.
func ParseFile(data []byte) (*File, error) {
	var f File
	if err := decodeStrict(data, &f); err != nil {
		return nil, fmt.Errorf("%w: agreement file: %v", ErrInvalidBody, err)
	}
	if f.Signatures == nil {
		f.Signatures = []Signature{}
	}
	return &f, nil
}

// Encode returns the file as indented JSON (the on-disk form).
func (f *File) Encode() ([]byte, error) {
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%w: encode file: %v", ErrInvalidBody, err)
	}
	return append(out, '\n'), nil
}

// checkID computes the body's id and checks it against f.ID when present.
func (f *File) checkID() (string, error) {
	id, err := f.Body.ID()
	if err != nil {
		return "", err
	}
	if f.ID != "" && f.ID != id {
		return "", fmt.Errorf("%w: file says %s, body hashes to %s", ErrIDMismatch, f.ID, id)
	}
	return id, nil
}

// Sign appends priv's direct signature to the file. The signer must be a
// party and must not have signed already. The body must be normalized (as
// Build/NewFile leave it); the signature binds its chain id, id and version.
func Sign(f *File, priv ed25519.PrivateKey) error {
	return sign(f, priv, nil, 0)
}

// SignForCollective appends priv's signature as a member of the collective
// party at membership version (the collective's current version, which the
// CLI reads from the chain).
func SignForCollective(f *File, priv ed25519.PrivateKey, collective ledger.Address, version uint64) error {
	if version == 0 {
		return fmt.Errorf("%w: collective version must be at least 1", ErrCollectiveVersion)
	}
	return sign(f, priv, &collective, version)
}

func sign(f *File, priv ed25519.PrivateKey, collective *ledger.Address, version uint64) error {
	if len(priv) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: private key has %d bytes", ErrBadSignature, len(priv))
	}
	if !validChainID(f.Body.ChainID) {
		return fmt.Errorf("%w: body chain id %q (build the file first)", ErrWrongChain, f.Body.ChainID)
	}
	if err := f.Body.Validate(f.Body.ChainID); err != nil {
		return err
	}
	id, err := f.checkID()
	if err != nil {
		return err
	}
	pub := priv.Public().(ed25519.PublicKey)
	signer := ledger.AddressFromPubKey(pub)
	party := signer
	if collective != nil {
		party = *collective
	}
	if !f.Body.isParty(party) {
		return fmt.Errorf("%w: %s", ErrNotParty, party)
	}
	for _, s := range f.Signatures {
		if s.Signer == signer && sameCollective(s.Collective, collective) {
			return fmt.Errorf("%w: %s already signed", ErrDuplicateSignature, signer)
		}
	}
	sig := ed25519.Sign(priv, SignBytes(f.Body.ChainID, id, f.Body.Version, party, version))
	f.ID = id
	f.Signatures = append(f.Signatures, Signature{
		Signer: signer, PubKey: append([]byte(nil), pub...), Signature: sig,
		Collective: collective, CollectiveVersion: version,
	})
	return nil
}

func sameCollective(a, b *ledger.Address) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// CollectiveLookup returns the current state of a collective, or nil (and
// no error) when addr is not a collective.
type CollectiveLookup func(addr ledger.Address) (*Collective, error)

// Approval is the outcome of checking a file's signatures.
type Approval struct {
	ID string `json:"id"`
	// Signed lists, in party order, the parties whose approval is complete:
	// a direct signature, or threshold member signatures of a collective.
	Signed []ledger.Address `json:"signed"`
	// Missing lists, in party order, the parties still lacking approval.
	Missing []ledger.Address `json:"missing"`
	// Undecided lists collective parties that have member signatures but
	// whose threshold could not be checked (no lookup given).
	Undecided []ledger.Address `json:"undecided,omitempty"`
	// Votes are the member signatures per collective party.
	Votes []CollectiveVote `json:"votes,omitempty"`
}

// CheckSignatures verifies every signature in f for chainID and reports
// which parties have approved. It fails on any bad, duplicate or non-party
// signature but not on missing ones. lookup resolves collectives; with a
// nil lookup (offline, in the CLI) member signatures are checked
// cryptographically and their collectives reported as Undecided.
func CheckSignatures(f *File, chainID string, lookup CollectiveLookup) (*Approval, error) {
	return checkSignatures(f, chainID, lookup, nil)
}

// CheckSubmission is CheckSignatures for a file that submitter will
// submit: a submitter that is a party counts as approved (its transaction
// signature is its approval), as at execution.
func CheckSubmission(f *File, chainID string, lookup CollectiveLookup, submitter ledger.Address) (*Approval, error) {
	return checkSignatures(f, chainID, lookup, &submitter)
}

// checkSignatures is CheckSignatures, where a submitter that is a party
// counts as approved (its transaction signature covers the body), and a
// file CheckChain already checked for chainID skips the body checks and the
// signature verification it did.
func checkSignatures(f *File, chainID string, lookup CollectiveLookup, submitter *ledger.Address) (*Approval, error) {
	var id string
	verified := f.checked != nil && f.checked.chainID == chainID
	if verified {
		id = f.checked.id
	} else {
		if err := f.Body.Validate(chainID); err != nil {
			return nil, err
		}
		var err error
		if id, err = f.checkID(); err != nil {
			return nil, err
		}
	}
	if len(f.Signatures) > MaxSignatures {
		return nil, fmt.Errorf("%w: %d signatures, at most %d", ErrInvalidBody, len(f.Signatures), MaxSignatures)
	}
	direct := map[ledger.Address]bool{}
	votes := map[ledger.Address]*CollectiveVote{}
	type pair struct{ signer, coll ledger.Address }
	seen := map[pair]bool{}
	for i, s := range f.Signatures {
		if len(s.PubKey) != ed25519.PublicKeySize || len(s.Signature) != ed25519.SignatureSize {
			return nil, fmt.Errorf("signature %d: %w: key or signature length", i, ErrBadSignature)
		}
		if ledger.AddressFromPubKey(s.PubKey) != s.Signer {
			return nil, fmt.Errorf("signature %d: %w: pub_key does not belong to %s", i, ErrBadSignature, s.Signer)
		}
		party := s.Signer
		var cv uint64
		if s.Collective != nil {
			party = *s.Collective
			cv = s.CollectiveVersion
			if cv == 0 {
				return nil, fmt.Errorf("signature %d: %w: version 0", i, ErrCollectiveVersion)
			}
		} else if s.CollectiveVersion != 0 {
			return nil, fmt.Errorf("signature %d: %w: collective_version without collective", i, ErrInvalidBody)
		}
		if !f.Body.isParty(party) {
			return nil, fmt.Errorf("signature %d: %w: %s", i, ErrNotParty, party)
		}
		p := pair{s.Signer, party}
		if seen[p] {
			return nil, fmt.Errorf("signature %d: %w: %s for %s", i, ErrDuplicateSignature, s.Signer, party)
		}
		seen[p] = true
		if !verified && !verifySig(s.PubKey, SignBytes(chainID, id, f.Body.Version, party, cv), s.Signature) {
			return nil, fmt.Errorf("signature %d: %w: by %s does not verify for chain %q, id %s, version %d",
				i, ErrBadSignature, s.Signer, chainID, id, f.Body.Version)
		}
		if s.Collective == nil {
			direct[party] = true
			continue
		}
		v := votes[party]
		if v == nil {
			v = &CollectiveVote{Collective: party, Version: cv, Approvals: []ledger.Address{}}
			votes[party] = v
		}
		if v.Version != cv {
			return nil, fmt.Errorf("signature %d: %w: %s signs version %d, others %d", i, ErrCollectiveVersion, s.Signer, cv, v.Version)
		}
		v.Approvals = append(v.Approvals, s.Signer)
	}
	if submitter != nil && f.Body.isParty(*submitter) {
		direct[*submitter] = true
	}
	ap := &Approval{ID: id, Signed: []ledger.Address{}, Missing: []ledger.Address{}}
	for _, p := range f.Body.Parties {
		if direct[p] {
			ap.Signed = append(ap.Signed, p)
			continue
		}
		v := votes[p]
		if v == nil {
			ap.Missing = append(ap.Missing, p)
			continue
		}
		if lookup == nil {
			ap.Undecided = append(ap.Undecided, p)
			ap.Votes = append(ap.Votes, *v)
			continue
		}
		c, err := lookup(p)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, fmt.Errorf("%w: %s", ErrNotCollective, p)
		}
		if c.Version != v.Version {
			return nil, fmt.Errorf("%w: %s is at version %d, signatures name %d", ErrCollectiveVersion, p, c.Version, v.Version)
		}
		for _, m := range v.Approvals {
			if !c.HasMember(m) {
				return nil, fmt.Errorf("%w: %s is not a member of %s", ErrNotMember, m, p)
			}
		}
		v.Threshold = c.Threshold
		ap.Votes = append(ap.Votes, *v)
		if uint32(len(v.Approvals)) >= c.Threshold {
			ap.Signed = append(ap.Signed, p)
		} else {
			ap.Missing = append(ap.Missing, p)
		}
	}
	return ap, nil
}

// VerifySignatures checks that f is completely and correctly signed for
// chainID: every signature verifies, comes from a party (or a member of a
// collective party, at its current version), none is duplicated, and every
// party has approved (collectives by threshold member signatures). With a
// nil lookup, collective parties with member signatures are accepted
// without a threshold check (the chain checks it at submission).
func VerifySignatures(f *File, chainID string, lookup CollectiveLookup) error {
	ap, err := CheckSignatures(f, chainID, lookup)
	if err != nil {
		return err
	}
	if len(ap.Missing) > 0 {
		return fmt.Errorf("%w: %d of %d parties have not signed, first %s", ErrMissingSignature, len(ap.Missing), len(f.Body.Parties), ap.Missing[0])
	}
	return nil
}
