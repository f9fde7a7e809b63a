// Package e2e holds Sluice's end-to-end tests. They build the real binary
// once (TestMain) and drive it as an operator would: configuration files on
// disk, real pipes, files, sockets and signals, then check the records that
// arrive, numbered so that a loss or a duplicate is visible.
package e2e
