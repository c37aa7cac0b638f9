package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/ipfs/go-cid"

	"github.com/riffchain/riffchain/ledger"
)

// validate is the shared stateless validator with riffchain's custom tags:
// assetid, symbol, itemid and cid.
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
	return v
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
