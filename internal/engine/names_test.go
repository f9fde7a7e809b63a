package engine

import (
	"io"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
)

// Instance names are unique per kind, as in Fluent Bit: the input and the
// output of one plugin name (kafka, forward) are both <plugin>.0.
func TestInstanceNamesAreUniquePerKind(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}}, outputs: map[string]*sink{"o": {}, "p": {}}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Alias", "same"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Alias", "same"))
	if _, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")}); err != nil {
		t.Errorf("an input and an output may share a name: %v", err)
	}
	m.Add(section(config.KindOutput, "Name", "sink", "id", "p", "Alias", "same"))
	_, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
	if err == nil || !strings.Contains(err.Error(), `instance name "same" is already used`) {
		t.Errorf("two outputs with one name: %v", err)
	}
}
