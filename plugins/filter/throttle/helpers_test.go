package throttle

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

// settings decodes key/value pairs as this filter's [FILTER] section.
func settings(t testing.TB, kv ...string) plugin.Settings {
	t.Helper()
	return plugintest.Settings(t, Spec(), kv...)
}

// batch encodes JSON bodies as events at time sec.
func batch(t testing.TB, sec int64, bodies ...string) []byte {
	t.Helper()
	return plugintest.Batch(t, sec, bodies...)
}
