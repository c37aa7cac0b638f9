package verify

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	ics23 "github.com/cosmos/ics23/go"
)

// What the explorer's pages ask the verifier (in the browser, through
// cmd/verifywasm): is what this page shows, as a person reads it, proven at
// the height it names? The page sends the text of each value it shows;
// the verifier reads the values from the proofs, writes them as the page
// would (format.go) and compares. Nothing the node put in the page other
// than visible text and the rows' references is believed.

// Light is the answer of /api/v1/light/HEIGHT: the signed header and the
// validator set of that height, protobuf-encoded, base64.
type Light struct {
	ChainID      string `json:"chain_id"`
	Height       int64  `json:"height"`
	SignedHeader string `json:"signed_header"`
	Validators   string `json:"validators"`
}

// Decode returns the protobuf messages of l.
func (l *Light) Decode() (*cmtproto.SignedHeader, *cmtproto.ValidatorSet, error) {
	shb, err := base64.StdEncoding.DecodeString(l.SignedHeader)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: signed_header: %v", ErrHeader, err)
	}
	vb, err := base64.StdEncoding.DecodeString(l.Validators)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: validators: %v", ErrHeader, err)
	}
	var sh cmtproto.SignedHeader
	if err := sh.Unmarshal(shb); err != nil {
		return nil, nil, fmt.Errorf("%w: signed_header: %v", ErrHeader, err)
	}
	var vals cmtproto.ValidatorSet
	if err := vals.Unmarshal(vb); err != nil {
		return nil, nil, fmt.Errorf("%w: validators: %v", ErrHeader, err)
	}
	return &sh, &vals, nil
}

// ProofJSON is the proof of one query as the explorer's API gives it
// (?prove=true): the state keys (hex) and ICS-23 proofs (base64).
type ProofJSON struct {
	Path   string `json:"path"`
	Height int64  `json:"height"`
	Ops    []struct {
		Type string `json:"type"`
		Key  string `json:"key"`
		Data string `json:"data"`
	} `json:"ops"`
}

// Request is one page's question to the verifier.
type Request struct {
	ChainID string `json:"chain_id"`
	// Height is the state height the page shows; the header that commits
	// to it is Light (height Height+1).
	Height int64 `json:"height"`
	Light  Light `json:"light"`
	// TrustedValidators, when set, is the hex validators hash the browser
	// pinned for this chain: the header must name it.
	TrustedValidators string `json:"trusted_validators,omitempty"`
	// Proofs are the answer's proofs (?prove=true), as the API gives them.
	Proofs []ProofJSON `json:"proofs"`
	// Page is the page's path as the browser's address bar has it
	// (/account/ADDR, /asset/ID, /agreement/ID, /lens/HANDLE, /pool/ID):
	// whose balances, which asset, ... The node does not choose it.
	Page string `json:"page"`
	// Claims are the values the page shows, as text (see Claim).
	Claims []Claim `json:"claims"`
}

// Claim is one thing a page shows: a record or one row of a list, and
// the visible text of each of its fields. Kinds and their fields are in
// the kinds table (spec/api.md "What the page verifies").
type Claim struct {
	// El names the element the verdict is marked on.
	El   string `json:"el"`
	Kind string `json:"kind"`
	// Ref says which record a row is when its visible text does not (an
	// agreement id, "LENS/SEQ" of an entry, an obligation or history
	// index).
	Ref string `json:"ref,omitempty"`
	// Shown maps each field to its visible text ("" or absent: nothing).
	Shown map[string]string `json:"shown"`
}

// Mark is the verdict on one claim.
type Mark struct {
	El       string `json:"el"`
	Verified bool   `json:"verified"`
	Error    string `json:"error,omitempty"`
	// Wrong maps each field whose text is not what is proven to the
	// proven text.
	Wrong map[string]string `json:"wrong,omitempty"`
}

// Result is the verifier's verdict on a page.
type Result struct {
	Verified          bool   `json:"verified"`
	Error             string `json:"error,omitempty"`
	Height            int64  `json:"height"`
	AppHash           string `json:"app_hash,omitempty"`
	ValidatorsHash    string `json:"validators_hash,omitempty"`
	Claims            int    `json:"claims"`
	HeaderVerified    bool   `json:"header_verified"`
	ValidatorsTrusted bool   `json:"validators_trusted"`
	Marks             []Mark `json:"marks"`
}

// MaxClaims bounds the claims one page may ask about.
const MaxClaims = 1000

