package top

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Render draws the rows as the screen of `sluice top`.
func Render(base string, rows []Row, err error, at time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sluice top — %s — %s   (q to quit)\n\n", base, at.Format("15:04:05"))
	if err != nil {
		fmt.Fprintf(&b, "cannot read metrics: %v\nis Sluice running with HTTP_Server On?\n", err)
		return b.String()
	}
	fmt.Fprintf(&b, "%-32s %12s %12s %8s %8s %8s %8s %10s\n", "COMPONENT", "RECORDS/S", "BYTES/S", "ERRORS", "RETRIES", "FAILED", "DROPPED", "BUFFER")
	for _, r := range rows {
		buffer := ""
		switch {
		case r.BufferUse >= 0:
			buffer = fmt.Sprintf("%.0f%%", 100*r.BufferUse)
		case r.BufferedBytes > 0:
			buffer = humanBytes(float64(r.BufferedBytes))
		}
		fmt.Fprintf(&b, "%-32s %12.1f %12s %8d %8d %8d %8d %10s\n", clip(r.Component, 32), r.RecordsPerSec,
			humanBytes(r.BytesPerSec), r.Errors, r.Retries, r.Failed, r.Drops, buffer)
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func humanBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// model is the Bubble Tea model of the view.
type model struct {
	base     string
	interval time.Duration
	client   *http.Client
	prev     *Sample
	rows     []Row
	err      error
	at       time.Time
}

type sampled struct {
	s   *Sample
	err error
}

func (m model) fetch() tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		s, err := Fetch(ctx, m.client, m.base)
		return sampled{s, err}
	}
}

func (m model) Init() tea.Cmd { return m.fetch() }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			return m, tea.Quit
		}
	case sampled:
		m.err, m.at = msg.err, time.Now()
		if msg.err == nil {
			m.rows = Rows(m.prev, msg.s)
			m.prev = msg.s
		}
		return m, tea.Tick(m.interval, func(time.Time) tea.Msg { return tick{} })
	case tick:
		return m, m.fetch()
	}
	return m, nil
}

type tick struct{}

func (m model) View() string { return Render(m.base, m.rows, m.err, m.at) }

// Run shows the live view until the user quits.
func Run(base string, interval time.Duration) error {
	m := model{base: base, interval: interval, client: &http.Client{Timeout: 3 * time.Second}, at: time.Now()}
	_, err := tea.NewProgram(m, tea.WithAltScreen()).Run()
	return err
}
