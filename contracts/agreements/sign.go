package agreements

import (
	"crypto/ed25519"
	"fmt"
	"strconv"

	"github.com/riffchain/riffchain/contracts/signfile"
	"github.com/riffchain/riffchain/ledger"
)

// SignDomain is the domain tag that starts every agreement's sign bytes.
const SignDomain = "riffchain/agreement/v1\n"

// MaxSignatures bounds the signatures an agreement file may carry
// (32 parties, each possibly a collective of 32 members).
const MaxSignatures = MaxParties * MaxMembers

// fileKind makes the agreement file an instance of the signed-file
// mechanism (contracts/signfile): its shape, sign bytes, signing and
// signature checks, with this module's errors and codes.
var fileKind = &signfile.Kind{
	Name: "agreement file", Domain: SignDomain, MaxSignatures: MaxSignatures,
	Invalid: ErrInvalidBody, BadSignature: ErrBadSignature, Duplicate: ErrDuplicateSignature,
}

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

// Key is the signer's public key (signfile.Signature).
func (s Signature) Key() []byte { return s.PubKey }

// Sig is the signature (signfile.Signature).
func (s Signature) Sig() []byte { return s.Signature }

// approves returns the party the signature approves for (the signer, or
// the collective it signs for) and the collective version it names (0 for
// a direct signature).
func (s *Signature) approves() (ledger.Address, uint64) {
	if s.Collective != nil {
		return *s.Collective, s.CollectiveVersion
	}
	return s.Signer, 0
}

// File is an agreement file: the body, its id (a convenience for scripts;
// checked against the body when present) and the signatures collected so
// far. It is also the message "agreement/submit" (see MsgSubmit).
type File struct {
	ID         string      `json:"id,omitempty" validate:"omitempty,lenbytes=64,hexadecimal"`
	Body       Body        `json:"body"`
	Signatures []Signature `json:"signatures" validate:"max=1024,dive"`

	// verdict is CheckChain's outcome (checkchain.go): read only by
	// ExecSubmit; every public check verifies in full.
	verdict *chainVerdict
}

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
	return fileKind.SignBytes(chainID, id, strconv.FormatUint(version, 10), party.String(), strconv.FormatUint(collectiveVersion, 10))
}

// ParseFile decodes an agreement file strictly.
func ParseFile(data []byte) (*File, error) {
	var f File
	if err := fileKind.Decode(data, &f); err != nil {
		return nil, err
	}
	if f.Signatures == nil {
		f.Signatures = []Signature{}
	}
	return &f, nil
}

