package anomaly

import (
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the anomaly filter.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "anomaly",
		Summary: "learn each source's record rate (and error rate) and emit an alert record when it leaves its band",
		Emits:   true,
		Params: []plugin.Param{
			{Name: "Source_Key", Doc: "record accessor naming the source ($kubernetes['pod_name']); default: the tag"},
			{Name: "Interval", Type: plugin.TypeDuration, Default: "10s", Doc: "length of the intervals whose rates are compared"},
			{Name: "Baseline_Window", Type: plugin.TypeDuration, Default: "30m", Doc: "how far back the baseline remembers (EWMA time constant)"},
			{Name: "Warmup", Type: plugin.TypeInt, Default: "30", Min: 2, Max: 100000, Doc: "intervals learned before a source is judged; also the run of anomalous intervals after which a new level is accepted"},
			{Name: "Sensitivity", Type: plugin.TypeFloat, Default: "5", Doc: "standard deviations a rate must leave the baseline by"},
			{Name: "Min_Delta", Type: plugin.TypeFloat, Default: "1", Doc: "records per second a rate must differ from the baseline by, at least"},
			{Name: "Alert_On_Drop", Type: plugin.TypeBool, Default: "off", Doc: "also alert when a rate falls below its band (evaluated when the source next sends)"},
			{Name: "Level_Key", Doc: "record accessor of the log level; when set, the rate of error records is learned and judged too"},
			{Name: "Error_Levels", Type: plugin.TypeCommaList, Default: "error,err,fatal,critical,crit,alert,emerg,emergency,panic,severe",
				Doc: "values of Level_Key (case-insensitive) that count as errors"},
			{Name: "Alert_Tag", Default: "security.anomaly", Doc: "tag of the alert records"},
			{Name: "Max_Sources", Type: plugin.TypeInt, Default: "10000", Min: 1, Max: 10000000, Doc: "sources tracked at once; the least recently seen is forgotten first"},
		},
		Examples: []string{
			`[FILTER]
    Name        anomaly
    Match       app.*
    Source_Key  $kubernetes['pod_name']
    Level_Key   level`,
			`[FILTER]
    Name           anomaly
    Match          *
    Interval       1m
    Sensitivity    4
    Alert_On_Drop  on
    Alert_Tag      ops.anomaly`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
