// Package conf holds the configuration files Sluice ships beside its
// binary. They are embedded so that the binary works where the files are
// absent (a scratch image, a test machine).
package conf

import (
	_ "embed"
	"path/filepath"
)

// Parsers is parsers.conf: the parsers Fluent Bit and aws-for-fluent-bit
// users name (apache, nginx, docker, cri, syslog-rfc5424, ...).
//
//go:embed parsers.conf
var Parsers []byte

// IsParsersPath reports whether a Parsers_File value names the shipped
// parsers.conf: the bare name Fluent Bit configurations write, or where
// images install it (aws-for-fluent-bit's /fluent-bit/parsers/parsers.conf,
// Fluent Bit's /fluent-bit/etc/parsers.conf). Such a file that does not
// exist on disk is read from Parsers instead.
func IsParsersPath(written string) bool {
	switch filepath.Clean(written) {
	case "parsers.conf", "/fluent-bit/parsers/parsers.conf", "/fluent-bit/etc/parsers.conf":
		return true
	}
	return false
}
