package rewritetag

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

// trySettings is settings returning the decoding error.
func trySettings(kv ...string) (plugin.Settings, error) { return plugintest.TrySettings(Spec(), kv...) }

// batch encodes JSON bodies as events at time sec.
func batch(t testing.TB, sec int64, bodies ...string) []byte {
	t.Helper()
	return plugintest.Batch(t, sec, bodies...)
}

// render returns "unix-seconds body-json" per event.
func render(t testing.TB, events []byte) []string {
	t.Helper()
	return plugintest.Render(t, events)
}
