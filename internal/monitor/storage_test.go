package monitor

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/metrics"
)

func TestAppendHumanSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "0b"}, {104, "104b"}, {1023, "1023b"}, {1024, "1.0K"}, {50_000_000, "47.7M"}, {3 << 30, "3.0G"}} {
		if got := string(appendHumanSize(nil, tt.n)); got != tt.want {
			t.Errorf("appendHumanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestStorageEndpointAndMetrics(t *testing.T) {
	reg := metrics.NewRegistry()
	in := reg.NewInput("tail.0", "tail", 50_000_000)
	in.BufferedBytes.Store(104)
	reg.NewInput("dummy.0", "dummy", 0)
	st := reg.NewStorage("tail.0")
	st.Chunks.Store(5)
	st.ChunksUp.Store(2)
	st.Bytes.Store(2048)
	st.StoredRecords.Store(77)
	reg.NewOutput("es.0", "es")
	reg.CountRejected("es.0", 3)
	s := New(Config{StorageMetrics: true}, reg, nil)

	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/storage", nil))
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("/api/v1/storage: %v: %s", err, rec.Body.String())
	}
	want := `{"storage_layer":{"chunks":{"total_chunks":5,"mem_chunks":0,"fs_chunks":5,"fs_chunks_up":2,"fs_chunks_down":3}},` +
		`"input_chunks":{"tail.0":{"status":{"overlimit":false,"mem_size":"104b","mem_limit":"47.7M"},` +
		`"chunks":{"total":5,"up":2,"down":3,"busy":2,"busy_size":"2.0K"}},` +
		`"dummy.0":{"status":{"overlimit":false,"mem_size":"0b","mem_limit":"0b"},"chunks":{"total":0,"up":0,"down":0,"busy":0,"busy_size":"0b"}}}}`
	if strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("/api/v1/storage:\n got %s\nwant %s", rec.Body.String(), want)
	}

	rec = httptest.NewRecorder()
	s.mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/metrics/prometheus", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range []string{
		`sluice_storage_chunks{name="tail.0"} 5`,
		`sluice_storage_chunks_down{name="tail.0"} 3`,
		`sluice_storage_stored_records_total{name="tail.0"} 77`,
		`sluice_output_rejected_records_total{name="es.0"} 3`,
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("prometheus output lacks %q", line)
		}
	}

	off := New(Config{}, reg, nil)
	rec = httptest.NewRecorder()
	off.mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/storage", nil))
	if rec.Code != 404 {
		t.Errorf("/api/v1/storage with storage.metrics off: %d, want 404", rec.Code)
	}
}
