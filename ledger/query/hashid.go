package query

import "fmt"

// HashID checks a path argument that names a record by a hash: 64
// lowercase hex characters (a SHA-256, as agreement and validator-change
// proposal ids are). Anything else is ErrBadQuery, naming what.
func HashID(s, what string) error {
	ok := len(s) == 64
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
	}
	if !ok {
		return fmt.Errorf("%w: %s must be 64 lowercase hex characters", ErrBadQuery, what)
	}
	return nil
}
