// Package examples holds Sluice's commented example configurations. They
// are embedded so that `sluice run` without -c has a default pipeline that
// needs no cloud account, and so tests can check every example validates.
package examples

import "embed"

// Files holds every example configuration (*.conf and *.yaml).
//
//go:embed *.conf *.yaml
var Files embed.FS

// DefaultName is the example `sluice run` uses when no configuration is given.
const DefaultName = "default.conf"
