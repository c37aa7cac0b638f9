package lens

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/go-playground/validator/v10"
)

// TestMessageTags decodes each message strictly and runs its validator tags
// (with the app's custom "cid" tag stubbed by CanonicalCID and its
// "maxbytes" by a byte count), so a typo in a
// tag fails here rather than in the app.
func TestMessageTags(t *testing.T) {
	v := validator.New()
	if err := v.RegisterValidation("cid", func(fl validator.FieldLevel) bool {
		_, err := CanonicalCID(fl.Field().String())
		return err == nil
	}); err != nil {
		t.Fatal(err)
	}
	// The app's maxbytes=N: a string's length in bytes (app/validate.go).
	if err := v.RegisterValidation("maxbytes", func(fl validator.FieldLevel) bool {
		n, err := strconv.Atoi(fl.Param())
		return err == nil && len(fl.Field().String()) <= n
	}); err != nil {
		t.Fatal(err)
	}
	c := testCID("tagged")
	a := addr(1).String()
	cases := []struct {
		name string
		msg  any
		body string
		ok   bool
	}{
		{TypeCreate, &MsgCreate{}, `{"handle":"abc","name":"A","description_cid":"` + c + `"}`, true},
		{TypeCreate, &MsgCreate{}, `{"handle":"abc","name":"A","description_cid":"nope"}`, false},
		{TypeCreate, &MsgCreate{}, `{"handle":"abc","name":"A","extra":1}`, false},
		{TypeGrant, &MsgGrant{}, `{"lens":"abc","address":"` + a + `","role":"moderator"}`, true},
		{TypeGrant, &MsgGrant{}, `{"lens":"abc","address":"` + a + `","role":"owner"}`, false},
		{TypeRevoke, &MsgRevoke{}, `{"lens":"abc","address":"` + a + `"}`, true},
		{TypeAddEntry, &MsgAddEntry{}, `{"lens":"abc","cid":"` + c + `","kind":"video","title":"t","tags":["x"],"size":5}`, true},
		{TypeAddEntry, &MsgAddEntry{}, `{"lens":"abc","cid":"` + c + `","kind":"film"}`, false},
		{TypeEditEntry, &MsgEditEntry{}, `{"lens":"abc","seq":1,"tags":[]}`, true},
		{TypeRemoveEntry, &MsgRemoveEntry{}, `{"lens":"abc","seq":1}`, true},
		{TypeFollow, &MsgFollow{}, `{"lens":"abc","target":"def","weight":1000000}`, true},
		{TypeFollow, &MsgFollow{}, `{"lens":"abc","target":"def","weight":1000001}`, false},
		{TypeFollow, &MsgFollow{}, `{"lens":"abc","target":"def","weight":0}`, false},
		{TypeUnfollow, &MsgUnfollow{}, `{"lens":"abc","target":"def"}`, true},
		{TypeBlock, &MsgBlock{}, `{"lens":"abc","cid":"` + c + `"}`, true},
		{TypeUnblock, &MsgUnblock{}, `{"lens":"abc","target":"def"}`, true},
		{TypeFork, &MsgFork{}, `{"handle":"new","name":"N","source":"abc","depth":3,"reweight":{"def":0},"follows":true}`, true},
		{TypeFork, &MsgFork{}, `{"handle":"new","name":"N","source":"abc","depth":5}`, false},
		{TypeImport, &MsgImport{}, `{"manifest":{"version":1,"owner":"` + a + `","lens":{"handle":"abc","name":"A","created":1,"next_seq":1,"entry_count":0,"follow_count":0,"cid_blocks":0,"lens_blocks":0},"entries":[],"follows":[],"roles":[],"blocks":[]}}`, true},
		{TypeImportEntries, &MsgImportEntries{}, `{"lens":"abc","entries":[{"lens":"abc","seq":2,"cid":"` + c + `","kind":"post","author":"` + a + `","height":3}]}`, true},
		{TypeImportEntries, &MsgImportEntries{}, `{"lens":"abc","entries":[],"extra":1}`, false},
		{TypeAnnounce, &MsgAnnounce{}, `{"cids":["` + c + `"]}`, true},
		{TypeAnnounce, &MsgAnnounce{}, `{"cids":[]}`, false},
		{TypeWithdraw, &MsgWithdraw{}, `{"cids":["` + c + `"]}`, true},
	}
	for _, tc := range cases {
		dec := json.NewDecoder(bytes.NewReader([]byte(tc.body)))
		dec.DisallowUnknownFields()
		err := dec.Decode(tc.msg)
		if err == nil {
			err = v.Struct(tc.msg)
		}
		if err == nil {
			if ch, ok := tc.msg.(interface{ Check() error }); ok {
				err = ch.Check()
			}
		}
		if (err == nil) != tc.ok {
			t.Errorf("%s %s: err = %v, want ok=%v", tc.name, tc.body, err, tc.ok)
		}
	}
}
