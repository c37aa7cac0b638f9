package content

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
	"github.com/multiformats/go-multicodec"
	mh "github.com/multiformats/go-multihash"
)

// KuboOptions tunes the IPFS-node backend.
type KuboOptions struct {
	// HTTPClient is used for every API call; nil means a client with a
	// 10-minute overall timeout per call.
	HTTPClient *http.Client
	// Offline asks the node to answer block reads from its own repository
	// only (the API's offline=true), never from the IPFS network.
	Offline bool
	// NoPin leaves added content unpinned on the node (by default Add and
	// AddPath pin the root recursively so the node's GC keeps it).
	NoPin bool
}

// OpenKubo returns a Store backed by a running IPFS (kubo) node's HTTP RPC
// API at apiURL (e.g. "http://127.0.0.1:5001"). Files are added with
// /api/v0/add using the profile's flags, and the CID the node prints is
// checked against the CID computed here (ErrCIDMismatch if they differ);
// folders are built here and sent block by block (/api/v0/block/put), then
// pinned. Reads fetch blocks with /api/v0/block/get and verify each against
// its CID (ErrCorrupt), so a node that returns wrong bytes is caught.
func OpenKubo(apiURL string, p Profile, opts ...KuboOptions) (Store, error) {
	var o KuboOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	u, err := url.Parse(strings.TrimRight(apiURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("IPFS API URL %q: want http(s)://host:port: %w", apiURL, ErrBackend)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Minute}
	}
	k := &kuboClient{base: u.String(), hc: hc, offline: o.Offline}
	s, err := newDAGStore(k, p)
	if err != nil {
		return nil, err
	}
	s.addFile = func(ctx context.Context, r io.Reader) (cid.Cid, error) {
		return k.addFile(ctx, r, p, !o.NoPin)
	}
	if !o.NoPin {
		s.afterAddPath = k.pin
	}
	s.remote = k
	return s, nil
}

// kuboClient speaks kubo's RPC API and implements boxo's Blockstore.
type kuboClient struct {
	base    string
	hc      *http.Client
	offline bool
}

// kuboError is the JSON body kubo sends with a non-200 status.
type kuboError struct {
	Message string `json:"Message"`
	Code    int    `json:"Code"`
	Type    string `json:"Type"`
}

// call POSTs to /api/v0/<cmd> and returns the response body on 200.
func (k *kuboClient) call(ctx context.Context, cmd string, args url.Values, body io.Reader, contentType string) (io.ReadCloser, error) {
	u := k.base + "/api/v0/" + cmd
	if len(args) > 0 {
		u += "?" + args.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, fmt.Errorf("ipfs %s: %v: %w", cmd, err, ErrBackend)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := k.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ipfs %s: %v: %w", cmd, err, ErrBackend)
	}
	if resp.StatusCode == http.StatusOK {
		return &streamBody{resp: resp, cmd: cmd}, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var ke kuboError
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &ke) == nil && ke.Message != "" {
		msg = ke.Message
	}
	if isKuboNotFound(msg) {
		return nil, fmt.Errorf("ipfs %s: %s: %w", cmd, truncate(msg, 200), ErrNotFound)
	}
	return nil, fmt.Errorf("ipfs %s: HTTP %d: %s: %w", cmd, resp.StatusCode, truncate(msg, 200), ErrBackend)
}

// streamBody reports an error that kubo sent in the X-Stream-Error trailer
// (an error after the 200 header, mid-stream) instead of a clean EOF.
type streamBody struct {
	resp *http.Response
	cmd  string
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.resp.Body.Read(p)
	if err == io.EOF {
		if msg := b.resp.Trailer.Get("X-Stream-Error"); msg != "" {
			if isKuboNotFound(msg) {
				return n, fmt.Errorf("ipfs %s: %s: %w", b.cmd, truncate(msg, 200), ErrNotFound)
			}
			return n, fmt.Errorf("ipfs %s: %s: %w", b.cmd, truncate(msg, 200), ErrBackend)
		}
	}
	return n, err
}

func (b *streamBody) Close() error { return b.resp.Body.Close() }

func isKuboNotFound(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "not found") || strings.Contains(m, "could not find")
}

func (k *kuboClient) blockArgs(c cid.Cid, offline bool) url.Values {
	v := url.Values{"arg": {c.String()}}
	if offline {
		v.Set("offline", "true")
	}
	return v
}

func (k *kuboClient) Get(ctx context.Context, c cid.Cid) (blocks.Block, error) {
	body, err := k.call(ctx, "block/get", k.blockArgs(c, k.offline), nil, "")
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", err, ipld.ErrNotFound{Cid: c})
		}
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, MaxBlockSize+1))
	if err != nil {
		return nil, fmt.Errorf("ipfs block/get %s: %v: %w", c, err, ErrBackend)
	}
	if len(data) > MaxBlockSize {
		return nil, fmt.Errorf("ipfs block/get %s: more than %d bytes: %w", c, MaxBlockSize, ErrTooLarge)
	}
	// Verified by verifyingBlockstore before use.
	return blocks.NewBlockWithCid(data, c)
}

