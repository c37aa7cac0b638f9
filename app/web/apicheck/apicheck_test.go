package apicheck

import (
	"errors"
	"testing"
)

const md = "# x\n\n```yaml\n" + `openapi: 3.1.0
paths:
  /api/v1/thing/{id}:
    get:
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        default: {content: {application/json: {schema: {type: object, required: [error], properties: {error: {type: string}}}}}}
components:
  schemas:
    Thing:
      type: object
      required: [id, n]
      properties:
        id: {type: string}
        n: {type: integer}
        opt: {type: [string, "null"]}
        list: {type: array, items: {type: integer}}
        map: {type: object, additionalProperties: {type: string}}
        free: {type: object, additionalProperties: true}
` + "```\n"

func TestCheck(t *testing.T) {
	d, err := ParseMarkdown([]byte(md), "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, body string
		status     int
		ok         bool
	}{
		{"/api/v1/thing/a", `{"id":"a","n":1}`, 200, true},
		{"/api/v1/thing/a", `{"id":"a","n":1,"opt":null,"list":[1,2],"map":{"x":"y"},"free":{"any":[1]}}`, 200, true},
		{"/api/v1/thing/a", `{"id":"a"}`, 200, false},                     // required n missing
		{"/api/v1/thing/a", `{"id":"a","n":1.5}`, 200, false},             // not an integer
		{"/api/v1/thing/a", `{"id":"a","n":1,"extra":true}`, 200, false},  // undocumented field
		{"/api/v1/thing/a", `{"id":"a","n":1,"list":["x"]}`, 200, false},  // wrong item type
		{"/api/v1/thing/a", `{"id":"a","n":1,"map":{"x":2}}`, 200, false}, // wrong map value
		{"/api/v1/thing/a", `{"id":"a","n":1,"opt":3}`, 200, false},       // neither string nor null
		{"/api/v1/thing/a", `{"error":"no"}`, 404, true},                  // default answer
		{"/api/v1/other", `{}`, 200, false},                               // undocumented path
		{"/api/v1/thing/", `{"id":"a","n":1}`, 200, false},                // empty parameter
		{"/api/v1/thing/a", `not json`, 200, false},
	} {
		err := d.Check(c.path, c.status, []byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s %s: %v, want ok=%v", c.path, c.body, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: error %v is not ErrMismatch", c.path, err)
		}
	}
}

func TestSpecDocumentLoads(t *testing.T) {
	d, err := LoadMarkdown("../../../spec/api.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/overview", "/api/v1/lens/x", "/api/v1/pool/POOL-1", "/api/v1/search"} {
		if _, ok := d.Route(p); !ok {
			t.Errorf("spec/api.md documents no path for %s", p)
		}
	}
	for name, s := range d.Components.Schemas {
		if _, err := d.resolve(s); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
}
