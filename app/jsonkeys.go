package app

import (
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// checkDuplicateKeys scans JSON once and fails when an object has the same
// key twice. "The same" is what encoding/json would bind to one field: keys
// are compared after unescaping and case folding (encoding/json matches
// field names case-insensitively, so {"nonce":1,"NONCE":2} must be refused
// too, or two readers could see different values in the same signed bytes).
// It checks structure only as far as it needs to; the decoder that runs
// next rejects anything else that is malformed.
func checkDuplicateKeys(data []byte) error {
	s := keyScanner{data: data}
	s.skipSpace()
	if err := s.value(0); err != nil {
		return err
	}
	return nil
}

type keyScanner struct {
	data []byte
	pos  int
}

const maxDepth = 64

func (s *keyScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrTxDecode, s.pos, fmt.Sprintf(format, args...))
}

func (s *keyScanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *keyScanner) value(depth int) error {
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, _, err := s.str()
		return err
	default:
		// number, true, false, null: skip to the next delimiter.
		start := s.pos
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.pos == start {
					return s.errorf("empty value")
				}
				return nil
			}
			s.pos++
		}
		return nil
	}
}

func (s *keyScanner) array(depth int) error {
	if depth > maxDepth {
		return s.errorf("nesting deeper than %d", maxDepth)
	}
	s.pos++ // [
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.errorf("unterminated array")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf("expected , or ] in array")
		}
	}
}

func (s *keyScanner) object(depth int) error {
	if depth > maxDepth {
		return s.errorf("nesting deeper than %d", maxDepth)
	}
	s.pos++ // {
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	var keys []string // objects here have few keys: a slice beats a map
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.errorf("expected a string key")
		}
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		key, err := foldKey(raw, escaped)
		if err != nil {
			return s.errorf("key: %v", err)
		}
		for _, k := range keys {
			if k == key {
				return fmt.Errorf("%w: %q", ErrDuplicateKey, raw)
			}
		}
		keys = append(keys, key)
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.errorf("expected : after key")
		}
		s.pos++
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.errorf("unterminated object")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf("expected , or } in object")
		}
	}
}

// str consumes a string and returns its raw contents (between the quotes)
// and whether it contains escapes.
func (s *keyScanner) str() (string, bool, error) {
	s.pos++ // opening quote
	start := s.pos
	escaped := false
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; {
		case c == '"':
			raw := string(s.data[start:s.pos])
			s.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return "", false, s.errorf("control character in string")
		default:
			s.pos++
		}
	}
	return "", false, s.errorf("unterminated string")
}

// foldKey unescapes a key and folds its case the way encoding/json matches
// field names (so "K", "k" and the Kelvin sign U+212A are one key).
func foldKey(raw string, escaped bool) (string, error) {
	key := raw
	if escaped {
		// Escaped keys are rare: let encoding/json itself unescape them, so
		// \/, surrogate pairs and invalid escapes mean exactly what they
		// mean to the decoder that runs next.
		if err := json.Unmarshal([]byte(`"`+raw+`"`), &key); err != nil {
			return "", err
		}
	}
	ascii := true
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b := []byte(key)
		for i, c := range b {
			if 'a' <= c && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		}
		return string(b), nil
	}
	out := make([]rune, 0, len(key))
	for _, r := range key {
		out = append(out, unicode.ToUpper(unicode.ToLower(r)))
	}
	return string(out), nil
}
