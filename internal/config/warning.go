package config

// Warning is a problem that does not stop a configuration from loading but
// that an operator should see: a variable that expands to nothing, a section
// with no entries, text Fluent Bit would silently ignore.
type Warning struct {
	Pos Position
	Msg string
}

// String renders "file:line:col: message".
func (w Warning) String() string { return w.Pos.String() + ": " + w.Msg }
