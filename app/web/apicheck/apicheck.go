// Package apicheck checks the explorer's JSON answers against the OpenAPI
// document of spec/api.md, so the document cannot drift from what the
// node serves. It understands the part of OpenAPI 3.1 the document uses:
// paths with {parameters}, responses by status, and schemas made of type
// (one or a list, "null" included), properties, required, items,
// additionalProperties (false unless given) and $ref to
// #/components/schemas. Tests use it; the node does not.
package apicheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrMismatch marks an answer the document does not describe.
var ErrMismatch = errors.New("answer does not match the OpenAPI document")

// Doc is a loaded OpenAPI document.
type Doc struct {
	Paths      map[string]map[string]operation `yaml:"paths"`
	Components struct {
		Schemas map[string]*Schema `yaml:"schemas"`
	} `yaml:"components"`
}

type operation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema *Schema `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"responses"`
}

// Schema is a JSON schema as the document writes it.
type Schema struct {
	Ref                  string             `yaml:"$ref"`
	Type                 any                `yaml:"type"` // string or list of strings
	Properties           map[string]*Schema `yaml:"properties"`
	Required             []string           `yaml:"required"`
	Items                *Schema            `yaml:"items"`
	AdditionalProperties any                `yaml:"additionalProperties"` // bool or schema
}

var fence = regexp.MustCompile("(?s)```yaml\n(openapi: .*?)```")

// LoadMarkdown reads the first ```yaml block starting "openapi:" of a
// markdown file.
func LoadMarkdown(path string) (*Doc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return ParseMarkdown(b, path)
}

// ParseMarkdown reads the document from markdown text; name is for errors.
func ParseMarkdown(b []byte, path string) (*Doc, error) {
	m := fence.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("openapi: no ```yaml block starting with openapi: in %s", path)
	}
	var d Doc
	if err := yaml.Unmarshal(m[1], &d); err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", path, err)
	}
	return &d, nil
}

// Route finds the document's path template that matches a request path
// ("/api/v1/lens/lens-a" → "/api/v1/lens/{handle}").
func (d *Doc) Route(path string) (string, bool) {
	segs := strings.Split(path, "/")
	var keys []string
	for k := range d.Paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ts := strings.Split(k, "/")
		if len(ts) != len(segs) {
			continue
		}
		ok := true
		for i := range ts {
			if !(strings.HasPrefix(ts[i], "{") && segs[i] != "") && ts[i] != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return k, true
		}
	}
	return "", false
}

// Check validates a JSON body answered to GET path with status.
func (d *Doc) Check(path string, status int, body []byte) error {
	route, ok := d.Route(path)
	if !ok {
		return fmt.Errorf("%w: no path matches %s", ErrMismatch, path)
	}
	op, ok := d.Paths[route]["get"]
	if !ok {
		return fmt.Errorf("%w: %s has no get", ErrMismatch, route)
	}
	resp, ok := op.Responses[strconv.Itoa(status)]
	if !ok {
		resp, ok = op.Responses["default"]
	}
	if !ok {
		return fmt.Errorf("%w: %s documents no %d answer", ErrMismatch, route, status)
	}
	media, ok := resp.Content["application/json"]
	if !ok || media.Schema == nil {
		return fmt.Errorf("%w: %s %d has no application/json schema", ErrMismatch, route, status)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%w: %s: not JSON: %v", ErrMismatch, path, err)
	}
	if err := d.validate(media.Schema, v, "$"); err != nil {
		return fmt.Errorf("%s %d: %w", path, status, err)
	}
	return nil
}

func (d *Doc) resolve(s *Schema) (*Schema, error) {
	for i := 0; s != nil && s.Ref != ""; i++ {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		next, ok := d.Components.Schemas[name]
		if !ok || i > 32 {
			return nil, fmt.Errorf("%w: bad $ref %s", ErrMismatch, s.Ref)
		}
		s = next
	}
	return s, nil
}

func types(s *Schema) []string {
	switch t := s.Type.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		if _, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func (d *Doc) validate(s *Schema, v any, at string) error {
	s, err := d.resolve(s)
	if err != nil {
		return err
	}
	if s == nil {
		return nil
	}
	k := kindOf(v)
	if ts := types(s); len(ts) > 0 {
		ok := false
		for _, t := range ts {
			if t == k || t == "number" && k == "integer" {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("%w: %s is %s, want %s", ErrMismatch, at, k, strings.Join(ts, " or "))
		}
	}
	switch x := v.(type) {
	case []any:
		if s.Items != nil {
			for i, e := range x {
				if err := d.validate(s.Items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				return fmt.Errorf("%w: %s lacks required %q", ErrMismatch, at, r)
			}
		}
		keys := make([]string, 0, len(x))
		for key := range x {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if ps, ok := s.Properties[key]; ok {
				if err := d.validate(ps, x[key], at+"."+key); err != nil {
					return err
				}
				continue
			}
			switch ap := s.AdditionalProperties.(type) {
			case bool:
				if !ap {
					return fmt.Errorf("%w: %s has undocumented %q", ErrMismatch, at, key)
				}
			case map[string]any:
				b, _ := yaml.Marshal(ap)
				var sub Schema
				if err := yaml.Unmarshal(b, &sub); err != nil {
					return fmt.Errorf("%w: %s additionalProperties: %v", ErrMismatch, at, err)
				}
				if err := d.validate(&sub, x[key], at+"."+key); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%w: %s has undocumented %q", ErrMismatch, at, key)
			}
		}
	}
	return nil
}
