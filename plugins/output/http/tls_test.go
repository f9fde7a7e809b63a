package http

import (
	"context"
	"encoding/pem"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

// TestTLS sends over https: trusted through tls.ca_file, refused without
// it (with a message saying what to set), accepted with tls.verify off.
func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	for _, tc := range []struct {
		kv   []string
		want string // "" for success
	}{
		{[]string{"tls", "on", "tls.ca_file", ca}, ""},
		{[]string{"tls", "on"}, "tls.ca_file"},
		{[]string{"tls", "on", "tls.verify", "off"}, ""},
	} {
		o, err := New(plugintest.Settings(t, Spec(), append([]string{"Host", "127.0.0.1", "Port", port, "Format", "json"}, tc.kv...)...))
		if err != nil {
			t.Fatal(err)
		}
		err = o.Flush(context.Background(), chunk(t, `{"a":1}`))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
		o.Close(context.Background())
	}
}
