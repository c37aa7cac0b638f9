package spec

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// GoFiles parses the non-test Go files of dirs (and of their
// subdirectories too when recursive), for tests that hold the spec to what
// the code declares: key constants, coded errors, validation tags, events.
func GoFiles(fset *token.FileSet, recursive bool, dirs ...string) ([]*ast.File, error) {
	var out []*ast.File
	add := func(path string) error {
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		out = append(out, f)
		return nil
	}
	for _, dir := range dirs {
		if recursive {
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				return add(path)
			})
			if err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() {
				if err := add(filepath.Join(dir, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}
