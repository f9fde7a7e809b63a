package http

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestTLSListener serves the input over TLS with a certificate and key
// from files, to HTTP/1.1 and HTTP/2 clients.
func TestTLSListener(t *testing.T) {
	donor := httptest.NewTLSServer(nethttp.NotFoundHandler()) // for its certificate
	donor.Close()
	cert := donor.TLS.Certificates[0]
	dir := t.TempDir()
	crt, key := filepath.Join(dir, "crt.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644)
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	in, col, _ := startInput(t, "tls", "on", "tls.crt_file", crt, "tls.key_file", key)
	for i, h2 := range []bool{false, true} {
		tr := &nethttp.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: h2}
		c := &nethttp.Client{Transport: tr}
		resp, err := c.Post("https://"+in.addr.String()+"/secure", "application/json", bytes.NewReader([]byte(`{"n":1}`)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 || (h2 && resp.ProtoMajor != 2) {
			t.Errorf("h2=%v: %d %s", h2, resp.StatusCode, resp.Proto)
		}
		col.WaitFor(t, i+1)
	}
}
