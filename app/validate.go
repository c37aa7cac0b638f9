package app

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/ipfs/go-cid"

	"github.com/riffchain/riffchain/ledger"
)

// validate is the shared stateless validator with riffchain's custom tags:
// assetid, symbol, itemid, cid, and the byte-length rules maxbytes=N and
// lenbytes=N.
//
// Length limits of strings are in bytes (spec/tx.md, "Changes"): the
// validator's own max, min and len count runes, so a message's string fields
// use maxbytes and lenbytes instead (TestStringLengthTagsCountBytes keeps it
// so); max, min and len remain for numbers, slices and maps.
var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	must := func(tag string, fn validator.Func) {
		if err := v.RegisterValidation(tag, fn); err != nil {
			panic(fmt.Sprintf("register validation %s: %v", tag, err)) // programming error at init
		}
	}
	must("assetid", func(fl validator.FieldLevel) bool { return ledger.ValidAssetID(fl.Field().String()) })
	must("symbol", func(fl validator.FieldLevel) bool { return ledger.ValidSymbol(fl.Field().String()) })
	must("itemid", func(fl validator.FieldLevel) bool { return ledger.ValidItemID(fl.Field().String()) })
	must("cid", func(fl validator.FieldLevel) bool { return ValidCID(fl.Field().String()) })
	must("maxbytes", func(fl validator.FieldLevel) bool {
		n, max, ok := byteRule(fl)
		return ok && n <= max
	})
	must("lenbytes", func(fl validator.FieldLevel) bool {
		n, want, ok := byteRule(fl)
		return ok && n == want
	})
	return v
}

// byteRule returns the length in bytes of a string field and the N of its
// maxbytes=N or lenbytes=N tag. ok is false for a field that is not a
// string or an N that is not a byte count, so a misplaced rule fails every
// value (and the message's tests) rather than passing them.
func byteRule(fl validator.FieldLevel) (n, param int, ok bool) {
	if fl.Field().Kind() != reflect.String {
		return 0, 0, false
	}
	param, err := strconv.Atoi(fl.Param())
	if err != nil || param < 0 {
		return 0, 0, false
	}
	return len(fl.Field().String()), param, true
}

// ValidCID reports whether s parses as an IPFS CID (v0 or v1).
func ValidCID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	_, err := cid.Decode(s)
	return err == nil
}

// checker is implemented by messages with stateless rules beyond tags.
type checker interface{ Check() error }

// Validate runs struct tags and the message's own Check.
func Validate(v any) error {
	if err := validate.Struct(v); err != nil {
		var verrs validator.ValidationErrors
		if errors.As(err, &verrs) {
			parts := make([]string, 0, len(verrs))
			for _, fe := range verrs {
				rule := fe.Tag()
				if fe.Param() != "" {
					rule += "=" + fe.Param()
				}
				parts = append(parts, fmt.Sprintf("%s fails %q", fe.Namespace(), rule))
			}
			return fmt.Errorf("%w: %s", ErrInvalidField, strings.Join(parts, "; "))
		}
		return fmt.Errorf("%w: %v", ErrInvalidField, err)
	}
	if c, ok := v.(checker); ok {
		if err := c.Check(); err != nil {
			return err
		}
	}
	return nil
}