// Encode returns the file as indented JSON (the on-disk form).
func (f *File) Encode() ([]byte, error) { return fileKind.Encode(f) }

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
	pub, err := fileKind.PublicKey(priv)
	if err != nil {
		return err
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
	signer := ledger.AddressFromPubKey(pub)
	party := signer
	if collective != nil {
		party = *collective
	}
	if !f.Body.isParty(party) {
		return fmt.Errorf("%w: %s", ErrNotParty, party)
	}
	same := func(s Signature, _ ed25519.PublicKey) bool {
		return s.Signer == signer && sameCollective(s.Collective, collective)
	}
	pub, sig, err := signfile.Sign(fileKind, priv, f.Signatures, same, SignBytes(f.Body.ChainID, id, f.Body.Version, party, version))
	if err != nil {
		return err
	}
	f.ID = id
	f.Signatures = append(f.Signatures, Signature{
		Signer: signer, PubKey: pub, Signature: sig,
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
// counts as approved (its transaction signature covers the body). It
// always verifies: the body for chainID, the id, and every signature.
func checkSignatures(f *File, chainID string, lookup CollectiveLookup, submitter *ledger.Address) (*Approval, error) {
	id, err := f.validFor(chainID)
	if err != nil {
		return nil, err
	}
	return f.approve(chainID, id, signfile.Ed25519, lookup, submitter)
}

// validFor checks that f's body is valid for chainID and returns its id
// (checked against f.ID when present).
func (f *File) validFor(chainID string) (string, error) {
	if err := f.Body.Validate(chainID); err != nil {
		return "", err
	}
	return f.checkID()
}

// approve reports which parties approved agreement id of f, in two steps:
// verify (with verify; nil when CheckChain already verified every
// signature for chainID and id) and tally every signature (the signed-file
// mechanism with the agreement's rules), then resolve the approvals per
// party, collectives' thresholds through lookup. A submitter that is a
// party counts as approved.
func (f *File) approve(chainID, id string, verify signfile.Verifier, lookup CollectiveLookup, submitter *ledger.Address) (*Approval, error) {
	t, err := f.verifySignatures(chainID, id, verify)
	if err != nil {
		return nil, err
	}
	if submitter != nil && f.Body.isParty(*submitter) {
		t.direct[*submitter] = true
	}
	return t.approval(id, f.Body.Parties, lookup)
}

// tally is what a file's verified signatures approve: the parties that
// signed directly and the member signatures per collective party.
type tally struct {
	direct map[ledger.Address]bool
	votes  map[ledger.Address]*CollectiveVote
}

// verifySignatures checks every signature of f for chainID and id and
// tallies them. The checks are signfile.Check's shared ones and the
// agreement's own: the key is the signer's, a member signature names a
// collective version and a direct one none, the party it approves for is
// a party of the body, and the member signatures of one collective all
// name the same version.
func (f *File) verifySignatures(chainID, id string, verify signfile.Verifier) (*tally, error) {
	t := &tally{direct: map[ledger.Address]bool{}, votes: map[ledger.Address]*CollectiveVote{}}
	what := fmt.Sprintf("chain %q, id %s, version %d", chainID, id, f.Body.Version)
	err := signfile.Check(fileKind, f.Signatures, verify, func(_ int, s Signature) (signfile.Claim, error) {
		if ledger.AddressFromPubKey(s.PubKey) != s.Signer {
			return signfile.Claim{}, fmt.Errorf("%w: pub_key does not belong to %s", ErrBadSignature, s.Signer)
		}
		party, cv := s.approves()
		if s.Collective != nil && cv == 0 {
			return signfile.Claim{}, fmt.Errorf("%w: version 0", ErrCollectiveVersion)
		}
		if s.Collective == nil && s.CollectiveVersion != 0 {
			return signfile.Claim{}, fmt.Errorf("%w: collective_version without collective", ErrInvalidBody)
		}
		if !f.Body.isParty(party) {
			return signfile.Claim{}, fmt.Errorf("%w: %s", ErrNotParty, party)
		}
		return signfile.Claim{
			Signer: s.Signer, Approval: approval{s.Signer, party},
			Message: func() []byte { return SignBytes(chainID, id, f.Body.Version, party, cv) },
			For:     what,
			Record:  func() error { return t.add(s.Signer, party, s.Collective != nil, cv) },
		}, nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// approval is what one agreement signature approves: signer's approval for
// party (itself, or a collective it is a member of).
type approval struct{ signer, party ledger.Address }

func (a approval) String() string { return a.signer.String() + " for " + a.party.String() }

// add counts signer's approval for party: a direct one, or a member's at
// collective version cv.
func (t *tally) add(signer, party ledger.Address, member bool, cv uint64) error {
	if !member {
		t.direct[party] = true
		return nil
	}
	v := t.votes[party]
	if v == nil {
		v = &CollectiveVote{Collective: party, Version: cv, Approvals: []ledger.Address{}}
		t.votes[party] = v
	}
	if v.Version != cv {
		return fmt.Errorf("%w: %s signs version %d, others %d", ErrCollectiveVersion, signer, cv, v.Version)
	}
	v.Approvals = append(v.Approvals, signer)
	return nil
}

// approval reports, in party order, which parties approved: a direct
// signature, or threshold member signatures of a collective at its current
// version (lookup; with a nil lookup collectives stay Undecided).
func (t *tally) approval(id string, parties []ledger.Address, lookup CollectiveLookup) (*Approval, error) {
	ap := &Approval{ID: id, Signed: []ledger.Address{}, Missing: []ledger.Address{}}
	for _, p := range parties {
		if t.direct[p] {
			ap.Signed = append(ap.Signed, p)
			continue
		}
		v := t.votes[p]
		if v == nil {
			ap.Missing = append(ap.Missing, p)
			continue
		}
		if lookup == nil {
			ap.Undecided = append(ap.Undecided, p)
			ap.Votes = append(ap.Votes, *v)
			continue
		}
		signed, err := v.resolve(lookup)
		if err != nil {
			return nil, err
		}
		ap.Votes = append(ap.Votes, *v)
		if signed {
			ap.Signed = append(ap.Signed, p)
		} else {
			ap.Missing = append(ap.Missing, p)
		}
	}
	return ap, nil
}

// resolve checks v against the collective's current state (version and
// membership), records its threshold and reports whether it is met.
func (v *CollectiveVote) resolve(lookup CollectiveLookup) (bool, error) {
	c, err := lookup(v.Collective)
	if err != nil {
		return false, err
	}
	if c == nil {
		return false, fmt.Errorf("%w: %s", ErrNotCollective, v.Collective)
	}
	if c.Version != v.Version {
		return false, fmt.Errorf("%w: %s is at version %d, signatures name %d", ErrCollectiveVersion, v.Collective, c.Version, v.Version)
	}
	for _, m := range v.Approvals {
		if !c.HasMember(m) {
			return false, fmt.Errorf("%w: %s is not a member of %s", ErrNotMember, m, v.Collective)
		}
	}
	v.Threshold = c.Threshold
	return uint32(len(v.Approvals)) >= c.Threshold, nil
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