// Check answers a page's request: the header at Height+1 is committed by
// its validator set (the pinned one, when pinned); each claim's fields
// read as the values proven at Height against that header's app hash;
// and lists whose length the proven records fix show every row.
func Check(req *Request) Result {
	res := Result{Height: req.Height, Claims: len(req.Claims), Marks: []Mark{}}
	fail := func(err error) Result {
		res.Error = err.Error()
		return res
	}
	sh, vals, err := req.Light.Decode()
	if err != nil {
		return fail(err)
	}
	if sh.Header == nil || sh.Header.Height != req.Height+1 {
		return fail(fmt.Errorf("%w: header is not for height %d", ErrHeader, req.Height+1))
	}
	if err := Commit(req.ChainID, sh, vals); err != nil {
		return fail(err)
	}
	res.HeaderVerified = true
	res.AppHash = hex.EncodeToString(sh.Header.AppHash)
	res.ValidatorsHash = hex.EncodeToString(sh.Header.ValidatorsHash)
	if req.TrustedValidators != "" {
		if req.TrustedValidators != res.ValidatorsHash {
			return fail(fmt.Errorf("%w: validators %s are not the pinned %s", ErrHeader, res.ValidatorsHash, req.TrustedValidators))
		}
		res.ValidatorsTrusted = true
	}
	if len(req.Claims) == 0 || len(req.Claims) > MaxClaims {
		return fail(fmt.Errorf("%w: %d claims, want 1..%d", ErrAnswer, len(req.Claims), MaxClaims))
	}
	page, subject, err := parsePage(req.Page)
	if err != nil {
		return fail(err)
	}
	c := &checker{root: sh.Header.AppHash, ops: map[string]ProofOp{}, seen: map[string]provenKV{}, subject: subject}
	for _, p := range req.Proofs {
		if p.Height != req.Height {
			return fail(fmt.Errorf("%w: a proof is at height %d, the page at %d", ErrAnswer, p.Height, req.Height))
		}
		for _, o := range p.Ops {
			k, err := hex.DecodeString(o.Key)
			if err != nil {
				return fail(fmt.Errorf("%w: proof key: %v", ErrProof, err))
			}
			d, err := base64.StdEncoding.DecodeString(o.Data)
			if err != nil {
				return fail(fmt.Errorf("%w: proof data: %v", ErrProof, err))
			}
			c.ops[string(k)] = ProofOp{Key: k, Data: d}
		}
	}
	var first error
	counts := map[string]int{}
	for i := range req.Claims {
		cl := &req.Claims[i]
		m := c.mark(page, cl)
		if !m.Verified && first == nil {
			first = fmt.Errorf("%s", m.Error)
		}
		counts[cl.Kind]++
		res.Marks = append(res.Marks, m)
	}
	if first == nil {
		first = c.complete(page, counts)
	}
	if first != nil {
		return fail(first)
	}
	res.Verified = true
	return res
}

// CheckJSON is Check over JSON text (what the browser passes).
func CheckJSON(in string) string {
	var req Request
	var res Result
	if err := json.Unmarshal([]byte(in), &req); err != nil {
		res.Error = fmt.Sprintf("%v: request: %v", ErrAnswer, err)
	} else {
		res = Check(&req)
	}
	b, _ := json.Marshal(res)
	return string(b)
}

// parsePage splits a page path into its kind and subject.
func parsePage(p string) (page, subject string, err error) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(parts) != 2 || parts[1] == "" {
		return "", "", fmt.Errorf("%w: page %q shows nothing to verify", ErrAnswer, p)
	}
	s, err := url.PathUnescape(parts[1])
	if err != nil {
		return "", "", fmt.Errorf("%w: page %q: %v", ErrAnswer, p, err)
	}
	return parts[0], s, nil
}

// checker reads proven values for one page.
type checker struct {
	root    []byte
	ops     map[string]ProofOp
	seen    map[string]provenKV
	subject string // the page's address, asset, agreement id, Lens handle or pool id
}

type provenKV struct {
	value  []byte
	exists bool
	err    error
}

// proven is the value of key proven against the app hash (exists=false:
// proven absent). what names the key in errors.
func (c *checker) proven(key []byte, what string) ([]byte, bool, error) {
	if p, ok := c.seen[string(key)]; ok {
		return p.value, p.exists, p.err
	}
	v, exists, err := c.prove(key, what)
	c.seen[string(key)] = provenKV{v, exists, err}
	return v, exists, err
}