type kuboBlockStat struct {
	Key  string `json:"Key"`
	Size int    `json:"Size"`
}

func (k *kuboClient) stat(ctx context.Context, c cid.Cid) (kuboBlockStat, error) {
	var st kuboBlockStat
	body, err := k.call(ctx, "block/stat", k.blockArgs(c, true), nil, "")
	if err != nil {
		return st, err
	}
	defer body.Close()
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&st); err != nil {
		return st, fmt.Errorf("ipfs block/stat: %v: %w", err, ErrBackend)
	}
	return st, nil
}

// Has asks the node's own repository (offline), never the network.
func (k *kuboClient) Has(ctx context.Context, c cid.Cid) (bool, error) {
	_, err := k.stat(ctx, c)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (k *kuboClient) GetSize(ctx context.Context, c cid.Cid) (int, error) {
	st, err := k.stat(ctx, c)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return -1, fmt.Errorf("%w: %w", err, ipld.ErrNotFound{Cid: c})
		}
		return -1, err
	}
	return st.Size, nil
}

// Put sends one block with its CID's codec and hash function and checks the
// CID the node reports.
func (k *kuboClient) Put(ctx context.Context, b blocks.Block) error {
	c := b.Cid()
	pref := c.Prefix()
	hashName, ok := mh.Codes[pref.MhType]
	if !ok {
		return fmt.Errorf("block/put %s: hash 0x%x: %w", c, pref.MhType, ErrUnsupported)
	}
	args := url.Values{
		"cid-codec": {multicodec.Code(pref.Codec).String()},
		"mhtype":    {hashName},
		"mhlen":     {strconv.Itoa(pref.MhLength)},
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreateFormFile("data", "block")
	if err != nil {
		return err
	}
	if _, err := part.Write(b.RawData()); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	body, err := k.call(ctx, "block/put", args, &buf, mw.FormDataContentType())
	if err != nil {
		return err
	}
	defer body.Close()
	var st kuboBlockStat
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&st); err != nil {
		return fmt.Errorf("ipfs block/put: %v: %w", err, ErrBackend)
	}
	got, err := cid.Decode(st.Key)
	if err != nil {
		return fmt.Errorf("ipfs block/put: key %q: %v: %w", truncate(st.Key, 100), err, ErrBackend)
	}
	if !got.Equals(c) && !(got.Type() == c.Type() && bytes.Equal(got.Hash(), c.Hash())) {
		return fmt.Errorf("ipfs block/put: node stored %s as %s: %w", c, got, ErrCIDMismatch)
	}
	return nil
}

