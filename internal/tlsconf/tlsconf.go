// Package tlsconf turns Fluent Bit's tls.* parameters into a crypto/tls
// configuration, once for every plugin that speaks TLS: a plugin appends
// Params() to its Spec and calls Server or Client with its decoded Config.
//
// The parameters and defaults are Fluent Bit's (src/tls/flb_tls.c and the
// "Transport Security" page of its manual): tls (off), tls.verify (on),
// tls.ca_file, tls.crt_file, tls.key_file and tls.vhost. tls.ca_path,
// tls.key_passwd and tls.debug are accepted; Sluice reads only unencrypted
// PEM keys and logs through its own logger, so a tls.key_passwd is a
// configuration error rather than being ignored.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Params declares the tls.* parameters, to append to a plugin's Spec.Params.
func Params() []plugin.Param {
	return []plugin.Param{
		{Name: "tls", Type: plugin.TypeBool, Default: "off", Doc: "use TLS on the connection"},
		{Name: "tls.verify", Type: plugin.TypeBool, Default: "on",
			Doc: "verify the peer's certificate (a server verifies client certificates only when tls.ca_file is set)"},
		{Name: "tls.ca_file", Doc: "PEM file of the certificate authorities to trust instead of the system pool"},
		{Name: "tls.ca_path", Doc: "directory of PEM certificate authorities to trust, added to tls.ca_file"},
		{Name: "tls.crt_file", Doc: "PEM certificate chain presented to the peer"},
		{Name: "tls.key_file", Doc: "PEM private key of tls.crt_file"},
		{Name: "tls.key_passwd", Doc: "not supported: decrypt the key file beforehand"},
		{Name: "tls.vhost", Doc: "server name to send (SNI) and verify, instead of the host name"},
		{Name: "tls.debug", Type: plugin.TypeInt, Default: "1", Doc: "accepted for compatibility; TLS errors are logged at the plugin's log level"},
	}
}

// Enabled reports whether the section turned TLS on.
func Enabled(c *plugin.Config) bool { return c.Bool("tls") }

// Server returns the TLS configuration of a listening plugin, or nil when
// tls is off. A certificate and key are required. With tls.verify on and a
// tls.ca_file, clients must present a certificate signed by one of its
// authorities (mutual TLS); otherwise client certificates are not asked for.
func Server(c *plugin.Config) (*tls.Config, error) {
	if !Enabled(c) {
		return nil, nil
	}
	if err := checkKeyPassword(c); err != nil {
		return nil, err
	}
	if c.String("tls.crt_file") == "" || c.String("tls.key_file") == "" {
		return nil, c.Errorf("tls", "a TLS listener needs tls.crt_file and tls.key_file; set both or turn tls off")
	}
	cert, err := loadKeyPair(c)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.Bool("tls.verify") && (c.String("tls.ca_file") != "" || c.String("tls.ca_path") != "") {
		pool, err := caPool(c)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// Client returns the TLS configuration of a connecting plugin for host, or
// nil when tls is off. tls.vhost, when set, replaces host as the server
// name; tls.verify off accepts any server certificate.
func Client(c *plugin.Config, host string) (*tls.Config, error) {
	if !Enabled(c) {
		return nil, nil
	}
	if err := checkKeyPassword(c); err != nil {
		return nil, err
	}
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: !c.Bool("tls.verify")}
	if v := c.String("tls.vhost"); v != "" {
		cfg.ServerName = v
	}
	if c.String("tls.ca_file") != "" || c.String("tls.ca_path") != "" {
		pool, err := caPool(c)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if c.String("tls.crt_file") != "" || c.String("tls.key_file") != "" {
		cert, err := loadKeyPair(c)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func checkKeyPassword(c *plugin.Config) error {
	if c.String("tls.key_passwd") != "" {
		return c.Errorf("tls.key_passwd", "encrypted private keys are not supported; decrypt the key (openssl pkey -in key.pem -out plain.pem) and remove tls.key_passwd")
	}
	return nil
}

func loadKeyPair(c *plugin.Config) (tls.Certificate, error) {
	crt, key := c.String("tls.crt_file"), c.String("tls.key_file")
	if crt == "" || key == "" {
		return tls.Certificate{}, c.Errorf("tls.crt_file", "tls.crt_file and tls.key_file go together; set both")
	}
	cert, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		return tls.Certificate{}, c.Errorf("tls.crt_file", "loading %s and %s: %v", crt, key, err)
	}
	return cert, nil
}

func caPool(c *plugin.Config) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	var files []string
	if f := c.String("tls.ca_file"); f != "" {
		files = append(files, f)
	}
	if dir := c.String("tls.ca_path"); dir != "" {
		matches, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			return nil, c.Errorf("tls.ca_path", "%v", err)
		}
		files = append(files, matches...)
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, c.Errorf("tls.ca_file", "reading certificate authorities: %v", err)
		}
		if !pool.AppendCertsFromPEM(pem) && f == c.String("tls.ca_file") {
			return nil, c.Errorf("tls.ca_file", "%s holds no PEM certificate", f)
		}
	}
	return pool, nil
}
