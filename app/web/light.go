package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	cmttypes "github.com/cometbft/cometbft/types"
)

// LightView is the answer of /api/v1/light/HEIGHT: the signed header of
// HEIGHT and the validator set that must have signed it, protobuf-encoded
// (base64), for the page's verifier (package app/verify, verify.Light). The app hash in
// header HEIGHT commits to the state of height HEIGHT-1.
type LightView struct {
	Meta
	ChainID      string `json:"chain_id"`
	SignedHeader string `json:"signed_header"` // cometbft.types.SignedHeader, protobuf, base64
	Validators   string `json:"validators"`    // cometbft.types.ValidatorSet, protobuf, base64
}

// maxValidatorPages bounds the /validators pages one answer reads (100
// validators a page).
const maxValidatorPages = 10

func (s *Server) loadLight(ctx context.Context, _ *reader, r *http.Request) (view, error) {
	h, err := strconv.ParseInt(r.PathValue("height"), 10, 64)
	if err != nil || h < 1 {
		return nil, fmt.Errorf("%w: a height is a positive integer", ErrBadRequest)
	}
	com, err := s.chain.Commit(ctx, &h)
	if err != nil {
		if strings.Contains(err.Error(), "must be less than or equal") || strings.Contains(err.Error(), "not found") {
			return nil, fmt.Errorf("%w: no commit for height %d yet", ErrNotFound, h)
		}
		return nil, fmt.Errorf("%w: commit: %v", ErrUnavailable, err)
	}
	if com.SignedHeader.Header == nil || com.SignedHeader.Commit == nil {
		return nil, fmt.Errorf("%w: no commit for height %d yet", ErrNotFound, h)
	}
	var vals []*cmttypes.Validator
	for page := 1; ; page++ {
		if page > maxValidatorPages {
			return nil, fmt.Errorf("%w: validator set over %d pages", ErrUnavailable, maxValidatorPages)
		}
		p, per := page, 100
		vr, err := s.chain.Validators(ctx, &h, &p, &per)
		if err != nil {
			return nil, fmt.Errorf("%w: validators: %v", ErrUnavailable, err)
		}
		vals = append(vals, vr.Validators...)
		if len(vals) >= vr.Total || len(vr.Validators) == 0 {
			break
		}
	}
	vs, err := cmttypes.ValidatorSetFromExistingValidators(vals)
	if err != nil {
		return nil, fmt.Errorf("%w: validator set: %v", ErrUnavailable, err)
	}
	vp, err := vs.ToProto()
	if err != nil {
		return nil, fmt.Errorf("%w: validator set: %v", ErrUnavailable, err)
	}
	shb, err := com.SignedHeader.ToProto().Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: signed header: %v", ErrUnavailable, err)
	}
	vb, err := vp.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: validator set: %v", ErrUnavailable, err)
	}
	v := &LightView{ChainID: com.Header.ChainID, SignedHeader: base64.StdEncoding.EncodeToString(shb),
		Validators: base64.StdEncoding.EncodeToString(vb)}
	v.Meta.Height = h
	v.Title = fmt.Sprintf("Signed header %d", h)
	return v, nil
}