func (c *checker) prove(key []byte, what string) ([]byte, bool, error) {
	op, ok := c.ops[string(key)]
	if !ok {
		return nil, false, fmt.Errorf("%w: no proof of %s", ErrAnswer, what)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(op.Data); err != nil {
		return nil, false, fmt.Errorf("%w: decode the proof of %s: %v", ErrProof, what, err)
	}
	if ex := p.GetExist(); ex != nil {
		if !ics23.VerifyMembership(ics23.IavlSpec, c.root, &p, key, ex.Value) {
			return nil, false, fmt.Errorf("%w: %s is not proven", ErrProof, what)
		}
		return append([]byte{}, ex.Value...), true, nil
	}
	if !ics23.VerifyNonMembership(ics23.IavlSpec, c.root, &p, key) {
		return nil, false, fmt.Errorf("%w: %s is not proven absent", ErrProof, what)
	}
	return nil, false, nil
}

// record decodes the proven JSON record at key into out; exists=false when
// it is proven absent.
func (c *checker) record(key []byte, what string, out any) (bool, error) {
	v, exists, err := c.proven(key, what)
	if err != nil || !exists {
		return exists, err
	}
	if err := json.Unmarshal(v, out); err != nil {
		return true, fmt.Errorf("%w: %s: %v", ErrProof, what, err)
	}
	return true, nil
}

// must is record for a record the page cannot show without.
func (c *checker) must(key []byte, what string, out any) error {
	ok, err := c.record(key, what, out)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s is proven not to exist", ErrAnswer, what)
	}
	return err
}

// decimals are asset's decimals from its proven definition (known=false:
// proven undefined).
func (c *checker) decimals(asset string) (uint8, bool, error) {
	var a struct {
		Decimals uint8 `json:"decimals"`
	}
	ok, err := c.record(AssetKey(asset), "the definition of "+asset, &a)
	return a.Decimals, ok, err
}

// amount writes a proven base-unit amount of asset as the page does.
func (c *checker) amount(base, asset string) (string, error) {
	d, known, err := c.decimals(asset)
	if err != nil {
		return "", err
	}
	return AmountText(base, asset, d, known), nil
}

// balance is address's proven balance of asset in base units ("0" when
// proven absent).
func (c *checker) balance(address, asset string) (string, error) {
	key, err := BalanceKey(address, asset)
	if err != nil {
		return "", err
	}
	v, ok, err := c.proven(key, "the "+asset+" balance of "+address)
	if err != nil || !ok {
		return "0", err
	}
	return string(v), nil
}

// mark checks one claim: every field it shows reads as proven.
func (c *checker) mark(page string, cl *Claim) Mark {
	m := Mark{El: cl.El}
	k, ok := kinds[cl.Kind]
	if !ok || k.page != page {
		m.Error = fmt.Sprintf("%v: a %q claim on a %s page", ErrAnswer, cl.Kind, page)
		return m
	}
	want, err := k.expect(c, cl)
	if err != nil {
		m.Error = err.Error()
		return m
	}
	names := make([]string, 0, len(want)+len(cl.Shown))
	for n := range want {
		names = append(names, n)
	}
	for n := range cl.Shown {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, known := want[n]
		shown := cl.Shown[n]
		if !known {
			m.Error = fmt.Sprintf("%v: a %s has no field %q", ErrAnswer, cl.Kind, n)
			return m
		}
		if normalize(shown) != normalize(w) {
			if m.Wrong == nil {
				m.Wrong = map[string]string{}
				m.Error = fmt.Sprintf("%v: the page shows %s %q, the proof says %q", ErrAnswer, n, normalize(shown), normalize(w))
			}
			m.Wrong[n] = w
		}
	}
	m.Verified = m.Wrong == nil
	return m
}

// normalize is text as a person reads it: runs of white space are one.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// complete checks that lists whose length a proven record fixes show
// every row.
func (c *checker) complete(page string, counts map[string]int) error {
	check := func(kind string, n uint64, what string) error {
		if uint64(counts[kind]) != n {
			return fmt.Errorf("%w: the page shows %d of the %d %s", ErrAnswer, counts[kind], n, what)
		}
		return nil
	}
	switch page {
	case "agreement":
		var r agreementRecord
		if err := c.must(AgreementKey(c.subject), "the agreement record", &r); err != nil {
			return err
		}
		for _, e := range []error{
			check("party", uint64(len(r.Parties)), "parties"),
			check("obligation", uint64(len(r.Obligations)), "obligations"),
			check("event", uint64(len(r.History)), "history steps"),
		} {
			if e != nil {
				return e
			}
		}
	case "lens":
		var l lensRecord
		if err := c.must(LensKey(c.subject), "the Lens record", &l); err != nil {
			return err
		}
		return check("follow", l.FollowCount, "follows")
	}
	return nil
}
