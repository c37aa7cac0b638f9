package ledger

import "encoding/json"

// quotePlain returns s as a JSON string. s must need no escaping (the
// callers pass bech32 addresses and decimal numbers), so the bytes are
// exactly what json.Marshal(s) gives, without its reflection and buffers.
func quotePlain(s string) []byte {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonString decodes the JSON string literal b as json.Unmarshal would.
// The common case, a string without escapes or control characters, is
// taken as is; anything else goes through encoding/json. ok is false when
// b is not a JSON string.
func jsonString(b []byte) (s string, ok bool) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		plain := true
		for _, c := range b[1 : len(b)-1] {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return string(b[1 : len(b)-1]), true
		}
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}
