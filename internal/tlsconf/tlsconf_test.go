package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
)

func decode(t *testing.T, kv ...string) *plugin.Config {
	t.Helper()
	spec := plugin.Spec{Kind: plugin.KindOutput, Name: "x", Params: Params()}
	sect := &config.Section{Kind: config.KindOutput}
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "x"})
	c, err := plugin.Decode(&spec, sect, "[OUTPUT] x")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writePair(t *testing.T) (crt, key string) {
	dir := t.TempDir()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	kd, _ := x509.MarshalECPrivateKey(priv)
	crt, key = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600)
	return crt, key
}

func TestServerAndClient(t *testing.T) {
	crt, key := writePair(t)
	tests := []struct {
		name    string
		server  bool
		kv      []string
		check   func(*tls.Config) bool
		wantErr string
	}{
		{"off", true, nil, func(c *tls.Config) bool { return c == nil }, ""},
		{"server needs a certificate", true, []string{"tls", "on"}, nil, "needs tls.crt_file and tls.key_file"},
		{"server", true, []string{"tls", "on", "tls.crt_file", crt, "tls.key_file", key},
			func(c *tls.Config) bool { return len(c.Certificates) == 1 && c.ClientAuth == tls.NoClientCert }, ""},
		{"server with client CA verifies clients", true, []string{"tls", "on", "tls.crt_file", crt, "tls.key_file", key, "tls.ca_file", crt},
			func(c *tls.Config) bool { return c.ClientAuth == tls.RequireAndVerifyClientCert && c.ClientCAs != nil }, ""},
		{"client verify off", false, []string{"tls", "on", "tls.verify", "off"},
			func(c *tls.Config) bool { return c.InsecureSkipVerify && c.ServerName == "example.com" }, ""},
		{"client vhost and CA", false, []string{"tls", "on", "tls.vhost", "logs.internal", "tls.ca_file", crt},
			func(c *tls.Config) bool {
				return !c.InsecureSkipVerify && c.ServerName == "logs.internal" && c.RootCAs != nil
			}, ""},
		{"client certificate", false, []string{"tls", "on", "tls.crt_file", crt, "tls.key_file", key},
			func(c *tls.Config) bool { return len(c.Certificates) == 1 }, ""},
		{"half a pair", false, []string{"tls", "on", "tls.crt_file", crt}, nil, "go together"},
		{"CA file without PEM", false, []string{"tls", "on", "tls.ca_file", key}, nil, "holds no PEM certificate"},
		{"missing file", false, []string{"tls", "on", "tls.ca_file", "/nonexistent"}, nil, "reading certificate authorities"},
		{"encrypted key", false, []string{"tls", "on", "tls.key_passwd", "x"}, nil, "not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := decode(t, tc.kv...)
			var cfg *tls.Config
			var err error
			if tc.server {
				cfg, err = Server(c)
			} else {
				cfg, err = Client(c, "example.com")
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(cfg) {
				t.Fatalf("cfg = %+v, err = %v", cfg, err)
			}
		})
	}
}
