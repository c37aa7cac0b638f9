// Package spec is riffchain's specification: the Markdown files of this
// directory, embedded, with a reader of their tables, so that tests can
// check what the spec says against the code (state key layouts, error
// codes, query paths). Nothing in the node imports it.
package spec

import (
	"embed"
	"errors"
	"fmt"
	"strings"
)

//go:embed *.md
var files embed.FS

// ErrNoFile is returned for a name that is not a file of the spec.
var ErrNoFile = errors.New("no such spec file")

// Table is one Markdown table of a spec file.
type Table struct {
	File    string     // e.g. "state.md"
	Heading string     // the nearest heading above the table, without its #s
	Line    int        // 1-based line of the header row
	Header  []string   // header cells, trimmed
	Rows    [][]string // body cells, trimmed; a row has as many cells as it has in the file
}

// Text returns the whole of file (a name such as "queries.md").
func Text(file string) (string, error) {
	b, err := files.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrNoFile, file, err)
	}
	return string(b), nil
}

// Tables returns every table of file (a name such as "errors.md"), in
// order. A cell is the text between unescaped '|'s, trimmed; "\|" in a cell
// is an escaped '|' and reads as '|'.
func Tables(file string) ([]Table, error) {
	text, err := Text(file)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	var (
		out     []Table
		heading string
		fenced  bool
	)
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "```"):
			fenced = !fenced
			continue
		case fenced:
			continue
		case strings.HasPrefix(l, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(l, "#"))
			continue
		}
		if !isRow(l) || i+1 >= len(lines) || !isSeparator(strings.TrimSpace(lines[i+1])) {
			continue
		}
		t := Table{File: file, Heading: heading, Line: i + 1, Header: cells(l)}
		i += 2
		for ; i < len(lines) && isRow(strings.TrimSpace(lines[i])); i++ {
			t.Rows = append(t.Rows, cells(strings.TrimSpace(lines[i])))
		}
		i--
		out = append(out, t)
	}
	return out, nil
}

// Code returns the text of every `code span` in s, in order.
func Code(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			return out
		}
		out = append(out, s[i+1:i+1+j])
		s = s[i+1+j+1:]
	}
}

func isRow(l string) bool {
	return strings.HasPrefix(l, "|") && strings.HasSuffix(l, "|") && len(l) > 1
}

func isSeparator(l string) bool {
	if !isRow(l) {
		return false
	}
	for _, c := range cells(l) {
		if strings.Trim(c, ":-") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return true
}

// cells splits a row "| a | b \| c |" into ["a", "b | c"].
func cells(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var (
		out []string
		cur strings.Builder
	)
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
		case row[i] == '|':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}
