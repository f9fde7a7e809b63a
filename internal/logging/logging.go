// Package logging builds Sluice's own structured logs: key=value text (or
// JSON) lines on stderr, with Fluent Bit's level names. Each plugin instance
// gets a child logger carrying its name and its own Log_Level.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// LevelOff is above every level: a logger at LevelOff prints nothing.
const LevelOff = slog.Level(100)

// LevelTrace is below debug, for Fluent Bit's "trace".
const LevelTrace = slog.Level(-8)

// ParseLevel maps Fluent Bit's Log_Level values (off, error, warn/warning,
// info, debug, trace) to slog levels.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "off":
		return LevelOff, nil
	case "error":
		return slog.LevelError, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "trace":
		return LevelTrace, nil
	}
	return 0, fmt.Errorf("invalid log level %q; valid levels are off, error, warn, info, debug, trace", s)
}

// Factory makes loggers that share one destination and format but may each
// have their own level.
type Factory struct {
	w    io.Writer
	json bool
}

// NewFactory returns a factory writing to w, as JSON when format is "json"
// and as key=value text otherwise.
func NewFactory(w io.Writer, format string) *Factory {
	return &Factory{w: w, json: strings.EqualFold(format, "json")}
}

// New returns a logger at level with the given attributes.
func (f *Factory) New(level slog.Level, attrs ...any) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: renameLevel}
	var h slog.Handler
	if f.json {
		h = slog.NewJSONHandler(f.w, opts)
	} else {
		h = slog.NewTextHandler(f.w, opts)
	}
	return slog.New(h).With(attrs...)
}

// renameLevel prints the trace level as TRACE rather than DEBUG-4.
func renameLevel(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l <= LevelTrace {
			a.Value = slog.StringValue("TRACE")
		}
	}
	return a
}
