package config

import (
	"os"
	"slices"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Setenv("SLUICE_TEST_ENV", "from-env")
	t.Setenv("SLUICE_TEST_EMPTY", "")
	vars := map[string]string{"region": "us-east-1", "SLUICE_TEST_ENV": "from-set", "blank": "", "loop": "${loop}"}
	tests := []struct {
		in, want  string
		undefined []string
	}{
		{"plain value", "plain value", nil},
		{"${region}", "us-east-1", nil},
		{"logs-${region}-${region}", "logs-us-east-1-us-east-1", nil},
		{"${region}${region}", "us-east-1us-east-1", nil},
		{"${SLUICE_TEST_ENV}", "from-set", nil},                       // configuration wins over the environment
		{"${SLUICE_TEST_EMPTY}x", "x", []string{"SLUICE_TEST_EMPTY"}}, // empty counts as unset
		{"a${nope}b${nada}c", "abc", []string{"nope", "nada"}},
		{"${nope:-fallback}", "fallback", nil},
		{"${blank:-fallback}", "fallback", nil},
		{"${region:-fallback}", "us-east-1", nil},
		{"${loop}", "${loop}", nil}, // values are not expanded again
		{"${}", "${}", nil},
		{"cost: ${region", "cost: ${region", nil},
		{"$region", "$region", nil},
	}
	for _, tt := range tests {
		got, undefined := Expand(tt.in, vars)
		if got != tt.want || !slices.Equal(undefined, tt.undefined) {
			t.Errorf("Expand(%q) = %q, %q; want %q, %q", tt.in, got, undefined, tt.want, tt.undefined)
		}
	}
}

func TestExpandHostname(t *testing.T) {
	t.Setenv("HOSTNAME", "") // as under most init systems: not exported
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	if got, undefined := Expand("${HOSTNAME}", nil); got != host || undefined != nil {
		t.Errorf("Expand(${HOSTNAME}) = %q, %v; want %q", got, undefined, host)
	}
}
