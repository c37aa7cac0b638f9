package main

// Helpers shared by the query commands: paging parameters, decoding of
// list answers, and the common ways a found answer becomes the printed
// result.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
)

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// pageValues are the query parameters of a paged list: limit, and after
// when it is set.
func pageValues(limit int, after string) url.Values {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	if after != "" {
		q.Set("after", after)
	}
	return q
}

// listPage is the JSON shape of list query values.
type listPage struct {
	Entries []json.RawMessage `json:"entries"`
	Next    string            `json:"next,omitempty"`
}

// parseListPage decodes a list answer; an empty value is an empty page.
// what names the list in the error.
func parseListPage(v []byte, what string) (listPage, error) {
	var p listPage
	if len(v) > 0 {
		if err := json.Unmarshal(v, &p); err != nil {
			return p, fmt.Errorf("decode %s: %w", what, err)
		}
	}
	return p, nil
}

// decodeEntries decodes every raw entry of a list answer into a T and
// returns them with the key/values their proofs must show (key(e) → the
// raw entry). what names an entry in the error.
func decodeEntries[T any](raws []json.RawMessage, what string, key func(T) []byte) ([]T, []app.KV, error) {
	list := make([]T, 0, len(raws))
	kvs := make([]app.KV, 0, len(raws))
	for _, raw := range raws {
		var e T
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", what, err)
		}
		list = append(list, e)
		kvs = append(kvs, app.KV{Key: key(e), Value: raw})
	}
	return list, kvs, nil
}

// queryDecoded runs path with decode as the map from the answer to the
// key/values its proofs must show. With --prove the query itself calls
// decode; without, queryDecoded calls it on a found answer, so whatever
// decode fills in is filled in either way.
func (f *queryFlags) queryDecoded(ctx context.Context, path string, decode client.Expect) (*answer, error) {
	a, err := f.query(ctx, path, decode)
	if err != nil {
		return nil, err
	}
	if !f.prove && a.code == 0 {
		if _, err := decode(a.value); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// fetchRecord reads path (unproven, at the latest height) and decodes a
// found answer into v; otherwise it returns the answer's code and log.
// what names the record in the error.
func fetchRecord(path, what string, v any) (uint32, string, error) {
	ctx, cancel := ctxTimeout()
	defer cancel()
	var f queryFlags
	a, err := f.query(ctx, path, nil)
	if err != nil {
		return 0, "", err
	}
	if a.code != 0 {
		return a.code, a.log, nil
	}
	if err := json.Unmarshal(a.value, v); err != nil {
		return 0, "", fmt.Errorf("decode %s: %w", what, err)
	}
	return 0, "", nil
}

// queryPrint runs path (with --prove, key — the question's single state
// key — proven to hold the value or to be absent) and prints out, or for a
// found answer what found makes of its value.
func (f *queryFlags) queryPrint(path string, key []byte, out map[string]any, found func(value []byte) (map[string]any, error)) error {
	ctx, cancel := ctxTimeout()
	defer cancel()
	a, err := f.query(ctx, path, client.ExpectKey(key))
	if err != nil {
		return err
	}
	if a.code == 0 {
		if out, err = found(a.value); err != nil {
			return err
		}
	}
	return a.finish(out)
}

// queryMerged runs path (proven as queryPrint does) and prints out with a
// found answer's JSON object merged into it. what names the record in the
// error.
func (f *queryFlags) queryMerged(path string, key []byte, what string, out map[string]any) error {
	return f.queryPrint(path, key, out, func(v []byte) (map[string]any, error) {
		if err := json.Unmarshal(v, &out); err != nil {
			return nil, fmt.Errorf("decode %s: %w", what, err)
		}
		return out, nil
	})
}

// jsonMap re-reads v as a JSON object with numbers kept exact.
func jsonMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	out := map[string]any{}
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// queryAs runs path and prints out, or instead a found answer decoded as a
// T, passed through tidy (when not nil) and re-read with jsonMap so its
// numbers stay exact. what names the answer in the error.
func queryAs[T any](f *queryFlags, path, what string, out map[string]any, tidy func(*T)) error {
	return f.queryPrint(path, nil, out, func(value []byte) (map[string]any, error) {
		var v T
		if err := json.Unmarshal(value, &v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", what, err)
		}
		if tidy != nil {
			tidy(&v)
		}
		return jsonMap(v)
	})
}
