package plugin

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParamType is the type of a parameter's value, following the value forms
// of Fluent Bit's config_map.
type ParamType uint8

// The parameter types.
const (
	// TypeString is any text.
	TypeString ParamType = iota
	// TypeInt is a base-10 integer.
	TypeInt
	// TypeBool is on/off, true/false, yes/no or 1/0, case-insensitive.
	TypeBool
	// TypeFloat is a decimal number.
	TypeFloat
	// TypeSize is a byte size: a number with an optional K, KB, M, MB, G or
	// GB suffix, in powers of 1024 as in Fluent Bit (flb_utils_size_to_bytes).
	TypeSize
	// TypeDuration is a time: seconds as a number, or with an ms, s, m, h
	// or d suffix.
	TypeDuration
	// TypeCommaList is a comma-separated list; items are trimmed.
	TypeCommaList
	// TypeWords is a space-separated list split into Param.Words fields,
	// the last keeping the rest of the line (Fluent Bit's slist_N).
	TypeWords
)

// String names the type for documentation and error messages.
func (t ParamType) String() string {
	return [...]string{"string", "integer", "boolean", "number", "size", "duration", "comma list", "words"}[t]
}

// Param declares one configuration parameter of a plugin.
type Param struct {
	// Name is the key, matched case-insensitively.
	Name string
	Type ParamType
	// Default is the value used when the key is absent, written as a user
	// would write it ("" for none).
	Default string
	// Doc is a one-line description for `sluice validate` and the docs.
	Doc string
	// Required makes a missing key an error.
	Required bool
	// Multiple allows the key to be repeated, every occurrence kept.
	Multiple bool
	// Options, when set, lists the only valid values (case-insensitive).
	Options []string
	// Words is the field count of a TypeWords value.
	Words int
	// Min and Max, when Max > Min, bound integer and size values.
	Min, Max int64
	// Check, when set, validates a string value beyond its type, returning
	// an operator-facing error that says what would be valid.
	Check func(raw string) error
}

// parse converts raw to the parameter's Go value: string, int64, bool,
// float64, int64 bytes, time.Duration, []string.
func (p *Param) parse(raw string) (any, error) {
	raw = strings.TrimSpace(raw)
	if len(p.Options) > 0 && p.Type == TypeString {
		for _, o := range p.Options {
			if strings.EqualFold(o, raw) {
				return o, nil
			}
		}
		return nil, fmt.Errorf("invalid value %q; valid values are %s", raw, strings.Join(p.Options, ", "))
	}
	if p.Check != nil {
		if err := p.Check(raw); err != nil {
			return nil, err
		}
	}
	switch p.Type {
	case TypeString:
		return raw, nil
	case TypeInt:
		i, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid integer %q", raw)
		}
		return i, p.checkRange(i)
	case TypeBool:
		return ParseBool(raw)
	case TypeFloat:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %q", raw)
		}
		return f, nil
	case TypeSize:
		n, err := ParseSize(raw)
		if err != nil {
			return nil, err
		}
		return n, p.checkRange(n)
	case TypeDuration:
		return ParseDuration(raw)
	case TypeCommaList:
		var items []string
		for _, it := range strings.Split(raw, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		return items, nil
	case TypeWords:
		words := SplitWords(raw, p.Words)
		if len(words) < p.Words {
			return nil, fmt.Errorf("want %d space-separated values, got %d in %q", p.Words, len(words), raw)
		}
		return words, nil
	}
	return nil, fmt.Errorf("parameter %s: unknown type", p.Name)
}

func (p *Param) checkRange(v int64) error {
	if p.Max > p.Min && (v < p.Min || v > p.Max) {
		return fmt.Errorf("value %d out of range; valid values are %d to %d", v, p.Min, p.Max)
	}
	return nil
}

// ParseBool accepts Fluent Bit's boolean spellings.
func ParseBool(raw string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q; valid values are on, off, true, false, yes, no", raw)
}

// ParseSize parses a byte size such as 5M, 25MB, 512k or 1048576.
func ParseSize(raw string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid size %q; write a number of bytes with an optional K, M or G suffix, e.g. 5M", raw)
	}
	return int64(f * float64(mult)), nil
}

// ParseDuration parses seconds ("5", "0.5") or a number with an ms, s, m,
// h or d suffix.
func ParseDuration(raw string) (time.Duration, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	unit := time.Second
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSuffix(s, u.suffix), u.unit
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid duration %q; write seconds, or a number with ms, s, m, h or d, e.g. 5s", raw)
	}
	return time.Duration(f * float64(unit)), nil
}

// SplitWords splits s on spaces into at most n fields, the last keeping the
// rest of the string; n <= 0 splits every word. Double-quoted words keep
// their spaces.
func SplitWords(s string, n int) []string {
	var words []string
	s = strings.TrimSpace(s)
	for s != "" {
		if n > 0 && len(words) == n-1 {
			return append(words, s)
		}
		var w string
		if s[0] == '"' {
			if end := strings.IndexByte(s[1:], '"'); end >= 0 {
				w, s = s[1:end+1], s[end+2:]
			} else {
				w, s = s, ""
			}
		} else if i := strings.IndexAny(s, " \t"); i >= 0 {
			w, s = s[:i], s[i:]
		} else {
			w, s = s, ""
		}
		words = append(words, w)
		s = strings.TrimLeft(s, " \t")
	}
	return words
}

// ParseRetryLimit reads Fluent Bit's Retry_Limit forms: a positive number of
// retries, "no_retries" (0), or "no_limits", "false" or "off" (unlimited,
// returned as -1).
func ParseRetryLimit(raw string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "no_limits", "false", "off", "unlimited":
		return -1, nil
	case "no_retries":
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("invalid value %q; write a positive number, no_retries, or no_limits", raw)
	}
	return n, nil
}
