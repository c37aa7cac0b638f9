package app

// Strict configuration: a key the node does not know is refused at start,
// naming the key and the nearest known one (a typo such as
// state_keep_recnt would otherwise leave an archive node), and every value
// is checked when the file is loaded rather than at the first tx that
// needs it.

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/spf13/viper"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens/content"
)

// Sentinel errors of configuration loading.
var (
	// ErrConfigUnknownKey: a configuration file holds a key no setting has.
	ErrConfigUnknownKey = errors.New("unknown configuration key")
	// ErrConfigValue: a configuration value does not parse or is out of range.
	ErrConfigValue = errors.New("invalid configuration value")
)

// ConfigKeys returns the keys a config struct accepts: the mapstructure
// tags of its fields, nested structs as "outer.inner", sorted. Adding a
// field to AppConfig makes its key known.
func ConfigKeys(v any) []string {
	var keys []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			keys = append(keys, prefix+name)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+name+".")
			}
		}
	}
	walk(reflect.TypeOf(v), "")
	sort.Strings(keys)
	return keys
}

// CheckConfigKeys refuses any key of v (a read config file named file)
// that is not in known, suggesting the nearest known key.
func CheckConfigKeys(v *viper.Viper, file string, known []string) error {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	keys := v.AllKeys()
	sort.Strings(keys)
	for _, k := range keys {
		if set[k] {
			continue
		}
		if near := NearestKey(k, known); near != "" {
			return fmt.Errorf("%w in %s: %q (did you mean %q?)", ErrConfigUnknownKey, file, k, near)
		}
		return fmt.Errorf("%w in %s: %q (known keys: %s)", ErrConfigUnknownKey, file, k, strings.Join(known, ", "))
	}
	return nil
}

// NearestKey returns the known key closest to k by edit distance, or ""
// when none is within a third of k's length (plus two).
func NearestKey(k string, known []string) string {
	best, bestD := "", len(k)/3+3
	for _, c := range known {
		if d := editDistance(k, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// configValidator checks AppConfig values; field names in its errors are
// the app.toml keys.
var configValidator = newConfigValidator()

func newConfigValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		return name
	})
	must := func(tag string, fn validator.Func) {
		if err := v.RegisterValidation(tag, fn); err != nil {
			panic(fmt.Sprintf("register validation %s: %v", tag, err)) // programming error at init
		}
	}
	must("assetid", func(fl validator.FieldLevel) bool { return ledger.ValidAssetID(fl.Field().String()) })
	must("amount", func(fl validator.FieldLevel) bool {
		_, err := ledger.ParseAmount(fl.Field().String())
		return err == nil
	})
	must("listenaddr", func(fl validator.FieldLevel) bool {
		_, port, err := net.SplitHostPort(fl.Field().String())
		return err == nil && port != ""
	})
	must("httpurl", func(fl validator.FieldLevel) bool {
		u, err := url.Parse(fl.Field().String())
		return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	})
	must("cidprofile", func(fl validator.FieldLevel) bool {
		_, err := content.ParseProfile(fl.Field().String())
		return err == nil
	})
	v.RegisterStructValidationMapRules(map[string]string{
		"MinFees":               "dive",
		"MaxPendingPerAccount":  "min=0",
		"MaxTxBytes":            "min=0",
		"SnapshotInterval":      "min=0",
		"SnapshotKeepRecent":    "min=0",
		"GatewayAddr":           "omitempty,listenaddr",
		"MetricsAddr":           "omitempty,listenaddr",
		"ContentIPFSAPI":        "omitempty,httpurl",
		"ContentProfile":        "cidprofile",
		"GatewaySubdomainHosts": "dive,hostname_rfc1123",
		"GatewayMaxRanges":      "min=0",
		"ContentMaxBytes":       "min=0",
		"GatewayMaxCARBytes":    "min=0",
		"GatewayMaxConcurrent":  "min=0",
		"GatewayRequestTimeout": "min=0",
	}, AppConfig{})
	v.RegisterStructValidationMapRules(map[string]string{
		"Asset":  "required,assetid",
		"Amount": "required,amount",
		"PerGas": "min=0",
	}, FeeMin{})
	return v
}

// configRuleHelp says, per rule, what a valid value looks like.
var configRuleHelp = map[string]string{
	"assetid":          "an asset id such as RIFF or ACME-1",
	"amount":           `a decimal integer in base units, such as "10"`,
	"listenaddr":       "HOST:PORT, such as 127.0.0.1:8080",
	"httpurl":          "an http(s) URL, such as http://127.0.0.1:5001",
	"cidprofile":       `"default" or "1mib"`,
	"min":              "0 or more",
	"hostname_rfc1123": "a host name such as localhost or gw.example.org",
	"required":         "a value",
}

// validateAppConfig checks every value of c; the error names the app.toml
// key, the value and what is wanted.
func validateAppConfig(c AppConfig) error {
	err := configValidator.Struct(c)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("%w: app.toml: %v", ErrConfigValue, err)
	}
	parts := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		key := strings.TrimPrefix(fe.Namespace(), "AppConfig.")
		want := configRuleHelp[fe.Tag()]
		if want == "" {
			want = fe.Tag()
		}
		parts = append(parts, fmt.Sprintf("%s = %q: want %s", key, fmt.Sprint(fe.Value()), want))
	}
	return fmt.Errorf("%w: app.toml: %s", ErrConfigValue, strings.Join(parts, "; "))
}
