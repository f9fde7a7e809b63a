package throttle

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the throttle filter (Fluent Bit's filter_throttle).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "throttle",
		Summary: "drop records beyond an average rate over a sliding window",
		Params: []plugin.Param{
			{Name: "Rate", Type: plugin.TypeInt, Default: "1", Min: 1, Max: 1 << 40, Doc: "records per Interval allowed on average over the window"},
			{Name: "Window", Type: plugin.TypeInt, Default: "5", Min: 1, Max: 1 << 20, Doc: "number of Intervals the average is taken over"},
			{Name: "Interval", Type: plugin.TypeDuration, Default: "1s", Doc: "length of one window slot, e.g. 1s, 500ms, 1m"},
			{Name: "Print_Status", Type: plugin.TypeBool, Default: "off", Doc: "log the window's state every interval"},
		},
		Examples: []string{
			`[FILTER]
    Name     throttle
    Match    *
    Rate     1000
    Window   5
    Interval 1s`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
