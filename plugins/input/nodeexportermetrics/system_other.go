//go:build !linux

package nodeexportermetrics

import "errors"

var errNotLinux = errors.New("this collector needs Linux")

func collectUname(*scrape) error      { return errNotLinux }
func collectFilesystem(*scrape) error { return errNotLinux }