func (k *kuboClient) PutMany(ctx context.Context, bs []blocks.Block) error {
	for _, b := range bs {
		if err := k.Put(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

func (k *kuboClient) DeleteBlock(ctx context.Context, c cid.Cid) error {
	body, err := k.call(ctx, "block/rm", url.Values{"arg": {c.String()}}, nil, "")
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	body.Close()
	return nil
}

// AllKeysChan is not offered over the API: listing a node's whole repository
// is not something this store needs.
func (k *kuboClient) AllKeysChan(context.Context) (<-chan cid.Cid, error) {
	return nil, fmt.Errorf("list blocks of an IPFS node: %w", ErrUnsupported)
}

func (k *kuboClient) pin(ctx context.Context, root cid.Cid) error {
	body, err := k.call(ctx, "pin/add", url.Values{"arg": {root.String()}, "recursive": {"true"}}, nil, "")
	if err != nil {
		return fmt.Errorf("pin %s: %w", root, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20))
	body.Close()
	return nil
}

func (k *kuboClient) unpin(ctx context.Context, root cid.Cid) error {
	body, err := k.call(ctx, "pin/rm", url.Values{"arg": {root.String()}, "recursive": {"true"}}, nil, "")
	if err != nil {
		if strings.Contains(err.Error(), "not pinned") {
			return fmt.Errorf("unpin %s: %w", root, ErrNotPinned)
		}
		return fmt.Errorf("unpin %s: %w", root, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20))
	body.Close()
	return nil
}

// pins lists the node's recursive pins (label "recursive").
func (k *kuboClient) pins(ctx context.Context) ([]Pin, error) {
	body, err := k.call(ctx, "pin/ls", url.Values{"type": {"recursive"}}, nil, "")
	if err != nil {
		return nil, fmt.Errorf("list pins: %w", err)
	}
	defer body.Close()
	var r struct {
		Keys map[string]json.RawMessage `json:"Keys"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("pin/ls response: %v: %w", err, ErrBackend)
	}
	out := make([]Pin, 0, len(r.Keys))
	for k := range r.Keys {
		c, err := cid.Decode(k)
		if err != nil {
			return nil, fmt.Errorf("pin/ls response: CID %q: %w", truncate(k, 100), ErrBackend)
		}
		out = append(out, Pin{CID: c, Labels: []string{"recursive"}})
	}
	sortPins(out)
	return out, nil
}

// gc runs the node's repo/gc and counts the blocks it removed.
func (k *kuboClient) gc(ctx context.Context) (GCResult, error) {
	var res GCResult
	body, err := k.call(ctx, "repo/gc", nil, nil, "")
	if err != nil {
		return res, fmt.Errorf("gc: %w", err)
	}
	defer body.Close()
	dec := json.NewDecoder(body)
	for {
		var ev struct {
			Key   json.RawMessage `json:"Key"`
			Error string          `json:"Error"`
		}
		err := dec.Decode(&ev)
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			return res, fmt.Errorf("repo/gc response: %v: %w", err, ErrBackend)
		}
		if ev.Error != "" {
			return res, fmt.Errorf("repo/gc: %s: %w", truncate(ev.Error, 200), ErrBackend)
		}
		res.Removed++
	}
}

// kuboAddArgs are the /api/v0/add parameters that give profile p's CIDs.
func kuboAddArgs(p Profile, pin bool) url.Values {
	v := url.Values{
		"cid-version": {"1"},
		"raw-leaves":  {"true"},
		"hash":        {"sha2-256"},
		"chunker":     {"size-" + strconv.FormatInt(p.ChunkSize, 10)},
		"trickle":     {"false"},
		"pin":         {strconv.FormatBool(pin)},
		"quieter":     {"true"},
		"progress":    {"false"},
	}
	if p.MaxLinks != ProfileDefault.MaxLinks {
		v.Set("max-file-links", strconv.Itoa(p.MaxLinks))
	}
	return v
}

// addFile streams r to the node's /api/v0/add while computing the CID here
// from the same bytes, and fails with ErrCIDMismatch if the node disagrees.
func (k *kuboClient) addFile(ctx context.Context, r io.Reader, p Profile, pin bool) (cid.Cid, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	localR, localW := io.Pipe()
	bodyR, bodyW := io.Pipe()
	mw := multipart.NewWriter(bodyW)

	type result struct {
		c   cid.Cid
		err error
	}
	local := make(chan result, 1)
	go func() {
		c, err := ComputeCID(ctx, localR, p)
		if err != nil {
			localR.CloseWithError(err) // unblocks the tee below
		} else {
			_, _ = io.Copy(io.Discard, localR)
		}
		local <- result{c, err}
	}()
	go func() {
		part, err := mw.CreateFormFile("file", "file")
		if err == nil {
			_, err = io.Copy(part, io.TeeReader(ctxReader{ctx, r}, localW))
		}
		// All file bytes are out: the local import may finish (nil = EOF)
		// whatever happens to the closing multipart boundary.
		localW.CloseWithError(err)
		if err == nil {
			err = mw.Close()
		}
		bodyW.CloseWithError(err)
	}()

	body, err := k.call(ctx, "add", kuboAddArgs(p, pin), bodyR, mw.FormDataContentType())
	if err != nil {
		bodyR.CloseWithError(err)
		cancel()
		<-local
		return cid.Undef, fmt.Errorf("add: %w", err)
	}
	defer body.Close()
	nodeCID, perr := parseAddResponse(io.LimitReader(body, 1<<20))
	// A node answers only after reading the whole upload; if it did not,
	// stop the upload so the local import ends (with an error) too.
	bodyR.CloseWithError(errors.New("node answered before reading the whole file"))
	lr := <-local
	if lr.err != nil {
		return cid.Undef, fmt.Errorf("add: compute CID: %w", lr.err)
	}
	if perr != nil {
		return cid.Undef, fmt.Errorf("add: %w", perr)
	}
	if !nodeCID.Equals(lr.c) {
		return cid.Undef, fmt.Errorf("add: node printed %s, profile %s gives %s: %w", nodeCID, p, lr.c, ErrCIDMismatch)
	}
	return lr.c, nil
}

// parseAddResponse reads kubo's add output (one JSON object per line,
// {"Name","Hash","Size"}, progress lines without Hash) and returns the last
// Hash. Errors wrap ErrBackend.
func parseAddResponse(r io.Reader) (cid.Cid, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var last string
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var ev struct {
			Hash    string `json:"Hash"`
			Message string `json:"Message"`
			Type    string `json:"Type"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			return cid.Undef, fmt.Errorf("add response: %v: %w", err, ErrBackend)
		}
		if ev.Type == "error" {
			return cid.Undef, fmt.Errorf("add response: %s: %w", truncate(ev.Message, 200), ErrBackend)
		}
		if ev.Hash != "" {
			last = ev.Hash
		}
	}
	if err := sc.Err(); err != nil {
		return cid.Undef, fmt.Errorf("add response: %v: %w", err, ErrBackend)
	}
	if last == "" {
		return cid.Undef, fmt.Errorf("add response: no CID: %w", ErrBackend)
	}
	c, err := cid.Decode(last)
	if err != nil {
		return cid.Undef, fmt.Errorf("add response: CID %q: %v: %w", truncate(last, 100), err, ErrBackend)
	}
	return c, nil
}
