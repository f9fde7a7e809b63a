package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fwdWaitListening polls until something accepts connections on addr.
func fwdWaitListening(t *testing.T, p *process, network, addr string) {
	t.Helper()
	eventually(t, 10*time.Second, network+" listener on "+addr, func() bool {
		select {
		case <-p.done:
			t.Fatalf("sluice exited early (%v); stderr:\n%s", p.err, p.stderr.String())
		default:
		}
		c, err := net.DialTimeout(network, addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// fwdWriteCert writes a self-signed CA certificate for 127.0.0.1 and
// localhost, and its key, into dir.
func fwdWriteCert(t *testing.T, dir string) (crt, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "sluice e2e"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	crt, key = filepath.Join(dir, "sluice-e2e.crt"), filepath.Join(dir, "sluice-e2e.key")
	if err := os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return crt, key
}

// fwdWaitRecords waits until path holds n records and checks that the seq
// field numbers them 0..n-1 exactly once. Tests check again after stopping
// sluice, when a late duplicate would have been written.
func fwdWaitRecords(t *testing.T, path string, n int) []map[string]any {
	t.Helper()
	var recs []map[string]any
	eventually(t, 20*time.Second, "records in "+filepath.Base(path), func() bool {
		recs = jsonLines(t, path)
		return len(recs) >= n
	})
	checkSequence(t, recs, "seq", n)
	return recs
}

// fwdRepoRoot is the repository root, the parent of package e2e.
func fwdRepoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// fwdLogHas reports whether sluice's stderr has a line with every one of subs.
func fwdLogHas(p *process, subs ...string) bool {
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			return true
		}
	}
	return false
}
